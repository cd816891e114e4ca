// Repairs of the token stream that make one mistake one error (parser.ts uses them):
// - a block whose `}` is clearly missing is closed where the indentation says it ends,
//   so the statements after it stay where the user put them (`closeByIndent`);
// - a misspelled keyword is read as the keyword it is nearest to, and reported once
//   with "did you mean" (`repairTypo`, `statementTypo`).
// Each repair is a virtual or retyped token and the error that says so; the parser
// then reads the repaired statement as if it had been written right.

import type { IToken, TokenType } from 'chevrotain';
import { didYouMean } from '../ground/suggest';
import type * as A from './ast';
import { BLOCK_OPENED_BY } from './blocks';
import * as T from './lexer';
import { kw } from './lexer';
import { SourceSpan, type LineIndex } from './lineIndex';

export interface Repair {
  readonly tokens: IToken[];
  readonly errors: A.SyntaxError[];
}

const TOP_KEYWORDS: readonly T.Keyword[] = ['use', 'platform', 'buffer', 'share'];

/** Keywords after which the next word is a name (so a keyword there is not a statement's). */
const NAMING = new Set(['platform', 'host_bridge', 'root_port', 'switch', 'port', 'gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint', 'vf',
  'platform_device', 'buffer', 'share', 'memory', 'kvm', 'iommufd', 'from', 'as', 'devices', 'parent']);

function lineOf(lines: LineIndex, offset: number): number {
  return lines.positionAt(offset).line;
}

function columnOf(lines: LineIndex, offset: number): number {
  return lines.positionAt(offset).character;
}

function firstOnLine(tokens: readonly IToken[], k: number, lines: LineIndex): boolean {
  return k === 0 || lineOf(lines, T.tokenEnd(tokens[k - 1]!)) < lineOf(lines, tokens[k]!.startOffset);
}

/** The column of the first token on the line of tokens[k]. */
function indentOf(tokens: readonly IToken[], k: number, lines: LineIndex): number {
  let f = k;
  while (f > 0 && !firstOnLine(tokens, f, lines)) f--;
  return columnOf(lines, tokens[f]!.startOffset);
}

function isNameLike(t: IToken | undefined): boolean {
  return t !== undefined && (t.tokenType === T.Name || t.tokenType === T.DashedName || (t.tokenType.CATEGORIES ?? []).includes(T.KeywordName));
}

/** Whether tokens[k], a keyword, stands where a name is expected (`gpu switch`, `-> port`). */
function inNamePosition(tokens: readonly IToken[], k: number): boolean {
  const prev = tokens[k - 1];
  if (!prev) return false;
  return prev.tokenType === T.Arrow || prev.tokenType === T.Comma || (prev.tokenType !== T.Name && NAMING.has(prev.image));
}

/** The words for the block a `{` opens: "the block of switch sw0", "the kernel block", "the block of share b -> gpu0". */
export function describeBlock(tokens: readonly IToken[], brace: number): string {
  for (let k = brace - 1; k >= 0; k--) {
    const t = tokens[k]!;
    if (t.tokenType === T.LBrace || t.tokenType === T.RBrace) break;
    if (t.tokenType === T.Name || BLOCK_OPENED_BY[t.image] === undefined || inNamePosition(tokens, k)) continue;
    const next = tokens[k + 1];
    if (t.image === 'share' && isNameLike(next) && tokens[k + 2]?.tokenType === T.Arrow && tokens[k + 3]) {
      return `the block of share ${next!.image} -> ${tokens[k + 3]!.image}`;
    }
    return isNameLike(next) && k + 1 < brace ? `the block of ${t.image} ${next!.image}` : `the ${t.image} block`;
  }
  return 'the block';
}

/**
 * Whether tokens[k], a keyword, is a name: it follows a word that a name follows, on
 * that word's line (`buffer share from heap`). Such a `share` starts no statement; in a
 * version-1 file no keyword stands there.
 */
export function namedAfter(tokens: readonly IToken[], k: number, lines: LineIndex): boolean {
  return k > 0 && inNamePosition(tokens, k) && !firstOnLine(tokens, k, lines);
}

/** A `}` that is not in the text: empty, right after `after` (its range is where the `}` is missing). */
function virtualBrace(after: IToken): IToken {
  const at = T.tokenEnd(after);
  return {
    image: '',
    startOffset: at,
    endOffset: at,
    startLine: NaN,
    endLine: NaN,
    startColumn: NaN,
    endColumn: NaN,
    tokenType: T.RBrace,
    tokenTypeIdx: T.RBrace.tokenTypeIdx!,
    isInsertedInRecovery: true,
  };
}

/** How many `{` of the statement are never closed. */
function unclosed(tokens: readonly IToken[]): number {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === T.LBrace) depth++;
    else if (t.tokenType === T.RBrace && depth > 0) depth--;
  }
  return depth;
}

interface Open {
  readonly brace: number;
  /** The column of the line that opens the block. */
  readonly indent: number;
  /** Whether the layout shows where the block ends: words follow the `{` on its line, or the next line is indented deeper. */
  readonly laidOut: boolean;
}

