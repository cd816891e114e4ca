// The attach-op check that GPU and accelerator exporters share: attach->peer2peer is
// cleared when pci_p2pdma_distance() to the importer is negative (drivers/pci/p2pdma.c;
// a device without a PCI parent counts as unreachable, find_parent_pci_dev). Called by
// amdgpu_dma_buf_attach, xe_dma_buf_attach and hl_dmabuf_attach.

import { pciDeviceFor } from '../importer';
import type { P2pRoute } from '../p2pdma';
import type { Peer2peerOff } from '../refusal';
import type { AttachRequest } from './exporter';

export interface DistanceCheck {
  readonly peer2peerOff: Peer2peerOff | undefined;
  readonly distanceRoute: P2pRoute | undefined;
}

/** `op`'s pci_p2pdma_distance() check; `exempt` keeps peer2peer whatever the distance (amdgpu's XGMI peers). */
export function clearPeer2peerByDistance(req: AttachRequest, op: string, exempt = false): DistanceCheck {
  const { share, steps } = req;
  const exporter = share.buffer.exporter!;
  const pci = pciDeviceFor(share);
  const distanceRoute = pci ? req.p2p.mapType(exporter, pci) : undefined;
  if (req.peer2peerOff || exempt || (distanceRoute && distanceRoute.mapType !== 'NOT_SUPPORTED')) return { peer2peerOff: req.peer2peerOff, distanceRoute };
  steps.push(
    pci
      ? `${op}: pci_p2pdma_distance(${exporter.name}, ${pci.name}) < 0, peer2peer cleared`
      : `${op}: ${share.importerName} is not a PCI device (find_parent_pci_dev), peer2peer cleared`,
  );
  return { peer2peerOff: distanceRoute ? { kind: 'p2p-distance', mapType: distanceRoute.mapType } : { kind: 'no-pci-device' }, distanceRoute };
}
