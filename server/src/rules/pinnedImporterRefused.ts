// pinned-importer-refused: a pinned importer that cannot be revoked (ib_umem_dmabuf_get_pinned)
// of a buffer its exporter must be able to revoke. vfio-pci refuses it: 6.19 through its
// pin op (vfio_pci_dma_buf_pin, -EOPNOTSUPP), 7.1 in its attach op
// (dma_buf_attach_revocable() false, -EOPNOTSUPP) (drivers/vfio/pci/vfio_pci_dmabuf.c).
import { failureRule } from './rule';

export default failureRule(
  'pinned-importer-refused',
  'ib_umem_dmabuf_get_pinned, vfio_pci_dma_buf_pin, vfio_pci_dma_buf_attach, dma_buf_attach_revocable',
  'ibv_reg_dmabuf_mr() fails with EOPNOTSUPP: a pinned importer that cannot be revoked, of a revocable exporter (vfio-pci).',
  (o) =>
    // The attach op refuses from 7.1, where the revocable pinned umem exists too.
    o.mapping.failure?.reason.kind === 'pinned-importer-refused' && o.mapping.failure.reason.at === 'attach'
      ? 'Register through an importer that can be revoked: an ODP NIC (`importer rdma-odp`) or a driver converted to the revocable pinned umem (`importer rdma-pinned-revocable`, irdma).'
      : 'Register through an ODP NIC (`importer rdma-odp`); from 7.1 a driver converted to the revocable pinned umem (`importer rdma-pinned-revocable`, irdma) is accepted too.',
);
