// sg-split-4g: dma_buf_phys_vec_to_sgt() splits entries every UINT_MAX bytes (fill_sg_entry,
// calc_sg_nents), so a BAR export of 4 GiB or more gets entries that are not page-aligned.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { TRIGGERS, WHITELISTED, machine, model, share } from './models';

const HEAD = 'share big -> gpu0';
const TWO_RANGES = 'buffer big from nic0 driver vfio-pci { range offset 0 size 2G range offset 2G size 2G }';

describe('sg-split-4g', () => {
  it('a 4 GiB BAR export becomes 0xffffffff + 1 byte (dma_buf_phys_vec_to_sgt, fill_sg_entry)', () => {
    const { text } = TRIGGERS['sg-split-4g']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'sg-split-4g', { severity: 'warning', at: HEAD, share: 'big->gpu0', names: ['dma_buf_phys_vec_to_sgt', '0xffffffff', 'ranges below 4 GiB'] });
    expectNamesKernel(f);
    expect(a.shares[0]!.segments).toEqual([
      { dma: 0x60_0000_0000n, length: 0xffff_ffffn },
      { dma: 0x60_ffff_ffffn, length: 1n },
    ]);
  });

  it('near miss: two 2 GiB ranges on the bus-address path are split on their own', () => {
    const a = analyzeText(model(machine(), TWO_RANGES, share('big', 'gpu0')));
    expectNone(a, 'sg-split-4g');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]!.segments.map((s) => s.length)).toEqual([0x8000_0000n, 0x8000_0000n]);
  });

  it('near miss: a 2 GiB export', () => {
    expectNone(analyzeText(model(machine(), 'buffer big from nic0 driver vfio-pci { size 2G }', share('big', 'gpu0'))), 'sg-split-4g');
  });

  it('with an IOVA the ranges are one contiguous range: two 2 GiB ranges still split, and the advice is the total', () => {
    const text = model(machine({ iommu: 'vtd', tree: 'root-ports', hostBridgeId: WHITELISTED }), TWO_RANGES, share('big', 'gpu0'));
    const a = analyzeText(text);
    expectOne(text, a, 'sg-split-4g', { severity: 'warning', at: HEAD, names: ['less than 4 GiB in total'] });
    expect(a.shares[0]!.segments.map((s) => s.length)).toEqual([0xffff_ffffn, 1n]);
  });

  it('amdgpu splits VRAM at 2 GiB (amdgpu_vram_mgr_alloc_sgt): page-aligned, no finding', () => {
    const a = analyzeText(model(machine(), 'buffer frame from gpu0 driver amdgpu { size 4G }', share('frame', 'nic0')));
    expectNone(a, 'sg-split-4g');
    expect(a.shares[0]!.segments.map((s) => s.length)).toEqual([0x8000_0000n, 0x8000_0000n]);
  });
});
