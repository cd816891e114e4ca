// The map op of exporters whose buffers are BAR ranges (vfio-pci, p2pmem):
// dma_buf_phys_vec_to_sgt() (drivers/dma-buf/dma-buf-mapping.c), where the P2P route
// decides bus address, IOVA or CPU physical address, and a BAR cannot move when the
// route is NOT_SUPPORTED.

import { type MapOutcome, UINT_MAX, allocIova, dmaMapMmio, mapped, refused, splitSegments, usesDmaIommu } from '../dmaMapping';
import type { P2pRoute } from '../p2pdma';
import type { Segment } from '../types';
import { hex } from '../../ground/format';
import { type MapRequest, mapSystemPages } from './exporter';

export function mapBarRanges(req: MapRequest): MapOutcome {
  if (req.placement !== 'vram') return mapSystemPages(req);
  // pci_p2pdma_map_type(): dev_is_pci() fails for the client, and there is no parent walk.
  if (!req.importerPci) return refused({ kind: 'not-pci-client', importer: req.share.importerName });
  return dmaBufPhysVecToSgt(req, req.route!);
}

/** dma_buf_phys_vec_to_sgt(): the route decides bus address, IOVA or CPU physical. */
function dmaBufPhysVecToSgt(req: MapRequest, route: P2pRoute): MapOutcome {
  switch (route.mapType) {
    case 'BUS_ADDR':
      return pciP2pdmaBusAddrMap(req);
    case 'NOT_SUPPORTED':
      return refused({ kind: 'p2p-not-supported', exporter: req.buf.exporter!.name, importer: req.share.importerName, driver: req.buf.driver });
    default:
      return mapThruHostBridge(req);
  }
}

/** pci_p2pdma_bus_addr_map(): paddr + bus_offset, bus_offset = −(window offset). */
function pciP2pdmaBusAddrMap(req: MapRequest): MapOutcome {
  const buf = req.buf;
  const window = buf.exporter!.hostBridge.windows.find((w) => buf.bar && buf.bar.first >= w.first && buf.bar.last <= w.last);
  const offset = window?.offset ?? 0n;
  if (offset !== 0n) req.steps.push(() => `bus address = CPU address − ${hex(offset)} (host bridge window offset, pcim_p2pdma_init)`);
  return mapped('bus', req.cpuRanges.flatMap((r) => splitSegments(r.first - offset, r.size, UINT_MAX)));
}

/**
 * THRU_HOST_BRIDGE: dma_iova_try_alloc() for the whole size when the device uses
 * dma-iommu (one contiguous IOVA range for all ranges); else each range through
 * dma_map_phys(DMA_ATTR_MMIO).
 */
function mapThruHostBridge(req: MapRequest): MapOutcome {
  const { dev, steps } = req;
  const total = req.cpuRanges.reduce((s, r) => s + r.size, 0n);
  if (usesDmaIommu(dev)) {
    const a = allocIova(dev, total, 0n, steps, true);
    if ('failure' in a) return { ok: false, failure: a.failure };
    return mapped('iova', splitSegments(a.iova, total, UINT_MAX));
  }
  steps.push('dma_iova_try_alloc() returns false (dma-direct): each range through dma_map_phys(DMA_ATTR_MMIO)');
  const segments: Segment[] = [];
  for (const r of req.cpuRanges) {
    const m = dmaMapMmio(dev, r.first, r.size, req.platform);
    if ('failure' in m) return { ok: false, failure: m.failure };
    segments.push(...splitSegments(m.dma, r.size, UINT_MAX));
  }
  return mapped('phys', segments);
}
