import type { Rule } from './rule';
import { atShare, related } from './rule';
import { pciIdText } from '../ground/format';

const rule: Rule = {
  code: 'p2p-host-bridge',
  severity: 'warning',
  kernel: 'calc_map_type_and_dist, cpu_supports_p2pdma, host_bridge_whitelist',
  summary: 'Map type THRU_HOST_BRIDGE: the traffic crosses the root complex.',
  checkShare: (o) => {
    const m = o.mapping;
    if (m.mapType !== 'THRU_HOST_BRIDGE' || m.placement !== 'vram' || !m.ok) return [];
    const hb = m.route?.hostBridgePath;
    const bridges = hb?.bridges ?? [];
    const allowed =
      hb?.allowedBy === 'cpu'
        ? 'the CPU is AMD Zen or later (cpu_supports_p2pdma)'
        : `${bridges.length > 1 ? 'host bridges' : 'host bridge'} ${bridges.map((b) => `${b.name} (${pciIdText(b.id)})`).join(' and ')} ${bridges.length > 1 ? 'are' : 'is'} on the P2PDMA whitelist (host_bridge_whitelist)`;
    const why = m.route?.commonAncestor ? 'ACS redirect forces the requests up' : 'the devices share no upstream bridge';
    return [
      atShare(o, `P2P for ${o.share.name} goes through the root complex: ${why}, and it is allowed because ${allowed}. Expect lower bandwidth than switch-local P2P${m.addressKind === 'iova' ? '; the importer gets an IOVA' : ''}.`, {
        related: (hb?.bridges ?? []).map((b) => related(b.place, `host bridge ${b.name}`)),
      }),
    ];
  },
};
export default rule;
