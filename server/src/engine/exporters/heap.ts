// A dma-buf heap (drivers/dma-buf/heaps/system_heap.c): system pages with no attach,
// pin or migration; system_heap_map_dma_buf() maps them with dma_map_sgtable().

import { type MapOutcome, dmaMapPages } from '../dmaMapping';
import { type Exporter, type MapRequest, noAttachOp, noPhysRanges, noPinFailure, neverMigrates } from './exporter';

function systemHeapMapDmaBuf(req: MapRequest): MapOutcome {
  return dmaMapPages(req.dev, req.cpuRanges[0]!.first, req.buf.size, req.platform, req.steps);
}

export const heap: Exporter = {
  driver: 'heap',
  isDynamic: false,
  revocation: undefined,
  physVecSgt: false,
  attach: noAttachOp,
  pin: noPinFailure,
  placement: neverMigrates,
  physRanges: noPhysRanges,
  map: systemHeapMapDmaBuf,
};
