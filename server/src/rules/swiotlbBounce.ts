import type { Rule } from './rule';
import { atShare } from './rule';

const rule: Rule = {
  code: 'swiotlb-bounce',
  severity: 'warning',
  kernel: 'dma_direct_map_phys, dma_capable, is_swiotlb_force_bounce, dev_use_swiotlb',
  summary: 'The importer gets a bounced private copy of a system buffer: shared access is broken.',
  checkShare: (o, ctx) => {
    if (!o.mapping.bounced) return [];
    const k = ctx.model.platform?.kernel;
    // Which check sent the mapping to swiotlb (kernel-semantics.md §2.4).
    const [why, fix] =
      o.mapping.importerDma?.kind === 'iommu'
        ? ['an untrusted device bounces a buffer that is not granule-aligned (dev_use_swiotlb)', 'Make the buffer a multiple of 4 KiB']
        : k?.ccGuest || k?.swiotlbForce
          ? [`every RAM mapping bounces (is_swiotlb_force_bounce: ${k.ccGuest ? 'confidential-computing guest' : 'swiotlb=force'})`, 'Share through memory both sides can reach without bouncing (e.g. a (v)IOMMU domain), or do not rely on shared access']
          : ['its DMA mask, bus_dma_limit or dma-ranges do not cover the pages (dma_capable, translate_phys_to_dma)', 'Give the device an IOMMU domain, a wider DMA mask, or place the buffer below its limit'];
    return [
      atShare(o, `${o.share.importerName} cannot reach ${o.share.buffer.name} directly and gets a swiotlb bounce buffer: ${why}. The device works on a private copy synchronised only at map, sync and unmap, so the exporter and other importers see stale data. ${fix}.`),
    ];
  },
};
export default rule;
