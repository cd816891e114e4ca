import type { Step } from './types';
import { hex } from '../ground/format';
/**
 * Deterministic model of the Linux IOVA allocator for one IOMMU DMA domain.
 *
 * Follows drivers/iommu/dma-iommu.c (iommu_dma_alloc_iova) and
 * drivers/iommu/iova.c (alloc_iova_fast, alloc_iova,
 * __alloc_and_insert_iova_range, reserve_iova) for a fresh domain with
 * mappings only: no frees, so the per-CPU rcaches are always empty and the
 * cached nodes only ever move down.
 *
 * All addresses and PFNs are bigint; arithmetic that is unsigned long in the
 * kernel is masked to 64 bits so that wrap-arounds end the walks where the
 * kernel's do.
 */


/** Byte range, inclusive at both ends. */
export interface IovaRange {
  readonly first: bigint;
  readonly last: bigint;
}

/** Per-device state the allocator mutates (kernel: dev->iommu->pci_32bit_workaround). */
export interface IovaDeviceState {
  pci32bitWorkaround: boolean;
  /**
   * A failed 32-bit attempt clears the flag for good (6.6 on, 4bf7fda4dce2, releases.ts
   * 'sac-per-device'); false before 6.6, when every allocation of a PCI device tried
   * below 4 GiB first. Absent: true.
   */
  sacPerDevice?: boolean;
}

export interface IovaDomainOptions {
  /** log2 of the IOVA granule; default 12 (4 KiB). */
  readonly granuleShift?: number;
  /** aperture_end = 2^bits - 1; default 48. */
  readonly apertureBits?: number;
  /** aperture_start in bytes; default 0. start_pfn = max(1, aperture_start >> shift). */
  readonly apertureStart?: bigint;
  /** domain->geometry.force_aperture; default true (VT-d, AMD-Vi, SMMU all set it). */
  readonly forceAperture?: boolean;
  /** Byte ranges reserved at init: host-bridge windows (bus addresses), MSI range, firmware regions. */
  readonly reserved: readonly IovaRange[];
}

export interface IovaAllocation {
  readonly ok: boolean;
  /** DMA address of the first byte, including the sub-granule offset of phys. */
  readonly iova: bigint | undefined;
  /** Pages requested (granule-aligned size >> shift). */
  readonly pages: bigint;
  /** Pages actually taken, after alloc_iova_fast's power-of-two rounding. */
  readonly allocatedPages: bigint;
  /** Alignment of the first PFN, in pages. */
  readonly alignPages: bigint;
  readonly triedBelow4G: boolean;
  /** This call cleared the device's pci32bitWorkaround flag. */
  readonly switchedTo64Bit: boolean;
  readonly steps: readonly Step[];
}

export interface IovaInterval {
  readonly first: bigint;
  readonly last: bigint;
  readonly reserved: boolean;
}

export interface IovaAllocOptions {
  /** dev->bus_dma_limit; 0n or undefined means none. */
  readonly busDmaLimit?: bigint;
  /** Physical address of the buffer; only its offset within the granule matters. */
  readonly phys?: bigint;
}

const MASK64 = (1n << 64n) - 1n;
/** iova.c IOVA_ANCHOR (~0UL): the anchor node that ends the tree. */
const IOVA_ANCHOR = MASK64;
const DMA_BIT_MASK_32 = 0xffff_ffffn;
/** alloc_iova_fast rounds sizes below 1 << (IOVA_RANGE_CACHE_MAX_SIZE - 1) pages. */
const RCACHE_ROUND_LIMIT = 32n;
/** Cap on the per-pass "stepped over" lines so pathological walks keep short explanations. */
const MAX_WALK_STEPS = 8;

