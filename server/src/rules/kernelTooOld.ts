// kernel-too-old: the share needs a feature that landed after the model's kernel release
// (engine/releases.ts); the engine refuses it with the feature and its source.

import { failureRule } from './rule';
import type { ShareOutcome } from '../engine/run';

function advice(o: ShareOutcome): string {
  const r = o.mapping.failure?.reason;
  return r?.kind === 'kernel-too-old'
    ? 'Run a newer kernel (`kernel { version … }`), or a distribution kernel that backports the feature.'
    : '';
}

export default failureRule(
  'kernel-too-old',
  'vfio_pci_core_feature_dma_buf, iopt_alloc_dmabuf_pages',
  'The share needs a kernel feature that landed after the release the model runs.',
  advice,
);
