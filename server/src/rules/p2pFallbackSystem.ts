import type { Rule } from './rule';
import { atShare, related } from './rule';
import { exporterFor } from '../engine/exporters';

const rule: Rule = {
  code: 'p2p-fallback-system',
  severity: 'warning',
  kernel: 'amdgpu_dma_buf_attach, pci_p2pdma_distance, amdgpu_dma_buf_map',
  summary: 'P2P is impossible or not allowed for this attachment and the exporter migrates the buffer to system memory.',
  checkShare: (o) => {
    if (o.mapping.fallback !== 'p2p') return [];
    const s = o.share;
    const exp = s.buffer.exporter?.name ?? 'the exporter';
    const off = o.attach?.peer2peerOff;
    const ops = exporterFor(s.buffer.driver).migration;
    if (!ops) return [];
    const [why, fix] =
      off?.kind === 'p2p-distance'
        ? [`pci_p2pdma_distance() is negative (map type ${off.mapType}), so ${ops.attach} clears peer2peer`, 'Put both devices under one switch without ACS redirect, or accept the copy in RAM']
        : off?.kind === 'no-pci-device'
          ? [`${s.importerName} has no PCI device for pci_p2pdma_distance(), so ${ops.attach} clears peer2peer`, 'Attach with a PCI device (or give the platform device its PCI `parent`), or accept the copy in RAM']
          : off?.kind === 'compressed'
            ? [`${s.buffer.name} is DCC-compressed (GFX12), so ${ops.attach} clears peer2peer`, 'Export an uncompressed buffer if the importer needs VRAM']
            : s.buffer.driver === 'i915'
            ? ['i915 never exports local memory', 'Use an exporter that serves VRAM peer-to-peer (xe), or accept the copy in RAM']
            : ['the attachment does not allow peer2peer', 'Set `peer2peer` on the share (importer_ops->allow_peer2peer) if the importer can take MMIO'];
    return [
      atShare(o, `${s.buffer.name} moves from ${exp}'s VRAM to system memory for ${s.name}: ${why}, and ${ops.map}; ${s.importerName} reads RAM, not VRAM. ${fix}.`, {
        related: [related(s.buffer.place, `buffer ${s.buffer.name}, declared in VRAM`)],
      }),
    ];
  },
};
export default rule;
