import type { Rule } from './rule';
import { atShare, related } from './rule';
import { bdfShort } from '../ground/format';

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
    // pci=disable_acs_redir= takes BDFs: an implicit switch port (SWITCH.CHILD) has none
    // until it is written as `port NAME BDF acs` inside the switch.
    const implicit = r.acsRedirects.filter((f) => !f.bdf);
    const them = implicit.length > 1 ? 'them' : 'it';
    const switches = [...new Set(implicit.map((f) => f.parent?.name ?? 'the switch'))].join(', ');
    const cost = 'at the cost of the isolation between them';
    const fix = implicit.length === 0
      ? `Add \`disable_acs_redir ${bdfs.join(', ')}\` to the kernel block, ${cost}.`
      : bdfs.length > 0
        ? `Add \`disable_acs_redir ${bdfs.join(', ')}\` to the kernel block, ${cost}; ${implicit.map((f) => f.name).join(', ')} ${implicit.length > 1 ? 'have' : 'has'} no BDF: write ${them} as \`port NAME BDF acs\` in ${switches} and list ${them} too.`
        : `pci=disable_acs_redir= names ports by BDF, and ${implicit.map((f) => f.name).join(', ')} ${implicit.length > 1 ? 'have' : 'has'} none: write ${them} as \`port NAME BDF acs\` in ${switches}, then list ${them} in \`disable_acs_redir\`, ${cost}.`;
    return [
      atShare(o, `P2P for ${o.share.name} could turn around at ${r.commonAncestor.name}, but ACS redirect is set on ${names.join(', ')} (pci_bridge_has_acs_redir), so requests go up to the root complex. ${fix}`, {
        related: r.acsRedirects.map((f) => related(f.place, `${f.name}: ACS P2P Request/Completion Redirect set`)),
        data: { bdfs },
      }),
    ];
  },
};
export default rule;
