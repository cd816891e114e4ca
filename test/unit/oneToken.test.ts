// One deleted or inserted token gives at most two syntax errors, at or next to it
// (issue 22: one error per mistake, no cascades), on every sample and conformance
// example. Deterministic positions, bounded in time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dmabufLexer, tokenEnd } from '../../server/src/syntax/lexer';
import { LineIndex } from '../../server/src/syntax/lineIndex';
import { parse } from '../../server/src/syntax/parser';

const ROOT = join(__dirname, '..', '..');
const FILES = ['samples', 'test/conformance'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.dmabuf'))
    .sort()
    .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(ROOT, dir, f), 'utf8') })),
);

/** Mutations per file and kind: every token would take minutes on the big samples. */
const PER_FILE = 40;

interface Outcome {
  readonly what: string;
  readonly errors: string[];
}

/**
 * The errors of `text` when they are more than two, or one lies outside [from, to]: the
 * lines of the tokens on either side of the mutation, and one line more each way.
 */
function badOutcome(text: string, from: number, to: number, what: string): Outcome | undefined {
  const errs = parse(text).errors;
  const far = errs.filter((e) => e.span.start.line < from - 1 || e.span.start.line > to + 1);
  if (errs.length <= 2 && far.length === 0) return undefined;
  return { what, errors: errs.map((e) => `${e.span.start.line + 1}:${e.span.start.character + 1} ${e.message}`) };
}

/**
 * Mutations that still break the rule (more than two errors, or one further away),
 * out of about 1,700 (198 when this test was written, 214 once samples 18–25 came in): a ratchet, lowered as recovery gets better and raised only when samples are added.
 * Most left are a token that makes the parser re-sync inside a block (an inserted `{`,
 * a deleted keyword before a name), issue 22's remaining work.
 */
const STILL_BAD = 214;

describe('one token deleted or inserted: at most two syntax errors, at or next to it', () => {
  it('on every sample and conformance example, in a few seconds', () => {
    const start = performance.now();
    const bad: Outcome[] = [];
    let tried = 0;
    for (const f of FILES) {
      const tokens = dmabufLexer.tokenize(f.text).tokens;
      const lines = new LineIndex(f.text);
      const step = Math.max(1, Math.floor(tokens.length / PER_FILE));
      for (let k = 0; k < tokens.length; k += step) {
        const t = tokens[k]!;
        const line = lines.positionAt(t.startOffset).line;
        const from = k > 0 ? lines.positionAt(tokens[k - 1]!.startOffset).line : 0;
        const to = k + 1 < tokens.length ? lines.positionAt(tokens[k + 1]!.startOffset).line : line;
        const deleted = f.text.slice(0, t.startOffset) + f.text.slice(tokenEnd(t));
        const d = badOutcome(deleted, from, to, `${f.name}: deleted '${t.image}' at line ${line + 1}`);
        if (d) bad.push(d);
        // Insert a token of the file taken from elsewhere (its own kinds of words).
        const other = tokens[(k * 7 + 3) % tokens.length]!;
        const inserted = f.text.slice(0, t.startOffset) + other.image + ' ' + f.text.slice(t.startOffset);
        const i = badOutcome(inserted, from, line, `${f.name}: inserted '${other.image}' before '${t.image}' at line ${line + 1}`);
        if (i) bad.push(i);
        tried += 2;
      }
    }
    expect(tried).toBeGreaterThan(1500);
    expect(bad.length, JSON.stringify(bad.slice(0, 5), null, 1)).toBeLessThanOrEqual(STILL_BAD);
    expect(performance.now() - start).toBeLessThan(15_000);
  }, 30_000);
});
