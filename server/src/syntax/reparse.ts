// Incremental parsing for typing: the new text of a file is parsed again only from the
// top-level statement before the edit to the first statement after it; the statements
// around that stretch are the old trees, moved by the edit's length. `parse()` cuts
// the token stream before every `use`, `platform`, `buffer` and `share` and parses
// each statement on its own (parser.ts), so a statement's tree depends only on its
// own text: reusing it is exact as long as the tokens of the new text split at the
// same places, which `reparse` checks by lexing the edited stretch and the statement
// keyword after it. When it cannot tell, it parses the whole text.
//
// The result equals `parse(text)` (test/unit/reparse.test.ts compares them over random
// edits): the same trees, spans, errors, comments and wide literals.

import type { IToken } from 'chevrotain';
import type * as A from './ast';
import * as T from './lexer';
import { LineIndex, SourceSpan } from './lineIndex';
import { parse } from './parser';

const STATEMENT_KEYWORDS = new Set([T.kw('use'), T.kw('platform'), T.kw('buffer'), T.kw('share')]);

/** A statement keyword (all four are letters only) at `offset`, or undefined. */
function keywordAt(text: string, offset: number): string | undefined {
  const m = /[A-Za-z_][A-Za-z0-9_]*/y;
  m.lastIndex = offset;
  const word = m.exec(text)?.[0];
  return word === 'use' || word === 'platform' || word === 'buffer' || word === 'share' ? word : undefined;
}

/** Characters compared at once by `commonEnds` (substring equality compares whole runs). */
const BLOCK = 1024;

/**
 * `oldText` → `text`: the common prefix and suffix lengths (they do not overlap). Blocks
 * first, then characters: a charCodeAt loop over a 10,000-line text took about 2 ms.
 */
function commonEnds(oldText: string, text: string): { prefix: number; suffix: number } {
  const max = Math.min(oldText.length, text.length);
  let prefix = 0;
  while (prefix + BLOCK <= max && oldText.substring(prefix, prefix + BLOCK) === text.substring(prefix, prefix + BLOCK)) prefix += BLOCK;
  while (prefix < max && oldText.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  const room = max - prefix;
  const oldEnd = oldText.length;
  const end = text.length;
  let suffix = 0;
  while (suffix + BLOCK <= room && oldText.substring(oldEnd - suffix - BLOCK, oldEnd - suffix) === text.substring(end - suffix - BLOCK, end - suffix)) suffix += BLOCK;
  while (suffix < room && oldText.charCodeAt(oldEnd - 1 - suffix) === text.charCodeAt(end - 1 - suffix)) suffix++;
  return { prefix, suffix };
}

/**
 * How a copy is made: every span moved by `shift` and read through `lines`. Trees share
 * no objects (each node is made once by the parser), except that the wide literals of a
 * parse result are nodes of its trees: their copies are noted in `copies`.
 */
interface Relocation {
  shift: number;
  readonly lines: LineIndex;
  readonly wide: ReadonlySet<object>;
  readonly copies: Map<object, unknown>;
}

/** A copy of a tree (or any part of a parse result), relocated. */
function relocate<V>(v: V, r: Relocation): V {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof SourceSpan) return new SourceSpan(v.startOffset + r.shift, v.endOffset + r.shift, r.lines) as V;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = relocate(v[i] as unknown, r);
    return out as V;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = relocate((v as Record<string, unknown>)[k], r);
  if (typeof out['value'] === 'bigint' && r.wide.has(v)) r.copies.set(v, out);
  return out as V;
}

/** Where the stretch to parse again starts and ends, in the old text; undefined: parse it all. */
function stretch(old: A.ParseResult, oldLength: number, prefix: number, suffix: number): { from: number; to: number; first: number; next: number } | undefined {
  const items = old.model.items;
  // Chunk k runs from the start of statement k to the start of the next (the head chunk,
  // before the first statement, from 0). A statement that could not be read has no
  // tree: it stays inside the chunk of the one before it.
  const starts: number[] = [0];
  for (const it of items) {
    const s = it.span.startOffset;
    if (s < starts[starts.length - 1]!) return undefined;
    if (s > starts[starts.length - 1]!) starts.push(s);
  }
  const headChunk = items.length === 0 || items[0]!.span.startOffset > 0;
  const changedEnd = oldLength - suffix;
  // The first chunk to parse again: the last one that starts before the edit (its end,
  // the next statement keyword, is at or after it; the char there may be changed).
  let f = 0;
  while (f + 1 < starts.length && starts[f + 1]! < prefix) f++;
  // The first chunk after the edit that is kept: it starts in the unchanged suffix.
  let m = f + 1;
  while (m < starts.length && starts[m]! < changedEnd) m++;
  const from = starts[f]!;
  const to = m < starts.length ? starts[m]! : oldLength;
  // Item indices: items before `first` are kept before, items from `next` on after.
  const itemIndex = (chunk: number) => Math.max(0, chunk - (headChunk ? 1 : 0));
  return { from, to, first: itemIndex(f), next: m < starts.length ? itemIndex(m) : items.length };
}

