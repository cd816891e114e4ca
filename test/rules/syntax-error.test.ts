// syntax-error: the text does not follow docs/language.md §3; parsing recovers and goes on.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNone, expectOne, rangeOf, findings } from './expect';
import { HEAP, TRIGGERS, machine, model, share } from './models';

describe('syntax-error', () => {
  it('reports a word the grammar does not allow, at that word (docs/language.md §3 cpu)', () => {
    const { text } = TRIGGERS['syntax-error']!;
    const f = expectOne(text, analyzeText(text), 'syntax-error', { severity: 'error', at: 'sparc', names: ['cpu', 'sparc'] });
    expect(f.share).toBeUndefined();
    expect(f.related).toEqual([]);
  });

  it('near miss: a CPU vendor of the grammar parses cleanly', () => {
    const text = model(machine({ cpu: 'intel' }), HEAP);
    const a = analyzeText(text);
    expectNone(a, 'syntax-error');
    expect(codes(a)).toEqual([]);
  });

  it('recovers from an unclosed block: the error sits where the } is missing and the next share is still mapped', () => {
    const text = model(machine(), 'buffer pages from heap { size 1M', share('pages', 'nic0', ''));
    const a = analyzeText(text);
    const fs = findings(a, 'syntax-error');
    expect(fs).toHaveLength(1);
    const end = rangeOf(text, { find: '1M', in: 'size 1M' }).end;
    expect(fs[0]!.span.start).toEqual(end);
    expect(fs[0]!.message).toContain("'}'");
    expect(a.shares.map((s) => s.name)).toEqual(['pages->nic0']);
  });

  it('keeps going after an error: a later undeclared name is still reported', () => {
    const text = model(machine({ cpu: 'sparc' }), HEAP, share('pages', 'nic9', ''));
    const a = analyzeText(text);
    expect(findings(a, 'syntax-error')).toHaveLength(1);
    expect(findings(a, 'unknown-name')).toHaveLength(1);
  });

  it('a keyword is a name where the grammar expects one (contextual keywords), the four top-level keywords too', () => {
    const text = model(machine(), 'buffer share from heap { size 1M }', share('share', 'nic0', ''));
    expect(codes(analyzeText(text))).not.toContain('syntax-error');
  });
});
