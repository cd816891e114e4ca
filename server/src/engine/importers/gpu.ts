// GPU drivers importing another device's dma-buf, both dynamic with P2P:
// - amdgpu: amdgpu_gem_prime_import → dma_buf_dynamic_attach with amdgpu_dma_buf_attach_ops
//   { .allow_peer2peer = true, .move_notify = amdgpu_dma_buf_move_notify }
//   (drivers/gpu/drm/amd/amdgpu/amdgpu_dma_buf.c); the SG BO is mapped when it is
//   validated for use (amdgpu_ttm_backend_bind), and the callback invalidates the VM
//   page tables so the next use maps again.
// - xe: xe_gem_prime_import → dma_buf_dynamic_attach with xe_dma_buf_attach_ops
//   { .allow_peer2peer = true, .move_notify = xe_dma_buf_move_notify }
//   (drivers/gpu/drm/xe/xe_dma_buf.c), mapped when the BO is validated.
// Neither pins; both callbacks stop the GPU's use, so the attachment is revocable.

import { type ImporterDriver, type ImporterOps, noImporterRefusal } from './importer';

function gpuOps(attachFn: string, invalidate: string): ImporterOps {
  return { attachFn, attach: 'dynamic', invalidate, allowPeer2peer: true, pins: false, revocable: true, via: 'sgt', mapsAt: 'when the imported BO is validated for use, and again after each invalidation' };
}

const AMDGPU_OPS = gpuOps('amdgpu_gem_prime_import', 'amdgpu_dma_buf_move_notify');
const XE_OPS = gpuOps('xe_gem_prime_import', 'xe_dma_buf_move_notify');

export const amdgpuImporter: ImporterDriver = { kind: 'amdgpu', target: 'device', ops: () => AMDGPU_OPS, refuse: noImporterRefusal };

export const xeImporter: ImporterDriver = { kind: 'xe', target: 'device', ops: () => XE_OPS, refuse: noImporterRefusal };
