// amdgpu as a dma-buf exporter (drivers/gpu/drm/amd/amdgpu/amdgpu_dma_buf.c):
// amdgpu_dma_buf_attach clears peer2peer when pci_p2pdma_distance() < 0 and the
// importer is not an XGMI peer; amdgpu_dma_buf_pin drops VRAM when
// CONFIG_DMABUF_MOVE_NOTIFY is off or any attachment lacks peer2peer; amdgpu_dma_buf_map
// validates the BO into GTT for an attachment without peer2peer (which moves it for
// everyone) and maps VRAM with amdgpu_vram_mgr_alloc_sgt (amdgpu_vram_mgr.c).

import type { Buffer, Link, PciFunction, Platform, Share } from '../../model/types';
import { type MapOutcome, dmaMapMmio, dmaMapPages, mapped, splitSegments } from '../dmaMapping';
import { attaches, pciDeviceFor } from '../importer';
import type { Segment, Step } from '../types';
import {
  type AttachRequest,
  type AttachState,
  type Exporter,
  type ExporterAttach,
  type MapRequest,
  type Placement,
  STAYS_VRAM,
  noAttachOp,
  noPhysRanges,
  noPinFailure,
  noReason,
} from './exporter';

const SZ_2G = 0x8000_0000n;

function xgmiPeers(links: readonly Link[], a: PciFunction, b: PciFunction): boolean {
  return links.some((l) => l.type === 'xgmi' && l.members.includes(a.name) && l.members.includes(b.name));
}

/** amdgpu_dma_buf_attach(): peer2peer only over a usable P2P distance or XGMI. */
function amdgpuDmaBufAttach(req: AttachRequest): ExporterAttach {
  const { share, steps } = req;
  const buf = share.buffer;
  if (!buf.exporter || buf.declaredPlacement !== 'vram') return noAttachOp(req);
  const pci = pciDeviceFor(share);
  const xgmiPeer = pci ? xgmiPeers(req.platform.links, buf.exporter, pci) : false;
  const distanceRoute = pci ? req.p2p.mapType(buf.exporter, pci) : undefined;
  let peer2peerOff = req.peer2peerOff;
  if (!peer2peerOff && !xgmiPeer && (!distanceRoute || distanceRoute.mapType === 'NOT_SUPPORTED')) {
    peer2peerOff = distanceRoute ? { kind: 'p2p-distance', mapType: distanceRoute.mapType } : { kind: 'no-pci-device' };
    steps.push(
      pci
        ? `amdgpu_dma_buf_attach: pci_p2pdma_distance(${buf.exporter.name}, ${pci.name}) < 0, peer2peer cleared`
        : `amdgpu_dma_buf_attach: ${share.importerName} is not a PCI device (find_parent_pci_dev), peer2peer cleared`,
    );
  } else if (xgmiPeer) steps.push(`amdgpu_dma_buf_attach: ${share.importerName} is an XGMI peer of ${buf.exporter.name}`);
  return { peer2peerOff, distanceRoute, xgmiPeer, refusal: undefined };
}

/** amdgpu_dma_buf_pin / amdgpu_dma_buf_map over every attachment of the buffer. */
function amdgpuPlacement(buf: Buffer, shares: readonly Share[], attach: ReadonlyMap<Share, AttachState>, platform: Platform): Placement {
  if (!buf.fallback) return STAYS_VRAM;
  const attaching = shares.filter(attaches);
  const noP2p = attaching.filter((s) => !attach.get(s)!.peer2peer);
  // amdgpu_dma_buf_pin runs for dma_buf_pin_on_map() and for an importer's own dma_buf_pin().
  const pinned = attaching.filter((s) => attach.get(s)!.pinOnMap || attach.get(s)!.importerPin);
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
      if (st.pinOnMap || st.importerPin) return 'pinned';
      if (!st.peer2peer) return 'p2p';
      return 'other-share';
    },
    steps,
  };
}

/**
 * amdgpu_dma_buf_map(): VRAM through amdgpu_vram_mgr_alloc_sgt(), which maps each
 * ≤ 2 GiB block with dma_map_resource() and never asks pci_p2pdma_map_type(); GTT pages
 * through dma_map_sgtable().
 */
function amdgpuDmaBufMap(req: MapRequest): MapOutcome {
  if (req.placement !== 'vram') return dmaMapPages(req.dev, req.cpuRanges[0]!.first, req.buf.size, req.platform, req.steps);
  const { dev, steps } = req;
  const segments: Segment[] = [];
  for (const r of req.cpuRanges) {
    for (const chunk of splitSegments(r.first, r.size, SZ_2G)) {
      const m = dmaMapMmio(dev, chunk.dma, chunk.length, req.platform);
      if ('failure' in m) return { ok: false, failure: m.failure };
      steps.push(...m.steps);
      segments.push({ dma: m.dma, length: chunk.length });
    }
  }
  const viaIommu = dev.kind === 'iommu';
  const despiteBusAddr = viaIommu && req.route?.mapType === 'BUS_ADDR';
  if (despiteBusAddr) steps.push('amdgpu never calls pci_p2pdma_map_type(): VRAM goes through the IOMMU although BUS_ADDR is possible');
  return mapped(viaIommu ? 'iova' : 'phys', segments, { viaIommuDespiteBusAddr: despiteBusAddr });
}

export const amdgpu: Exporter = {
  driver: 'amdgpu',
  isDynamic: true,
  revocation: undefined,
  physVecSgt: false,
  attach: amdgpuDmaBufAttach,
  // amdgpu_dma_buf_pin() moves the BO to GTT rather than fail: the placement says so.
  pin: noPinFailure,
  placement: amdgpuPlacement,
  physRanges: noPhysRanges,
  map: amdgpuDmaBufMap,
};
