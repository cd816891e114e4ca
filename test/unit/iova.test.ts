import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IovaDomain,
  type IovaAllocation,
  type IovaDeviceState,
  type IovaRange,
} from '../../server/src/engine/iova';
import { stepTexts } from '../../server/src/engine/types';

const KiB = 1024n;
const MiB = 1024n * KiB;
const GiB = 1024n * MiB;
const MASK64 = (1n << 64n) - 1n;
const MASK32 = 0xffff_ffffn;

/** X86-INTEL-A (docs/kernel.md, Worked examples, reference platforms): host-bridge windows plus the VT-d MSI range. */
const X86_INTEL_A: readonly IovaRange[] = [
  { first: 0x000a_0000n, last: 0x000b_ffffn },
  { first: 0x8000_0000n, last: 0xfbff_ffffn },
  { first: 0x40_0000_0000n, last: 0x7f_ffff_ffffn },
  { first: 0xfee0_0000n, last: 0xfeef_ffffn },
];

const pciDevice = (): IovaDeviceState => ({ pci32bitWorkaround: true });
const dacDevice = (): IovaDeviceState => ({ pci32bitWorkaround: false });
const x86Domain = (): IovaDomain => new IovaDomain({ reserved: X86_INTEL_A });

function expectDisjointAscending(domain: IovaDomain): void {
  const iv = domain.intervals();
  const bad = iv.findIndex((x, i) => x.first > x.last || (i > 0 && iv[i - 1].last >= x.first));
  expect(bad).toBe(-1);
}

