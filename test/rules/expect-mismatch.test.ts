// expect-mismatch: an `expect` that the computed result does not meet, reported at that
// expectation (docs/language.md §4.4).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNone, expectOne, findings, rangeOf, rangeOfFinding } from './expect';
import { DYNAMIC, HEAP, NIC_VFIO, TRIGGERS, machine, model, share, withItems } from './models';

describe('expect-mismatch', () => {
  it('reports an expectation the kernel does not meet, at the expectation, with the computed value', () => {
    const { text } = TRIGGERS['expect-mismatch']!;
    const f = expectOne(text, analyzeText(text), 'expect-mismatch', { severity: 'error', at: 'thru_host_bridge', share: 'db->gpu0', names: ['thru_host_bridge', 'BUS_ADDR'] });
    expect(f.data).toEqual({ computed: 'bus_addr' });
  });

  it('near miss: the expectations the kernel meets (kernel.md example 2: bus address of the BAR)', () => {
    const a = analyzeText(model(machine(), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} expect bus_addr, vram, bus, address 0x60_0000_0000`)));
    expectNone(a, 'expect-mismatch');
    expect(codes(a)).toEqual([]);
  });

  it('one finding per unmet expectation, each at its own item', () => {
    const text = model(machine(), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} expect bus_addr, iova, system, address 0x60_0000_1000`));
    const fs = findings(analyzeText(text), 'expect-mismatch');
    expect(fs.map(rangeOfFinding)).toEqual([rangeOf(text, 'iova'), rangeOf(text, 'system'), rangeOf(text, 'address 0x60_0000_1000')]);
    expect(fs.map((f) => f.data)).toEqual([{ computed: 'bus' }, { computed: 'vram' }, { computed: 'address 0x6000000000' }]);
    expect(fs[2]!.message).toContain('0x6000000000');
  });

  it.each([
    ['not_supported', 'BUS_ADDR'],
    ['fails', 'the map succeeds'],
    ['phys', 'bus'],
    ['swiotlb', 'bus'],
  ])('`expect %s` against a working bus-address share says the kernel gives %s', (word, computed) => {
    const text = model(machine(), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} expect ${word}`));
    expectOne(text, analyzeText(text), 'expect-mismatch', { severity: 'error', at: { find: word, in: `expect ${word}` }, names: [`the kernel gives ${computed}`] });
  });

  it('`expect fails` holds for a failing map, `address` does not (there is none)', () => {
    const ok = model(machine({ kernel: [] }), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} expect fails`));
    expectNone(analyzeText(ok), 'expect-mismatch');
    const text = model(machine({ kernel: [] }), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} expect address 0x60_0000_0000`));
    expectOne(text, analyzeText(text), 'expect-mismatch', { severity: 'error', at: 'address 0x60_0000_0000', names: ['no address'] });
  });

  it('`expect swiotlb` holds for a bounced share', () => {
    const text = model(withItems(machine(), 'nic0', 'dma_mask 32'), HEAP, share('pages', 'nic0', 'expect system, swiotlb'));
    expectNone(analyzeText(text), 'expect-mismatch');
  });
});
