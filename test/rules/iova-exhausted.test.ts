// iova-exhausted: the IOVA domain has no room for the mapping (iommu_dma_alloc_iova,
// __alloc_and_insert_iova_range).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { TRIGGERS, machine, model, share, withItems } from './models';

describe('iova-exhausted', () => {
  it('4 GiB does not fit in a 32-bit aperture minus the reserved windows (iommu_dma_alloc_iova)', () => {
    const { text } = TRIGGERS['iova-exhausted']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'iova-exhausted', { severity: 'error', at: 'share big -> nic0', share: 'big->nic0', names: ['iommu_dma_alloc_iova', 'no room'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('near miss: the default 48-bit aperture has room, from the top, 4 GiB-aligned (kernel.md example 28)', () => {
    const a = analyzeText(model(machine({ iommu: 'vtd' }), 'buffer big from heap { size 4G }', share('big', 'nic0', '')));
    expectNone(a, 'iova-exhausted');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]).toMatchObject({ addressKind: 'iova', segments: [{ dma: 0xffff_0000_0000n, length: 0x1_0000_0000n }] });
  });

  it('a 32-bit device cannot fit 4 GiB below 4 GiB either', () => {
    const text = model(withItems(machine({ iommu: 'vtd' }), 'nic0', 'dma_mask 32'), 'buffer big from heap { size 4G }', share('big', 'nic0', ''));
    expectOne(text, analyzeText(text), 'iova-exhausted', { severity: 'error', at: 'share big -> nic0' });
  });

  it('the domain fills up in share order: the second 1 GiB map of a 32-bit device fails', () => {
    const text = model(
      withItems(machine({ iommu: 'vtd' }), 'nic0', 'dma_mask 32'),
      'buffer one from heap { size 1G }',
      'buffer two from heap { size 1G }',
      share('one', 'nic0', ''),
      share('two', 'nic0', ''),
    );
    const a = analyzeText(text);
    expectOne(text, a, 'iova-exhausted', { severity: 'error', at: 'share two -> nic0', share: 'two->nic0' });
    expect(a.shares[0]).toMatchObject({ ok: true, segments: [{ dma: 0x4000_0000n, length: 0x4000_0000n }] });
  });
});
