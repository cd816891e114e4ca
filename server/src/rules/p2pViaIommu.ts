import type { Rule } from './rule';
import { atShare } from './rule';

const rule: Rule = {
  code: 'p2p-via-iommu',
  severity: 'info',
  kernel: 'amdgpu_vram_mgr_alloc_sgt, dma_map_resource',
  summary: 'amdgpu maps VRAM through the IOMMU although BUS_ADDR is possible.',
  checkShare: (o) =>
    o.mapping.viaIommuDespiteBusAddr
      ? [atShare(o, `${o.share.name} could use the bus address (BUS_ADDR at ${o.mapping.route?.commonAncestor?.name}), but amdgpu maps VRAM with dma_map_resource(), so ${o.share.importerName} gets an IOVA and the TLPs are translated by the IOMMU. This is how amdgpu works; nothing to fix unless the IOVA space or IOTLB pressure matters.`)]
      : [],
};
export default rule;
