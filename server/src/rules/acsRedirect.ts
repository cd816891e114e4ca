import type { Rule } from './rule';
import { atShare, related } from './rule';
import { bdfShort } from '../engine/topology';

const rule: Rule = {
  code: 'acs-redirect',
  severity: 'warning',
  kernel: 'pci_bridge_has_acs_redir, pci_std_enable_acs, calc_map_type_and_dist',
  summary: 'A common upstream bridge exists but ACS redirect on the listed nodes forces the host-bridge path.',
  checkShare: (o) => {
    const m = o.mapping;
    const r = m.route;
    if (!r || !r.commonAncestor || r.acsRedirects.length === 0) return [];
    if (!(m.placement === 'vram' || m.failure?.code === 'p2p-not-supported' || m.fallback === 'p2p')) return [];
    const names = r.acsRedirects.map((f) => f.name);
    const bdfs = r.acsRedirects.filter((f) => f.bdf).map((f) => bdfShort(f.bdf));
    const fix = bdfs.length
      ? `Add \`disable_acs_redir ${bdfs.join(', ')}\` to the kernel block, at the cost of the isolation between them`
      : 'Give the redirecting ports BDFs and list them in `disable_acs_redir`, at the cost of the isolation between them';
    return [
      atShare(o, `P2P for ${o.share.name} could turn around at ${r.commonAncestor.name}, but ACS redirect is set on ${names.join(', ')} (pci_bridge_has_acs_redir), so requests go up to the root complex. ${fix}.`, {
        related: r.acsRedirects.map((f) => related(f.place, `${f.name}: ACS P2P Request/Completion Redirect set`)),
        data: { bdfs },
      }),
    ];
  },
};
export default rule;
