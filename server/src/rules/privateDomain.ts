import type { Rule } from './rule';
import { atShare } from './rule';

const rule: Rule = {
  code: 'private-domain',
  severity: 'error',
  kernel: 'iommu_attach_device (driver-owned domain), dma_buf_map_attachment',
  summary: 'An importer with `iommu private` mapped via sgt: the DMA addresses are for the wrong domain.',
  checkShare: (o, ctx) => {
    const s = o.share;
    // Without an IOMMU there is no domain to own; the model reports the contradiction.
    if (!ctx.model.platform?.iommu) return [];
    if (!o.mapping.importerDma?.privateDomain || s.via !== 'sgt' || !o.mapping.ok) return [];
    return [atShare(o, `${s.importerName} runs in an IOMMU domain its driver owns, but the exporter maps ${s.buffer.name} with the DMA API for the device's default domain (dma_buf_map_attachment): the addresses in the sg_table are not the ones the device uses. Map the pages into the private domain (take physical ranges), or bind the device to the kernel's DMA domain.`)];
  },
};
export default rule;