describe('IOVA allocator model (drivers/iommu/iova.c, dma-iommu.c)', () => {
  it('kernel.md example 14: SAC-first top-down sequence (iommu_dma_alloc_iova, __alloc_and_insert_iova_range)', () => {
    const domain = x86Domain();
    const dev = pciDevice();
    const sizes = [4n * KiB, 8n * KiB, 12n * KiB, 1n * MiB, 2n * MiB, 16n * MiB];
    const got = sizes.map((s) => domain.alloc(dev, s, MASK64));
    expect(got.map((a) => a.iova)).toEqual([
      0xffff_f000n,
      0xffff_c000n,
      0xffff_8000n,
      0xffe0_0000n,
      0xffc0_0000n,
      0xfd00_0000n,
    ]);
    for (const a of got) {
      expect(a.ok).toBe(true);
      expect(a.triedBelow4G).toBe(true);
      expect(a.switchedTo64Bit).toBe(false);
    }
    expect(dev.pci32bitWorkaround).toBe(true);
    // 12 KiB: 3 pages rounded to 4 and aligned to 4 (alloc_iova_fast).
    expect(got[2].pages).toBe(3n);
    expect(got[2].allocatedPages).toBe(4n);
    expect(got[2].alignPages).toBe(4n);
    expect(stepTexts(got[0].steps)).toContain('tried below 4 GiB: 0xfffff000');
    // 16 MiB: the first candidate 0xfe000 hits the MSI range, the walk steps below it.
    expect(stepTexts(got[5].steps)).toContain('candidate PFN 0xfe000 overlaps reserved PFN 0xfee00-0xfeeff: step below it');
    expect(domain.allocationCount).toBe(6);
    // 8 KiB left a one-page hole at PFN 0xffffe that the cached walk never revisits.
    const allocated = domain.intervals().filter((i) => !i.reserved);
    expect(allocated.some((i) => i.first <= 0xffff_e000n && i.last >= 0xffff_e000n)).toBe(false);
    expectDisjointAscending(domain);
  });

  it('kernel.md example 3 note: 64 KiB first map in a fresh domain (alloc_iova_fast, __alloc_and_insert_iova_range)', () => {
    const a = x86Domain().alloc(pciDevice(), 64n * KiB, MASK64);
    expect(a.ok).toBe(true);
    expect(a.iova).toBe(0xffff_0000n);
    expect(a.allocatedPages).toBe(16n);
    expect(a.alignPages).toBe(16n);
  });

  it('kernel.md example 15: 256 MiB first map walks past MSI and the 32-bit window (__alloc_and_insert_iova_range)', () => {
    const a = x86Domain().alloc(pciDevice(), 256n * MiB, MASK64);
    expect(a.ok).toBe(true);
    expect(a.iova).toBe(0x7000_0000n);
    expect(a.pages).toBe(0x10000n);
    expect(a.allocatedPages).toBe(0x10000n);
    expect(a.alignPages).toBe(0x10000n);
    expect(stepTexts(a.steps)).toContain('candidate PFN 0xf0000 overlaps reserved PFN 0xfee00-0xfeeff: step below it');
    expect(stepTexts(a.steps)).toContain('candidate PFN 0xe0000 overlaps reserved PFN 0x80000-0xfbfff: step below it');
  });

  it('kernel.md example 28: a 4 GiB map fails below 4 GiB at once and switches the device for good (iommu_dma_alloc_iova)', () => {
    const domain = x86Domain();
    const dev = pciDevice();
    const big = domain.alloc(dev, 4n * GiB, MASK64);
    expect(big.ok).toBe(true);
    expect(big.triedBelow4G).toBe(true);
    expect(big.switchedTo64Bit).toBe(true);
    expect(dev.pci32bitWorkaround).toBe(false);
    // 0x100000 pages >= max32_alloc_size (0x100000): no walk at all.
    expect(stepTexts(big.steps)).toContain('1048576 pages >= max32_alloc_size 1048576: fails at once (__alloc_and_insert_iova_range)');
    // dma_limit = min(mask, aperture_end) = 2^48 - 1, so bits_per gives 48.
    expect(stepTexts(big.steps)).toContain('32-bit space exhausted: Using 48-bit DMA addresses (iommu_dma_alloc_iova)');
    // Top of the 48-bit aperture, 4 GiB aligned.
    expect(big.iova).toBe(0xffff_0000_0000n);
    expect(big.iova! % (4n * GiB)).toBe(0n);

    // Same device: never below 4 GiB again; next range sits under the cached node.
    const small = domain.alloc(dev, 4n * KiB, MASK64);
    expect(small.triedBelow4G).toBe(false);
    expect(small.switchedTo64Bit).toBe(false);
    expect(small.iova).toBe(0xfffe_ffff_f000n);

    // Another PCI device in the same domain still tries 32-bit first.
    const other = pciDevice();
    const o = domain.alloc(other, 4n * KiB, MASK64);
    expect(o.triedBelow4G).toBe(true);
    expect(o.iova).toBe(0xffff_f000n);
    expect(other.pci32bitWorkaround).toBe(true);
    expectDisjointAscending(domain);
  });

  it('kernel.md example 17: with a 39-bit mask the 64-bit IOVA skips the 64-bit host-bridge window (__alloc_and_insert_iova_range)', () => {
    const domain = x86Domain();
    const dev = pciDevice();
    const a = domain.alloc(dev, 4n * GiB, (1n << 39n) - 1n);
    expect(a.ok).toBe(true);
    expect(a.switchedTo64Bit).toBe(true);
    expect(stepTexts(a.steps)).toContain('32-bit space exhausted: Using 39-bit DMA addresses (iommu_dma_alloc_iova)');
    // The window 0x40_0000_0000..0x7f_ffff_ffff is reserved: the range lands just below it.
    expect(a.iova).toBe(0x3f_0000_0000n);
  });

  it('kernel.md example 17: a 64-bit aperture gives "Using 64-bit DMA addresses" (iommu_dma_alloc_iova, bits_per)', () => {
    const domain = new IovaDomain({ reserved: X86_INTEL_A, apertureBits: 64 });
    const dev = pciDevice();
    const a = domain.alloc(dev, 4n * GiB, MASK64);
    expect(stepTexts(a.steps)).toContain('32-bit space exhausted: Using 64-bit DMA addresses (iommu_dma_alloc_iova)');
    expect(a.iova).toBe(0xffff_ffff_0000_0000n);
  });

  it('kernel.md example 17: after the space below 4 GiB fills up, the device switches; max32_alloc_size fails others at once (__alloc_and_insert_iova_range)', () => {
    const domain = x86Domain();
    const dev = pciDevice();
    const first = domain.alloc(dev, 1n * GiB, MASK64);
    expect(first.iova).toBe(0x4000_0000n);
    expect(first.switchedTo64Bit).toBe(false);

    // No 1 GiB aligned hole is left below 4 GiB, even after the retry from iova_find_limit.
    const second = domain.alloc(dev, 1n * GiB, MASK64);
    expect(stepTexts(second.steps).some((s) => s.includes('(iova_find_limit)'))).toBe(true);
    expect(second.switchedTo64Bit).toBe(true);
    expect(second.iova).toBe(0xffff_c000_0000n);
    expect(domain.max32AllocSize).toBe(0x40000n);

    // A second PCI device: its 1 GiB SAC attempt fails at once, it switches too.
    const dev2 = pciDevice();
    const third = domain.alloc(dev2, 1n * GiB, MASK64);
    expect(third.triedBelow4G).toBe(true);
    expect(third.switchedTo64Bit).toBe(true);
    expect(stepTexts(third.steps)).toContain('262144 pages >= max32_alloc_size 262144: fails at once (__alloc_and_insert_iova_range)');
    expect(third.iova).toBe(0xffff_8000_0000n);

    // A small map of a third device still fits below 4 GiB.
    const dev3 = pciDevice();
    const small = domain.alloc(dev3, 4n * KiB, MASK64);
    expect(small.triedBelow4G).toBe(true);
    expect(small.switchedTo64Bit).toBe(false);
    expect(small.iova).toBe(0x3fff_f000n);
    expect(dev3.pci32bitWorkaround).toBe(true);
    expectDisjointAscending(domain);
  });

  it('kernel.md example 16: forcedac-style and non-PCI devices allocate from the top of the aperture (iommu_dma_alloc_iova)', () => {
    const domain = x86Domain();
    const dev = dacDevice();
    const a = domain.alloc(dev, 4n * KiB, MASK64);
    expect(a.ok).toBe(true);
    expect(a.triedBelow4G).toBe(false);
    expect(a.iova).toBe(0xffff_ffff_f000n);
    // bus_dma_limit narrows the limit (min_not_zero).
    const b = domain.alloc(dacDevice(), 4n * KiB, MASK64, { busDmaLimit: (1n << 40n) - 1n });
    expect(b.iova).toBe(0xff_ffff_f000n);
    // A sub-granule phys offset adds a page and is carried into the DMA address.
    // cached_node moved down to the 40-bit range, and the hole above it is not
    // revisited while the walk below succeeds.
    const c = domain.alloc(dev, 4n * KiB, MASK64, { phys: 0x1234_5678n });
    expect(c.pages).toBe(2n);
    expect(c.alignPages).toBe(2n);
    expect(c.iova).toBe(0xff_ffff_c000n + 0x678n);
  });

  it('kernel.md example 28 edge: exhaustion returns ok false and IOVA 0 is never handed out (__alloc_and_insert_iova_range)', () => {
    // 16-bit aperture: PFNs 1..15 only, so 16 pages cannot fit.
    const tiny = new IovaDomain({ reserved: [], apertureBits: 16 });
    const a = tiny.alloc(pciDevice(), 64n * KiB, MASK64);
    expect(a.ok).toBe(false);
    expect(a.iova).toBeUndefined();
    expect(a.triedBelow4G).toBe(false);
    expect(tiny.allocationCount).toBe(0);

    // Mask 0x1fff: PFN 0 and 1 are below it, only PFN 1 may be used.
    const domain = new IovaDomain({ reserved: [] });
    const one = domain.alloc(pciDevice(), 4n * KiB, 0x1fffn);
    expect(one.iova).toBe(0x1000n);
    const two = domain.alloc(pciDevice(), 4n * KiB, 0x1fffn);
    expect(two.ok).toBe(false);
    expect(stepTexts(two.steps).at(-1)).toBe('no IOVA space below 0x1fff: DMA_MAPPING_ERROR (iommu_dma_alloc_iova returns 0)');
  });

  it('kernel.md example 14 variant: a 32-bit-mask device never gets an address above 4 GiB (iommu_dma_alloc_iova)', () => {
    const domain = x86Domain();
    const dev = pciDevice();
    const big: IovaAllocation[] = [];
    for (;;) {
      const a = domain.alloc(dev, 256n * MiB, MASK32);
      if (!a.ok) break;
      big.push(a);
    }
    expect(big.map((a) => a.iova)).toEqual([
      0x7000_0000n,
      0x6000_0000n,
      0x5000_0000n,
      0x4000_0000n,
      0x3000_0000n,
      0x2000_0000n,
      0x1000_0000n,
    ]);
    for (let i = 0; i < 2000; i++) {
      const a = domain.alloc(dev, BigInt(1 + (i % 40)) * 4n * KiB, MASK32);
      expect(a.triedBelow4G).toBe(false);
      if (a.ok) expect(a.iova! + a.allocatedPages * 4n * KiB - 1n <= MASK32).toBe(true);
    }
    expect(dev.pci32bitWorkaround).toBe(true);
    for (const iv of domain.intervals()) if (!iv.reserved) expect(iv.last <= MASK32).toBe(true);
    expectDisjointAscending(domain);
  });

  it('kernel.md example 14 property: allocations are disjoint, aligned, below the limit and deterministic (fast-check; alloc_iova_fast, reserve_iova)', () => {
    const masks = [MASK32, (1n << 36n) - 1n, (1n << 39n) - 1n, MASK64];
    const pageSizes = fc.oneof(
      fc.integer({ min: 1, max: 40 }),
      fc.constantFrom(64, 256, 512, 4096, 0x10000, 0x40000, 0x100000),
    );
    const op = fc.record({
      dev: fc.integer({ min: 0, max: 3 }),
      pages: pageSizes,
      mask: fc.integer({ min: 0, max: masks.length - 1 }),
      offset: fc.integer({ min: 0, max: 4095 }),
    });
    const extraReserved = fc.array(
      fc
        .tuple(fc.bigInt({ min: 0n, max: (1n << 37n) - 1n }), fc.bigInt({ min: 0n, max: 1n << 31n }))
        .map(([first, len]): IovaRange => ({ first, last: first + len })),
      { maxLength: 4 },
    );
    const cfg = fc.record({
      apertureBits: fc.constantFrom(33, 36, 39, 48),
      extra: extraReserved,
      ops: fc.array(op, { minLength: 1, maxLength: 60 }),
    });

    fc.assert(
      fc.property(cfg, ({ apertureBits, extra, ops }) => {
        const reserved = [...X86_INTEL_A, ...extra];
        const run = () => {
          const domain = new IovaDomain({ reserved, apertureBits });
          const devs = [true, true, false, true].map((p) => ({ pci32bitWorkaround: p }));
          const results = ops.map((o) => {
            const before = devs[o.dev].pci32bitWorkaround;
            const r = domain.alloc(devs[o.dev], BigInt(o.pages) * 4096n - BigInt(o.offset > 0 ? 1 : 0), masks[o.mask], {
              phys: BigInt(o.offset),
            });
            return { r, before, after: devs[o.dev].pci32bitWorkaround, stepsAtOnce: stepTexts(r.steps) };
          });
          return { domain, results };
        };
        const { domain, results } = run();
        // Steps are written when read: after all the later allocations they must still
        // say what they said at once (they read no state the allocator changes later).
        for (const x of results) expect(stepTexts(x.r.steps)).toEqual(x.stepsAtOnce);
        const apertureEnd = (1n << BigInt(apertureBits)) - 1n;
        const allocated: { lo: bigint; hi: bigint }[] = [];
        results.forEach(({ r, before, after }, i) => {
          const o = ops[i];
          const limit = masks[o.mask] < apertureEnd ? masks[o.mask] : apertureEnd;
          const expectPages = (BigInt(o.pages) * 4096n - BigInt(o.offset > 0 ? 1 : 0) + BigInt(o.offset) + 4095n) / 4096n;
          expect(r.pages).toBe(expectPages);
          const rounded = expectPages < 32n ? nextPow2(expectPages) : expectPages;
          expect(r.allocatedPages).toBe(rounded);
          expect(r.alignPages).toBe(nextPow2(rounded));
          expect(r.triedBelow4G).toBe(before && limit > MASK32);
          if (r.switchedTo64Bit) {
            expect(r.triedBelow4G).toBe(true);
            expect(after).toBe(false);
          } else {
            expect(after).toBe(before);
          }
          if (!r.ok) {
            expect(r.iova).toBeUndefined();
            return;
          }
          expect(r.iova! & 4095n).toBe(BigInt(o.offset));
          const lo = r.iova! >> 12n;
          const hi = lo + r.allocatedPages - 1n;
          expect(lo >= 1n).toBe(true);
          expect(lo % r.alignPages).toBe(0n);
          expect(((hi + 1n) << 12n) - 1n <= limit).toBe(true);
          allocated.push({ lo, hi });
        });

        // intervals(): disjoint, the allocated ones are exactly ours, the reserved
        // ones cover exactly the union of the reserved pages.
        expectDisjointAscending(domain);
        const iv = domain.intervals();
        const got = iv.filter((x) => !x.reserved).map((x) => `${x.first >> 12n}-${x.last >> 12n}`);
        const want = [...allocated].sort((a, b) => (a.lo < b.lo ? -1 : 1)).map((a) => `${a.lo}-${a.hi}`);
        expect(got).toEqual(want);
        const resvPages = mergeSpans(reserved.map((r) => ({ lo: r.first >> 12n, hi: r.last >> 12n })));
        const gotResv = mergeSpans(iv.filter((x) => x.reserved).map((x) => ({ lo: x.first >> 12n, hi: x.last >> 12n })));
        expect(gotResv).toEqual(resvPages);

        // Same inputs, same outputs (steps included).
        const again = run();
        const written = (rs: typeof results) => rs.map((x) => ({ ...x, r: { ...x.r, steps: stepTexts(x.r.steps) } }));
        expect(written(again.results)).toEqual(written(results));
        expect(again.domain.intervals()).toEqual(iv);

        // Same outputs as a plain sorted-array transcription of the kernel walk.
        const ref = new ReferenceDomain(reserved, apertureBits);
        const refDevs = [true, true, false, true].map((p) => ({ pci32bitWorkaround: p }));
        ops.forEach((o, i) => {
          const iova = ref.alloc(refDevs[o.dev], BigInt(o.pages) * 4096n - BigInt(o.offset > 0 ? 1 : 0), masks[o.mask], BigInt(o.offset));
          expect(iova).toBe(results[i].r.iova);
        });
      }),
      { numRuns: 300, seed: 0x10ba, endOnFailure: true },
    );
  });

  it('kernel.md example 14 scale: 100,000 4 KiB mappings in one domain (__alloc_and_insert_iova_range)', () => {
    const domain = x86Domain();
    const dev = pciDevice();
    const n = 100_000;
    let ok = 0;
    let lowest = MASK64;
    for (let i = 0; i < n; i++) {
      const a = domain.alloc(dev, 4n * KiB, MASK64);
      if (a.ok) ok++;
      if (a.iova !== undefined && a.iova < lowest) lowest = a.iova;
    }
    expect(ok).toBe(n);
    expect(domain.allocationCount).toBe(n);
    expect(dev.pci32bitWorkaround).toBe(true);
    const iv = domain.intervals();
    expect(iv.length).toBe(n + X86_INTEL_A.length);
    expect(iv.filter((x) => !x.reserved).length).toBe(n);
    expectDisjointAscending(domain);
    // Top-down and dense: 0xfef00..0xfffff (4352 pages), 0xfc000..0xfedff (11776
    // pages), then the rest from 0x7ffff down.
    expect(lowest).toBe((0x80000n - BigInt(n - 4352 - 11776)) << 12n);
  });

  it('kernel.md example 17 scale: 100,000 mixed mappings from three devices stay disjoint (iommu_dma_alloc_iova)', () => {
    const domain = x86Domain();
    const pci = pciDevice();
    const dac = dacDevice();
    const n = 100_000;
    let ok = 0;
    let switched = 0;
    for (let i = 0; i < n; i++) {
      const pages = BigInt(1 + ((i * 7919) % 48));
      const dev = i % 3 === 0 ? pci : dac;
      const mask = i % 50 === 1 ? MASK32 : MASK64;
      const a = domain.alloc(dev, pages * 4n * KiB, mask);
      if (a.switchedTo64Bit) switched++;
      if (a.ok) {
        ok++;
        if (mask === MASK32) expect(a.iova! + a.allocatedPages * 4n * KiB - 1n <= MASK32).toBe(true);
      } else {
        // Only 32-bit-mask requests can run out of room here.
        expect(mask).toBe(MASK32);
      }
    }
    // The PCI device filled most of the space below 4 GiB, then moved up once.
    expect(switched).toBe(1);
    expect(pci.pci32bitWorkaround).toBe(false);
    expect(ok > n - 2000).toBe(true);
    expect(domain.allocationCount).toBe(ok);
    expect(domain.intervals().filter((x) => !x.reserved).length).toBe(ok);
    expectDisjointAscending(domain);
  });
});

