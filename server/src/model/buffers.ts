// Buffers: the exporter resolved, the exporting driver, size and placement defaulted
// (docs/language.md §4.3) and the BAR chosen and packed. Values are taken as written; their
// checks, which may refuse a buffer, are in checks/buffers.ts.

import type * as A from '../syntax/ast';
import type { Bar, Buffer, PciFunction } from './types';
import type { Names } from './names';

const MIB2 = 2n * 1024n * 1024n;
const alignUp = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;

/**
 * A buffer declaration as gathered: built, or refused because its exporter is a
 * bridge (checks/buffers.ts reports it). A buffer whose exporter is not declared is
 * not gathered: its `unknown-name` says why.
 */
export type GatheredBuffer =
  | { readonly kind: 'built'; readonly decl: A.BufferDecl; readonly uri: string; readonly buffer: Buffer }
  | { readonly kind: 'notExporter'; readonly decl: A.BufferDecl; readonly uri: string; readonly exporter: PciFunction | undefined };

/** The next free offset of each BAR: buffers of one BAR are packed in declaration order. */
export type BarCursor = Map<Bar, bigint>;

/** Exporters whose buffer is device memory or a BAR that never moves (checks/buffers.ts refuses `fallback`). */
export const NEVER_MIGRATES: ReadonlySet<Buffer['driver']> = new Set(['vfio-pci', 'p2pmem', 'nvidia', 'habanalabs', 'rdma']);

const isExporterKind = (fn: PciFunction): boolean => fn.kind === 'endpoint' || fn.kind === 'vf';

export function gatherBuffer(names: Names, d: A.BufferDecl, uri: string, fnByName: ReadonlyMap<string, PciFunction>, barCursor: BarCursor, index: number): GatheredBuffer | undefined {
  let exporter: PciFunction | undefined;
  if (d.exporter) {
    if (!names.ref(d.exporter, uri, ['pci'], 'an exporting PCI device (or heap)')) return undefined;
    exporter = fnByName.get(d.exporter.text);
    if (!exporter || !isExporterKind(exporter)) return { kind: 'notExporter', decl: d, uri, exporter };
  } else if (!d.heap) return undefined;

  const driver: Buffer['driver'] = exporter ? (d.driver?.value ?? defaultDriver(exporter)) : 'heap';
  const items = bufferItems(d);
  const ranges = items.ranges.map((r) => ({ offset: r.offset.value, size: r.size.value, place: { uri, span: r.span } }));
  const declaredPlacement = items.placement ?? (exporter ? 'vram' : 'system');
  // No `size`: the sum of the ranges; with neither, 0 (checks/buffers.ts reports it).
  const size = items.size?.value ?? ranges.reduce((s, r) => s + r.size, 0n);
  const bar = exporter && declaredPlacement === 'vram' ? chooseBar(exporter, items.bar) : undefined;
  const offset = bar ? packInBar(bar, items.bar?.offset, ranges.length > 0, size, barCursor) : 0n;
  const buffer: Buffer = {
    name: d.name.text,
    decl: d,
    uri,
    place: { uri, span: d.name.span },
    exporter,
    driver,
    size,
    declaredPlacement,
    bar,
    barOffset: offset,
    ranges: ranges.length > 0 ? ranges : bar ? [{ offset, size, place: undefined }] : [],
    at: items.at?.value,
    // A BAR (vfio-pci, p2pmem) cannot migrate to system memory; amdgpu falls back by default,
    // nouveau always exports from GART; xe and i915 only when `fallback system` says the
    // BO has a system placement too.
    fallback: driver === 'amdgpu' || driver === 'nouveau' || (items.fallback !== undefined && !NEVER_MIGRATES.has(driver)),
    caching: items.caching?.value,
    driverVersion: d.driverVersion === undefined ? undefined : Number(d.driverVersion.value),
    exportFlags: new Set(items.flags),
    index,
    invalid: false,
  };
  return { kind: 'built', decl: d, uri, buffer };
}

function defaultDriver(fn: PciFunction): Buffer['driver'] {
  // Not in the spec: a device without `driver` exports like the mainline driver of
  // its class would (GPU: amdgpu; NVMe CMB: p2pmem; anything else: vfio-pci).
  if (fn.cls === 'gpu') return 'amdgpu';
  if (fn.cls === 'nvme') return 'p2pmem';
  return 'vfio-pci';
}

type Item<K extends A.BufItem['kind']> = Extract<A.BufItem, { kind: K }>;

/** The items of a buffer body: the last of a kind wins, ranges are kept in order. */
export function bufferItems(d: A.BufferDecl) {
  let size: A.SizeLit | undefined;
  let placement: 'vram' | 'system' | undefined;
  let bar: Item<'BufBar'> | undefined;
  let at: A.IntLit | undefined;
  let fallback: Item<'Fallback'> | undefined;
  let caching: Item<'BufCaching'>['caching'] | undefined;
  const ranges: Item<'BufRange'>[] = [];
  const flags: A.ExportFlag[] = [];
  for (const it of d.items) {
    if (it.kind === 'BufSize') size = it.size;
    else if (it.kind === 'Placement') placement = it.placement.value;
    else if (it.kind === 'BufBar') bar = it;
    else if (it.kind === 'BufRange') ranges.push(it);
    else if (it.kind === 'At') at = it.address;
    else if (it.kind === 'Fallback') fallback = it;
    else if (it.kind === 'ExportFlag') flags.push(it.flag.value);
    else caching = it.caching;
  }
  return { size, placement, bar, at, fallback, caching, ranges, flags };
}

/** `bar N`, or by default the exporter's largest BAR, the lowest index on a tie (docs/language.md §4.3). */
function chooseBar(exporter: PciFunction, written: Item<'BufBar'> | undefined): Bar | undefined {
  if (exporter.bars.length === 0) return undefined;
  if (written) return exporter.bars.find((x) => x.index === Number(written.index.value));
  const size = (b: Bar) => b.last - b.first;
  return [...exporter.bars].sort((x, y) => (size(y) > size(x) ? 1 : size(y) < size(x) ? -1 : x.index - y.index))[0];
}

/** The buffer's offset in its BAR: written, 0 for ranges, or the next 2 MiB aligned free offset. */
function packInBar(bar: Bar, written: A.SizeLit | undefined, hasRanges: boolean, size: bigint, barCursor: BarCursor): bigint {
  const offset = written ? written.value : hasRanges ? 0n : alignUp(barCursor.get(bar) ?? 0n, MIB2);
  if (!hasRanges) barCursor.set(bar, offset + size);
  return offset;
}
