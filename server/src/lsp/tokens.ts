// The token stream of a file, for the features that work below the syntax tree:
// braces (blocks, folding), comments, the statement the cursor is in (completion) and
// the place a fix inserts text. An adapter over syntax/lexer.ts: nothing here changes
// what the language means.

import type { IToken } from 'chevrotain';
import {
  BlockComment,
  dmabufLexer,
  isKeyword,
  LBrace,
  LineComment,
  Name,
  RBrace,
  StringLiteral,
  tokenEnd,
  UnterminatedComment,
  UnterminatedString,
} from '../syntax/lexer';

export interface Tok {
  readonly image: string;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly type: IToken['tokenType'];
}

export interface Lexed {
  /** Tokens without comments, in order. */
  readonly tokens: readonly Tok[];
  /** Comments (and unterminated comments), in order. */
  readonly comments: readonly Tok[];
  /** Both, in order. */
  readonly all: readonly Tok[];
}

function tok(t: IToken): Tok {
  return { image: t.image, start: t.startOffset, end: tokenEnd(t), type: t.tokenType };
}

let last: { text: string; lexed: Lexed } | undefined;

/** Lexes a text (the last result is kept: several features ask for the same text in a row). */
export function lex(text: string): Lexed {
  if (last && last.text === text) return last.lexed;
  const r = dmabufLexer.tokenize(text);
  const comments: Tok[] = (r.groups['comments'] ?? []).map(tok);
  const tokens: Tok[] = [];
  for (const t of r.tokens) {
    if (t.tokenType === UnterminatedComment) comments.push(tok(t));
    else tokens.push(tok(t));
  }
  comments.sort((a, b) => a.start - b.start);
  const all = [...tokens, ...comments].sort((a, b) => a.start - b.start);
  const lexed = { tokens, comments, all };
  last = { text, lexed };
  return lexed;
}

export function isLBrace(t: Tok): boolean {
  return t.type === LBrace;
}

export function isRBrace(t: Tok): boolean {
  return t.type === RBrace;
}

export function isComment(t: Tok): boolean {
  return t.type === LineComment || t.type === BlockComment || t.type === UnterminatedComment;
}

export function isLineComment(t: Tok): boolean {
  return t.type === LineComment;
}

export function isBlockComment(t: Tok): boolean {
  return t.type === BlockComment;
}

/** A keyword token (a name that happens to spell a keyword cannot exist: keywords are reserved). */
export function isKeywordTok(t: Tok): boolean {
  return t.type !== Name && isKeyword(t.image);
}

/** A `{ … }` pair: offsets of the two braces. */
export interface Block {
  readonly open: number;
  /** Offset of the `}`. */
  readonly close: number;
}

/** Every matched pair of braces, in the order of their `{`. Unmatched braces are left out. */
export function blocks(lexed: Lexed): Block[] {
  const out: Block[] = [];
  const stack: number[] = [];
  for (const t of lexed.tokens) {
    if (t.type === LBrace) stack.push(t.start);
    else if (t.type === RBrace) {
      const open = stack.pop();
      if (open !== undefined) out.push({ open, close: t.start });
    }
  }
  return out.sort((a, b) => a.open - b.open);
}

/** The block of a statement: its first `{` at or after `from`, when its `}` lies before `end`. */
export function blockOf(lexed: Lexed, from: number, end: number): Block | undefined {
  const first = lexed.tokens.find((t) => t.start >= from && t.start < end && t.type === LBrace);
  if (!first) return undefined;
  const b = blocks(lexed).find((x) => x.open === first.start);
  return b && b.close < end ? b : undefined;
}

/** Where the cursor is when it is inside a comment or a string (no completion there). */
export function inCommentOrString(lexed: Lexed, offset: number): boolean {
  for (const c of lexed.comments) {
    if (c.start < offset && (offset < c.end || (offset === c.end && (c.type === LineComment || c.type === UnterminatedComment)))) return true;
  }
  for (const t of lexed.tokens) {
    if (t.type === StringLiteral && t.start < offset && offset < t.end) return true;
    if (t.type === UnterminatedString && t.start < offset && offset <= t.end) return true;
  }
  return false;
}
