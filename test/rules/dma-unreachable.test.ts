// dma-unreachable: the importer cannot reach the buffer and nothing can bounce it: MMIO is
// never bounced (dma_direct_map_phys), or swiotlb is off (dma_capable, translate_phys_to_dma).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { HEAP, NIC_VFIO, TRIGGERS, WHITELISTED, machine, model, share, withItems } from './models';

const HEAD = 'share pages -> nic0';

describe('dma-unreachable', () => {
  it('RAM above a 32-bit mask with swiotlb off cannot be mapped (dma_capable)', () => {
    const { text } = TRIGGERS['dma-unreachable']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'dma-unreachable', { severity: 'error', at: HEAD, share: 'pages->nic0', names: ['dma_capable', 'swiotlb is off', '0xffffffff'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('near miss: a 64-bit mask reaches it', () => {
    const a = analyzeText(model(machine({ kernel: ['swiotlb_off'] }), HEAP, share('pages', 'nic0', '')));
    expectNone(a, 'dma-unreachable');
    expect(codes(a)).toEqual([]);
  });

  it('near miss: with swiotlb on it bounces (swiotlb-bounce) instead of failing', () => {
    const a = analyzeText(model(withItems(machine(), 'nic0', 'dma_mask 32'), HEAP, share('pages', 'nic0', '')));
    expectNone(a, 'dma-unreachable');
    expect(findings(a, 'swiotlb-bounce')).toHaveLength(1);
  });

  it('a segment larger than one swiotlb mapping (IO_TLB_SEGSIZE × 2 KiB = 256 KiB) cannot be bounced', () => {
    const text = model(withItems(machine(), 'nic0', 'dma_mask 32'), 'buffer pages from heap { size 1M }', share('pages', 'nic0', ''));
    const a = analyzeText(text);
    expectOne(text, a, 'dma-unreachable', { severity: 'error', at: HEAD, names: ['256 KiB', 'dma_capable'] });
    expectNone(a, 'swiotlb-bounce');
  });

  it('a confidential-computing guest cannot map MMIO through dma-direct: never bounced (dma_direct_map_phys, kernel.md example 22)', () => {
    const text = model(machine({ kernel: ['move_notify', 'cc_guest'], tree: 'root-ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0'));
    const a = analyzeText(text);
    expectOne(text, a, 'dma-unreachable', { severity: 'error', at: 'share db -> gpu0', names: ['dma_direct_map_phys', 'MMIO', 'confidential-computing'] });
    expect(a.shares[0]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', ok: false });
  });

  it('a BAR above the importer\'s mask fails through dma-direct: MMIO is never bounced (dma_capable)', () => {
    const text = model(withItems(machine({ tree: 'root-ports', hostBridgeId: WHITELISTED }), 'gpu0', 'dma_mask 32'), NIC_VFIO, share('db', 'gpu0'));
    expectOne(text, analyzeText(text), 'dma-unreachable', { severity: 'error', at: 'share db -> gpu0', names: ['never bounced', 'dma_capable'] });
  });

  it('BUS_ADDR does not touch the DMA API: the same guest maps a switch-local BAR', () => {
    const a = analyzeText(model(machine({ kernel: ['move_notify', 'cc_guest'] }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'dma-unreachable');
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR', ok: true });
  });

  it('pages outside a platform device\'s dma-ranges with swiotlb off (translate_phys_to_dma)', () => {
    const pd = 'platform_device dsp { dma_mask 64 dma_range 0x0 -> 0x1_0000_0000 size 1G }';
    const text = model(machine({ kernel: ['swiotlb_off'], extra: [pd] }), 'buffer pages from heap { size 64K at 0x2_0000_0000 }', share('pages', 'dsp', ''));
    expectOne(text, analyzeText(text), 'dma-unreachable', { severity: 'error', at: 'share pages -> dsp', names: ['translate_phys_to_dma'] });
  });
});
