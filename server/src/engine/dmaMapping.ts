// The DMA-mapping step under every exporter's map op: an IOVA through dma-iommu, the
// (translated) CPU address through dma-direct, or a swiotlb bounce
// (kernel/dma/mapping.c dma_map_phys; kernel/dma/direct.h dma_direct_map_phys;
// drivers/iommu/dma-iommu.c iommu_dma_map_phys, dma_iova_try_alloc; kernel/dma/swiotlb.c).

import type { Platform } from '../model/types';
import { type DeviceDma, dmaCapable, dmaLimitOf, physToDma } from './dma';
import { type BounceCause, type Failure, type ForceBounce, type RefusalReason, bounceText, refusal } from './refusal';
import type { AddressKind, Segment, Step } from './types';
import { hex } from '../ground/format';

export const UINT_MAX = 0xffff_ffffn;
/** IO_TLB_SEGSIZE (128) slots of IO_TLB_SIZE (2 KiB): the most one swiotlb mapping can hold. */
const SWIOTLB_MAX_MAPPING = 128n * 2048n;

/** A CPU physical range of the buffer. */
export interface CpuRange {
  readonly first: bigint;
  readonly size: bigint;
}

/** What one phase of a share's mapping ends with: the importer's addresses, or a refusal. */
export type MapOutcome =
  | {
      readonly ok: true;
      readonly addressKind: AddressKind;
      readonly segments: readonly Segment[];
      /** amdgpu put VRAM through the IOMMU although the route is BUS_ADDR. */
      readonly viaIommuDespiteBusAddr: boolean;
      /** Why the importer got a bounced private copy (swiotlb). */
      readonly bounce: BounceCause | undefined;
    }
  | { readonly ok: false; readonly failure: Failure };

export function mapped(addressKind: AddressKind, segments: readonly Segment[], flags: { viaIommuDespiteBusAddr?: boolean; bounce?: BounceCause } = {}): MapOutcome {
  return { ok: true, addressKind, segments, viaIommuDespiteBusAddr: flags.viaIommuDespiteBusAddr ?? false, bounce: flags.bounce };
}

export function refused(reason: RefusalReason): MapOutcome {
  return { ok: false, failure: refusal(reason) };
}

/** The importer sees the CPU physical ranges themselves (CPU access, PFN importers). */
export function physRanges(ranges: readonly CpuRange[]): MapOutcome {
  return mapped('phys', ranges.map((r) => ({ dma: r.first, length: r.size })));
}

/** fill_sg_entry(): one entry per `max` bytes at the most. */
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

/** is_swiotlb_force_bounce(): a confidential-computing guest or swiotlb=force. */
function forceBounce(platform: Platform): ForceBounce | undefined {
  return platform.kernel.ccGuest ? 'cc-guest' : platform.kernel.swiotlbForce ? 'swiotlb=force' : undefined;
}

/** Does the device map through dma-iommu (a translated domain with an IOVA allocator)? */
export function usesDmaIommu(dev: DeviceDma): boolean {
  return dev.kind === 'iommu' && dev.domain !== undefined;
}

/**
 * iommu_dma_alloc_iova(): `size` bytes in the device's IOVA domain, the allocator's
 * steps appended; the refusal names the limit when `withLimit`.
 */
export function allocIova(dev: DeviceDma, size: bigint, paddr: bigint, steps: Step[], withLimit: boolean): { iova: bigint } | { failure: Failure } {
  const a = dev.domain!.alloc(dev.state, size, dev.dmaLimit, { busDmaLimit: dev.busDmaLimit, phys: paddr });
  steps.push(...a.steps);
  if (!a.ok || a.iova === undefined) return { failure: iovaExhausted(dev, size, withLimit) };
  return { iova: a.iova };
}

function iovaExhausted(dev: DeviceDma, size: bigint, withLimit: boolean): Failure {
  return refusal({ kind: 'iova-exhausted', size, group: dev.group, limit: withLimit ? dmaLimitOf(dev) : undefined });
}