function nextPow2(x: bigint): bigint {
  let p = 1n;
  while (p < x) p <<= 1n;
  return p;
}

function mergeSpans(spans: { lo: bigint; hi: bigint }[]): string[] {
  const s = [...spans].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: { lo: bigint; hi: bigint }[] = [];
  for (const x of s) {
    const last = out.at(-1);
    if (last && x.lo <= last.hi + 1n) {
      if (x.hi > last.hi) last.hi = x.hi;
    } else {
      out.push({ ...x });
    }
  }
  return out.map((x) => `${x.lo}-${x.hi}`);
}

/**
 * Independent, deliberately naive transcription of iommu_dma_alloc_iova and
 * __alloc_and_insert_iova_range over a sorted array (O(n) per operation). It
 * restarts the retry walk from the anchor above 4 GiB and from the first node
 * ending at or above the limit below it, as iova_find_limit can, to check that
 * the model's choice of restart node does not change results.
 */
class ReferenceDomain {
  private readonly nodes: { lo: bigint; hi: bigint }[] = [];
  private readonly anchor = { lo: MASK64, hi: MASK64 };
  private cached = this.anchor;
  private cached32 = this.anchor;
  private max32 = 0x100000n;
  private readonly apertureEnd: bigint;

  constructor(reserved: readonly IovaRange[], apertureBits: number) {
    this.apertureEnd = (1n << BigInt(apertureBits)) - 1n;
    this.nodes.push(this.anchor);
    for (const r of reserved) this.reserve(r.first >> 12n, r.last >> 12n);
  }

