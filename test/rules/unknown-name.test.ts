// unknown-name: a reference to a name that the model does not declare (docs/language.md §1).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNone, expectOne, findings } from './expect';
import { GPU_VRAM, HEAP, TRIGGERS, THREE_NICS, machine, model, share } from './models';

describe('unknown-name', () => {
  it('reports an importer the model does not declare, at the reference', () => {
    const { text } = TRIGGERS['unknown-name']!;
    const a = analyzeText(text);
    expectOne(text, a, 'unknown-name', { severity: 'error', at: { find: 'nic9', in: 'share pages -> nic9' }, names: ['nic9', 'not declared'] });
    expect(a.shares).toEqual([]);
  });

  it('near miss: the declared importer resolves and the share is mapped', () => {
    const text = model(machine(), HEAP, share('pages', 'nic0', ''));
    const a = analyzeText(text);
    expectNone(a, 'unknown-name');
    expect(codes(a)).toEqual([]);
    expect(a.shares.map((s) => s.name)).toEqual(['pages->nic0']);
  });

  it('reports a name of the wrong kind, with the declaration as related information', () => {
    const text = model(machine(), HEAP, share('pages', 'hb0', ''));
    expectOne(text, analyzeText(text), 'unknown-name', {
      severity: 'error',
      at: { find: 'hb0', in: 'share pages -> hb0' },
      names: ['host bridge'],
      related: ['hb0'],
    });
  });

  it('a port is not an importer: only endpoints and VFs import buffers', () => {
    const text = model(machine(), HEAP, share('pages', 'rp0', ''));
    expectOne(text, analyzeText(text), 'unknown-name', { severity: 'error', at: { find: 'rp0', in: 'share pages -> rp0' }, names: ['root port'] });
  });

  it('reports an undeclared exporter, `devices` function and link member', () => {
    const exporter = model(machine(), 'buffer frame from gpu9 driver amdgpu { size 1M }');
    expectOne(exporter, analyzeText(exporter), 'unknown-name', { severity: 'error', at: 'gpu9' });
    const devices = model(machine({ tree: THREE_NICS }), HEAP, share('pages', 'nic0', 'devices nic7'));
    expectOne(devices, analyzeText(devices), 'unknown-name', { severity: 'error', at: 'nic7' });
    const link = model(machine({ extra: ['link xgmi gpu0, gpu7'] }), GPU_VRAM);
    expectOne(link, analyzeText(link), 'unknown-name', { severity: 'error', at: 'gpu7' });
  });

  it('names are global to a model: a buffer declared in a used file is known', () => {
    const text = model(machine(), 'use "buffers.dmabuf"', share('pages', 'nic0', ''));
    const a = analyzeText(text, { 'buffers.dmabuf': HEAP });
    expectNone(a, 'unknown-name');
    expect(a.shares.map((s) => s.name)).toEqual(['pages->nic0']);
    expect(findings(analyzeText(text), 'unknown-name')).toHaveLength(1);
  });
});
