// Intel xe as a dma-buf exporter (drivers/gpu/drm/xe/xe_dma_buf.c): xe_dma_buf_attach
// clears peer2peer when pci_p2pdma_distance() < 0 and fails with -EOPNOTSUPP when the
// attachment has no peer2peer and the BO cannot migrate to XE_PL_TT (no system
// placement: the model's `fallback system`); xe_dma_buf_pin pins in TT, and from 6.19
// ("drm/xe/dma-buf: Allow pinning of p2p dma-buf") in VRAM when CONFIG_DMABUF_MOVE_NOTIFY
// is set and every attachment has peer2peer; xe_dma_buf_map migrates to TT for an
// attachment without peer2peer and maps VRAM through xe_ttm_vram_mgr_alloc_sgt
// (dma_map_resource in blocks of at most 2 GiB).

import type { Buffer, Platform, Share } from '../../model/types';
import type { MapOutcome } from '../dmaMapping';
import { type Failure, refusal } from '../refusal';
import { type AttachRequest, type AttachState, type Exporter, type ExporterAttach, type MapRequest, type Placement, type ShareRequest, mapSystemPages, noAttachOp, noPhysRanges } from './exporter';
import { SZ_2G, dmaMapResourceBlocks } from './mapResource';
import { clearPeer2peerByDistance } from './p2pDistance';
import { names, ttmPlacement } from './ttmPlacement';
import { kernelHas, moveNotifyEnabled } from '../releases';

function xeDmaBufAttach(req: AttachRequest): ExporterAttach {
  const buf = req.share.buffer;
  if (!buf.exporter || buf.declaredPlacement !== 'vram') return noAttachOp(req);
  const { peer2peerOff, distanceRoute } = clearPeer2peerByDistance(req, 'xe_dma_buf_attach');
  const failure: Failure | undefined =
    peer2peerOff && !buf.fallback
      ? refusal({ kind: 'p2p-required', op: 'xe_dma_buf_attach', errno: '-EOPNOTSUPP', driver: 'xe', off: peer2peerOff, why: 'the BO cannot migrate to system memory (xe_bo_can_migrate: XE_PL_TT is not among its placements)' })
      : undefined;
  return { peer2peerOff, distanceRoute, xgmiPeer: false, refusal: failure };
}

/** xe_dma_buf_pin() keeps VRAM only from 6.19 (releases.ts `xe-vram-pin`), with CONFIG_DMABUF_MOVE_NOTIFY (always on from 7.1), and when every attachment has peer2peer. */
function xePinsVram(platform: Platform): boolean {
  return kernelHas(platform, 'xe-vram-pin') && moveNotifyEnabled(platform);
}

function xePlacement(buf: Buffer, shares: readonly Share[], attach: ReadonlyMap<Share, AttachState>, platform: Platform): Placement {
  return ttmPlacement(buf, shares, attach, xePinsVram(platform), {
    pinDropsVram: (noP2p) =>
      !kernelHas(platform, 'xe-vram-pin')
        ? 'xe_dma_buf_pin: before 6.19 a pinned dma-buf always migrates to XE_PL_TT (system memory)'
        : noP2p.length > 0
          ? `xe_dma_buf_pin: an attachment lacks peer2peer (${names(noP2p)}): migrated to XE_PL_TT and pinned`
          : 'xe_dma_buf_pin: CONFIG_DMABUF_MOVE_NOTIFY is off: migrated to XE_PL_TT and pinned',
    mapMigrates: (noP2p) => `xe_dma_buf_map: ${names(noP2p)} has no peer2peer, xe_bo_migrate() moves the BO to XE_PL_TT (system memory)`,
  });
}

/** xe_dma_buf_pin(): xe_bo_migrate() to TT fails for a BO without a system placement. */
function xeDmaBufPin(req: ShareRequest): Failure | undefined {
  if (req.placement === 'system' || req.buf.fallback || xePinsVram(req.platform)) return undefined;
  return refusal({ kind: 'cannot-migrate', op: 'xe_dma_buf_pin', driver: 'xe', errno: '-EINVAL', note: '' });
}

function xeDmaBufMap(req: MapRequest): MapOutcome {
  if (req.placement !== 'vram') return mapSystemPages(req);
  req.steps.push('xe_ttm_vram_mgr_alloc_sgt: VRAM blocks of at most 2 GiB through dma_map_resource(); pci_p2pdma_map_type() is never asked');
  return dmaMapResourceBlocks(req, SZ_2G);
}

export const xe: Exporter = {
  driver: 'xe',
  migration: { attach: 'xe_dma_buf_attach', map: 'xe_dma_buf_map migrates the BO to XE_PL_TT and maps its pages', pin: 'xe_dma_buf_pin', memory: 'XE_PL_TT' },
  isDynamic: true,
  // Eviction calls dma_buf_move_notify(); that moves the buffer, it does not revoke it.
  revocation: undefined,
  physVecSgt: false,
  attach: xeDmaBufAttach,
  pin: xeDmaBufPin,
  placement: xePlacement,
  physRanges: noPhysRanges,
  map: xeDmaBufMap,
};