/** dma_map_phys(…, DMA_ATTR_MMIO): an IOVA through dma-iommu; unchanged paddr through dma-direct, never bounced. */
export function dmaMapMmio(dev: DeviceDma, paddr: bigint, size: bigint, platform: Platform): { dma: bigint; steps: readonly Step[] } | { failure: Failure } {
  if (usesDmaIommu(dev)) {
    const steps: Step[] = [];
    const a = allocIova(dev, size, paddr, steps, false);
    return 'failure' in a ? a : { dma: a.iova, steps };
  }
  const force = forceBounce(platform);
  if (force) return { failure: refusal({ kind: 'mmio-force-bounce', paddr, force }) };
  if (!dmaCapable(dev, paddr, size)) return { failure: refusal({ kind: 'mmio-above-limit', paddr, limit: dmaLimitOf(dev) }) };
  return { dma: paddr, steps: ['dma_direct_map_phys(DMA_ATTR_MMIO): the CPU physical address, unchanged'] };
}

/** A bounce through swiotlb: possible only with bounce buffers and for one segment of at most IO_TLB_SEGSIZE slots. */
function swiotlbMap(cause: BounceCause, size: bigint, platform: Platform, steps: Step[]): Failure | undefined {
  if (platform.kernel.swiotlbOff) return refusal({ kind: 'swiotlb-off', bounce: cause });
  if (size > SWIOTLB_MAX_MAPPING) return refusal({ kind: 'swiotlb-too-large', bounce: cause, size, max: SWIOTLB_MAX_MAPPING });
  steps.push(() => `${bounceText(cause)}: swiotlb bounces it into a private copy`);
  return undefined;
}

/** dma_map_sgtable() of system RAM: IOVA (dma-iommu) or phys_to_dma with swiotlb checks (dma-direct). */
export function dmaMapPages(dev: DeviceDma, paddr: bigint, size: bigint, platform: Platform, steps: Step[]): MapOutcome {
  return usesDmaIommu(dev) ? iommuDmaMapPages(dev, paddr, size, platform, steps) : dmaDirectMapPages(dev, paddr, size, platform, steps);
}

/**
 * iommu_dma_map_phys(): dev_use_swiotlb() bounces only untrusted devices' unaligned
 * buffers, and the bounce slot is then mapped through the IOMMU like the page would have
 * been (__iommu_dma_map), so it still takes an IOVA.
 */
function iommuDmaMapPages(dev: DeviceDma, paddr: bigint, size: bigint, platform: Platform, steps: Step[]): MapOutcome {
  const bounce: BounceCause | undefined = dev.untrusted && (size & 0xfffn) !== 0n ? { kind: 'untrusted-unaligned' } : undefined;
  if (bounce) {
    const failure = swiotlbMap(bounce, size, platform, steps);
    if (failure) return { ok: false, failure };
  }
  const a = allocIova(dev, size, paddr, steps, true);
  if ('failure' in a) return { ok: false, failure: a.failure };
  if (bounce) return mapped('swiotlb', [], { bounce });
  return mapped('iova', [{ dma: a.iova, length: size }]);
}

/** dma_direct_map_phys(): phys_to_dma(), or swiotlb when forced or out of the device's reach. */
function dmaDirectMapPages(dev: DeviceDma, paddr: bigint, size: bigint, platform: Platform, steps: Step[]): MapOutcome {
  const force = forceBounce(platform);
  if (force) return bounced({ kind: 'force-bounce', force }, size, platform, steps);
  const dma = physToDma(dev, paddr);
  if (dma === undefined) return bounced({ kind: 'outside-dma-ranges', paddr }, size, platform, steps);
  if (!dmaCapable(dev, dma, size)) return bounced({ kind: 'above-dma-limit', dma, size, limit: dmaLimitOf(dev) }, size, platform, steps);
  if (dma !== paddr) steps.push(() => `phys_to_dma(): CPU ${hex(paddr)} is bus ${hex(dma)} through the device's dma-ranges`);
  return mapped('phys', [{ dma, length: size }]);
}

/** swiotlb_map(): the importer gets a bounce slot, a private copy of the pages. */
function bounced(bounce: BounceCause, size: bigint, platform: Platform, steps: Step[]): MapOutcome {
  const failure = swiotlbMap(bounce, size, platform, steps);
  return failure ? { ok: false, failure } : mapped('swiotlb', [], { bounce });
}