  private reserve(lo: bigint, hi: bigint): void {
    let overlap = false;
    for (const n of this.nodes) {
      if (lo <= n.hi && hi >= n.lo) {
        if (lo < n.lo) n.lo = lo;
        if (hi > n.hi) lo = n.hi + 1n;
        if (lo >= n.lo && hi <= n.hi) return;
        overlap = true;
      } else if (overlap) break;
    }
    const at = this.nodes.findIndex((n) => n.lo > lo);
    this.nodes.splice(at, 0, { lo, hi });
  }

  alloc(dev: IovaDeviceState, sizeBytes: bigint, mask: bigint, offset: bigint): bigint | undefined {
    let pages = (sizeBytes + offset + 4095n) >> 12n;
    if (pages < 32n) pages = nextPow2(pages);
    const limit = mask < this.apertureEnd ? mask : this.apertureEnd;
    if (limit > MASK32 && dev.pci32bitWorkaround) {
      const pfn = this.range(pages, (MASK32 >> 12n) + 1n);
      if (pfn !== undefined) return (pfn << 12n) + offset;
      dev.pci32bitWorkaround = false;
    }
    let pfn = this.range(pages, (limit >> 12n) + 1n);
    if (pfn === undefined) pfn = this.range(pages, (limit >> 12n) + 1n);
    return pfn === undefined ? undefined : (pfn << 12n) + offset;
  }

