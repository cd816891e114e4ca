// Exporter policy: where a buffer ends up before any share is mapped.
// amdgpu (drivers/gpu/drm/amd/amdgpu/amdgpu_dma_buf.c): attach clears peer2peer when
// pci_p2pdma_distance() < 0 and the importer is not an XGMI peer; pin drops VRAM when
// CONFIG_DMABUF_MOVE_NOTIFY is off or any attachment lacks peer2peer; a map for an
// attachment without peer2peer validates the BO into GTT, which moves it for everyone.

import type { Buffer, Link, PciFunction, Platform, Share } from '../model/types';
import type { P2pCache, P2pRoute } from './p2pdma';
import type { Step } from './types';

/** The attachment as dma_buf_dynamic_attach() leaves it (kernel-semantics.md §3.1). */
export interface AttachState {
  /** attach->peer2peer after the exporter's attach op. */
  readonly peer2peer: boolean;
  /** dma_buf_pin_on_map(): the exporter has pin and (static attachment or MOVE_NOTIFY off). */
  readonly pinOnMap: boolean;
  /** The route used by pci_p2pdma_distance() (parent walk for non-PCI children). */
  readonly distanceRoute: P2pRoute | undefined;
  readonly xgmiPeer: boolean;
  readonly steps: readonly Step[];
}

/** Exporters whose ops have `pin` (dma_buf_is_dynamic): amdgpu and vfio-pci. */
export function isDynamicExporter(b: Buffer): boolean {
  return b.driver === 'amdgpu' || b.driver === 'vfio-pci';
}

/** vfio-pci revokes its dma-bufs (vfio_pci_dma_buf_move) on reset, D3, memory disable, close. */
export function isRevocable(b: Buffer): boolean {
  return b.driver === 'vfio-pci';
}

/** find_parent_pci_dev(): the PCI device itself, or a platform device's PCI parent. */
export function pciDeviceFor(share: Share): PciFunction | undefined {
  if (share.importer.kind === 'pci') return share.importer.fn;
  if (share.importer.kind === 'platform') return share.importer.dev.parent;
  return undefined;
}

export function xgmiPeers(links: readonly Link[], a: PciFunction, b: PciFunction): boolean {
  return links.some((l) => l.type === 'xgmi' && l.members.includes(a.name) && l.members.includes(b.name));
}

/** Does this share attach at all? CPU access goes through the exporter's mmap, not an attachment. */
export function attaches(share: Share): boolean {
  return share.importer.kind !== 'cpu' && share.via !== 'mmap';
}

export function attachState(share: Share, platform: Platform, p2p: P2pCache): AttachState {
  const buf = share.buffer;
  const steps: Step[] = [];
  const dynamic = share.attach === 'dynamic';
  let peer2peer = dynamic && share.peer2peer; // static importers always have peer2peer = false
  steps.push(
    dynamic
      ? () => `dma_buf_dynamic_attach: importer_ops${share.moveNotify ? ' with move_notify' : ' without move_notify'}, allow_peer2peer ${share.peer2peer ? 'set' : 'not set'}`
      : 'dma_buf_attach (static): peer2peer is false',
  );
  let distanceRoute: P2pRoute | undefined;
  let xgmiPeer = false;
  if (buf.driver === 'amdgpu' && buf.exporter && buf.declaredPlacement === 'vram') {
    const pci = pciDeviceFor(share);
    xgmiPeer = pci ? xgmiPeers(platform.links, buf.exporter, pci) : false;
    if (pci) distanceRoute = p2p.mapType(buf.exporter, pci);
    if (peer2peer && !xgmiPeer && (!distanceRoute || distanceRoute.mapType === 'NOT_SUPPORTED')) {
      peer2peer = false;
      steps.push(
        pci
          ? `amdgpu_dma_buf_attach: pci_p2pdma_distance(${buf.exporter.name}, ${pci.name}) < 0, peer2peer cleared`
          : `amdgpu_dma_buf_attach: ${share.importerName} is not a PCI device (find_parent_pci_dev), peer2peer cleared`,
      );
    } else if (xgmiPeer) steps.push(`amdgpu_dma_buf_attach: ${share.importerName} is an XGMI peer of ${buf.exporter.name}`);
  }
  const pinOnMap = isDynamicExporter(buf) && (!dynamic || !platform.kernel.moveNotify);
  if (pinOnMap) {
    steps.push(
      !dynamic
        ? 'dma_buf_pin_on_map: a static attachment of a dynamic exporter is pinned at map'
        : 'dma_buf_pin_on_map: CONFIG_DMABUF_MOVE_NOTIFY is off, so even dynamic attachments are pinned at map',
    );
  }
  return { peer2peer, pinOnMap, distanceRoute, xgmiPeer, steps };
}

export type FallbackReason = 'p2p' | 'pinned' | 'other-share';

export interface Placement {
  readonly placement: 'vram' | 'system';
  /** Why a VRAM buffer moved to system memory, per share. */
  readonly reasonFor: (share: Share) => FallbackReason | undefined;
  readonly steps: readonly Step[];
}

const noReason = (): undefined => undefined;
const STAYS_SYSTEM: Placement = { placement: 'system', reasonFor: noReason, steps: [] };
const STAYS_VRAM: Placement = { placement: 'vram', reasonFor: noReason, steps: [] };

/** amdgpu_dma_buf_pin / amdgpu_dma_buf_map over every attachment of the buffer. */
export function decidePlacement(buf: Buffer, shares: readonly Share[], attach: ReadonlyMap<Share, AttachState>, platform: Platform): Placement {
  if (buf.declaredPlacement === 'system') return STAYS_SYSTEM;
  if (buf.driver !== 'amdgpu' || !buf.fallback) return STAYS_VRAM;
  const attaching = shares.filter(attaches);
  const noP2p = attaching.filter((s) => !attach.get(s)!.peer2peer);
  const pinned = attaching.filter((s) => attach.get(s)!.pinOnMap);
  if (noP2p.length === 0 && (pinned.length === 0 || platform.kernel.moveNotify)) {
    return { placement: 'vram', reasonFor: noReason, steps: ['every attachment has peer2peer: the BO may stay in VRAM'] };
  }
  const steps: Step[] = [];
  if (pinned.length > 0) {
    steps.push(
      platform.kernel.moveNotify
        ? `amdgpu_dma_buf_pin: an attachment lacks peer2peer (${noP2p.map((s) => s.name).join(', ')}), VRAM is removed: pinned in GTT`
        : 'amdgpu_dma_buf_pin: CONFIG_DMABUF_MOVE_NOTIFY is off, VRAM is removed: pinned in GTT (system memory)',
    );
  } else {
    steps.push(`amdgpu_dma_buf_map: ${noP2p.map((s) => s.name).join(', ')} cannot do P2P, the BO is validated into GTT (system memory)`);
  }
  return {
    placement: 'system',
    reasonFor: (s) => {
      const st = attach.get(s);
      if (!st) return 'other-share';
      if (st.pinOnMap) return 'pinned';
      if (!st.peer2peer) return 'p2p';
      return 'other-share';
    },
    steps,
  };
}
