import type { Rule } from './rule';
import { atShare, related } from './rule';

const rule: Rule = {
  code: 'shared-iommu-group',
  severity: 'info',
  kernel: 'pci_device_group, iommu_dma_init_domain',
  summary: 'Exporter and importer functions are in one IOMMU group.',
  checkShare: (o, ctx) => {
    const s = o.share;
    const exp = s.buffer.exporter;
    if (!exp || s.importer.kind !== 'pci' || !ctx.model.platform?.iommu || exp === s.importer.fn) return [];
    const g = ctx.engine.groups?.groupOf.get(exp);
    if (!g || g !== ctx.engine.groups?.groupOf.get(s.importer.fn)) return [];
    return [
      atShare(o, `${exp.name} and ${s.importer.fn.name} are in one IOMMU group (pci_device_group; group ${g.id}: ${g.reason}): they share one IOVA domain and nothing isolates them from each other; VFIO must own the whole group.`, {
        related: [related(exp.place, `${exp.name}, in group ${g.id}`)],
      }),
    ];
  },
};
export default rule;
