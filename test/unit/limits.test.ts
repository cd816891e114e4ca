// Limits that keep hostile input from crashing or hanging the analysis (docs/robustness.md).
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, parse } from '../../server/src/syntax/parser';
import { analyzeText } from '../helpers/analyzeFile';

function nested(depth: number): string {
  const open = Array.from({ length: depth }, (_, k) => `switch s${k} {`).join('\n');
  return `platform p {\n  host_bridge hb {\n${open}\n${'}\n'.repeat(depth)}  }\n}\nbuffer b from heap { size 4K }\n`;
}

describe('nesting depth cap', () => {
  it('100,000 nested blocks give one syntax error at the first block too deep, and no crash', () => {
    const text = nested(100_000);
    const r = parse(text);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(`deeper than ${MAX_NESTING}`);
    // The offending `{` is the one that opens level MAX_NESTING + 1 (platform and host_bridge are levels 1 and 2).
    expect(r.errors[0]!.span.start.line).toBe(MAX_NESTING - 2 + 2);
    // The statements after it are still read.
    expect(r.model.items.map((x) => x.kind)).toEqual(['Buffer']);
    const a = analyzeText(text);
    expect(a.findings.map((f) => f.code)).toEqual(['syntax-error', 'missing-platform']);
  });

  it('a model exactly at the cap parses', () => {
    const r = parse(nested(MAX_NESTING - 2));
    expect(r.errors).toEqual([]);
  });
});
