import type { Rule } from './rule';
import { atShare, related } from './rule';
import type { PciFunction } from '../model/types';
import { upstreamChain } from '../engine/topology';

function rootPortOf(fn: PciFunction): PciFunction | undefined {
  const chain = upstreamChain(fn);
  return chain[chain.length - 1];
}

const rule: Rule = {
  code: 'multipath',
  severity: 'warning',
  kernel: 'dma_buf_attach (one attach->dev), pci_device_group',
  summary: '`devices` names functions in another IOMMU group or under another root port than the importer.',
  checkShare: (o, ctx) => {
    const s = o.share;
    if (s.importer.kind !== 'pci' || s.devices.length === 0) return [];
    const imp = s.importer.fn;
    const groups = ctx.engine.groups;
    const out = [];
    for (const d of s.devices) {
      if (d === imp) continue;
      const otherGroup = ctx.model.platform?.iommu && groups && groups.groupOf.get(d) !== groups.groupOf.get(imp);
      const otherRoot = rootPortOf(d) !== rootPortOf(imp);
      if (!otherGroup && !otherRoot) continue;
      const why = [otherGroup ? 'another IOMMU group (the IOVAs were allocated in the importer\'s domain)' : '', otherRoot ? `another root port (${rootPortOf(d)?.name}, so the map type computed for ${imp.name} does not hold)` : '']
        .filter(Boolean)
        .join(' and ');
      out.push(
        atShare(o, `${d.name} will DMA to ${s.buffer.name} with the addresses mapped for ${imp.name}, but it sits in ${why}. One attachment has one device (dma_buf_attach maps for attach->dev only): attach once per function.`, {
          related: [related(d.place, `${d.name}`)],
        }),
      );
    }
    return out;
  },
};
export default rule;
