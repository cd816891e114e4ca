// amdgpu as a dma-buf exporter (drivers/gpu/drm/amd/amdgpu/amdgpu_dma_buf.c):
// amdgpu_dma_buf_attach clears peer2peer when pci_p2pdma_distance() < 0 and the
// importer is not an XGMI peer (XGMI overrides a failed PCI distance), and for a GFX12
// buffer created with AMDGPU_GEM_CREATE_GFX12_DCC; amdgpu_dma_buf_pin drops VRAM when
// CONFIG_DMABUF_MOVE_NOTIFY is off or any attachment lacks peer2peer; amdgpu_dma_buf_map
// validates the BO into GTT for an attachment without peer2peer (which moves it for
// everyone) and maps VRAM with amdgpu_vram_mgr_alloc_sgt (amdgpu_vram_mgr.c).

import type { Buffer, Link, PciFunction, Platform, Share } from '../../model/types';
import type { MapOutcome } from '../dmaMapping';
import { pciDeviceFor } from '../importer';
import { featureReleaseText, kernelHas, moveNotifyEnabled } from '../releases';
import {
  type AttachRequest,
  type AttachState,
  type Exporter,
  type ExporterAttach,
  type MapRequest,
  type Placement,
  mapSystemPages,
  noAttachOp,
  noPhysRanges,
  noPinFailure,
} from './exporter';
import { SZ_2G, dmaMapResourceBlocks } from './mapResource';
import { clearPeer2peerByDistance } from './p2pDistance';
import { names, ttmPlacement } from './ttmPlacement';

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
  const checked = clearPeer2peerByDistance(req, 'amdgpu_dma_buf_attach', xgmiPeer);
  const { distanceRoute } = checked;
  let peer2peerOff = checked.peer2peerOff;
  if (!peer2peerOff && buf.exportFlags.has('dcc')) {
    // GFX12 with AMDGPU_GEM_CREATE_GFX12_DCC: compressed VRAM cannot go over P2P.
    peer2peerOff = { kind: 'compressed' };
    steps.push('amdgpu_dma_buf_attach: a GFX12 DCC buffer, peer2peer cleared');
  }
  if (xgmiPeer) steps.push(`amdgpu_dma_buf_attach: ${share.importerName} is an XGMI peer of ${buf.exporter.name}`);
  return { peer2peerOff, distanceRoute, xgmiPeer, refusal: undefined };
}

/** amdgpu_dma_buf_pin / amdgpu_dma_buf_map over every attachment of the buffer. */
function amdgpuPlacement(buf: Buffer, shares: readonly Share[], attach: ReadonlyMap<Share, AttachState>, platform: Platform): Placement {
  // amdgpu_dma_buf_pin() keeps VRAM only from 6.15 (f5e7fabd1f5c) and only with
  // CONFIG_DMABUF_MOVE_NOTIFY on (always, from 7.1); before 6.15 it pins in GTT.
  const moveNotify = moveNotifyEnabled(platform);
  const vramPin = kernelHas(platform, 'amdgpu-vram-pin');
  return ttmPlacement(buf, shares, attach, vramPin && moveNotify, {
    pinDropsVram: (noP2p) =>
      !vramPin
        ? `amdgpu_dma_buf_pin: before ${featureReleaseText('amdgpu-vram-pin')} a pinned BO always goes to GTT (system memory)`
        : moveNotify
          ? `amdgpu_dma_buf_pin: an attachment lacks peer2peer (${names(noP2p)}), VRAM is removed: pinned in GTT`
          : 'amdgpu_dma_buf_pin: CONFIG_DMABUF_MOVE_NOTIFY is off, VRAM is removed: pinned in GTT (system memory)',
    mapMigrates: (noP2p) => `amdgpu_dma_buf_map: ${names(noP2p)} cannot do P2P, the BO is validated into GTT (system memory)`,
  });
}

/**
 * amdgpu_dma_buf_map(): VRAM through amdgpu_vram_mgr_alloc_sgt(), which maps each
 * ≤ 2 GiB block with dma_map_resource() and never asks pci_p2pdma_map_type(); GTT pages
 * through dma_map_sgtable().
 */
function amdgpuDmaBufMap(req: MapRequest): MapOutcome {
  if (req.placement !== 'vram') return mapSystemPages(req);
  return dmaMapResourceBlocks(req, SZ_2G);
}

export const amdgpu: Exporter = {
  driver: 'amdgpu',
  migration: { attach: 'amdgpu_dma_buf_attach', map: 'amdgpu_dma_buf_map validates the BO into GTT and maps its pages', pin: 'amdgpu_dma_buf_pin', memory: 'GTT' },
  since: 'amdgpu-vram-export',
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
