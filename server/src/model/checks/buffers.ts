// Buffers: what their exporter can hand out. Every finding here refuses the buffer
// (Buffer.invalid): the engine does not map its shares.

import type { Buffer } from '../types';
import type { Gathered } from '../gather';
import type { Check } from './context';
import { NEVER_MIGRATES, bufferItems } from '../buffers';
import { formatSize, hex } from '../../ground/format';

function* builtBuffers(g: Gathered): Generator<Buffer> {
  for (const b of g.buffers) if (b.kind === 'built') yield b.buffer;
}

const at = (b: Buffer, span: Buffer['place']['span']) => ({ uri: b.uri, span });

/** Exporters are endpoints and VFs: vfio_pci_probe (drivers/vfio/pci/vfio_pci.c) refuses a bridge's type 1 header. */
export const checkExporterKind: Check = (g, c) => {
  for (const b of g.buffers) {
    if (b.kind !== 'notExporter') continue;
    const what = b.exporter?.kind.replace('_', ' ') ?? 'name';
    c.invalid(`'${b.decl.exporter!.text}' is a ${what}: only endpoints and VFs export buffers`, { uri: b.uri, span: b.decl.exporter!.span });
  }
};

/** A heap is its own exporter (dma_heap_ioctl_allocate, drivers/dma-buf/dma-heap.c): no driver to name. */
export const checkHeapDriver: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    if (b.decl.heap && b.decl.driver) c.refuse(b, `a heap buffer has no exporting driver: remove 'driver ${b.decl.driver.value}'`, at(b, b.decl.driver.span));
  }
};

/** A dma-buf has at least one page: dma_heap_buffer_alloc (drivers/dma-buf/dma-heap.c) refuses a length of 0. */
export const checkBufferSizeZero: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    for (const it of b.decl.items) if (it.kind === 'BufSize' && it.size.value === 0n) c.refuse(b, 'size 0: a dma-buf has at least one page', at(b, it.size.span));
  }
};

/** vfio_pci_core_feature_dma_buf (drivers/vfio/pci/vfio_pci_dmabuf.c) refuses a range of length 0. */
export const checkRangeSizeZero: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    for (const it of b.decl.items) {
      if (it.kind === 'BufRange' && it.size.value === 0n) c.refuse(b, 'a range of size 0: vfio-pci refuses empty ranges (vfio_pci_core_feature_dma_buf)', at(b, it.size.span));
    }
  }
};

/**
 * Only the GPU drivers with a TTM/GEM placement (amdgpu_dma_buf_pin, xe_bo_migrate,
 * i915_gem_object_migrate, nouveau_bo_pin) can move a buffer to system memory; a
 * vfio-pci, p2pmem or uverbs buffer is the BAR itself, and NVIDIA and habanalabs export
 * device memory that their dma-buf code never migrates (nv-dmabuf.c, memory.c).
 */
export const checkFallback: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    const fallback = bufferItems(b.decl).fallback;
    if (fallback && NEVER_MIGRATES.has(b.driver)) c.refuse(b, `a ${b.driver} buffer ${BAR_DRIVERS.has(b.driver) ? 'is a BAR' : 'is device memory its exporter never migrates'}: it cannot migrate to system memory`, at(b, fallback.span));
  }
};

const BAR_DRIVERS: ReadonlySet<Buffer['driver']> = new Set(['vfio-pci', 'p2pmem', 'rdma']);

/** The driver each export flag is read by (nv-dmabuf.c, nv-pci.c; amdgpu_dma_buf_attach for DCC). */
const FLAG_DRIVER: Readonly<Record<string, Buffer['driver']>> = {
  force_pcie: 'nvidia',
  coherent: 'nvidia',
  passthru: 'nvidia',
  p2p_unsupported_chipset: 'nvidia',
  dcc: 'amdgpu',
};

/** An export flag names state only its driver has: another driver would ignore it. */
export const checkExportFlags: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    for (const it of b.decl.items) {
      if (it.kind !== 'ExportFlag') continue;
      const want = FLAG_DRIVER[it.flag.value]!;
      if (b.driver !== want) c.refuse(b, `'${it.flag.value}' is state of a ${want} export; this buffer is exported by ${b.driver}`, at(b, it.flag.span));
    }
  }
};

