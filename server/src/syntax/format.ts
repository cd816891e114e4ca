// The canonical layout of a .dmabuf file (docs/language.md §2, §3).
//
// The formatter works on the lexer's token stream plus its comments group; it never
// looks at the tree. Where a statement starts is known from the grammar: in each kind
// of block a fixed set of keywords begins a statement (`STARTERS`); a `{` opens the
// kind of block that belongs to the keyword that began its statement (`OPENS`).
//
// Layout:
// - two spaces of indentation per brace level; one statement per line; `{` at the end
//   of the line that opens it; `}` on its own line; an empty block (no token and no
//   comment inside) prints as `{}`;
// - one space between tokens, none before `,`; token texts are never changed;
// - a blank line between top-level statements, except between two consecutive
//   statements of the same kind among `use`, `buffer`, `share` that both print as a
//   single line (e.g. `share a -> b` lines, `use "…"` lines). The rule looks only at
//   the formatted output, so it is idempotent. Blank lines inside blocks are not kept;
// - a comment with a line break before it (or at the start of the file) is an
//   own-line comment: it stays on its own line, indented as the token that follows it
//   (statement level, block-contents level before `}`, continuation level before the
//   rest of a statement), and is followed by a line break. Any other comment trails
//   the item before it on the same line; after a trailing `// …` the line ends, and a
//   token that does not start a statement continues on the next line with one more
//   level of indentation. Comment texts (block comments included) are kept verbatim;
// - line breaks are CRLF when the input's first line break is CRLF, else LF. Line
//   breaks inside block comments are kept verbatim and are not counted unless there is
//   no other (else a comment could flip the style on the next run). The text ends with
//   exactly one line break; an empty or blank input gives the empty text; a byte-order
//   mark is kept.
//
// A file with any syntax error (lexer or parser) is refused. As a safety net the
// output is lexed again and must give the same tokens and comments, else the file is
// refused too: the formatter never drops, adds or reorders a token or comment.

import type { IToken } from 'chevrotain';
import { Comma, dmabufLexer, isKeyword, LBrace, LineComment, Name, RBrace, tokenEnd } from './lexer';
import { parse } from './parser';
import { BLOCK_OPENED_BY, STATEMENT_STARTERS, type BlockKind } from './blocks';

type FormatResult = { ok: true; text: string } | { ok: false; reason: string };

export interface TextEdit {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly newText: string;
}

/** The keywords that begin a statement in each kind of block, as sets. */
const STARTERS = {} as Record<BlockKind, ReadonlySet<string>>;
for (const k of Object.keys(STATEMENT_STARTERS) as BlockKind[]) STARTERS[k] = new Set(STATEMENT_STARTERS[k]);
const OPENS = BLOCK_OPENED_BY;

/** Top-level statements that may follow one another without a blank line when both print on one line. */
const GROUPABLE = new Set(['use', 'buffer', 'share']);

interface Role {
  /** The token begins a statement. */
  readonly start: boolean;
  /** Brace level of the statement the token belongs to (for `}`: of the statement it closes). */
  readonly level: number;
}

/** Marks the tokens that begin statements, following the block structure of §3. */
function roles(tokens: readonly IToken[]): Role[] {
  const out: Role[] = [];
  const blocks: BlockKind[] = ['top'];
  // The statement being read in each open block: its keyword and whether `size` was seen.
  const stmts: ({ kw: string; sawSize: boolean } | undefined)[] = [undefined];
  for (const t of tokens) {
    const depth = blocks.length - 1;
    if (t.tokenType === LBrace) {
      const opener = stmts[depth]?.kw ?? '';
      blocks.push(OPENS[opener] ?? 'top');
      stmts.push(undefined);
      out.push({ start: false, level: depth });
      continue;
    }
    if (t.tokenType === RBrace) {
      if (blocks.length > 1) {
        blocks.pop();
        stmts.pop();
      }
      out.push({ start: false, level: blocks.length - 1 });
      continue;
    }
    const kind = blocks[depth]!;
    // `version` is a word only at the start of a kernel-block statement (parser.ts, kernelDecl).
    const word = isWord(t) ? t.image : kind === 'kernel' && t.image === 'version' ? 'version' : '';
    const cur = stmts[depth];
    // In a buffer, `range offset S size S`: the first `size` after `range` is its own.
    const rangeSize = kind === 'buffer' && word === 'size' && cur?.kw === 'range' && !cur.sawSize;
    if (word && STARTERS[kind].has(word) && !rangeSize) {
      stmts[depth] = { kw: word, sawSize: false };
      out.push({ start: true, level: depth });
    } else {
      if (cur && word === 'size') cur.sawSize = true;
      out.push({ start: false, level: depth });
    }
  }
  return out;
}

