// The model as a whole.

import type { Check } from './context';

/** Buffers and shares are mapped on a machine: without a platform block there is none (docs/language.md §1). */
export const checkPlatformPresent: Check = (g, c) => {
  if (g.platform) return;
  const buffer = g.bufferDecls[0];
  const share = g.shareDecls[0];
  const firstUse = buffer ? { uri: buffer.uri, span: buffer.d.name.span } : share ? { uri: share.uri, span: share.d.buffer.span } : undefined;
  if (firstUse) c.report('missing-platform', 'buffers and shares need a platform block (or a `use` of a file that has one): there is no machine to map them on', firstUse);
};
