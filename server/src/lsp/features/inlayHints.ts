// textDocument/inlayHint (inlayHints.ts): the map type and first DMA address after each
// share header, as the last full analyses (of this document, and of open models that
// use it) computed them: hints do not flicker while the engine waits for a save.

import { fileKey } from '../uris';
import { inlayHints, shareValues, type ShareValue } from '../inlayHints';
import type { Workspace } from '../workspace';
import { register, type Features } from './register';

export function registerInlayHints(f: Features): void {
  register(f, f.connection.languages.inlayHint.on, 'parsed', (ctx, p) => inlayHints(ctx.result.model, fullValues(ctx.ws, ctx.doc.uri), p.range), {
    name: 'inlayHint',
    fallback: [],
    long: true,
  });
}

function fullValues(ws: Workspace, uri: string): Map<string, ShareValue> {
  const key = fileKey(uri);
  const out = new Map<string, ShareValue>();
  const last = ws.lastFullAnalyses();
  const own = last.get(key);
  const others = [...last].filter(([k, v]) => k !== key && v.analysis.files.some((f) => fileKey(f.uri) === key)).map(([, v]) => v);
  for (const entry of [...(own ? [own] : []), ...others]) {
    for (const [name, v] of shareValues(entry.analysis, uri)) if (!out.has(name)) out.set(name, v);
  }
  return out;
}