/** A keyword token (names and literals never begin a statement). */
function isWord(t: IToken): boolean {
  return t.tokenType !== Name && isKeyword(t.image);
}

type Item =
  | { readonly kind: 'token'; readonly tok: IToken; readonly role: Role; readonly start: number; readonly end: number }
  | { readonly kind: 'comment'; readonly text: string; readonly isLine: boolean; readonly ownLine: boolean; readonly start: number; readonly end: number };

interface Chunk {
  /** The keyword of the top-level statement, or '' for comments at the end of the file. */
  readonly keyword: string;
  readonly items: Item[];
}

interface Layout {
  /** Per top-level chunk: source offsets of its first and last item, and where its text (with the line breaks before it) lies in the output. */
  readonly chunks: { readonly srcStart: number; readonly srcEnd: number; readonly outStart: number; readonly outEnd: number }[];
  readonly text: string;
}

function layout(text: string): { ok: true; layout: Layout } | { ok: false; reason: string } {
  const parsed = parse(text);
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0]!;
    const n = parsed.errors.length;
    return {
      ok: false,
      reason: `not formatted: ${n} syntax error${n === 1 ? '' : 's'}, the first at line ${e.span.start.line + 1}, column ${e.span.start.character + 1}: ${e.message}`,
    };
  }
  const lexed = dmabufLexer.tokenize(text);
  const tokens = lexed.tokens;
  const comments = lexed.groups['comments'] ?? [];
  const tokenRoles = roles(tokens);

  // Merge tokens and comments in source order.
  const items: Item[] = [];
  let ti = 0;
  let ci = 0;
  let prevEnd = -1;
  while (ti < tokens.length || ci < comments.length) {
    const takeComment = ci < comments.length && (ti >= tokens.length || comments[ci]!.startOffset < tokens[ti]!.startOffset);
    if (takeComment) {
      const c = comments[ci++]!;
      const gap = prevEnd < 0 ? '' : text.slice(prevEnd, c.startOffset);
      items.push({
        kind: 'comment',
        text: c.image,
        isLine: c.tokenType === LineComment,
        ownLine: prevEnd < 0 || /[\r\n]/.test(gap),
        start: c.startOffset,
        end: tokenEnd(c),
      });
      prevEnd = tokenEnd(c);
    } else {
      const t = tokens[ti]!;
      items.push({ kind: 'token', tok: t, role: tokenRoles[ti]!, start: t.startOffset, end: tokenEnd(t) });
      ti++;
      prevEnd = tokenEnd(t);
    }
  }

  // Cut into top-level chunks: own-line comments go with the statement after them,
  // trailing comments with the statement before them.
  const chunks: Chunk[] = [];
  let current: Chunk | undefined;
  let pending: Item[] = [];
  for (const it of items) {
    if (it.kind === 'token' && it.role.start && it.role.level === 0) {
      current = { keyword: it.tok.image, items: [...pending, it] };
      chunks.push(current);
      pending = [];
    } else if (it.kind === 'comment' && current && pending.length === 0 && !it.ownLine) {
      current.items.push(it);
    } else if (it.kind === 'comment') {
      pending.push(it);
    } else {
      // A token inside the current statement (any pending comments are before it).
      if (current) current.items.push(...pending, it);
      pending = [];
    }
  }
  if (pending.length > 0) chunks.push({ keyword: '', items: pending });

  const eol = lineBreakOf(text, items);
  const bom = text.startsWith('\ufeff') ? '\ufeff' : '';

  let out = bom;
  const placed: { srcStart: number; srcEnd: number; outStart: number; outEnd: number }[] = [];
  let prev: { keyword: string; oneLine: boolean } | undefined;
  for (const chunk of chunks) {
    const lines = printChunk(chunk.items);
    const oneLine = chunk.keyword !== '' && lines.length === 1 && !/[\r\n]/.test(lines[0]!);
    const outStart = out.length;
    if (prev) {
      const grouped = prev.oneLine && oneLine && prev.keyword === chunk.keyword && GROUPABLE.has(chunk.keyword);
      out += grouped ? eol : eol + eol;
    }
    out += lines.join(eol);
    placed.push({ srcStart: chunk.items[0]!.start, srcEnd: chunk.items[chunk.items.length - 1]!.end, outStart, outEnd: out.length });
    prev = { keyword: chunk.keyword, oneLine };
  }
  if (chunks.length > 0) out += eol;

  const check = sameStream(text, out);
  if (check) return { ok: false, reason: `not formatted: internal error, ${check}` };
  return { ok: true, layout: { chunks: placed, text: out } };
}

