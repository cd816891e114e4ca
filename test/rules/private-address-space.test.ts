// private-address-space: a buffer on a link member (XGMI, NVLink) shared with a non-member: an
// sg_table has no address-space label per entry, so link addresses mean nothing outside it.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { GPU_VRAM, HEAP, TRIGGERS, TWO_GPUS, machine, model, share } from './models';

const LINKED = machine({ tree: TWO_GPUS, extra: ['link xgmi gpu0, gpu1'] });

describe('private-address-space', () => {
  it('VRAM of an XGMI member shared with a NIC (struct sg_table has no address-space label), related to the link', () => {
    const { text } = TRIGGERS['private-address-space']!;
    const f = expectOne(text, analyzeText(text), 'private-address-space', {
      severity: 'warning',
      at: 'share frame -> nic0',
      share: 'frame->nic0',
      names: ['sg_table', 'xgmi', 'nic0'],
      related: ['link xgmi gpu0, gpu1'],
    });
    expectNamesKernel(f);
  });

  it('near miss: shared with the other link member', () => {
    const a = analyzeText(model(LINKED, GPU_VRAM, share('frame', 'gpu1')));
    expectNone(a, 'private-address-space');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]).toMatchObject({ mapType: 'PRIVATE' });
  });

  it('near miss: a GPU that is on no link', () => {
    const unlinked = model(machine({ tree: TWO_GPUS }), GPU_VRAM, share('frame', 'nic0'));
    expectNone(analyzeText(unlinked), 'private-address-space');
  });

  it('NVLink is a private link as well', () => {
    const text = model(machine({ tree: TWO_GPUS, extra: ['link nvlink gpu0, gpu1'] }), GPU_VRAM, share('frame', 'nic0'));
    expectOne(text, analyzeText(text), 'private-address-space', { severity: 'warning', at: 'share frame -> nic0', names: ['nvlink'] });
  });

  it('system memory is no private address space', () => {
    expectNone(analyzeText(model(LINKED, HEAP, share('pages', 'nic0', ''))), 'private-address-space');
  });

  it('CPU access through the exporter hands out no sg_table: no finding', () => {
    expectNone(analyzeText(model(LINKED, GPU_VRAM, share('frame', 'cpu', ''))), 'private-address-space');
  });
});
