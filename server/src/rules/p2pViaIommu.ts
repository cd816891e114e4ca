import type { Rule } from './rule';
import { atShare } from './rule';
import { memoryWord } from '../engine/exporters/mapResource';

const rule: Rule = {
  code: 'p2p-via-iommu',
  severity: 'info',
  kernel: 'amdgpu_vram_mgr_alloc_sgt, xe_ttm_vram_mgr_alloc_sgt, nv_dma_map_peer, alloc_sgt_from_device_pages, dma_map_resource',
  summary: 'An exporter that maps device memory with dma_map_resource (amdgpu, xe, nvidia, habanalabs) goes through the IOMMU although BUS_ADDR is possible.',
  checkShare: (o) =>
    o.mapping.viaIommuDespiteBusAddr
      ? [atShare(o, `${o.share.name} could use the bus address (BUS_ADDR at ${o.mapping.route?.commonAncestor?.name}), but ${o.share.buffer.driver} maps ${memoryWord(o.share.buffer.driver)} with dma_map_resource(), so ${o.share.importerName} gets an IOVA and the TLPs are translated by the IOMMU. This is how ${o.share.buffer.driver} works; nothing to fix unless the IOVA space or IOTLB pressure matters.`)]
      : [],
};
export default rule;