/**
 * CRLF when the first line break of the text is CRLF, else LF. Line breaks inside
 * block comments are kept verbatim, so they count only when there is no other: that
 * way the output, whose own line breaks all use the chosen style, gives it again.
 */
function lineBreakOf(text: string, items: readonly Item[]): string {
  const BREAK = /\r\n|\n|\r/;
  let from = 0;
  for (let k = 0; k <= items.length; k++) {
    const m = BREAK.exec(text.slice(from, k < items.length ? items[k]!.start : text.length));
    if (m) return m[0] === '\r\n' ? '\r\n' : '\n';
    if (k < items.length) from = items[k]!.end;
  }
  const m = BREAK.exec(text);
  return m && m[0] === '\r\n' ? '\r\n' : '\n';
}

function indent(level: number): string {
  return '  '.repeat(level);
}

/** The lines of one top-level chunk (a line may hold the line breaks of a block comment). */
function printChunk(items: readonly Item[]): string[] {
  const lines: string[] = [];
  let cur: string | undefined;
  let afterOpen = false;
  const flush = () => {
    if (cur !== undefined) lines.push(cur);
    cur = undefined;
  };
  /** The indentation of an own-line comment: that of the token after it. */
  const commentIndent = (k: number): string => {
    for (let j = k + 1; j < items.length; j++) {
      const it = items[j]!;
      if (it.kind !== 'token') continue;
      // A statement's own level; before `}` the level of the block's contents, which is
      // also the continuation level of a statement.
      return indent(it.role.start ? it.role.level : it.role.level + 1);
    }
    return '';
  };
  for (let k = 0; k < items.length; k++) {
    const it = items[k]!;
    if (it.kind === 'comment') {
      if (it.ownLine || cur === undefined) {
        flush();
        cur = commentIndent(k) + it.text;
        flush();
      } else {
        cur += ' ' + it.text;
        if (it.isLine) flush();
      }
      afterOpen = false;
      continue;
    }
    const { tok, role } = it;
    if (role.start) {
      flush();
      cur = indent(role.level) + tok.image;
    } else if (tok.tokenType === RBrace) {
      if (afterOpen && cur !== undefined) {
        cur += tok.image;
      } else {
        flush();
        cur = indent(role.level) + tok.image;
      }
    } else if (cur === undefined) {
      cur = indent(role.level + 1) + tok.image;
    } else {
      cur += (tok.tokenType === Comma ? '' : ' ') + tok.image;
    }
    afterOpen = tok.tokenType === LBrace;
  }
  flush();
  return lines;
}

