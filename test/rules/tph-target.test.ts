// tph-target: the share uses TPH steering tags and the target's NUMA node cannot be derived from
// the sg_table of dma_buf_map_attachment (no get_pci_tph op in mainline).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { DYNAMIC, HEAP, NIC_VFIO, TRIGGERS, machine, model, share } from './models';

describe('tph-target', () => {
  it('TPH to a BAR: device memory has no NUMA node in the sg_table (dma_buf_map_attachment)', () => {
    const { text } = TRIGGERS['tph-target']!;
    const f = expectOne(text, analyzeText(text), 'tph-target', { severity: 'info', at: 'share db -> gpu0', share: 'db->gpu0', names: ['dma_buf_map_attachment', 'MMIO', 'TPH'] });
    expectNamesKernel(f);
  });

  it('near miss: the same share without `tph`', () => {
    const a = analyzeText(model(machine(), NIC_VFIO, share('db', 'gpu0', DYNAMIC)));
    expectNone(a, 'tph-target');
    expect(codes(a)).toEqual([]);
  });

  it('RAM on another NUMA node than the importer\'s host bridge', () => {
    const text = model(machine({ hostBridgeNode: 1 }), HEAP, share('pages', 'gpu0', 'tph'));
    expectOne(text, analyzeText(text), 'tph-target', { severity: 'info', at: 'share pages -> gpu0', names: ['NUMA node 0'] });
  });

  it('near miss: RAM on the importer\'s own node', () => {
    expectNone(analyzeText(model(machine({ hostBridgeNode: 0 }), HEAP, share('pages', 'gpu0', 'tph'))), 'tph-target');
  });
});
