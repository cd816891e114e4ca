// RDMA memory registration of a dma-buf (ibv_reg_dmabuf_mr → the driver's
// reg_user_mr_dmabuf → drivers/infiniband/core/umem_dmabuf.c):
// - rdma-odp: ib_umem_dmabuf_get() with mlx5_ib_dmabuf_attach_ops
//   (drivers/infiniband/hw/mlx5/mr.c): a dynamic attachment with allow_peer2peer and
//   mlx5_ib_dmabuf_invalidate_cb; mapped at registration (mlx5_ib_init_dmabuf_mr →
//   pagefault_dmabuf_mr → ib_umem_dmabuf_map_pages) and again on the page fault after
//   each invalidation. It needs the ODP machinery: mlx5_ib_reg_user_mr_dmabuf returns
//   -EOPNOTSUPP without CONFIG_INFINIBAND_ON_DEMAND_PAGING, and mlx5r_odp_create_eq()
//   without IB_ODP_SUPPORT (Jason Gunthorpe's 2026 fix "a second bug was allowing DMABUFs
//   to be created on non-ODP capable HW"; before it, the MR was made with no working
//   invalidation).
// - rdma-pinned: ib_umem_dmabuf_get_pinned() (efa, irdma before 7.1, bnxt_re, mana,
//   ionic, mlx5 data-direct through ib_umem_dmabuf_get_pinned_with_dma_device): the
//   same dynamic attachment with allow_peer2peer, then dma_buf_pin() and the map, both
//   at registration. Its ops have no real invalidation: before 7.1 the stub
//   ib_umem_dmabuf_unsupported_move_notify only warns ("Invalidate callback should not be
//   called when memory is pinned"); 7.1 ("dma-buf: Make .invalidate_mapping() truly
//   optional") removes the stub and the core's check for it.
// - rdma-pinned-revocable (7.1, Jacob Moroni's series; irdma converted):
//   ib_umem_dmabuf_get_pinned_revocable_and_lock() and ib_umem_dmabuf_set_revoke_locked():
//   pinned, with a revoke callback that stops the hardware, so dma_buf_attach_revocable()
//   is true. Below 7.1 the function does not exist and the driver registers pinned.

import type { Platform, Share } from '../../model/types';
import { refusal } from '../refusal';
import { type ImporterDriver, type ImporterOps, hasRevokeSeries, noImporterRefusal } from './importer';

const ODP_OPS: ImporterOps = {
  attachFn: 'ib_umem_dmabuf_get',
  attach: 'dynamic',
  invalidate: 'mlx5_ib_dmabuf_invalidate_cb',
  allowPeer2peer: true,
  pins: false,
  revocable: true,
  via: 'sgt',
  mapsAt: 'at registration (pagefault_dmabuf_mr) and again on the page fault after each invalidation',
};

function pinnedOps(platform: Platform): ImporterOps {
  return {
    attachFn: 'ib_umem_dmabuf_get_pinned',
    attach: 'dynamic',
    invalidate: hasRevokeSeries(platform) ? undefined : 'ib_umem_dmabuf_unsupported_move_notify (a stub that only warns)',
    allowPeer2peer: true,
    pins: true,
    revocable: false,
    via: 'sgt',
    mapsAt: 'once, at registration, after dma_buf_pin (ib_umem_dmabuf_map_pages)',
  };
}

/** mlx5_ib_reg_user_mr_dmabuf / mlx5r_odp_create_eq: -EOPNOTSUPP without ODP. */
function refuseWithoutOdp(share: Share): ReturnType<ImporterDriver['refuse']> {
  const fn = share.importer.kind === 'pci' ? share.importer.fn : undefined;
  return fn?.noOdp ? refusal({ kind: 'odp-unsupported', importer: share.importerName }) : undefined;
}

export const rdmaOdp: ImporterDriver = { kind: 'rdma-odp', target: 'device', ops: () => ODP_OPS, refuse: refuseWithoutOdp };

export const rdmaPinned: ImporterDriver = { kind: 'rdma-pinned', target: 'device', ops: pinnedOps, refuse: noImporterRefusal };

export const rdmaPinnedRevocable: ImporterDriver = {
  kind: 'rdma-pinned-revocable',
  target: 'device',
  ops: (platform) =>
    hasRevokeSeries(platform)
      ? { ...pinnedOps(platform), attachFn: 'ib_umem_dmabuf_get_pinned_revocable_and_lock', invalidate: 'the driver revoke callback (ib_umem_dmabuf_set_revoke_locked)', revocable: true }
      : pinnedOps(platform),
  refuse: noImporterRefusal,
};
