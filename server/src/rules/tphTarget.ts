import type { Rule } from './rule';
import { atShare } from './rule';

const rule: Rule = {
  code: 'tph-target',
  severity: 'info',
  kernel: 'dma_buf_map_attachment (no get_pci_tph op in mainline)',
  summary: 'The share uses TPH and the target\'s NUMA node cannot be derived from the sg_table.',
  checkShare: (o, ctx) => {
    if (!o.share.tph || !o.mapping.ok) return [];
    const s = o.share;
    const impNode = s.importer.kind === 'pci' ? s.importer.fn.hostBridge.node : undefined;
    let target: string;
    if (o.mapping.placement === 'vram') target = 'device memory (MMIO)';
    else {
      const addr = ctx.engine.systemAddress.get(s.buffer);
      const mem = ctx.model.platform?.memories.find((m) => addr !== undefined && addr >= m.first && addr <= m.last);
      if (mem?.node === undefined || mem.node === impNode) return [];
      target = `RAM on NUMA node ${mem.node}`;
    }
    return [atShare(o, `${s.name} uses TPH steering tags, but the target is ${target} and nothing in the sg_table from dma_buf_map_attachment tells the importer which node to steer to (no get_pci_tph op in mainline).`)];
  },
};
export default rule;
