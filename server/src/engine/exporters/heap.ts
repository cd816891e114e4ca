// A dma-buf heap (drivers/dma-buf/heaps/system_heap.c): system pages with no attach,
// pin or migration; system_heap_map_dma_buf() maps them with dma_map_sgtable().

import { type Exporter, mapSystemPages, noAttachOp, noPhysRanges, noPinFailure, neverMigrates } from './exporter';

export const heap: Exporter = {
  driver: 'heap',
  since: undefined,
  isDynamic: false,
  revocation: undefined,
  physVecSgt: false,
  attach: noAttachOp,
  pin: noPinFailure,
  placement: neverMigrates,
  physRanges: noPhysRanges,
  // system_heap_map_dma_buf
  map: mapSystemPages,
};
