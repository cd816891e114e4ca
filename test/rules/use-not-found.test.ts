// use-not-found: a `use` whose file does not exist or lies outside the workspace folder.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { analyzeText, expectNone, expectOne, findings } from './expect';
import { HEAP, TRIGGERS, machine, model, share } from './models';

describe('use-not-found', () => {
  it('reports a used file that does not exist, at its path string', () => {
    const { text } = TRIGGERS['use-not-found']!;
    expectOne(text, analyzeText(text), 'use-not-found', { severity: 'error', at: '"platform.dmabuf"', names: ['platform.dmabuf', 'does not exist'] });
  });

  it('near miss: the file exists and its platform is used', () => {
    const { text } = TRIGGERS['use-not-found']!;
    const a = analyzeText(text, { 'platform.dmabuf': machine() });
    expectNone(a, 'use-not-found');
    expect(a.findings).toEqual([]);
    expect(a.shares.map((s) => s.name)).toEqual(['pages->cpu']);
  });

  it('reports a use cycle in the file that closes it (each file is pulled in once)', () => {
    const text = model(machine(), 'use "more.dmabuf"', HEAP);
    const a = analyzeText(text, { 'more.dmabuf': 'use "main.dmabuf"\n' + share('pages', 'cpu', '') + '\n' });
    const fs = findings(a, 'use-not-found');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.uri).toBe('more.dmabuf');
    expect(fs[0]!.severity).toBe('error');
    expect(fs[0]!.message).toContain('cycle');
    expect(fs[0]!.span.start).toEqual({ line: 0, character: 4 });
  });

  it('reports a path the host refuses (outside the workspace folder) with the host\'s reason', () => {
    const text = model(machine(), 'use "../elsewhere.dmabuf"', HEAP);
    const a = analyze('main.dmabuf', {
      readFile: (u) => (u === 'main.dmabuf' ? text : undefined),
      resolveUse: (_from, p) => (p.startsWith('../') ? { refused: `'${p}' lies outside the workspace folder` } : { uri: p }),
    });
    expectOne(text, a, 'use-not-found', { severity: 'error', at: '"../elsewhere.dmabuf"', names: ['outside the workspace folder'] });
  });

  it('a file used twice (a diamond) is read once and is no error', () => {
    const text = model('use "a.dmabuf"', 'use "b.dmabuf"', share('pages', 'cpu', ''));
    const a = analyzeText(text, { 'a.dmabuf': 'use "platform.dmabuf"\n', 'b.dmabuf': 'use "platform.dmabuf"\n' + HEAP + '\n', 'platform.dmabuf': machine() });
    expect(a.findings).toEqual([]);
  });
});
