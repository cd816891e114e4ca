// nouveau as a dma-buf exporter (drivers/gpu/drm/nouveau/nouveau_prime.c): the generic
// DRM PRIME ops (drm_gem_map_attach → drm_gem_pin), so a static exporter;
// nouveau_gem_prime_pin pins the BO with nouveau_bo_pin(nvbo, NOUVEAU_GEM_DOMAIN_GART):
// every export lives in system memory (GART), never in VRAM, and
// drm_gem_map_dma_buf maps its pages with dma_map_sgtable().

import type { Buffer, Share } from '../../model/types';
import { type Exporter, type Placement, STAYS_VRAM, mapSystemPages, noAttachOp, noPhysRanges, noPinFailure } from './exporter';

function nouveauGemPrimePin(_buf: Buffer, shares: readonly Share[]): Placement {
  if (shares.length === 0) return STAYS_VRAM;
  return { placement: 'system', reasonFor: () => 'pinned', steps: ['nouveau_gem_prime_pin: nouveau_bo_pin(NOUVEAU_GEM_DOMAIN_GART): the export is pinned in system memory (GART)'] };
}

export const nouveau: Exporter = {
  driver: 'nouveau',
  migration: { attach: 'drm_gem_map_attach', map: 'nouveau_gem_prime_pin pins the BO in GART', pin: 'nouveau_gem_prime_pin', memory: 'GART' },
  isDynamic: false,
  revocation: undefined,
  physVecSgt: false,
  attach: noAttachOp,
  pin: noPinFailure,
  placement: nouveauGemPrimePin,
  physRanges: noPhysRanges,
  // drm_gem_map_dma_buf: the GART pages through dma_map_sgtable().
  map: mapSystemPages,
};
