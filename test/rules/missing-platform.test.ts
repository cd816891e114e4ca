// missing-platform: buffers or shares with no platform in the model (docs/language.md §1).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNone, expectOne } from './expect';
import { HEAP, TRIGGERS, machine, model, share } from './models';

describe('missing-platform', () => {
  it('reports the first buffer of a model without a platform', () => {
    const { text } = TRIGGERS['missing-platform']!;
    const a = analyzeText(text);
    expectOne(text, a, 'missing-platform', { severity: 'error', at: { find: 'pages', in: 'buffer pages' }, names: ['platform'] });
    expect(a.shares).toEqual([]);
  });

  it('near miss: the same buffer and share with a platform block', () => {
    const a = analyzeText(model(machine(), HEAP, share('pages', 'cpu', '')));
    expectNone(a, 'missing-platform');
    expect(codes(a)).toEqual([]);
  });

  it('near miss: the platform comes from a used file', () => {
    const text = model('use "platform.dmabuf"', HEAP, share('pages', 'cpu', ''));
    const a = analyzeText(text, { 'platform.dmabuf': machine() });
    expectNone(a, 'missing-platform');
    expect(a.shares.map((s) => s.name)).toEqual(['pages->cpu']);
  });

  it('reports a share alone at its buffer reference', () => {
    const text = 'share pages -> cpu\n';
    expectOne(text, analyzeText(text), 'missing-platform', { severity: 'error', at: 'pages' });
  });

  it('an empty model needs no platform', () => {
    expect(codes(analyzeText('// nothing yet\n'))).toEqual([]);
  });
});
