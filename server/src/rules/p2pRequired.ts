import { failureRule } from './rule';

export default failureRule(
  'p2p-required',
  'hl_map_dmabuf, nv_dma_buf_attach, xe_dma_buf_attach, uverbs_dmabuf_attach, i915_gem_dmabuf_attach',
  'An exporter that serves device memory only peer-to-peer is reached without peer2peer, or cannot move the buffer to system memory for it.',
  (o) =>
    o.mapping.failure?.reason.kind === 'cannot-migrate'
      ? 'Give the buffer a system placement (`fallback system`), or use an exporter that serves VRAM peer-to-peer.'
      : 'Attach with `attach dynamic`, `move_notify` and `peer2peer` from an importer that takes MMIO, over a path where pci_p2pdma_distance() is not negative.',
);
