import type { Rule } from './rule';
import { atShare } from './rule';

const rule: Rule = {
  code: 'ats-p2p',
  severity: 'info',
  kernel: 'dma_buf_map_attachment (exporter mapping), pci_p2pdma_map_type',
  summary: 'The share relies on ATS and the importer cannot tell P2P from host memory.',
  checkShare: (o) => {
    const m = o.mapping;
    // The 2025 debate's ATS point: BUS_ADDR, or THRU_HOST_BRIDGE with an IOVA. Through dma-direct
    // (the CPU physical BAR address) no IOMMU translation is involved for ATS to skip.
    const p2p = m.mapType === 'BUS_ADDR' || (m.mapType === 'THRU_HOST_BRIDGE' && m.addressKind === 'iova');
    if (!o.share.ats || m.placement !== 'vram' || !m.ok || !p2p) return [];
    return [atShare(o, `${o.share.name} relies on ATS, but the dma_addr_t the exporter hands over (dma_buf_map_attachment) does not say that it is P2P (${m.mapType}): the importer cannot decide to skip ATS translation for it.`)];
  },
};
export default rule;
