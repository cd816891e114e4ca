// The Graphviz DOT of every sample: every node, tree edge, box and share is in it, and
// Graphviz accepts it (when `dot` is installed).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dotString, renderDot } from '../../server/src/view/dot';
import { buildTopology } from '../../server/src/view/topology';
import { analyzeSample, SAMPLES } from './draw';

const hasDot = spawnSync('dot', ['-V'], { encoding: 'utf8' }).status === 0;

describe.each(SAMPLES)('DOT of %s', (file) => {
  const a = analyzeSample(file);
  const t = buildTopology(a.model, a.engine, file);
  const dot = renderDot(t);

  it('is one digraph with balanced braces', () => {
    expect(dot.startsWith(`digraph ${dotString(file)} {`)).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    const bare = dot.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/<<TABLE[\s\S]*?<\/TABLE>>/g, '""');
    let depth = 0;
    for (const c of bare) {
      if (c === '{') depth++;
      if (c === '}') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
  });

  it('has every node, tree edge and box', () => {
    for (const fn of a.model.functions) expect(dot).toContain(`${dotString(fn.name)} [id=${dotString(`node:${fn.name}`)}, class="node ${fn.kind}`);
    for (const hb of a.model.platform!.hostBridges) expect(dot).toContain(`${dotString(hb.name)} [id=${dotString(`node:${hb.name}`)}, class="node host_bridge"`);
    for (const n of t.nodes) expect(dot).toContain(`[id=${dotString(`node:${n.id}`)}`);
    for (const e of t.edges) expect(dot).toContain(`${dotString(e.source)} -> ${dotString(e.target)} [id=${dotString(`edge:${e.id}`)}`);
    for (const b of t.boxes) expect(dot).toContain(`id=${dotString(`box:${b.id}`)}, class="box ${b.kind}"`);
  });

  it('has every share from exporter to importer with its outcome', () => {
    for (const s of t.shares) {
      const line = dot.split('\n').find((l) => l.includes(`id=${dotString(`share:${s.id}`)}`));
      expect(line, s.id).toBeDefined();
      expect(line).toContain(`${dotString(s.route[0]!)} -> ${dotString(s.route[s.route.length - 1]!)}`);
      expect(line).toContain(`class="route ${s.outcome}`);
    }
    expect(a.shares.length).toBe(t.shares.length);
  });

  it.skipIf(!hasDot)('is accepted by Graphviz', () => {
    const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout.replace(/&#45;/g, '-');
    for (const s of t.shares) expect(out).toContain(`id="share:${s.id.replace('>', '&gt;')}"`);
  });
});