/** fls_long: index of the highest set bit, counting from 1; 0 for 0. */
function flsLong(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** bits_per (include/linux/log2.h): bits needed to hold n, at least 1. */
function bitsPer(n: bigint): number {
  return n < 2n ? 1 : n.toString(2).length;
}

function roundupPowOfTwo(x: bigint): bigint {
  return 1n << BigInt(flsLong(x - 1n));
}

function minNotZero(a: bigint, b: bigint): bigint {
  if (a === 0n) return b;
  if (b === 0n) return a;
  return a < b ? a : b;
}

function checkU64(name: string, v: bigint): void {
  if (v < 0n || v > MASK64) throw new RangeError(`${name} ${v} is outside 0..2^64-1`);
}

/** One node of the domain's tree (kernel: struct iova). */
interface IovaNode {
  lo: bigint;
  hi: bigint;
  readonly reserved: boolean;
  /** In-order neighbours: O(1) rb_prev / rb_next. */
  prev: IovaNode | null;
  next: IovaNode | null;
  /** Treap links and priority: O(log n) expected search and insert. */
  left: IovaNode | null;
  right: IovaNode | null;
  readonly prio: number;
}

/**
 * Sorted set of disjoint PFN intervals keyed by pfn_lo, standing in for the
 * kernel's rbtree: a treap for searches plus a doubly linked in-order list so
 * that the allocator's backwards walk is O(1) per step. Priorities come from a
 * fixed-seed xorshift, so even the tree shape is deterministic.
 */
class IntervalTree {
  private root: IovaNode | null = null;
  private head: IovaNode | null = null;
  private seed = 0x9e3779b9;
  count = 0;

  makeNode(lo: bigint, hi: bigint, reserved: boolean): IovaNode {
    let x = this.seed;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.seed = x;
    return { lo, hi, reserved, prev: null, next: null, left: null, right: null, prio: x };
  }

  first(): IovaNode | null {
    return this.head;
  }

  /** Highest node with lo <= key. */
  floor(key: bigint): IovaNode | null {
    let n = this.root;
    let best: IovaNode | null = null;
    while (n) {
      if (n.lo <= key) {
        best = n;
        n = n.right;
      } else {
        n = n.left;
      }
    }
    return best;
  }

  /** Lowest node with lo >= key. */
  ceiling(key: bigint): IovaNode | null {
    let n = this.root;
    let best: IovaNode | null = null;
    while (n) {
      if (n.lo >= key) {
        best = n;
        n = n.left;
      } else {
        n = n.right;
      }
    }
    return best;
  }

  /** Link `node` right after `before` (null: as the new lowest node) and index it. */
  insertAfter(node: IovaNode, before: IovaNode | null): void {
    const after = before ? before.next : this.head;
    node.prev = before;
    node.next = after;
    if (before) before.next = node;
    else this.head = node;
    if (after) after.prev = node;
    this.root = this.treapInsert(this.root, node);
    this.count++;
  }

  /** Insert by key when the neighbours are not known (iova_insert_rbtree with start NULL). */
  insert(node: IovaNode): boolean {
    const before = this.floor(node.lo);
    // iova_insert_rbtree WARNs and drops a node whose pfn_lo is already present.
    if (before && before.lo === node.lo) return false;
    this.insertAfter(node, before);
    return true;
  }

  private treapInsert(t: IovaNode | null, node: IovaNode): IovaNode {
    if (!t) return node;
    if (node.prio > t.prio) {
      const [l, r] = this.split(t, node.lo);
      node.left = l;
      node.right = r;
      return node;
    }
    if (node.lo < t.lo) t.left = this.treapInsert(t.left, node);
    else t.right = this.treapInsert(t.right, node);
    return t;
  }

  /** Split into (lo < key, lo >= key). */
  private split(t: IovaNode | null, key: bigint): [IovaNode | null, IovaNode | null] {
    if (!t) return [null, null];
    if (t.lo < key) {
      const [l, r] = this.split(t.right, key);
      t.right = l;
      return [t, r];
    }
    const [l, r] = this.split(t.left, key);
    t.left = r;
    return [l, t];
  }
}

interface RangeResult {
  readonly pfn: bigint | undefined;
}

export class IovaDomain {
  readonly granuleShift: number;
  readonly apertureEnd: bigint;
  readonly forceAperture: boolean;
  /** iovad->start_pfn: PFN 0 (IOVA 0) is never handed out. */
  readonly startPfn: bigint;
  /** iovad->dma_32bit_pfn = 2^32 >> shift. */
  readonly dma32BitPfn: bigint;

  private readonly shift: bigint;
  private readonly tree = new IntervalTree();
  private readonly anchor: IovaNode;
  private cachedNode: IovaNode;
  private cached32Node: IovaNode;
  private max32Alloc: bigint;
  private allocations = 0;

  constructor(opts: IovaDomainOptions) {
    const shift = opts.granuleShift ?? 12;
    if (!Number.isInteger(shift) || shift < 1 || shift > 31) {
      throw new RangeError(`granuleShift ${shift} must be an integer in 1..31`);
    }
    const bits = opts.apertureBits ?? 48;
    if (!Number.isInteger(bits) || bits < 1 || bits > 64) {
      throw new RangeError(`apertureBits ${bits} must be an integer in 1..64`);
    }
    const apertureStart = opts.apertureStart ?? 0n;
    checkU64('apertureStart', apertureStart);
    this.granuleShift = shift;
    this.shift = BigInt(shift);
    this.apertureEnd = (1n << BigInt(bits)) - 1n;
    this.forceAperture = opts.forceAperture ?? true;
    // iommu_dma_init_domain: base_pfn = max(1, aperture_start >> order).
    const base = apertureStart >> this.shift;
    this.startPfn = base > 1n ? base : 1n;
    // init_iova_domain: both cached nodes start at the anchor, max32_alloc_size
    // at dma_32bit_pfn.
    this.dma32BitPfn = 1n << (32n - this.shift);
    this.max32Alloc = this.dma32BitPfn;
    this.anchor = this.tree.makeNode(IOVA_ANCHOR, IOVA_ANCHOR, true);
    this.tree.insertAfter(this.anchor, null);
    this.cachedNode = this.anchor;
    this.cached32Node = this.anchor;
    for (const r of opts.reserved) this.reserve(r);
  }

  /** Number of successful allocations so far. */
  get allocationCount(): number {
    return this.allocations;
  }

  /** iovad->max32_alloc_size: 32-bit requests of this many pages or more fail at once. */
  get max32AllocSize(): bigint {
    return this.max32Alloc;
  }

  /**
   * reserve_iova on the byte range's PFNs (as iova_reserve_iommu_regions and
   * iova_reserve_pci_windows call it). Overlaps are merged the kernel's way:
   * the lowest overlapped node is widened downwards, the part above each
   * overlapped node moves on, and any remainder becomes a new node. The cached
   * nodes do not move.
   */
  reserve(range: IovaRange): void {
    checkU64('reserved.first', range.first);
    checkU64('reserved.last', range.last);
    if (range.first > range.last) {
      throw new RangeError(`reserved range ${hex(range.first)}..${hex(range.last)} is empty`);
    }
    let lo = range.first >> this.shift;
    const hi = range.last >> this.shift;
    // The kernel scans from rb_first(); nodes wholly below lo cannot overlap,
    // so starting at the first node that ends at or above lo is equivalent.
    const fl = this.tree.floor(lo);
    let node = fl && fl.hi >= lo ? fl : fl ? fl.next : this.tree.first();
    let overlap = false;
    while (node) {
      if (lo <= node.hi && hi >= node.lo) {
        // __adjust_overlap_range: keys only ever move down to a value above
        // the previous node, so the tree order is preserved in place.
        if (lo < node.lo) node.lo = lo;
        if (hi > node.hi) lo = node.hi + 1n;
        if (lo >= node.lo && hi <= node.hi) return;
        overlap = true;
      } else if (overlap) {
        break;
      } else if (node.lo > hi) {
        break;
      }
      node = node.next;
    }
    this.tree.insert(this.tree.makeNode(lo, hi, true));
  }

  /**
   * iommu_dma_alloc_iova, preceded by the iova_align(size + iova_offset(phys))
   * that __iommu_dma_map and dma_iova_try_alloc do.
   * dmaLimit is the device's DMA mask as an inclusive byte limit.
   */
  alloc(dev: IovaDeviceState, sizeBytes: bigint, dmaLimit: bigint, opts?: IovaAllocOptions): IovaAllocation {
    checkU64('sizeBytes', sizeBytes);
    checkU64('dmaLimit', dmaLimit);
    const busDmaLimit = opts?.busDmaLimit ?? 0n;
    checkU64('busDmaLimit', busDmaLimit);
    const phys = opts?.phys ?? 0n;
    checkU64('phys', phys);

    const steps: Step[] = [];
    const granule = 1n << this.shift;
    const offset = phys & (granule - 1n);
    const size = (sizeBytes + offset + granule - 1n) & ~(granule - 1n);
    const pages = size >> this.shift;
    steps.push(() => `${sizeBytes} B at offset ${hex(offset)} in the ${granule} B granule: ${pages} page(s) (iova_align, iommu_dma_alloc_iova)`);
    if (pages === 0n) {
      steps.push('zero-length mapping: nothing to allocate (not modelled)');
      return this.result(false, undefined, 0n, 0n, 0n, false, false, steps);
    }
    // alloc_iova_fast: sizes the rcache could hold are rounded to a power of
    // two so that a freed range always fits its cache slot again.
    const allocated = pages < RCACHE_ROUND_LIMIT ? roundupPowOfTwo(pages) : pages;
    const align = roundupPowOfTwo(allocated);
    if (allocated !== pages) {
      steps.push(() => `${pages} pages rounded up to ${allocated} (power of two below 32 pages, alloc_iova_fast)`);
    }
    steps.push(() => `aligned to ${align} page(s) (align_mask = ~0 << fls_long(size - 1), __alloc_and_insert_iova_range)`);

    const maskLimit = minNotZero(dmaLimit, busDmaLimit);
    const apertureEnd = this.forceAperture ? this.apertureEnd : undefined;
    const limit = apertureEnd !== undefined && apertureEnd < maskLimit ? apertureEnd : maskLimit;
    steps.push(
      () =>
        `dma_limit ${hex(limit)} = min_not_zero(mask ${hex(dmaLimit)}, bus_dma_limit ${busDmaLimit === 0n ? 'none' : hex(busDmaLimit)})` +
        (apertureEnd !== undefined ? `, capped at aperture_end ${hex(apertureEnd)}` : '') +
        ' (iommu_dma_alloc_iova)',
    );

    let triedBelow4G = false;
    let switched = false;
    if (limit > DMA_BIT_MASK_32 && dev.pci32bitWorkaround) {
      // SAC trick: a PCI device tries the 32-bit space first, without an rcache flush.
      triedBelow4G = true;
      const r = this.allocIovaFast(allocated, DMA_BIT_MASK_32 >> this.shift, false, steps);
      if (r.pfn !== undefined) {
        const iova = (r.pfn << this.shift) + offset;
        steps.push(() => `tried below 4 GiB: ${hex(iova)}`);
        return this.result(true, iova, pages, allocated, align, true, false, steps);
      }
      steps.push('tried below 4 GiB: no room');
      if (dev.sacPerDevice !== false) {
        // The flag is per device and never set again, so this device stays 64-bit.
        dev.pci32bitWorkaround = false;
        switched = true;
        steps.push(() => `32-bit space exhausted: Using ${bitsPer(limit)}-bit DMA addresses (iommu_dma_alloc_iova)`);
      } else {
        steps.push('before 6.6 the next allocation of this device tries below 4 GiB again (iommu_dma_alloc_iova, no per-device flag)');
      }
    } else if (limit > DMA_BIT_MASK_32) {
      steps.push('no 32-bit first: pci_32bit_workaround is off (non-PCI device, iommu.forcedac=1, or cleared earlier)');
    }

    const r = this.allocIovaFast(allocated, limit >> this.shift, true, steps);
    if (r.pfn === undefined) {
      steps.push(() => `no IOVA space below ${hex(limit)}: DMA_MAPPING_ERROR (iommu_dma_alloc_iova returns 0)`);
      return this.result(false, undefined, pages, allocated, align, triedBelow4G, switched, steps);
    }
    const iova = (r.pfn << this.shift) + offset;
    steps.push(() => `allocated ${hex(iova)} (top-down below ${hex(limit)})`);
    return this.result(true, iova, pages, allocated, align, triedBelow4G, switched, steps);
  }

  /** All intervals, ascending, as byte ranges; the anchor is left out. */
  intervals(): readonly IovaInterval[] {
    const out: IovaInterval[] = [];
    for (let n = this.tree.first(); n && n !== this.anchor; n = n.next) {
      out.push({ first: n.lo << this.shift, last: ((n.hi + 1n) << this.shift) - 1n, reserved: n.reserved });
    }
    return out;
  }

  private result(
    ok: boolean,
    iova: bigint | undefined,
    pages: bigint,
    allocatedPages: bigint,
    alignPages: bigint,
    triedBelow4G: boolean,
    switchedTo64Bit: boolean,
    steps: readonly Step[],
  ): IovaAllocation {
    if (ok) this.allocations++;
    return { ok, iova, pages, allocatedPages, alignPages, triedBelow4G, switchedTo64Bit, steps };
  }

  /**
   * alloc_iova_fast with an always-empty rcache: alloc_iova, and when
   * flushRcache is set, one more alloc_iova after the (no-op) flush.
   * `size` is already rounded by the caller.
   */
  private allocIovaFast(size: bigint, limitPfn: bigint, flushRcache: boolean, steps: Step[]): RangeResult {
    // alloc_iova passes an exclusive limit.
    const r = this.allocAndInsertRange(size, (limitPfn + 1n) & MASK64, steps);
    if (r.pfn !== undefined || !flushRcache) return r;
    steps.push('rcache flushed (empty in this model) and retried (alloc_iova_fast)');
    return this.allocAndInsertRange(size, (limitPfn + 1n) & MASK64, steps);
  }

  private describe(n: IovaNode): string {
    if (n === this.anchor) return 'the anchor';
    return `${n.reserved ? 'reserved' : 'allocated'} PFN ${hex(n.lo)}-${hex(n.hi)}`;
  }

  /**
   * __alloc_and_insert_iova_range with size_aligned: walk down from the cached
   * node, and once from just above the limit if that fails.
   */
  private allocAndInsertRange(size: bigint, limitPfn: bigint, steps: Step[]): RangeResult {
    const alignMask = (MASK64 << BigInt(flsLong(size - 1n))) & MASK64;
    const is32 = limitPfn <= this.dma32BitPfn;
    if (is32 && size >= this.max32Alloc) {
      const max32Alloc = this.max32Alloc;
      steps.push(() => `${size} pages >= max32_alloc_size ${max32Alloc}: fails at once (__alloc_and_insert_iova_range)`);
      return { pfn: undefined };
    }
    // __get_cached_rbnode
    let curr: IovaNode | null = is32 ? this.cached32Node : this.cachedNode;
    const from = curr;
    steps.push(() => `walk down from ${is32 ? 'cached32_node' : 'cached_node'} (${this.describe(from)}) below limit PFN ${hex(limitPfn)} (__get_cached_rbnode)`);
    const retryPfn = curr.hi;
    let high = limitPfn;
    let low = this.startPfn;
    let newPfn = 0n;
    for (;;) {
      let logged = 0;
      let skipped = 0;
      do {
        const c: IovaNode = curr as IovaNode;
        if (c.lo < high) high = c.lo;
        // unsigned long arithmetic: high - size may wrap.
        newPfn = ((high - size) & MASK64) & alignMask;
        curr = c.prev;
        if (curr && newPfn <= curr.hi && newPfn >= low) {
          if (logged < MAX_WALK_STEPS) {
            const [candidate, below] = [newPfn, curr];
            steps.push(() =>
              candidate + size - 1n >= below.lo
                ? `candidate PFN ${hex(candidate)} overlaps ${this.describe(below)}: step below it`
                : `candidate PFN ${hex(candidate)} lies below ${this.describe(below)}: keep walking down`,
            );
            logged++;
          } else {
            skipped++;
          }
        }
      } while (curr && newPfn <= curr.hi && newPfn >= low);
      if (skipped > 0) steps.push(`... stepped below ${skipped} more node(s)`); // rare: written now

      if (high < size || newPfn < low) {
        if (low === this.startPfn && retryPfn < limitPfn) {
          // Back-fill the space between the cached node and the limit.
          high = limitPfn;
          low = retryPfn + 1n;
          curr = this.findLimit(limitPfn);
          const retryLow = low;
          steps.push(() => `no room below the cached node: retry between PFN ${hex(retryLow)} and ${hex(limitPfn)} (iova_find_limit)`);
          continue;
        }
        // The kernel records this whatever the limit was.
        this.max32Alloc = size;
        steps.push(`no room for ${size} pages: max32_alloc_size = ${size} (__alloc_and_insert_iova_range)`);
        return { pfn: undefined };
      }
      break;
    }

    // The new range sits just above curr (or lowest of all when the walk ran
    // off the bottom) and below the node visited last (the kernel's prev).
    const node = this.tree.makeNode(newPfn, newPfn + size - 1n, false);
    this.tree.insertAfter(node, curr);
    // __cached_rbnode_insert_update
    if (node.hi < this.dma32BitPfn) this.cached32Node = node;
    else this.cachedNode = node;
    steps.push(() => `placed at PFN ${hex(node.lo)}-${hex(node.hi)} (__alloc_and_insert_iova_range)`);
    return { pfn: newPfn };
  }

  /**
   * iova_find_limit: where the retry walk starts. Above 4 GiB the kernel
   * starts from the anchor; below it, from the lowest node at or above the
   * limit (or a node straddling it). Every start that is at or above the limit
   * and walks down through the same nodes yields the same candidate, so the
   * exact ceiling is used in both cases to keep the retry O(log n).
   */
  private findLimit(limitPfn: bigint): IovaNode {
    return this.tree.ceiling(limitPfn) ?? this.anchor;
  }
}
