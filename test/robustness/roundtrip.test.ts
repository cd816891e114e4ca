// Quick fixes and formatting never lose text: applied and undone (by LSP positions, as a
// client does) they give back the original document, keep every comment, and the
// formatter keeps the token stream and is idempotent. Checked with the fuzzer's own
// checks (fuzz/checks.ts) on every sample and on a fixed set of generated and mutated
// models, so that a plain `npm test` runs a small, deterministic fuzzing round too.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInProcess, type Stats } from '../../fuzz/checks';
import { generate, nextInput, Rng } from '../../fuzz/gen';
import { ROOT } from '../lsp/helpers';

const SAMPLES = ['samples', 'test/conformance'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.dmabuf'))
    .sort()
    .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(ROOT, dir, f), 'utf8') })),
);

describe('quick fixes and formatting round-trip', () => {
  for (const s of SAMPLES) {
    it(`${s.name}, and with CRLF line ends`, () => {
      for (const text of [s.text, s.text.replace(/\n/g, '\r\n')]) {
        const r = checkInProcess({ text, files: {}, how: s.name }, { timeLimitMs: 2000, probes: [text.length >> 1, text.length >> 2, text.length >> 3] });
        expect(r.failures).toEqual([]);
        expect(r.stats.formatted).toBe(1);
      }
    });
  }

  it('400 generated and mutated models (seed 2026): no failure, and fixes and formatting were exercised', () => {
    const samples = SAMPLES.map((s) => s.text);
    const master = new Rng(2026);
    const total: Stats = { shares: 0, findings: 0, fixes: 0, formatted: 0 };
    for (let i = 0; i < 400; i++) {
      const seed = master.u32();
      const r = new Rng(seed);
      const input = i % 4 === 0 ? generate(r) : nextInput(r, samples);
      const res = checkInProcess(input, { timeLimitMs: 2000, probes: [r.int(input.text.length + 1), r.int(input.text.length + 1)] });
      expect(res.failures, `input ${i}, seed ${seed} (${input.how})`).toEqual([]);
      for (const k of Object.keys(total) as (keyof Stats)[]) total[k] += res.stats[k];
    }
    expect(total.fixes).toBeGreaterThan(50);
    expect(total.formatted).toBeGreaterThan(50);
    expect(total.shares).toBeGreaterThan(100);
  }, 120_000);
});
