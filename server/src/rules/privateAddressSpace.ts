import type { Rule } from './rule';
import { atShare, related } from './rule';
import { cpuAccess } from '../engine/importer';

const rule: Rule = {
  code: 'private-address-space',
  severity: 'warning',
  kernel: 'struct sg_table (no address-space label per entry)',
  summary: 'A buffer on a link member shared with a non-member: addresses on the link mean nothing outside it.',
  checkShare: (o, ctx) => {
    const s = o.share;
    const exp = s.buffer.exporter;
    // CPU access goes through the exporter's mmap/vmap: no sg_table is handed out.
    if (!exp || s.buffer.declaredPlacement !== 'vram' || cpuAccess(s)) return [];
    const link = ctx.model.platform?.links.find((l) => l.members.includes(exp.name));
    if (!link || link.members.includes(s.importerName)) return [];
    return [
      atShare(o, `${s.buffer.name} lives on ${exp.name}, a member of a ${link.type} link, but ${s.importerName} is not on it: an sg_table cannot say which address space an entry belongs to, so the exporter must map it for PCIe instead.`, {
        related: [related(link.place, `${link.type} link`)],
      }),
    ];
  },
};
export default rule;
