// invalid-value: the model reports a value out of range where it is written (model/checks/);
// this rule words the engine's refusals of that code at the share they end: a share of a
// refused buffer, a buffer larger than the kernel can allocate or than this model maps,
// or a value out of range that made the engine stop.

import { failureRule, related } from './rule';
import type { ShareOutcome } from '../engine/run';
import type { RelatedInfo } from '../ground/findings';

function advice(o: ShareOutcome): string {
  switch (o.mapping.failure?.reason.kind) {
    case 'buffer-refused':
      return 'Correct the buffer first.';
    case 'heap-alloc-fails':
      return 'Allocate what the machine\'s RAM can hold, or split the data over several smaller buffers.';
    case 'sg-table-too-large':
      return 'Export less in one buffer: split it over several.';
    default:
      return 'Correct the value out of range first.';
  }
}

function relatedInfo(o: ShareOutcome): RelatedInfo[] {
  const b = o.share.buffer;
  return o.mapping.failure?.reason.kind === 'buffer-refused' ? [related(b.place, `buffer ${b.name} is refused (invalid-value)`)] : [];
}

export default failureRule(
  'invalid-value',
  'pci_assign_resource, vfio_pci_core_feature_dma_buf, dma_set_mask, system_heap_allocate, dma_buf_phys_vec_to_sgt, sg_alloc_table',
  'A value out of range (BDF, BAR placement, buffer size, DMA mask), and the shares of a buffer the kernel cannot allocate or describe.',
  advice,
  relatedInfo,
);