  private range(size: bigint, limit: bigint): bigint | undefined {
    const mask = (MASK64 << BigInt((size - 1n).toString(2).length - (size === 1n ? 1 : 0))) & MASK64;
    if (limit <= 0x100000n && size >= this.max32) return undefined;
    let i = this.nodes.indexOf(limit <= 0x100000n ? this.cached32 : this.cached);
    const retry = this.nodes[i].hi;
    let high = limit;
    let low = 1n;
    let pfn: bigint;
    for (;;) {
      do {
        if (this.nodes[i].lo < high) high = this.nodes[i].lo;
        pfn = ((high - size) & MASK64) & mask;
        i--;
      } while (i >= 0 && pfn <= this.nodes[i].hi && pfn >= low);
      if (high < size || pfn < low) {
        if (low === 1n && retry < limit) {
          high = limit;
          low = retry + 1n;
          i = limit > 0x100000n ? this.nodes.length - 1 : this.nodes.findIndex((n) => n.hi >= limit);
          continue;
        }
        this.max32 = size;
        return undefined;
      }
      break;
    }
    const node = { lo: pfn, hi: pfn + size - 1n };
    this.nodes.splice(i + 1, 0, node);
    if (node.hi < 0x100000n) this.cached32 = node;
    else this.cached = node;
    return pfn;
  }
}
