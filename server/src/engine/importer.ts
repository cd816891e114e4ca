// How an importer takes a buffer, decided once from the share: through the exporter's
// CPU mapping (dma_buf_mmap / dma_buf_vmap: no attachment at all), as CPU physical
// ranges (iommufd through vfio_pci_dma_buf_iommufd_map, KVM and `via pfn` drivers), or
// as an sg_table from dma_buf_map_attachment().

import type { PciFunction, Share } from '../model/types';

/** CPU access through the exporter (dma_buf_mmap / vmap): no attachment, no DMA mapping. */
export function cpuAccess(share: Share): boolean {
  return share.importer.kind === 'cpu' || share.via === 'mmap';
}

/** The importer takes CPU physical ranges (PFNs), not DMA addresses. */
export function takesPfns(share: Share): boolean {
  return share.importer.kind === 'iommufd' || share.importer.kind === 'kvm' || share.via === 'pfn';
}

/** Does this share attach at all? CPU access goes through the exporter's mmap, not an attachment. */
export function attaches(share: Share): boolean {
  return !cpuAccess(share);
}

/** The importer's PCI function, when it is one (dev_is_pci). */
export function importerPci(share: Share): PciFunction | undefined {
  return share.importer.kind === 'pci' ? share.importer.fn : undefined;
}

/** find_parent_pci_dev(): the PCI device itself, or a platform device's PCI parent. */
export function pciDeviceFor(share: Share): PciFunction | undefined {
  if (share.importer.kind === 'pci') return share.importer.fn;
  if (share.importer.kind === 'platform') return share.importer.dev.parent;
  return undefined;
}
