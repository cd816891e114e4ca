// swiotlb-bounce: the importer cannot reach a system buffer directly and swiotlb gives it a
// private copy (dma_capable, translate_phys_to_dma, is_swiotlb_force_bounce, dev_use_swiotlb).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { HEAP, TRIGGERS, machine, model, share, withItems } from './models';

const HEAD = 'share pages -> nic0';

describe('swiotlb-bounce', () => {
  it('a 32-bit device gets a bounce buffer for RAM above 4 GiB (dma_capable)', () => {
    const { text } = TRIGGERS['swiotlb-bounce']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'swiotlb-bounce', { severity: 'warning', at: HEAD, share: 'pages->nic0', names: ['dma_capable', 'private copy', 'stale'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ addressKind: 'swiotlb', ok: true, segments: [] });
  });

  it('near miss: a 64-bit mask reaches the pages directly', () => {
    const a = analyzeText(model(machine(), HEAP, share('pages', 'nic0', '')));
    expectNone(a, 'swiotlb-bounce');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]).toMatchObject({ addressKind: 'phys', segments: [{ dma: 0x1_0000_0000n, length: 0x1_0000n }] });
  });

  it('near miss: an IOMMU domain maps the pages below the mask instead', () => {
    const a = analyzeText(model(withItems(machine({ iommu: 'vtd' }), 'nic0', 'dma_mask 32'), HEAP, share('pages', 'nic0', '')));
    expectNone(a, 'swiotlb-bounce');
    expect(a.shares[0]).toMatchObject({ addressKind: 'iova' });
  });

  it('a firmware bus_dma_limit counts like the mask (kernel.md example 21: min_not_zero(mask, bus_dma_limit))', () => {
    const text = model(withItems(machine(), 'nic0', 'bus_dma_limit 0xffff_ffff'), HEAP, share('pages', 'nic0', ''));
    expectOne(text, analyzeText(text), 'swiotlb-bounce', { severity: 'warning', at: HEAD });
  });

  it('pages outside the dma-ranges of a platform device bounce (translate_phys_to_dma, kernel.md example 20); inside, they translate (example 19)', () => {
    const pd = 'platform_device dsp { dma_mask 64 dma_range 0x0 -> 0x1_0000_0000 size 1G }';
    const outside = model(machine({ extra: [pd] }), 'buffer pages from heap { size 64K at 0x2_0000_0000 }', share('pages', 'dsp', ''));
    expectOne(outside, analyzeText(outside), 'swiotlb-bounce', { severity: 'warning', at: 'share pages -> dsp', names: ['translate_phys_to_dma'] });
    const inside = analyzeText(model(machine({ extra: [pd] }), 'buffer pages from heap { size 64K at 0x1_0010_0000 }', share('pages', 'dsp', '')));
    expectNone(inside, 'swiotlb-bounce');
    expect(inside.shares[0]).toMatchObject({ addressKind: 'phys', segments: [{ dma: 0x10_0000n, length: 0x1_0000n }] });
  });

  it('a confidential-computing guest bounces every RAM mapping (is_swiotlb_force_bounce)', () => {
    const text = model(machine({ kernel: ['cc_guest'] }), HEAP, share('pages', 'nic0', ''));
    expectOne(text, analyzeText(text), 'swiotlb-bounce', { severity: 'warning', at: HEAD, names: ['is_swiotlb_force_bounce', 'confidential-computing'] });
    expect(findings(analyzeText(model(machine({ kernel: ['swiotlb_force'] }), HEAP, share('pages', 'nic0', ''))), 'swiotlb-bounce')).toHaveLength(1);
  });

  it('an untrusted device bounces a buffer that is not granule-aligned even with an IOMMU (dev_use_swiotlb); 8 KiB does not', () => {
    const text = model(withItems(machine({ iommu: 'vtd' }), 'nic0', 'untrusted'), 'buffer pages from heap { size 6K }', share('pages', 'nic0', ''));
    expectOne(text, analyzeText(text), 'swiotlb-bounce', { severity: 'warning', at: HEAD, names: ['dev_use_swiotlb', 'untrusted'] });
    const aligned = model(withItems(machine({ iommu: 'vtd' }), 'nic0', 'untrusted'), 'buffer pages from heap { size 8K }', share('pages', 'nic0', ''));
    expectNone(analyzeText(aligned), 'swiotlb-bounce');
  });

  it('with swiotlb off nothing bounces: dma-unreachable instead', () => {
    const a = analyzeText(TRIGGERS['dma-unreachable']!.text);
    expectNone(a, 'swiotlb-bounce');
    expect(findings(a, 'dma-unreachable')).toHaveLength(1);
  });
});
