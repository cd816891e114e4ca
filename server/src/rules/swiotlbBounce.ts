import type { Rule } from './rule';
import { atShare } from './rule';
import { type BounceCause, forceBounceText } from '../engine/refusal';

/** Why the mapping went to swiotlb (the engine's cause), and what would avoid it. */
function wording(b: BounceCause): [why: string, fix: string] {
  switch (b.kind) {
    case 'untrusted-unaligned':
      return ['an untrusted device bounces a buffer that is not granule-aligned (dev_use_swiotlb)', 'Make the buffer a multiple of 4 KiB'];
    case 'force-bounce':
      return [`every RAM mapping bounces (is_swiotlb_force_bounce: ${forceBounceText(b.force)})`, 'Share through memory both sides can reach without bouncing (e.g. a (v)IOMMU domain), or do not rely on shared access'];
    case 'outside-dma-ranges':
    case 'above-dma-limit':
      return ['its DMA mask, bus_dma_limit or dma-ranges do not cover the pages (dma_capable, translate_phys_to_dma)', 'Give the device an IOMMU domain, a wider DMA mask, or place the buffer below its limit'];
  }
}

const rule: Rule = {
  code: 'swiotlb-bounce',
  severity: 'warning',
  kernel: 'dma_direct_map_phys, dma_capable, is_swiotlb_force_bounce, dev_use_swiotlb',
  summary: 'The importer gets a bounced private copy of a system buffer: shared access is broken.',
  checkShare: (o) => {
    const bounce = o.mapping.bounce;
    if (!bounce) return [];
    const [why, fix] = wording(bounce);
    return [
      atShare(o, `${o.share.importerName} cannot reach ${o.share.buffer.name} directly and gets a swiotlb bounce buffer: ${why}. The device works on a private copy synchronised only at map, sync and unmap, so the exporter and other importers see stale data. ${fix}.`),
    ];
  },
};
export default rule;
