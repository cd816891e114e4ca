// One share, mapped as the kernel would: attach, pin, then map, each step able to fail
// (drivers/dma-buf/dma-buf.c dma_buf_dynamic_attach, dma_buf_map_attachment;
// drivers/dma-buf/dma-buf-mapping.c dma_buf_phys_vec_to_sgt; vfio_pci_dmabuf.c;
// amdgpu_dma_buf.c; kernel/dma/direct.h dma_direct_map_phys; dma-iommu.c).

import type { Platform, Share } from '../model/types';
import { type DeviceDma, type DmaSetup, dmaCapable, limitText, physToDma } from './dma';
import type { AttachState, FallbackReason } from './exporters';
import type { P2pCache, P2pRoute } from './p2pdma';
import type { AddressKind, MapType, Segment, Step } from './types';
import type { DiagnosticCode } from '../ground/codes';
import { hex } from '../ground/format';

const UINT_MAX = 0xffff_ffffn;
const SZ_2G = 0x8000_0000n;
/** A bound far above any real export (16 TiB in 4 GiB entries), so a hostile size cannot exhaust memory. */
const MAX_SG_ENTRIES = 4096n;
/** IO_TLB_SEGSIZE (128) slots of IO_TLB_SIZE (2 KiB): the most one swiotlb mapping can hold. */
const SWIOTLB_MAX_MAPPING = 128n * 2048n;

export interface Failure {
  readonly code: DiagnosticCode;
  readonly message: string;
}

export interface ShareMapping {
  readonly mapType: MapType;
  readonly distance: number | null;
  readonly path: readonly string[];
  readonly route: P2pRoute | undefined;
  readonly placement: 'vram' | 'system';
  readonly fallback: FallbackReason | undefined;
  readonly addressKind: AddressKind;
  readonly ok: boolean;
  readonly segments: readonly Segment[];
  readonly failure: Failure | undefined;
  readonly importerDma: DeviceDma | undefined;
  /** amdgpu put VRAM through the IOMMU although the route is BUS_ADDR. */
  readonly viaIommuDespiteBusAddr: boolean;
  /** The importer gets a bounced private copy (swiotlb). */
  readonly bounced: boolean;
  /** The CPU physical ranges the buffer occupies as mapped. */
  readonly cpuRanges: readonly { first: bigint; size: bigint }[];
  readonly steps: readonly Step[];
}

