// One share, mapped as the kernel would: a short pipeline of phases in the kernel's
// order, each able to end it with the importer's addresses or a refusal
// (drivers/dma-buf/dma-buf.c dma_buf_dynamic_attach, dma_buf_map_attachment,
// dma_buf_pin_on_map). What an exporter does is its module's (exporters/); the
// DMA-mapping step under it is dmaMapping.ts.

import type { Buffer, Link, Platform, Share } from '../model/types';
import type { DeviceDma, DmaSetup } from './dma';
import { type CpuRange, type MapOutcome, UINT_MAX, mapped, physRanges, refused } from './dmaMapping';
import { type AttachState, type Exporter, type FallbackReason, exporterFor } from './exporters';
import type { ShareRequest } from './exporters/exporter';
import { cpuAccess, importerPci, takesPfns } from './importer';
import { importerOf } from './importers';
import type { P2pCache, P2pRoute } from './p2pdma';
import { type BounceCause, type Failure, refusal } from './refusal';
import type { AddressKind, MapType, Segment, Step } from './types';
import { hex } from '../ground/format';
import { kernelHas } from './releases';

/** A bound far above any real export (16 TiB in 4 GiB entries), so a hostile size cannot exhaust memory. */
const MAX_SG_ENTRIES = 4096n;

export interface ShareMapping {
  readonly mapType: MapType;
  readonly distance: number | null;
  readonly path: readonly string[];
  readonly route: P2pRoute | undefined;
  /** The private link (XGMI, NVLink) between exporter and importer, for a VRAM buffer. */
  readonly link: Link | undefined;
  readonly placement: 'vram' | 'system';
  readonly fallback: FallbackReason | undefined;
  readonly addressKind: AddressKind;
  readonly ok: boolean;
  readonly segments: readonly Segment[];
  readonly failure: Failure | undefined;
  readonly importerDma: DeviceDma | undefined;
  /** amdgpu put VRAM through the IOMMU although the route is BUS_ADDR. */
  readonly viaIommuDespiteBusAddr: boolean;
  /** Why the importer gets a bounced private copy (swiotlb); undefined when it does not. */
  readonly bounce: BounceCause | undefined;
  /** The CPU physical ranges the buffer occupies as mapped. */
  readonly cpuRanges: readonly CpuRange[];
  readonly steps: readonly Step[];
}

export interface ShareContext {
  readonly platform: Platform;
  readonly p2p: P2pCache;
  readonly dma: DmaSetup;
  readonly attach: AttachState | undefined;
  readonly placement: 'vram' | 'system';
  readonly fallback: FallbackReason | undefined;
  /** CPU physical address of a system-memory buffer. */
  readonly systemAddress: bigint;
}

/** A share between its phases: what the exporter sees, plus the core's own bookkeeping. */
interface ShareState extends ShareRequest {
  readonly exporter: Exporter;
  readonly mapType: MapType;
  /** A private link (XGMI) between exporter and importer. */
  readonly link: Link | undefined;
  readonly fallback: FallbackReason | undefined;
}

/**
 * The phases in the kernel's order: the export itself, CPU access (no attachment),
 * importers with no path, dma_buf_dynamic_attach(), iommufd's private interconnect,
 * dma_buf_pin_on_map(), dma_buf_map_attachment(). The first that ends the share wins.
 */
export function mapShare(share: Share, ctx: ShareContext): ShareMapping {
  const st = shareState(share, ctx);
  const outcome =
    refuseExport(st) ??
    (cpuAccess(share) ? dmaBufMmap(st) : undefined) ??
    refusePfnImporter(st) ??
    attachRefusal(st) ??
    importerRefusal(st) ??
    dmaBufPinByImporter(st) ??
    (takesPfns(share) ? st.exporter.physRanges(st) : undefined) ??
    dmaBufPinOnMap(st) ??
    dmaBufMapAttachment(st);
  return finish(st, outcome);
}

// ---------------------------------------------------------------- before any phase

