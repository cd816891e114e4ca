// p2pmem as an exporter (drivers/pci/p2pdma.c: pci_p2pdma_add_resource,
// pci_alloc_p2pmem, as an NVMe CMB exports it): BAR memory with no attach or pin op and
// no migration, mapped like vfio-pci's ranges through dma_buf_phys_vec_to_sgt().

import { type Exporter, noAttachOp, noPhysRanges, noPinFailure, neverMigrates } from './exporter';
import { mapBarRanges } from './physVec';

export const p2pmem: Exporter = {
  driver: 'p2pmem',
  since: undefined,
  isDynamic: false,
  revocation: undefined,
  physVecSgt: true,
  attach: noAttachOp,
  pin: noPinFailure,
  placement: neverMigrates,
  physRanges: noPhysRanges,
  map: mapBarRanges,
};