/** undefined when `after` lexes to the same tokens and comments as `before`, else what differs. */
function sameStream(before: string, after: string): string | undefined {
  const a = dmabufLexer.tokenize(before);
  const b = dmabufLexer.tokenize(after);
  if (b.errors.length > 0) return 'the output does not lex';
  const ta = a.tokens.map((t) => `${t.tokenType.name} ${t.image}`);
  const tb = b.tokens.map((t) => `${t.tokenType.name} ${t.image}`);
  if (ta.length !== tb.length || ta.some((x, i) => x !== tb[i])) return 'the tokens changed';
  const ca = (a.groups['comments'] ?? []).map((t) => t.image);
  const cb = (b.groups['comments'] ?? []).map((t) => t.image);
  if (ca.length !== cb.length || ca.some((x, i) => x !== cb[i])) return 'the comments changed';
  return undefined;
}

/**
 * The last layout and its text. A layout is a function of the text alone, and the same
 * text is often laid out twice in a row: formatting and range formatting of one version
 * of a document, or the fuzzer's checks of both (fuzz/checks.ts).
 */
let lastLayout: { readonly text: string; readonly result: ReturnType<typeof layout> } | undefined;

function layoutOf(text: string): ReturnType<typeof layout> {
  if (lastLayout?.text !== text) lastLayout = { text, result: layout(text) };
  return lastLayout.result;
}

/** The whole file in canonical layout, or the reason it was not formatted (syntax errors). */
export function format(text: string): FormatResult {
  const r = layoutOf(text);
  return r.ok ? { ok: true, text: r.layout.text } : r;
}

/**
 * Edits that put the top-level statements overlapping `[startOffset, endOffset]` (with
 * their comments and the blank lines before them) in canonical layout. Nothing for a
 * file with syntax errors. The edits do not overlap and are sorted by offset.
 */
export function formatRange(text: string, startOffset: number, endOffset: number): TextEdit[] {
  const r = layoutOf(text);
  if (!r.ok) return [];
  const { chunks, text: out } = r.layout;
  if (chunks.length === 0) return out === text ? [] : [{ startOffset: 0, endOffset: text.length, newText: out }];
  const lo = Math.min(startOffset, endOffset);
  const hi = Math.max(startOffset, endOffset);
  const edits: TextEdit[] = [];
  chunks.forEach((c, k) => {
    if (c.srcStart > hi || c.srcEnd < lo) return;
    // Regions partition both texts: chunk k owns everything after chunk k-1 up to its
    // own end (up to the end of the text for the last chunk).
    const last = k === chunks.length - 1;
    const srcFrom = k === 0 ? 0 : chunks[k - 1]!.srcEnd;
    const srcTo = last ? text.length : c.srcEnd;
    const outFrom = k === 0 ? 0 : chunks[k - 1]!.outEnd;
    const outTo = last ? out.length : c.outEnd;
    const edit = minimalEdit(text, srcFrom, srcTo, out.slice(outFrom, outTo));
    if (edit) edits.push(edit);
  });
  return edits;
}

/** The replacement of `text[from, to)` by `replacement`, without the common prefix and suffix. */
function minimalEdit(text: string, from: number, to: number, replacement: string): TextEdit | undefined {
  const old = text.slice(from, to);
  if (old === replacement) return undefined;
  let p = 0;
  const max = Math.min(old.length, replacement.length);
  while (p < max && old.charCodeAt(p) === replacement.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && old.charCodeAt(old.length - 1 - s) === replacement.charCodeAt(replacement.length - 1 - s)) s++;
  // Never start or end an edit between the two characters of a CRLF.
  if (p > 0 && old.charCodeAt(p - 1) === 13) p--;
  const before = old.length - s - 1 >= 0 ? old.charCodeAt(old.length - s - 1) : text.charCodeAt(from - 1);
  // Nor between a CR that ends the new text and the LF after it (the two join in the result).
  const newBefore = replacement.length - s - 1 >= 0 ? replacement.charCodeAt(replacement.length - s - 1) : text.charCodeAt(from - 1);
  if (s > 0 && old.charCodeAt(old.length - s) === 10 && (before === 13 || newBefore === 13)) s--;
  return { startOffset: from + p, endOffset: to - s, newText: replacement.slice(p, replacement.length - s) };
}
