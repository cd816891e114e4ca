// The architecture invariants of ARCHITECTURE.md, read from the sources: every import
// of server/src runs down the layers (ground → syntax → model → engine → rules →
// analysis → view/import → lsp), no file takes part in an import circle, and the CLI
// and the client reach the analysis only through the language server.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const SERVER = join(ROOT, 'server/src');

/** The rank of each layer: a file may import its own layer and the ones below it. */
const RANK: Record<string, number> = { ground: 0, syntax: 1, model: 2, engine: 3, rules: 4, analysis: 5, view: 6, import: 6, lsp: 7 };

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The project files a source imports or re-exports (type-only imports included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    const base = resolve(dirname(file), spec);
    for (const cand of [base + '.ts', join(base, 'index.ts'), base]) {
      try {
        if (statSync(cand).isFile()) {
          out.push(cand);
          break;
        }
      } catch {
        // not this form
      }
    }
  }
  return out;
}

const layerOf = (file: string) => relative(SERVER, file).split('/')[0]!;

describe('layers (ARCHITECTURE.md)', () => {
  const files = tsFiles(SERVER);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it('every folder of server/src is a known layer', () => {
    expect([...new Set(files.map(layerOf))].filter((l) => !(l in RANK))).toEqual([]);
  });

  it('no import runs up a layer or across to a sibling layer', () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      for (const d of deps) {
        const from = layerOf(f);
        const to = layerOf(d);
        if (from !== to && RANK[to]! >= RANK[from]!) bad.push(`${relative(ROOT, f)} → ${relative(ROOT, d)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the ground layer imports nothing of the project outside itself', () => {
    const ground = files.filter((f) => layerOf(f) === 'ground');
    expect(ground.length).toBeGreaterThan(0);
    expect(ground.flatMap((f) => graph.get(f)!.filter((d) => layerOf(d) !== 'ground'))).toEqual([]);
  });

  it('no file of server/src takes part in an import circle', () => {
    // Tarjan's strongly connected components over the file graph.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(relative(ROOT, w));
        } while (w !== v);
        if (scc.length > 1) circles.push(scc.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(circles).toEqual([]);
  });

  it('the CLI and the client reach the analysis only through the server (no syntax, model, engine or analysis import)', () => {
    const bad: string[] = [];
    for (const dir of ['cli/src', 'client/src']) {
      for (const f of tsFiles(join(ROOT, dir))) {
        for (const d of importsOf(f)) {
          if (!d.startsWith(SERVER)) continue;
          const layer = layerOf(d);
          if (['syntax', 'model', 'engine', 'analysis'].includes(layer)) bad.push(`${relative(ROOT, f)} → ${relative(ROOT, d)}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
