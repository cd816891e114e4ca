// The map op of exporters that build a page-less sg_table of their own, one
// dma_map_resource() per block of device memory, and never ask pci_p2pdma_map_type():
// amdgpu_vram_mgr_alloc_sgt (amdgpu_vram_mgr.c), xe_ttm_vram_mgr_alloc_sgt
// (xe_ttm_vram_mgr.c), both in blocks of at most 2 GiB; habanalabs
// alloc_sgt_from_device_pages (accel/habanalabs/common/memory.c); NVIDIA
// nv_dma_buf_map_pfns → nv_dma_map_peer (nv-dmabuf.c, nv-dma.c).

import { type MapOutcome, dmaMapMmio, mapped, splitSegments } from '../dmaMapping';
import type { Segment } from '../types';
import type { MapRequest } from './exporter';

/** 2 GiB: the sg-entry limit of the amdgpu and xe VRAM managers ("SG table limitations"). */
export const SZ_2G = 0x8000_0000n;

/**
 * dma_map_resource() of each block of the buffer's ranges: an IOVA through dma-iommu,
 * the CPU physical address through dma-direct (dma_direct_map_resource, never bounced).
 */
export function dmaMapResourceBlocks(req: MapRequest, block: bigint): MapOutcome {
  const { dev, steps } = req;
  const segments: Segment[] = [];
  for (const r of req.cpuRanges) {
    for (const chunk of splitSegments(r.first, r.size, block)) {
      const m = dmaMapMmio(dev, chunk.dma, chunk.length, req.platform);
      if ('failure' in m) return { ok: false, failure: m.failure };
      steps.push(...m.steps);
      segments.push({ dma: m.dma, length: chunk.length });
    }
  }
  const viaIommu = dev.kind === 'iommu';
  const despiteBusAddr = viaIommu && req.route?.mapType === 'BUS_ADDR';
  if (despiteBusAddr) steps.push(`${req.buf.driver} never calls pci_p2pdma_map_type(): ${memoryWord(req.buf.driver)} goes through the IOMMU although BUS_ADDR is possible`);
  return mapped(viaIommu ? 'iova' : 'phys', segments, { viaIommuDespiteBusAddr: despiteBusAddr });
}

/** amdgpu and xe export VRAM; NVIDIA and habanalabs device memory behind a BAR. */
export function memoryWord(driver: string): string {
  return driver === 'amdgpu' || driver === 'xe' ? 'VRAM' : 'device memory';
}
