// Small, exact text edits for quick fixes: insert a statement into a block, after a
// statement, or replace a word. Every edit touches as little text as it can (an
// insertion where possible) and follows the layout it finds: one statement per line
// with the block's own indentation, or the same line when the block is written inline.

import type { TextEdit } from 'vscode-languageserver/node';
import { LineIndex } from '../syntax/lineIndex';
import { isLineComment, type Block, type Lexed } from './tokens';

/** An edit by offsets into one file's text. */
export interface OffsetEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function toTextEdits(text: string, edits: readonly OffsetEdit[]): TextEdit[] {
  const lines = new LineIndex(text);
  return [...edits]
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((e) => ({ range: { start: lines.positionAt(e.start), end: lines.positionAt(e.end) }, newText: e.text }));
}

/** True when no two edits overlap (two insertions at one offset count as overlapping: their order would be ambiguous). */
export function disjoint(edits: readonly OffsetEdit[]): boolean {
  const s = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < s.length; i++) {
    const p = s[i - 1]!;
    const c = s[i]!;
    if (c.start < p.end || (c.start === p.start && c.start === c.end && p.start === p.end)) return false;
  }
  return true;
}

function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function lineEnd(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

function lineNumber(lines: LineIndex, offset: number): number {
  return lines.positionAt(offset).line;
}

/** The leading white space of the line that holds `offset`. */
function indentAt(text: string, offset: number): string {
  const s = lineStart(text, offset);
  let e = s;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  return text.slice(s, e);
}

/** The file's line break: the first one found, else `\n`. */
function eolOf(text: string): string {
  const m = /\r\n|\n|\r/.exec(text);
  return m ? m[0] : '\n';
}

function onlyBlanksBefore(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

function unitFor(indent: string): string {
  return indent.includes('\t') ? '\t' : '  ';
}

/**
 * Inserts statements at the end of a block. A block whose `}` stands on its own line
 * gets one new line per statement before the `}`, indented like the block's first
 * statement (or one level deeper than the `}`); an inline block gets the statements
 * after its last token (on a new line when that is a `//` comment); an empty inline
 * block `{}` becomes `{ a b }`.
 */
export function insertIntoBlock(text: string, lexed: Lexed, block: Block, statements: readonly string[]): OffsetEdit {
  const lines = new LineIndex(text);
  const inside = lexed.all.filter((t) => t.start > block.open && t.end <= block.close);
  const firstCode = lexed.tokens.find((t) => t.start > block.open && t.end <= block.close);
  const closeLine = lineNumber(lines, block.close);
  if (onlyBlanksBefore(text, block.close) && lineNumber(lines, block.open) < closeLine) {
    const closeIndent = indentAt(text, block.close);
    const indent =
      firstCode && lineNumber(lines, firstCode.start) > lineNumber(lines, block.open) && onlyBlanksBefore(text, firstCode.start)
        ? indentAt(text, firstCode.start)
        : closeIndent + unitFor(closeIndent);
    const eol = eolOf(text);
    const at = lineStart(text, block.close);
    return { start: at, end: at, text: statements.map((s) => indent + s + eol).join('') };
  }
  const lastInside = inside[inside.length - 1];
  if (!lastInside) {
    const at = block.open + 1;
    const spaced = /[ \t]/.test(text[at] ?? '');
    return { start: at, end: at, text: ' ' + statements.join(' ') + (spaced ? '' : ' ') };
  }
  // A `//` comment runs to the end of its line: text put right after it would be
  // comment too (a bug found by the fuzzer). The statements go on a new line.
  if (isLineComment(lastInside)) return { start: lastInside.end, end: lastInside.end, text: eolOf(text) + indentAt(text, lastInside.start) + statements.join(' ') };
  return { start: lastInside.end, end: lastInside.end, text: ' ' + statements.join(' ') };
}

/**
 * Inserts a statement right after another one (`stmtEnd` is its end offset): on a new
 * line with the same indentation when the next token starts on a later line (after any
 * comment that trails the statement), else on the same line.
 */
export function insertAfterStatement(text: string, lexed: Lexed, stmtStart: number, stmtEnd: number, statement: string): OffsetEdit {
  const lines = new LineIndex(text);
  const endLine = lineNumber(lines, stmtEnd);
  const next = lexed.tokens.find((t) => t.start >= stmtEnd);
  if (next && lineNumber(lines, next.start) === endLine) return { start: stmtEnd, end: stmtEnd, text: ' ' + statement };
  let at = stmtEnd;
  for (const c of lexed.comments) {
    if (c.start >= stmtEnd && lineNumber(lines, c.start) === endLine) at = Math.max(at, c.end);
  }
  // A trailing block comment that runs onto later lines: stay on its last line.
  if (at > lineEnd(text, stmtEnd)) return { start: at, end: at, text: ' ' + statement };
  const indent = onlyBlanksBefore(text, stmtStart)
    ? indentAt(text, stmtStart)
    : next && onlyBlanksBefore(text, next.start) && next.image !== '}'
      ? indentAt(text, next.start)
      : indentAt(text, stmtStart) + unitFor(indentAt(text, stmtStart));
  return { start: at, end: at, text: eolOf(text) + indent + statement };
}
