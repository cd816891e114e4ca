// odp-unsupported: mlx5 registers a dma-buf MR only through ODP (ib_umem_dmabuf_get with
// mlx5_ib_dmabuf_attach_ops); without IB_ODP_SUPPORT mlx5r_odp_create_eq() returns
// -EOPNOTSUPP (drivers/infiniband/hw/mlx5/odp.c), and ibv_reg_dmabuf_mr() fails.
import { failureRule } from './rule';

export default failureRule(
  'odp-unsupported',
  'mlx5_ib_reg_user_mr_dmabuf, mlx5r_odp_create_eq',
  'ibv_reg_dmabuf_mr() fails with EOPNOTSUPP: an rdma-odp importer (mlx5) on a device without ODP.',
  () =>
    'Use an HCA that reports ODP (`ibv_devinfo -v`: "ODP capabilities"), build with CONFIG_INFINIBAND_ON_DEMAND_PAGING, or register through a pinned importer (mlx5 data-direct, efa, irdma: `importer rdma-pinned`).',
);
