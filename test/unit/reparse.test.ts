// Incremental parsing (server/src/syntax/reparse.ts): after any edit, `reparse` gives
// exactly what `parse` gives for the new text (trees, spans with their lines and
// characters, errors, comments, wide literals), and after a one-word edit it parses
// only the statement that holds it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateModel, mulberry32 } from '../../bench/generate';
import type { ParseResult } from '../../server/src/syntax/ast';
import { parse } from '../../server/src/syntax/parser';
import { reparse, reparsedStretch } from '../../server/src/syntax/reparse';

const ROOT = join(__dirname, '../..');
const SAMPLES = readdirSync(join(ROOT, 'samples'))
  .filter((f) => f.endsWith('.dmabuf'))
  .map((f) => readFileSync(join(ROOT, 'samples', f), 'utf8'));

/** The whole result as text; spans through toJSON, so lines and characters are compared too. */
const dump = (r: ParseResult) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** Pieces an editor's user may type or paste: statement keywords, braces, comment and string delimiters, bad characters. */
const PIECES = ['share', 'buffer', 'platform', 'use', ' ', '\n', '{', '}', '/*', '*/', '//', '"', '\\', '@', '0x1_0000', '99999999999999999999999', '4K', 'gpu0', 'x', '->', '..', 'attach static', 'share s2 = b -> gpu0 { }\n', 'buffer b from heap { size 4K }\n', '\r\n', '-'];

function randomEdit(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const del = rnd() < 0.5 ? Math.floor(rnd() * 12) : 0;
  let ins = '';
  if (del === 0 || rnd() < 0.6) {
    if (rnd() < 0.2) {
      const from = Math.floor(rnd() * text.length);
      ins = text.slice(from, from + Math.floor(rnd() * 80)); // a piece of the file itself
    } else ins = PIECES[Math.floor(rnd() * PIECES.length)]!;
  }
  return text.slice(0, at) + ins + text.slice(Math.min(text.length, at + del));
}

describe('reparse', () => {
  it('equals parse after every one of a run of random edits, each applied to the last result', () => {
    const rnd = mulberry32(7);
    const texts = [...SAMPLES, generateModel({ lines: 400, seed: 3 })];
    let checked = 0;
    for (const start of texts) {
      let text = start;
      let result = parse(text);
      for (let i = 0; i < 60; i++) {
        const next = randomEdit(text, rnd);
        const incremental = reparse(text, result, next);
        const full = parse(next);
        if (dump(incremental) !== dump(full)) {
          // The smallest report: the edit that broke it.
          expect({ before: text, after: next, result: dump(incremental) }).toEqual({ before: text, after: next, result: dump(full) });
        }
        checked++;
        text = next;
        result = incremental;
      }
    }
    expect(checked).toBe(texts.length * 60);
  });

  it('a one-word edit inside a share parses that share only; the rest are the old trees, moved', () => {
    const text = generateModel({ lines: 2000, seed: 1 });
    const old = parse(text);
    const at = text.indexOf('attach static', text.length / 2);
    const next = text.slice(0, at) + 'attach dynamic' + text.slice(at + 'attach static'.length);
    const s = reparsedStretch(text, old, next)!;
    expect(s).toBeDefined();
    const share = old.model.items.find((it) => it.span.startOffset <= at && at < it.span.endOffset)!;
    expect(share.kind).toBe('Share');
    expect(s.from).toBe(share.span.startOffset);
    expect(s.next - s.first).toBe(1);
    expect(dump(reparse(text, old, next))).toBe(dump(parse(next)));
  });

  it('an edit that opens a comment over the statements after it parses the whole text', () => {
    const text = SAMPLES[0]!;
    const old = parse(text);
    const at = text.indexOf('share');
    const next = text.slice(0, at) + '/* ' + text.slice(at);
    expect(reparsedStretch(text, old, next)).toBeUndefined();
    expect(dump(reparse(text, old, next))).toBe(dump(parse(next)));
  });
});
