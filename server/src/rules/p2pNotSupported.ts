import { failureRule, related } from './rule';
import { pciIdText } from '../ground/format';

export default failureRule(
  'p2p-not-supported',
  'calc_map_type_and_dist, host_bridge_whitelist, dma_buf_phys_vec_to_sgt',
  'Map type NOT_SUPPORTED and the exporter cannot fall back: the map fails.',
  () => 'Put both devices under one switch or root port without ACS redirect, or use a host bridge on the P2PDMA whitelist (or an AMD Zen CPU).',
  (o) => (o.mapping.route?.hostBridgePath?.bridges ?? []).map((hb) => related(hb.place, `host bridge ${hb.name} (${pciIdText(hb.id)})`)),
);
