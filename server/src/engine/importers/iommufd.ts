// iommufd taking a dma-buf for IOMMU_IOAS_MAP_FILE (6.19, drivers/iommu/iommufd/pages.c
// iopt_map_dmabuf): dma_buf_dynamic_attach to iommufd_global_device() with
// iopt_dmabuf_attach_revoke_ops { .allow_peer2peer = true, .move_notify =
// iopt_revoke_notify }, then the CPU physical range from VFIO's private interconnect
// (sym_vfio_pci_dma_buf_iommufd_map), mapped into the IOAS at once. iommufd cannot
// fault, so an invalidation is a revoke: the range is unmapped for good. 7.1 ("iommufd:
// Add dma_buf_pin()") pins after attaching: a pinned importer that is revocable.

import type { Platform } from '../../model/types';
import { type ImporterDriver, type ImporterOps, hasRevokeSeries, noImporterRefusal } from './importer';

function iommufdOps(platform: Platform): ImporterOps {
  return {
    attachFn: 'iopt_map_dmabuf',
    attach: 'dynamic',
    invalidate: 'iopt_revoke_notify',
    allowPeer2peer: true,
    pins: hasRevokeSeries(platform),
    revocable: true,
    via: 'pfn',
    mapsAt: 'at IOMMU_IOAS_MAP_FILE, into the IOAS',
  };
}

export const iommufd: ImporterDriver = { kind: 'iommufd', target: 'iommufd', ops: iommufdOps, refuse: noImporterRefusal };
