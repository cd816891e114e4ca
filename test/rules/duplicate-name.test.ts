// duplicate-name: a name declared twice in one model (docs/language.md §1: names are global).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNone, expectOne, findings } from './expect';
import { HEAP, TRIGGERS, machine, model, share } from './models';

describe('duplicate-name', () => {
  it('reports the second declaration, related to the first', () => {
    const { text } = TRIGGERS['duplicate-name']!;
    expectOne(text, analyzeText(text), 'duplicate-name', {
      severity: 'error',
      at: { find: 'pages', in: 'buffer pages from heap { size 2M }' },
      names: ['pages', 'already declared'],
      related: [{ find: 'pages', in: 'buffer pages from heap { size 64K }' }],
    });
  });

  it('near miss: a second buffer with a name of its own', () => {
    const text = model(machine(), HEAP, 'buffer pages2 from heap { size 2M }');
    const a = analyzeText(text);
    expectNone(a, 'duplicate-name');
    expect(codes(a)).toEqual([]);
  });

  it('PCI functions share the name space: a GPU named like the NIC', () => {
    const text = model(machine().replace('gpu gpu0', 'gpu nic0'));
    expectOne(text, analyzeText(text), 'duplicate-name', {
      severity: 'error',
      at: { find: 'nic0', in: 'nic nic0' },
      related: [{ find: 'nic0', in: 'gpu nic0' }],
    });
  });

  it('two shares with the same default name B->I, unless one has `as`', () => {
    const text = model(machine(), HEAP, share('pages', 'nic0', ''), share('pages', 'nic0', ''));
    expectOne(text, analyzeText(text), 'duplicate-name', {
      severity: 'error',
      at: { find: 'pages', in: 'share pages -> nic0', nth: 1 },
      names: ["'pages->nic0'", 'as'],
      related: ['share pages -> nic0'],
    });
    const named = model(machine(), HEAP, share('pages', 'nic0', ''), 'share pages -> nic0 as again');
    const a = analyzeText(named);
    expectNone(a, 'duplicate-name');
    expect(a.shares.map((s) => s.name)).toEqual(['pages->nic0', 'again']);
  });

  it('a model has one platform', () => {
    const text = model(machine(), 'platform second { cpu amd }');
    expectOne(text, analyzeText(text), 'duplicate-name', { severity: 'error', at: 'second', related: ['lab'] });
  });

  it('a name declared in a used file and again in the root file', () => {
    const text = model(machine(), 'use "more.dmabuf"', HEAP);
    const a = analyzeText(text, { 'more.dmabuf': 'buffer pages from heap { size 4K }\n' });
    const fs = findings(a, 'duplicate-name');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.uri).toBe('main.dmabuf');
    expect(fs[0]!.related.map((r) => r.uri)).toEqual(['more.dmabuf']);
  });
});