/**
 * Whether the new text's tokens from `from` split as the old ones did: the stretch
 * starts with a statement keyword (unless it is the start of the file) and a statement
 * keyword of the same length starts at `to`, where the kept statements resume.
 */
function splitsAlike(text: string, from: number, to: number, resumes: boolean): boolean {
  const word = resumes ? keywordAt(text, to) : undefined;
  if (resumes && word === undefined) return false;
  // A word or number right before `to` would be lexed differently with and without the
  // keyword after it (WORD_END, longer_alt): the stretch must end on another character.
  if (resumes && /[A-Za-z0-9_]/.test(text.charAt(to - 1))) return false;
  const end = resumes ? Math.min(text.length, to + word!.length + 1) : text.length;
  const tokens: IToken[] = T.dmabufLexer.tokenize(text.slice(from, end)).tokens;
  if (from > 0 && (tokens.length === 0 || tokens[0]!.startOffset !== 0 || !STATEMENT_KEYWORDS.has(tokens[0]!.tokenType))) return false;
  if (!resumes) return true;
  const at = to - from;
  // Tokens are in order: the last one that starts at or before `at` must start at it.
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.startOffset > at) continue;
    return t.startOffset === at && STATEMENT_KEYWORDS.has(t.tokenType) && t.image.length === word!.length;
  }
  return false;
}

/**
 * The stretch of the old text [from, to) that `reparse` parses again (in the new text it
 * ends where the kept statements resume), and the items kept before (`first`) and
 * after it (from `next`); undefined when the whole text must be parsed.
 */
export function reparsedStretch(oldText: string, old: A.ParseResult, text: string): { from: number; to: number; first: number; next: number } | undefined {
  const { prefix, suffix } = commonEnds(oldText, text);
  const s = stretch(old, oldText.length, prefix, suffix);
  if (!s) return undefined;
  const resumes = s.to < oldText.length;
  const to = resumes ? s.to + text.length - oldText.length : text.length;
  return splitsAlike(text, s.from, to, resumes) ? s : undefined;
}

/**
 * `parse(text)`, reusing the trees of `old` (the parse of `oldText`) for the statements
 * that the edit from `oldText` to `text` did not touch.
 */
export function reparse(oldText: string, old: A.ParseResult, text: string): A.ParseResult {
  if (oldText === text) return old;
  // Error recovery reads across statements (a block closed by indentation, a misspelled
  // statement keyword, parser.ts and recover.ts): with an error on either side, parse all.
  if (old.errors.length > 0) return parse(text);
  const s = reparsedStretch(oldText, old, text);
  if (!s) return parse(text);
  const shift = text.length - oldText.length;
  const resumes = s.to < oldText.length;
  const to = resumes ? s.to + shift : text.length;

  const mid = parse(text.slice(s.from, to));
  if (mid.errors.length > 0) return parse(text);
  const r: Relocation = { shift: 0, lines: new LineIndex(text), wide: new Set([...old.wideLiterals, ...mid.wideLiterals]), copies: new Map() };
  const moved = <X>(xs: readonly X[], shift: number): X[] => {
    r.shift = shift;
    return xs.map((x) => relocate(x, r));
  };
  // An empty error at the start of the kept statements belongs to the statement before
  // them (a missing token after its last one): it is in the stretch parsed again. One
  // at the start of the stretch belongs to the statement before the stretch.
  const before = (x: { span: A.Span }) => x.span.startOffset < s.from || (x.span.startOffset === s.from && x.span.endOffset === s.from && s.from > 0);
  const after = (x: { span: A.Span }) => resumes && (x.span.startOffset > s.to || (x.span.startOffset === s.to && x.span.endOffset > s.to));
  const pieces = <X extends { span: A.Span }>(xs: readonly X[], middle: readonly X[]): X[] => [...moved(xs.filter(before), 0), ...moved(middle, s.from), ...moved(xs.filter(after), shift)];
  const items = [...moved(old.model.items.slice(0, s.first), 0), ...moved(mid.model.items, s.from), ...moved(old.model.items.slice(s.next), shift)];
  // The wide literals of the kept and the new trees, in order, as their copies.
  const wide = [...old.wideLiterals.filter((l) => l.span.startOffset < s.from), ...mid.wideLiterals, ...old.wideLiterals.filter((l) => resumes && l.span.startOffset >= s.to)];
  return {
    model: { kind: 'Model', items, span: new SourceSpan(0, text.length, r.lines) },
    errors: dedupe(pieces(old.errors, mid.errors)),
    comments: pieces(old.comments, mid.comments),
    wideLiterals: wide.map((l) => r.copies.get(l) as A.IntLit | undefined).filter((l): l is A.IntLit => l !== undefined),
  };
}

/** As parse() does: one error per place, in order of their start. */
function dedupe(errors: A.SyntaxError[]): A.SyntaxError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.span.startOffset}:${e.span.endOffset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