function shareState(share: Share, ctx: ShareContext): ShareState {
  const buf = share.buffer;
  const steps: Step[] = [...(ctx.attach?.steps ?? [])];
  const importerDma =
    share.importer.kind === 'pci' ? ctx.dma.forPci(share.importer.fn) : share.importer.kind === 'platform' ? ctx.dma.forPlatformDevice(share.importer.dev) : undefined;
  if (importerDma) steps.push(() => `${share.importerName}: ${importerDma.why}`);
  const pci = importerPci(share);
  const declaredVram = buf.declaredPlacement === 'vram' && buf.exporter !== undefined;
  // pci_p2pdma_map_type() for PCI clients; an exporter that measures
  // pci_p2pdma_distance() from a non-PCI child's PCI parent (amdgpu) has it from attach.
  const route = declaredVram ? (pci ? ctx.p2p.mapType(buf.exporter!, pci) : ctx.attach?.distanceRoute) : undefined;
  if (route) steps.push(...route.steps);
  const link = declaredVram && pci ? ctx.platform.links.find((l) => l.members.includes(buf.exporter!.name) && l.members.includes(share.importerName)) : undefined;
  if (link) steps.push(() => `${buf.exporter!.name} and ${share.importerName} share a ${link.type} link: addresses on it are private to its members`);
  return {
    share,
    buf,
    platform: ctx.platform,
    attach: ctx.attach,
    placement: ctx.placement,
    importerDma,
    importerPci: pci,
    route,
    cpuRanges: cpuRangesOf(buf, ctx),
    steps,
    exporter: exporterFor(buf.driver),
    mapType: shareMapType(share, declaredVram, route, link),
    link,
    fallback: ctx.fallback,
  };
}

function cpuRangesOf(buf: Buffer, ctx: ShareContext): CpuRange[] {
  return ctx.placement === 'vram' && buf.bar ? buf.ranges.map((r) => ({ first: buf.bar!.first + r.offset, size: r.size })) : [{ first: ctx.systemAddress, size: buf.size }];
}

/** The map type reported for the share: the P2P route's, or what the importer's kind implies. */
function shareMapType(share: Share, declaredVram: boolean, route: P2pRoute | undefined, link: Link | undefined): MapType {
  if (!declaredVram) return 'NONE';
  if (link) return 'PRIVATE';
  if (route) return route.mapType;
  if (takesPfns(share)) return 'PRIVATE';
  if (cpuAccess(share)) return 'NONE';
  return 'NOT_SUPPORTED'; // pci_p2pdma_map_type(): !dev_is_pci(client)
}

// ---------------------------------------------------------------- the phases, in order

/**
 * A buffer the model refused, or one larger than this model maps: more sg entries of at
 * most UINT_MAX bytes than MAX_SG_ENTRIES. A heap buffer that large and larger than the
 * platform's RAM is never made (system_heap_allocate: -ENOMEM).
 */
function refuseExport(st: ShareState): MapOutcome | undefined {
  if (st.buf.invalid) return refused({ kind: 'buffer-refused', buffer: st.buf.name });
  const since = st.exporter.since;
  if (since && st.placement === 'vram' && !kernelHas(st.platform, since)) {
    return refused({ kind: 'kernel-too-old', feature: since, subject: `${st.buf.driver} dma-buf export`, release: st.platform.kernel.release });
  }
  const entries = st.cpuRanges.reduce((n, r) => n + (r.size + UINT_MAX - 1n) / UINT_MAX, 0n);
  if (entries <= MAX_SG_ENTRIES) return undefined;
  const size = st.cpuRanges.reduce((n, r) => n + r.size, 0n);
  const ram = platformRam(st.platform);
  if (st.buf.driver === 'heap' && size > ram) return refused({ kind: 'heap-alloc-fails', size, ram });
  return refused({ kind: 'sg-table-too-large', size, entries, max: MAX_SG_ENTRIES, physVec: st.exporter.physVecSgt && st.placement === 'vram' });
}

/** The RAM the platform declares (its `memory` regions; empty ones count nothing). */
function platformRam(platform: Platform): bigint {
  return platform.memories.reduce((n, m) => (m.last >= m.first ? n + m.last - m.first + 1n : n), 0n);
}

/** dma_buf_mmap / dma_buf_vmap: the CPU reaches the pages through the exporter, nothing is DMA-mapped. */
function dmaBufMmap(st: ShareState): MapOutcome {
  st.steps.push('CPU access through the exporter (dma_buf_mmap / vmap): no DMA mapping');
  return physRanges(st.cpuRanges);
}

/**
 * The only mainline path for CPU physical ranges is VFIO's private interconnect to
 * iommufd (vfio_pci_dma_buf_iommufd_map, reached through symbol_get from iommufd): KVM
 * and device drivers that want PFNs have none (dma_buf_get_pfn_unlocked is an RFC).
 */
function refusePfnImporter(st: ShareState): MapOutcome | undefined {
  if (!takesPfns(st.share)) return undefined;
  if (st.share.importer.kind === 'iommufd') {
    // IOMMU_IOAS_MAP_FILE takes a dma-buf fd from 6.19 on (iopt_map_file_pages).
    if (kernelHas(st.platform, 'iommufd-dma-buf')) return undefined;
    return refused({ kind: 'kernel-too-old', feature: 'iommufd-dma-buf', subject: 'iommufd dma-buf import', release: st.platform.kernel.release });
  }
  return refused({ kind: 'pfn-importer-unsupported', importer: st.share.importerName });
}

