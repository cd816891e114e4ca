import type { Rule } from './rule';
import { atShare, related } from './rule';

const rule: Rule = {
  code: 'exporter-topology-policy',
  severity: 'warning',
  kernel: 'nv_grdma_pci_topology_supported, nv_pci_is_valid_topology_for_direct_pci, pci_p2pdma_map_type',
  summary: "The exporter decides reachability by its own topology policy and it disagrees with the kernel's P2P map type.",
  checkShare: (o) => {
    const p = o.attach?.policy;
    if (!p?.disagrees) return [];
    const s = o.share;
    const exporter = s.buffer.exporter!;
    const text = p.allowed
      ? `${s.buffer.driver} maps ${exporter.name}'s memory for ${s.importerName} (${p.check}: ${p.why}), but pci_p2pdma_map_type() says ${p.kernelMapType}: the kernel would not route this peer-to-peer, and the root complex may not forward the TLPs (many client CPUs forward P2P writes only). Check with a read and a write test, or put both devices under one PCIe switch.`
      : `${s.buffer.driver} refuses ${s.importerName} (${p.check}: ${p.why}), although pci_p2pdma_map_type() says ${p.kernelMapType}: the driver's policy, not the kernel's, decides.`;
    return [atShare(o, text, { related: [related(s.buffer.place, `${s.buffer.name} is exported by ${s.buffer.driver}`)] })];
  },
};
export default rule;