/** NVIDIA exports dma-bufs since the 515 branch (nv-dmabuf.c first appears in 515.43.04); only nvidia has a version. */
export const checkDriverVersion: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    const v = b.decl.driverVersion;
    if (!v) continue;
    if (b.driver !== 'nvidia') c.refuse(b, `a driver version is read only for nvidia (its release branch, e.g. 'driver nvidia 580'); ${b.driver} is the kernel's own`, at(b, v.span));
    else if (v.value < 515n) c.refuse(b, `NVIDIA ${v.value}: the open kernel modules export dma-bufs from the 515 branch on (nv-dmabuf.c, 515.43.04)`, at(b, v.span));
    const force = b.decl.items.find((it) => it.kind === 'ExportFlag' && it.flag.value === 'force_pcie');
    if (b.driver === 'nvidia' && force && v.value >= 515n && v.value < 570n) c.refuse(b, `NVIDIA ${v.value} has no FORCE_PCIE mapping type: it arrives in 570 (NV_DMABUF_EXPORT_MAPPING_TYPE_FORCE_PCIE, 570.86.15)`, at(b, force.span));
  }
};

/** A heap allocates pages of RAM (system_heap_allocate, drivers/dma-buf/heaps/system_heap.c), never VRAM. */
export const checkHeapPlacement: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    if (!b.exporter && b.declaredPlacement === 'vram') c.refuse(b, 'a heap buffer lives in system memory', at(b, b.decl.heap!.span));
  }
};

/** dma_buf_export (drivers/dma-buf/dma-buf.c) takes the buffer's size: written, or the sum of its ranges. */
export const checkBufferHasSize: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    const items = bufferItems(b.decl);
    if (!items.size && items.ranges.length === 0) c.refuse(b, `buffer '${b.name}' has no size: add 'size' (e.g. size 64M)`, b.place);
  }
};

/** A BAR export needs a memory BAR: pci_p2pdma_add_resource (drivers/pci/p2pdma.c) refuses a BAR that is not IORESOURCE_MEM. */
export const checkExporterHasBar: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    if (b.exporter && b.declaredPlacement === 'vram' && b.exporter.bars.length === 0) {
      c.refuse(b, `'${b.exporter.name}' declares no BAR to hold buffer '${b.name}'`, at(b, b.decl.exporter!.span));
    }
  }
};

/** `bar N` must name a BAR of the exporter (pci_p2pdma_add_resource; vfio_pci_core_feature_dma_buf's region_index). */
export const checkBarExists: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    if (!b.exporter || b.declaredPlacement !== 'vram' || b.exporter.bars.length === 0 || b.bar) continue;
    // No BAR chosen although the exporter has some: the written `bar N` names none.
    const index = bufferItems(b.decl).bar!.index;
    c.refuse(b, `'${b.exporter.name}' has no BAR ${index.text}`, at(b, index.span));
  }
};

/**
 * The buffer, at its offset (or its ranges), must end inside its BAR: pci_p2pdma_add_resource
 * (drivers/pci/p2pdma.c) and vfio_pci_core_feature_dma_buf refuse offset + size past the BAR's length.
 */
export const checkBufferFitsBar: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    if (!b.bar || !b.exporter) continue;
    const barSize = b.bar.last - b.bar.first + 1n;
    const extentEnd = b.ranges.reduce((m, r) => (r.offset + r.size > m ? r.offset + r.size : m), 0n);
    if (extentEnd <= barSize) continue;
    c.refuse(b, `buffer '${b.name}' (${formatSize(b.size)} at offset ${hex(b.barOffset)}) does not fit in BAR ${b.bar.index} of '${b.exporter.name}' (${formatSize(barSize)})`, b.place, [
      { uri: b.bar.place.uri, span: b.bar.place.span, message: `BAR ${b.bar.index} of '${b.exporter.name}'` },
    ]);
  }
};

/** vfio_pci_core_feature_dma_buf makes the dma-buf exactly as large as its ranges together. */
export const checkSizeWithinRanges: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    const ranges = bufferItems(b.decl).ranges;
    const rangeTotal = ranges.reduce((s, r) => s + r.size.value, 0n);
    if (ranges.length > 0 && b.size > rangeTotal) c.refuse(b, `buffer '${b.name}' (${formatSize(b.size)}) is larger than its ranges (${formatSize(rangeTotal)})`, b.place);
  }
};

/** `range` items are the dma_ranges of VFIO_DEVICE_FEATURE_DMA_BUF (vfio_pci_core_feature_dma_buf): vfio-pci only. */
export const checkRangesNeedVfio: Check = (g, c) => {
  for (const b of builtBuffers(g)) {
    const first = bufferItems(b.decl).ranges[0];
    if (first && b.driver !== 'vfio-pci') c.refuse(b, "'range' describes vfio-pci export ranges; this buffer is not exported by vfio-pci", at(b, first.span));
  }
};
