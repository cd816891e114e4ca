// i915 as a dma-buf exporter (drivers/gpu/drm/i915/gem/i915_gem_dmabuf.c): a static
// exporter (no pin op). i915_gem_dmabuf_attach fails with -EOPNOTSUPP when the object
// cannot migrate to INTEL_REGION_SMEM, else migrates it there and pins its pages: local
// memory (LMEM) is never exported. i915_gem_map_dma_buf maps the pages with
// dma_map_sgtable().

import type { Buffer, Share } from '../../model/types';
import { refusal } from '../refusal';
import { type AttachRequest, type Exporter, type ExporterAttach, type Placement, STAYS_VRAM, mapSystemPages, noAttachOp, noPhysRanges, noPinFailure } from './exporter';

function i915GemDmabufAttach(req: AttachRequest): ExporterAttach {
  const buf = req.share.buffer;
  if (!buf.exporter || buf.declaredPlacement !== 'vram' || buf.fallback) return noAttachOp(req);
  return { ...noAttachOp(req), refusal: refusal({ kind: 'cannot-migrate', op: 'i915_gem_dmabuf_attach', driver: 'i915', errno: '-EOPNOTSUPP', note: ' and i915 never exports local memory' }) };
}

/** i915_gem_object_migrate(obj, INTEL_REGION_SMEM) at the first attach: every importer reads system memory. */
function i915Placement(buf: Buffer, shares: readonly Share[]): Placement {
  if (!buf.fallback || shares.length === 0) return STAYS_VRAM;
  return {
    placement: 'system',
    reasonFor: () => 'p2p',
    steps: ['i915_gem_dmabuf_attach: the object migrates to system memory (INTEL_REGION_SMEM) and its pages are pinned: i915 never exports LMEM'],
  };
}

export const i915: Exporter = {
  driver: 'i915',
  migration: { attach: 'i915_gem_dmabuf_attach', map: 'i915_gem_dmabuf_attach migrates the object to INTEL_REGION_SMEM and pins its pages', pin: 'i915_gem_dmabuf_attach', memory: 'SMEM' },
  isDynamic: false,
  revocation: undefined,
  physVecSgt: false,
  attach: i915GemDmabufAttach,
  pin: noPinFailure,
  placement: i915Placement,
  physRanges: noPhysRanges,
  // i915_gem_map_dma_buf: the pinned SMEM pages through dma_map_sgtable().
  map: mapSystemPages,
};
