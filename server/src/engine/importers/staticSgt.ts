// Importers that attach statically (dma_buf_attach: no importer_ops, so no
// allow_peer2peer and no invalidation) and map once, when the buffer is bound. Against a
// dynamic exporter the core pins the buffer at map (dma_buf_pin_on_map):
// - v4l2: videobuf2 vb2_dc_attach_dmabuf / vb2_dma_sg_attach_dmabuf → dma_buf_attach;
//   mapped in vb2_dc_map_dmabuf when the buffer is queued (__prepare_dmabuf, VIDIOC_QBUF)
//   (drivers/media/common/videobuf2/).
// - drm-prime: drm_gem_prime_import_dev → dma_buf_attach, then
//   dma_buf_map_attachment_unlocked at import (drivers/gpu/drm/drm_prime.c).
// - devmem-tcp: net_devmem_bind_dmabuf → dma_buf_attach on the netdev's DMA device, then
//   dma_buf_map_attachment_unlocked at bind (net/core/devmem.c).
// - io-uring-zcrx: io_import_dmabuf → dma_buf_attach on the interface queue's device,
//   then dma_buf_map_attachment_unlocked(DMA_FROM_DEVICE) at registration (io_uring/zcrx.c).

import { type ImporterDriver, type ImporterOps, noImporterRefusal } from './importer';

function staticOps(attachFn: string, mapsAt: string): ImporterOps {
  return { attachFn, attach: 'static', invalidate: undefined, allowPeer2peer: false, pins: false, revocable: false, via: 'sgt', mapsAt };
}

function staticImporter(kind: ImporterDriver['kind'], attachFn: string, mapsAt: string): ImporterDriver {
  const ops = staticOps(attachFn, mapsAt);
  return { kind, target: 'device', ops: () => ops, refuse: noImporterRefusal };
}

export const v4l2 = staticImporter('v4l2', 'vb2_dc_attach_dmabuf', 'when the buffer is queued (vb2_dc_map_dmabuf from VIDIOC_QBUF)');
export const drmPrime = staticImporter('drm-prime', 'drm_gem_prime_import_dev', 'at import (dma_buf_map_attachment_unlocked)');
export const devmemTcp = staticImporter('devmem-tcp', 'net_devmem_bind_dmabuf', 'at bind (dma_buf_map_attachment_unlocked)');
export const ioUringZcrx = staticImporter('io-uring-zcrx', 'io_import_dmabuf', 'at registration (dma_buf_map_attachment_unlocked, DMA_FROM_DEVICE)');