/** fill_sg_entry(): one entry per UINT_MAX bytes at the most. */
export function splitSegments(dma: bigint, length: bigint, max: bigint): Segment[] {
  const out: Segment[] = [];
  let off = 0n;
  while (off < length) {
    const len = length - off > max ? max : length - off;
    out.push({ dma: dma + off, length: len });
    off += len;
  }
  return out;
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

export function mapShare(share: Share, ctx: ShareContext): ShareMapping {
  const { platform } = ctx;
  const buf = share.buffer;
  const steps: Step[] = [...(ctx.attach?.steps ?? [])];
  const importerPci = share.importer.kind === 'pci' ? share.importer.fn : undefined;
  const importerDma =
    share.importer.kind === 'pci' ? ctx.dma.forPci(share.importer.fn) : share.importer.kind === 'platform' ? ctx.dma.forPlatformDevice(share.importer.dev) : undefined;
  if (importerDma) steps.push(() => `${share.importerName}: ${importerDma.why}`);

  const declaredVram = buf.declaredPlacement === 'vram' && buf.exporter !== undefined;
  // The P2P route for §7: pci_p2pdma_map_type() for PCI clients; amdgpu's distance
  // check uses the PCI parent of a non-PCI child (pci_p2pdma_distance).
  let route: P2pRoute | undefined;
  if (declaredVram && buf.exporter) {
    if (importerPci) route = ctx.p2p.mapType(buf.exporter, importerPci);
    else if (buf.driver === 'amdgpu' && share.importer.kind === 'platform') route = ctx.attach?.distanceRoute;
  }
  if (route) steps.push(...route.steps);

  const placement = ctx.placement;
  const cpuRanges =
    placement === 'vram' && buf.bar ? buf.ranges.map((r) => ({ first: buf.bar!.first + r.offset, size: r.size })) : [{ first: ctx.systemAddress, size: buf.size }];

  let mapType: MapType = 'NONE';
  if (declaredVram) {
    if (route) mapType = route.mapType;
    else if (share.importer.kind === 'iommufd' || share.importer.kind === 'kvm' || share.via === 'pfn') mapType = 'PRIVATE';
    else if (share.importer.kind === 'cpu' || share.via === 'mmap') mapType = 'NONE';
    else mapType = 'NOT_SUPPORTED'; // pci_p2pdma_map_type(): !dev_is_pci(client)
  }
  const link =
    declaredVram && buf.exporter && share.importer.kind === 'pci'
      ? platform.links.find((l) => l.members.includes(buf.exporter!.name) && l.members.includes(share.importerName))
      : undefined;
  if (link) {
    mapType = 'PRIVATE';
    steps.push(() => `${buf.exporter!.name} and ${share.importerName} share a ${link.type} link: addresses on it are private to its members`);
  }

  // Every mapping is built by `make` with the same fields in the same order: one object
  // shape for all shares keeps the rules' property reads fast (no spreads).
  const make = (
    addressKind: AddressKind,
    ok: boolean,
    segments: readonly Segment[],
    failure: Failure | undefined,
    flags: { readonly viaIommuDespiteBusAddr?: boolean; readonly bounced?: boolean } = {},
  ): ShareMapping => ({
    mapType,
    distance: route ? route.distance : null,
    path: route ? route.path : [],
    route,
    placement,
    fallback: ctx.fallback,
    addressKind,
    ok,
    segments,
    failure,
    importerDma,
    viaIommuDespiteBusAddr: flags.viaIommuDespiteBusAddr ?? false,
    bounced: flags.bounced ?? false,
    cpuRanges,
    steps,
  });
  const fail = (code: DiagnosticCode, message: string): ShareMapping => {
    steps.push(`fails: ${message}`);
    return make('none', false, [], { code, message });
  };
  const done = (addressKind: AddressKind, segments: Segment[], flags: { viaIommuDespiteBusAddr?: boolean; bounced?: boolean } = {}): ShareMapping => {
    const first = segments[0];
    if (first) steps.push(() => `the importer sees ${addressKind} ${hex(first.dma)} (${segments.length} segment${segments.length > 1 ? 's' : ''})`);
    return make(addressKind, true, segments, undefined, flags);
  };

  if (buf.invalid) return fail('invalid-value', `buffer ${buf.name} was refused by the model (see its invalid-value diagnostic): not mapped`);
  const entries = cpuRanges.reduce((n, r) => n + (r.size + UINT_MAX - 1n) / UINT_MAX, 0n);
  if (entries > MAX_SG_ENTRIES) {
    return fail('invalid-value', `the sg_table would need ${entries} entries (calc_sg_nents): more than the ${MAX_SG_ENTRIES} this model maps`);
  }

  // ------------------------------------------------------------ CPU access through the exporter
  if (share.importer.kind === 'cpu' || share.via === 'mmap') {
    steps.push('CPU access through the exporter (dma_buf_mmap / vmap): no DMA mapping');
    return done('phys', cpuRanges.map((r) => ({ dma: r.first, length: r.size })));
  }

  // ------------------------------------------------------------ importers with no path at all
  // The only mainline path for CPU physical ranges is VFIO's private interconnect to
  // iommufd (vfio_pci_dma_buf_iommufd_map, reached through symbol_get from iommufd): KVM
  // and device drivers that want PFNs have none (dma_buf_get_pfn_unlocked is an RFC).
  const pfnImporter = share.importer.kind === 'iommufd' || share.importer.kind === 'kvm' || share.via === 'pfn';
  if (pfnImporter && share.importer.kind !== 'iommufd') {
    return fail('pfn-no-path', `no mainline path hands ${share.importerName} CPU physical ranges: vfio_pci_dma_buf_iommufd_map() serves iommufd only, and dma_buf_get_pfn_unlocked() is an unmerged RFC`);
  }

  // ------------------------------------------------------------ attach
  if (share.attach === 'dynamic' && !share.moveNotify) {
    return fail('missing-notifier', 'dma_buf_dynamic_attach() refuses importer_ops without move_notify (-EINVAL)');
  }
  if (buf.driver === 'vfio-pci' && !(ctx.attach?.peer2peer ?? false)) {
    return fail(
      'static-importer-refused',
      share.attach === 'static'
        ? 'vfio_pci_dma_buf_attach() refuses a static attachment: peer2peer is false (-EOPNOTSUPP)'
        : 'vfio_pci_dma_buf_attach() refuses an attachment without allow_peer2peer (-EOPNOTSUPP)',
    );
  }

  // ------------------------------------------------------------ importers that take CPU physical ranges
  if (pfnImporter) {
    if (buf.driver !== 'vfio-pci' || !declaredVram) {
      return fail('pfn-no-path', `no mainline path hands ${share.importerName} CPU physical ranges of a ${buf.driver === 'heap' ? 'heap' : buf.driver} buffer (dma_buf_get_pfn_unlocked is an unmerged RFC)`);
    }
    if (buf.ranges.length !== 1) {
      return fail('pfn-no-path', `vfio_pci_dma_buf_iommufd_map() takes a single range; this buffer has ${buf.ranges.length} (-EOPNOTSUPP)`);
    }
    steps.push('vfio_pci_dma_buf_iommufd_map(): the single CPU physical range goes to the importer, the map type is not consulted');
    return done('phys', cpuRanges.map((r) => ({ dma: r.first, length: r.size })));
  }

  // ------------------------------------------------------------ pin (dma_buf_pin_on_map)
  if (buf.driver === 'vfio-pci' && ctx.attach?.pinOnMap) {
    return fail('pin-unsupported', 'dma_buf_pin_on_map() calls vfio-pci\'s pin op, which always fails (-EOPNOTSUPP): CONFIG_DMABUF_MOVE_NOTIFY is off');
  }
  if (!importerDma) return fail('not-pci-importer', `${share.importerName} cannot map this buffer`);

  // ------------------------------------------------------------ map: MMIO (a BAR or VRAM)
  if (placement === 'vram' && link) {
    // XGMI peers never DMA-map VRAM: amdgpu_dma_buf_map() WARNs and returns -EINVAL for
    // VRAM with XGMI; the importer reaches the BO through the hive's own addressing.
    steps.push(() => `${share.importerName} reaches the VRAM over ${link.type}: no DMA mapping, no address in the sg_table`);
    return done('none', []);
  }
  if (placement === 'vram') {
    if (buf.driver === 'vfio-pci' || buf.driver === 'p2pmem') {
      if (!importerPci) {
        return fail('not-pci-importer', `pci_p2pdma_map_type(): ${share.importerName} is not a PCI device (dev_is_pci fails, no parent walk), so NOT_SUPPORTED (-EINVAL)`);
      }
      return mapPhysVec(share, ctx, importerDma, route!, cpuRanges, steps, fail, done);
    }
    // amdgpu: amdgpu_vram_mgr_alloc_sgt() maps each ≤ 2 GiB block with dma_map_resource().
    const segments: Segment[] = [];
    for (const r of cpuRanges) {
      for (const chunk of splitSegments(r.first, r.size, SZ_2G)) {
        const m = mapMmio(importerDma, chunk.dma, chunk.length, platform);
        if ('error' in m) return fail(m.code, m.error);
        steps.push(...m.steps);
        segments.push({ dma: m.dma, length: chunk.length });
      }
    }
    const viaIommu = importerDma.kind === 'iommu';
    if (viaIommu && route?.mapType === 'BUS_ADDR') steps.push('amdgpu never calls pci_p2pdma_map_type(): VRAM goes through the IOMMU although BUS_ADDR is possible');
    return done(viaIommu ? 'iova' : 'phys', segments, { viaIommuDespiteBusAddr: viaIommu && route?.mapType === 'BUS_ADDR' });
  }

  // ------------------------------------------------------------ map: system memory (dma_map_sgtable)
  return mapRam(importerDma, cpuRanges[0]!.first, buf.size, platform, steps, fail, done);
}

/** dma_buf_phys_vec_to_sgt(): the route decides bus address, IOVA or CPU physical. */
function mapPhysVec(
  share: Share,
  ctx: ShareContext,
  dev: DeviceDma,
  route: P2pRoute,
  cpuRanges: readonly { first: bigint; size: bigint }[],
  steps: Step[],
  fail: (c: DiagnosticCode, m: string) => ShareMapping,
  done: (k: AddressKind, s: Segment[]) => ShareMapping,
): ShareMapping {
  const buf = share.buffer;
  if (route.mapType === 'BUS_ADDR') {
    // pci_p2pdma_bus_addr_map(): paddr + bus_offset, bus_offset = −(window offset).
    const window = buf.exporter!.hostBridge.windows.find((w) => buf.bar && buf.bar.first >= w.first && buf.bar.last <= w.last);
    const offset = window?.offset ?? 0n;
    if (offset !== 0n) steps.push(() => `bus address = CPU address − ${hex(offset)} (host bridge window offset, pcim_p2pdma_init)`);
    return done('bus', cpuRanges.flatMap((r) => splitSegments(r.first - offset, r.size, UINT_MAX)));
  }
  if (route.mapType === 'NOT_SUPPORTED') {
    return fail('p2p-not-supported', `pci_p2pdma_map_type() is NOT_SUPPORTED between ${buf.exporter!.name} and ${share.importerName}: dma_buf_phys_vec_to_sgt() fails (-EINVAL) and a ${buf.driver} BAR cannot move`);
  }
  // THRU_HOST_BRIDGE: dma_iova_try_alloc() for the whole size when the device uses dma-iommu.
  const total = cpuRanges.reduce((s, r) => s + r.size, 0n);
  if (dev.kind === 'iommu' && dev.domain) {
    const a = dev.domain.alloc(dev.state, total, dev.dmaLimit, { busDmaLimit: dev.busDmaLimit, phys: 0n });
    steps.push(...a.steps);
    if (!a.ok || a.iova === undefined) return fail('iova-exhausted', `no room for ${hex(total)} bytes in IOMMU group ${dev.group}'s IOVA domain below ${limitText(dev)} (iommu_dma_alloc_iova)`);
    return done('iova', splitSegments(a.iova, total, UINT_MAX));
  }
  steps.push('dma_iova_try_alloc() returns false (dma-direct): each range through dma_map_phys(DMA_ATTR_MMIO)');
  const segments: Segment[] = [];
  for (const r of cpuRanges) {
    const m = mapMmio(dev, r.first, r.size, ctx.platform);
    if ('error' in m) return fail(m.code, m.error);
    segments.push(...splitSegments(m.dma, r.size, UINT_MAX));
  }
  return done('phys', segments);
}

/** dma_map_phys(…, DMA_ATTR_MMIO): an IOVA through dma-iommu; unchanged paddr through dma-direct, never bounced. */
function mapMmio(dev: DeviceDma, paddr: bigint, size: bigint, platform: Platform): { dma: bigint; steps: readonly Step[] } | { code: DiagnosticCode; error: string } {
  if (dev.kind === 'iommu' && dev.domain) {
    const a = dev.domain.alloc(dev.state, size, dev.dmaLimit, { busDmaLimit: dev.busDmaLimit, phys: paddr });
    if (!a.ok || a.iova === undefined) return { code: 'iova-exhausted', error: `no room for ${hex(size)} bytes in IOMMU group ${dev.group}'s IOVA domain (iommu_dma_alloc_iova)` };
    return { dma: a.iova, steps: a.steps };
  }
  if (platform.kernel.ccGuest || platform.kernel.swiotlbForce) {
    return {
      code: 'dma-unreachable',
      error: `MMIO at ${hex(paddr)} cannot be mapped: swiotlb force-bounce is active (${platform.kernel.ccGuest ? 'confidential-computing guest' : 'swiotlb=force'}) and MMIO is never bounced (dma_direct_map_phys)`,
    };
  }
  if (!dmaCapable(dev, paddr, size)) {
    return { code: 'dma-unreachable', error: `MMIO at ${hex(paddr)} is above the importer's DMA limit ${limitText(dev)} and MMIO is never bounced (dma_capable)` };
  }
  return { dma: paddr, steps: ['dma_direct_map_phys(DMA_ATTR_MMIO): the CPU physical address, unchanged'] };
}

/** dma_map_sgtable() of system RAM: IOVA (dma-iommu) or phys_to_dma with swiotlb checks (dma-direct). */
function mapRam(
  dev: DeviceDma,
  paddr: bigint,
  size: bigint,
  platform: Platform,
  steps: Step[],
  fail: (c: DiagnosticCode, m: string) => ShareMapping,
  done: (k: AddressKind, s: Segment[], flags?: { bounced?: boolean }) => ShareMapping,
): ShareMapping {
  const swiotlb = !platform.kernel.swiotlbOff;
  /** A bounce through swiotlb: possible only with bounce buffers and for one segment of at most IO_TLB_SEGSIZE slots. */
  const bounce = (why: string): ShareMapping | undefined => {
    if (!swiotlb) return fail('dma-unreachable', `${why}, and swiotlb is off: nothing can bounce it`);
    if (size > SWIOTLB_MAX_MAPPING) {
      return fail('dma-unreachable', `${why}, but one swiotlb mapping holds at most 256 KiB (IO_TLB_SEGSIZE × IO_TLB_SIZE, swiotlb_max_mapping_size) and this segment is ${hex(size)} bytes`);
    }
    steps.push(() => `${why}: swiotlb bounces it into a private copy`);
    return undefined;
  };
  if (dev.kind === 'iommu' && dev.domain) {
    // dev_use_swiotlb(): only untrusted devices bounce, and only unaligned buffers;
    // the bounce slot is then mapped through the IOMMU like the page would have been
    // (iommu_dma_map_phys → __iommu_dma_map), so it still takes an IOVA.
    const bounced = dev.untrusted && (size & 0xfffn) !== 0n;
    if (bounced) {
      const failed = bounce('untrusted device and a buffer that is not granule-aligned (dev_use_swiotlb)');
      if (failed) return failed;
    }
    const a = dev.domain.alloc(dev.state, size, dev.dmaLimit, { busDmaLimit: dev.busDmaLimit, phys: paddr });
    steps.push(...a.steps);
    if (!a.ok || a.iova === undefined) return fail('iova-exhausted', `no room for ${hex(size)} bytes in IOMMU group ${dev.group}'s IOVA domain below ${limitText(dev)} (iommu_dma_alloc_iova)`);
    if (bounced) return done('swiotlb', [], { bounced: true });
    return done('iova', [{ dma: a.iova, length: size }]);
  }
  if (platform.kernel.ccGuest || platform.kernel.swiotlbForce) {
    const failed = bounce(`is_swiotlb_force_bounce(): every RAM mapping bounces (${platform.kernel.ccGuest ? 'confidential-computing guest' : 'swiotlb=force'})`);
    return failed ?? done('swiotlb', [], { bounced: true });
  }
  const dma = physToDma(dev, paddr);
  if (dma === undefined || !dmaCapable(dev, dma, size)) {
    const why =
      dma === undefined
        ? `${hex(paddr)} lies outside every dma-range of the importer (translate_phys_to_dma)`
        : `${hex(dma)} + ${hex(size)} is above the importer's DMA limit ${limitText(dev)} (dma_capable)`;
    return bounce(why) ?? done('swiotlb', [], { bounced: true });
  }
  if (dma !== paddr) steps.push(() => `phys_to_dma(): CPU ${hex(paddr)} is bus ${hex(dma)} through the device's dma-ranges`);
  return done('phys', [{ dma, length: size }]);
}
