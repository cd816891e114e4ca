// A map that fails never passes quietly (issue 26). For every share the engine refuses
// (ok false) there is an error finding of the refusal's own code at the share, carrying
// the engine's sentence; a finding that says a share fails is at a share that does; and
// the analysis is deterministic. Over 10,000 generated models (FC_RUNS to change it):
// half from the fuzzer's grammar generator (fuzz/gen.ts: every kind of importer, refused
// buffers), half from the engine properties' machines with everything that makes a map
// fail (genModel.ts RICH: 16 TiB and larger heaps and BARs, values wider than 64 bits,
// small apertures, swiotlb, non-PCI importers).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../server/src/analysis/analyze';
import { stepTexts } from '../../server/src/engine/types';
import { shareToJson } from '../../server/src/lsp/json';
import { Rng, generate } from '../../fuzz/gen';
import { analyzeText } from '../helpers/analyzeFile';
import { RICH, genModel, render } from './genModel';

const RUNS = Number(process.env['FC_RUNS'] ?? 10_000);

interface Input {
  readonly text: string;
  readonly files: Readonly<Record<string, string>>;
}

const fromFuzzer: fc.Arbitrary<Input> = fc.integer({ min: 1, max: 0x7fff_ffff }).map((seed) => generate(new Rng(seed)));
const fromMachines: fc.Arbitrary<Input> = genModel(RICH).map((m) => ({ text: render(m).text, files: {} }));

/** The refusal kinds seen, to show that the generators reach the failures that were quiet. */
const seen = new Map<string, number>();

function expectFailuresLoud(a: Analysis): void {
  const failing = new Set<string>();
  for (const o of a.engine?.shares ?? []) {
    const f = o.mapping.failure;
    expect(o.result.ok, `${o.share.name}: ok exactly when the engine states no refusal`).toBe(f === undefined);
    if (!f) continue;
    failing.add(o.share.name);
    seen.set(f.reason.kind, (seen.get(f.reason.kind) ?? 0) + 1);
    const decl = o.share.decl.span;
    const atShare = a.findings.filter(
      (x) => x.share === o.share.name && x.uri === o.share.uri && x.span.startOffset >= decl.startOffset && x.span.endOffset <= decl.endOffset,
    );
    const loud = atShare.some((x) => x.severity === 'error' && x.code === f.code && x.message.includes(f.message));
    expect(loud, `${o.share.name} fails quietly: ${f.code}: ${f.message}; findings at it: ${atShare.map((x) => x.code).join(', ') || 'none'}`).toBe(true);
  }
  for (const x of a.findings) {
    if (x.share && x.message.startsWith(`${x.share} fails: `)) expect(failing.has(x.share), `${x.code} says ${x.share} fails, but it maps`).toBe(true);
  }
}

function snapshot(a: Analysis): unknown {
  return {
    shares: a.shares.map(shareToJson),
    steps: a.shares.map((s) => stepTexts(s.explain)),
    findings: a.findings.map((f) => [f.code, f.severity, f.uri, f.span.startOffset, f.span.endOffset, f.message, f.share, f.related.map((r) => [r.message, r.span.startOffset])]),
  };
}

describe('failures are never quiet (fast-check)', () => {
  it(`every refused share has an error finding of its code at the share, on ${RUNS} models`, () => {
    fc.assert(
      fc.property(fc.oneof(fromFuzzer, fromMachines), (input) => {
        const once = analyzeText(input.text, input.files);
        expectFailuresLoud(once);
        // Deterministic: a second analysis of the same text says exactly the same.
        expect(snapshot(analyzeText(input.text, input.files))).toEqual(snapshot(once));
      }),
      { numRuns: RUNS },
    );
    // The refusals that used to be quiet are among those generated.
    if (RUNS >= 10_000) for (const kind of ['buffer-refused', 'heap-alloc-fails', 'sg-table-too-large', 'model-error']) expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(0);
  }, 120_000);
});