/** dma_buf_dynamic_attach() failed, in the core or in the exporter's attach op. */
function attachRefusal(st: ShareState): MapOutcome | undefined {
  const failure = st.attach?.refusal;
  return failure ? { ok: false, failure } : undefined;
}

/** The importer's own refusal after the attachment (mlx5 without ODP: mlx5r_odp_create_eq). */
function importerRefusal(st: ShareState): MapOutcome | undefined {
  const failure = importerOf(st.share)?.refuse(st.share, st.platform);
  return failure ? { ok: false, failure } : undefined;
}

/** dma_buf_pin() called by the importer right after attaching: the exporter's pin op, which may refuse it. */
function dmaBufPinByImporter(st: ShareState): MapOutcome | undefined {
  if (!st.attach?.importerPin) return undefined;
  const failure = st.exporter.importerPin ? st.exporter.importerPin(st) : st.exporter.pin(st);
  return failure ? { ok: false, failure } : undefined;
}

/** dma_buf_pin_on_map(): the exporter's pin op, which may fail the map. */
function dmaBufPinOnMap(st: ShareState): MapOutcome | undefined {
  const failure = st.attach?.pinOnMap ? st.exporter.pin(st) : undefined;
  return failure ? { ok: false, failure } : undefined;
}

/** dma_buf_map_attachment(): the exporter's map op for the importer's device. */
function dmaBufMapAttachment(st: ShareState): MapOutcome {
  const dev = st.importerDma;
  if (!dev) return refused({ kind: 'no-dma-device', importer: st.share.importerName });
  const link = st.link;
  if (st.placement === 'vram' && link) {
    // XGMI peers never DMA-map VRAM: amdgpu_dma_buf_map() WARNs and returns -EINVAL for
    // VRAM with XGMI; the importer reaches the BO through the hive's own addressing.
    st.steps.push(() => `${st.share.importerName} reaches the VRAM over ${link.type}: no DMA mapping, no address in the sg_table`);
    return mapped('none', []);
  }
  return st.exporter.map({ ...st, dev });
}

// ---------------------------------------------------------------- the mapping

function finish(st: ShareState, o: MapOutcome): ShareMapping {
  if (!o.ok) {
    st.steps.push(`fails: ${o.failure.message}`);
    return shareMapping(st.mapType, st.route, st.link, st.placement, st.fallback, 'none', false, [], o.failure, st.importerDma, false, undefined, st.cpuRanges, st.steps);
  }
  const { addressKind, segments } = o;
  const first = segments[0];
  if (first) st.steps.push(() => `the importer sees ${addressKind} ${hex(first.dma)} (${segments.length} segment${segments.length > 1 ? 's' : ''})`);
  return shareMapping(st.mapType, st.route, st.link, st.placement, st.fallback, addressKind, true, segments, undefined, st.importerDma, o.viaIommuDespiteBusAddr, o.bounce, st.cpuRanges, st.steps);
}

/** A share the engine could not map at all (a value the model already reported made it throw). */
export function unmappedShare(placement: 'vram' | 'system', text: string): ShareMapping {
  const failure = refusal({ kind: 'model-error', text });
  return shareMapping('NONE', undefined, undefined, placement, undefined, 'none', false, [], failure, undefined, false, undefined, [], [failure.message]);
}

/**
 * Every mapping is built here with the same fields in the same order: one object shape
 * for all shares keeps the rules' property reads fast.
 */
function shareMapping(
  mapType: MapType,
  route: P2pRoute | undefined,
  link: Link | undefined,
  placement: 'vram' | 'system',
  fallback: FallbackReason | undefined,
  addressKind: AddressKind,
  ok: boolean,
  segments: readonly Segment[],
  failure: Failure | undefined,
  importerDma: DeviceDma | undefined,
  viaIommuDespiteBusAddr: boolean,
  bounce: BounceCause | undefined,
  cpuRanges: readonly CpuRange[],
  steps: readonly Step[],
): ShareMapping {
  return {
    mapType,
    distance: route ? route.distance : null,
    path: route ? route.path : [],
    route,
    link,
    placement,
    fallback,
    addressKind,
    ok,
    segments,
    failure,
    importerDma,
    viaIommuDespiteBusAddr,
    bounce,
    cpuRanges,
    steps,
  };
}
