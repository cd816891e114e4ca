// Views of big machines (server/src/view/filter.ts): only the classes asked, with the
// bridges above them and a count of what is left out; the same filter on the matrix;
// a text matrix cut to a terminal's width.

import { describe, expect, it } from 'vitest';
import { buildMatrix, matrixText } from '../../server/src/view/matrix';
import { buildTopology } from '../../server/src/view/topology';
import { analyzeText } from '../helpers/analyzeFile';
import { importEsc8000a } from '../import/helpers';

describe('filters on an imported machine (ASUS ESC8000A-E12, 190 functions)', () => {
  const a = analyzeText(importEsc8000a().text);

  it('without a filter, collapses the generic root-bus functions of a machine over 150 functions into one node per host bridge', () => {
    const t = buildTopology(a.model, a.engine, 'esc');
    const collapsed = t.nodes.filter((n) => n.kind === 'collapsed');
    expect(collapsed.length).toBeGreaterThan(0);
    expect(collapsed[0]!.label).toMatch(/^\d+ functions? not shown$/);
    expect(collapsed[0]!.lines[0]).toMatch(/collapsed \(over 150 functions\)/);
    expect(t.nodes.filter((n) => n.cls === 'gpu')).toHaveLength(4);
  });

  it('--only gpu,nic keeps those endpoints and the bridges above them, and counts the rest', () => {
    const t = buildTopology(a.model, a.engine, 'esc', { only: ['gpu', 'nic'] });
    const endpoints = t.nodes.filter((n) => n.kind === 'endpoint');
    expect(new Set(endpoints.map((n) => n.cls))).toEqual(new Set(['gpu', 'nic']));
    expect(endpoints.filter((n) => n.cls === 'gpu')).toHaveLength(4);
    for (const e of t.edges) expect(t.nodes.some((n) => n.id === e.source) && t.nodes.some((n) => n.id === e.target)).toBe(true);
    expect(t.nodes.length).toBeLessThan(60);
    expect(t.nodes.find((n) => n.kind === 'collapsed')!.lines[0]).toBe('--only gpu,nic');
  });

  it('--host-bridge and --node keep the host bridges asked', () => {
    const hb = buildTopology(a.model, a.engine, 'esc', { hostBridges: ['hb0'] });
    expect(hb.nodes.filter((n) => n.kind === 'host_bridge').map((n) => n.id)).toEqual(['hb0']);
    const node1 = buildTopology(a.model, a.engine, 'esc', { nodes: [1] });
    const want = a.model.platform!.hostBridges.filter((h) => h.node === 1).map((h) => h.name);
    expect(node1.nodes.filter((n) => n.kind === 'host_bridge').map((n) => n.id)).toEqual(want);
  });

  it('filters the matrix the same way, and fits its text to a width', () => {
    const all = buildMatrix(a.model, a.engine, 'esc');
    const m = buildMatrix(a.model, a.engine, 'esc', { only: ['gpu', 'nic'] });
    expect(m.endpoints.map((e) => e.cls).every((c) => c === 'gpu' || c === 'nic')).toBe(true);
    expect(m.endpoints.length).toBeLessThan(all.endpoints.length);
    const wide = matrixText(all, { width: 80 });
    const table = wide.split('\n\nendpoints:')[0]!.split('\n').slice(3);
    for (const l of table) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(wide).toContain('columns 0-');
    expect(matrixText(m)).toBe(matrixText(m, { width: 10_000 }));
  });
});