/**
 * Closes the blocks of one statement whose `}` is missing. Only when the braces do not
 * balance (a balanced statement is never touched, whatever its layout), and only as
 * many `}` as are missing: each goes before the first line that starts at or left of
 * the column of the line that opened the block (a sibling or the parent's next
 * statement), or at the end of the statement when no line does.
 */
export function closeByIndent(tokens: readonly IToken[], lines: LineIndex): Repair {
  let missing = unclosed(tokens);
  // An unterminated comment or string took the `}`s with it: that is the one error.
  const swallowed = tokens.some((t) => t.tokenType === T.UnterminatedComment || t.tokenType === T.UnterminatedString);
  if (missing === 0 || swallowed) return { tokens: [...tokens], errors: [] };
  const out: IToken[] = [];
  const errors: A.SyntaxError[] = [];
  const stack: Open[] = [];
  const close = (open: Open, before: IToken | undefined) => {
    const last = out[out.length - 1]!;
    out.push(virtualBrace(last));
    const at = T.tokenEnd(last);
    const opened = lineOf(lines, tokens[open.brace]!.startOffset) + 1;
    const where = before ? ` before ${before.image === '}' ? "'}'" : `'${before.image}'`} at line ${lineOf(lines, before.startOffset) + 1}` : '';
    errors.push({ message: `expected '}' to close ${describeBlock(tokens, open.brace)} (opened at line ${opened})${where}`, span: new SourceSpan(at, at, lines) });
    missing--;
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (missing > 0 && stack.length > 0 && out.length > 0 && firstOnLine(tokens, k, lines)) {
      const col = columnOf(lines, t.startOffset);
      // A `}` at the column of an outer block closes that one: the inner ones lack theirs.
      const ends = (o: Open) => (t.tokenType === T.RBrace ? col < o.indent : col <= o.indent);
      while (missing > 0 && stack.length > 0 && stack[stack.length - 1]!.laidOut && ends(stack[stack.length - 1]!)) close(stack.pop()!, t);
    }
    out.push(t);
    if (t.tokenType === T.LBrace) {
      const indent = indentOf(tokens, k, lines);
      const next = tokens[k + 1];
      const laidOut = next !== undefined && (!firstOnLine(tokens, k + 1, lines) || columnOf(lines, next.startOffset) > indent);
      stack.push({ brace: k, indent, laidOut });
    } else if (t.tokenType === T.RBrace) stack.pop();
  }
  while (missing > 0 && stack.length > 0) close(stack.pop()!, undefined);
  return { tokens: out, errors };
}

function retyped(t: IToken, type: TokenType): IToken {
  return { ...t, tokenType: type, tokenTypeIdx: type.tokenTypeIdx! };
}

/**
 * A misspelled keyword at the token where the parser stopped: the token read as the
 * keyword it is nearest to, and the error that says so (with the quick fix).
 * `expected` are the keywords the parser would have taken there; `message` its error.
 */
export function repairTypo(
  tokens: readonly IToken[],
  at: IToken,
  expected: readonly string[] | undefined,
  message: string,
  lines: LineIndex,
): { tokens: IToken[]; error: A.SyntaxError } | undefined {
  if (at.tokenType !== T.Name || !expected || expected.length === 0) return undefined;
  const meant = didYouMean(at.image, expected);
  if (!meant) return undefined;
  const k = tokens.indexOf(at);
  if (k < 0) return undefined;
  const out = [...tokens];
  out[k] = retyped(at, kw(meant as T.Keyword));
  const base = message.startsWith('unexpected ') ? `unexpected '${at.image}'` : message;
  const span = new SourceSpan(at.startOffset, T.tokenEnd(at), lines);
  return { tokens: out, error: { message: `${base}: did you mean '${meant}'?`, span, replace: meant } };
}

/**
 * A word at the start of a line, after a complete top-level statement, that is nearly
 * `use`, `platform`, `buffer` or `share` (`shar a -> b`): read as that keyword.
 */
export function statementTypo(tokens: readonly IToken[], k: number, lines: LineIndex): { token: IToken; error: A.SyntaxError } | undefined {
  const t = tokens[k]!;
  if (t.tokenType !== T.Name || !firstOnLine(tokens, k, lines)) return undefined;
  const prev = tokens[k - 1];
  const ended =
    prev === undefined ||
    prev.tokenType === T.RBrace ||
    prev.tokenType === T.StringLiteral ||
    ((prev.tokenType === T.Name || prev.tokenType === kw('cpu')) && (tokens[k - 2]?.tokenType === T.Arrow || tokens[k - 2]?.tokenType === kw('as')));
  if (!ended) return undefined;
  const meant = didYouMean(t.image, TOP_KEYWORDS) as T.Keyword | undefined;
  if (!meant) return undefined;
  const span = new SourceSpan(t.startOffset, T.tokenEnd(t), lines);
  return { token: retyped(t, kw(meant)), error: { message: `unexpected '${t.image}': did you mean '${meant}'? (a model is made of use, platform, buffer and share statements)`, span, replace: meant } };
}

