// Folding ranges (blocks, multi-line block comments, runs of line comments and of `use`
// lines) and selection ranges (token → … → statement → block → top-level statement →
// document), from the tokens and the syntax tree of one file.

import { FoldingRangeKind, type FoldingRange, type SelectionRange } from 'vscode-languageserver/node';
import type { Model, Span } from '../syntax/ast';
import { LineIndex } from '../syntax/lineIndex';
import { blocks, isBlockComment, lex } from './tokens';

export function foldingRanges(text: string, model: Model): FoldingRange[] {
  const lexed = lex(text);
  const lines = new LineIndex(text);
  const line = (o: number) => lines.positionAt(o).line;
  const out: FoldingRange[] = [];
  for (const b of blocks(lexed)) {
    const start = line(b.open);
    const closeLine = line(b.close);
    // Keep the `}` visible when it starts its line.
    const closeFirst = /^[ \t]*$/.test(lines.lineText(closeLine).slice(0, lines.positionAt(b.close).character));
    const end = closeFirst ? closeLine - 1 : closeLine;
    if (end > start) out.push({ startLine: start, endLine: end });
  }
  let run: { start: number; end: number } | undefined;
  const flush = () => {
    if (run && run.end > run.start) out.push({ startLine: run.start, endLine: run.end, kind: FoldingRangeKind.Comment });
    run = undefined;
  };
  for (const c of lexed.comments) {
    const s = line(c.start);
    const e = line(c.end);
    if (isBlockComment(c) || c.image.startsWith('/*')) {
      // A block comment (or an unterminated one) folds on its own.
      flush();
      if (e > s) out.push({ startLine: s, endLine: e, kind: FoldingRangeKind.Comment });
      continue;
    }
    // A line comment alone on its line continues a run of them.
    const alone = /^[ \t]*$/.test(lines.lineText(s).slice(0, lines.positionAt(c.start).character));
    if (alone && run && s === run.end + 1) run.end = s;
    else {
      flush();
      if (alone) run = { start: s, end: s };
    }
  }
  flush();
  let uses: { start: number; end: number } | undefined;
  const flushUses = () => {
    if (uses && uses.end > uses.start) out.push({ startLine: uses.start, endLine: uses.end, kind: FoldingRangeKind.Imports });
    uses = undefined;
  };
  for (const item of model.items) {
    if (item.kind !== 'Use') {
      flushUses();
      continue;
    }
    const s = item.span.start.line;
    if (uses && s <= uses.end + 1) uses.end = item.span.end.line;
    else {
      flushUses();
      uses = { start: s, end: item.span.end.line };
    }
  }
  flushUses();
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

/** Every span of the tree that holds `offset`, by walking any object with a `span`. */
function spansAt(model: Model, offset: number): Span[] {
  const out: Span[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    const o = v as Record<string, unknown>;
    const span = o['span'] as Span | undefined;
    if (span && typeof span.startOffset === 'number') {
      if (!(span.startOffset <= offset && offset <= span.endOffset)) return; // children lie inside their node
      if (span.endOffset > span.startOffset) out.push(span);
    }
    for (const [k, x] of Object.entries(o)) if (k !== 'span' && typeof x === 'object') walk(x);
  };
  for (const item of model.items) walk(item);
  return out;
}

/**
 * The longest chain of selection ranges given for one position. Statements nest at
 * most 64 deep (parser.ts MAX_NESTING), but braces that the parser refused do not:
 * 100,000 nested `{` gave a chain of 50,000 ranges, which the connection could not
 * even serialise (JSON.stringify overflowed the stack and the request was never
 * answered). Beyond the cap the innermost ranges are kept, then the whole document.
 */
const MAX_SELECTION_DEPTH = 200;

/** The blocks and line index of the last text, shared by the positions of one request. */
let lastStructure: { text: string; blocks: ReturnType<typeof blocks>; lines: LineIndex } | undefined;

function structureOf(text: string) {
  if (lastStructure?.text !== text) lastStructure = { text, blocks: blocks(lex(text)), lines: new LineIndex(text) };
  return lastStructure;
}

export function selectionRange(text: string, model: Model, offset: number): SelectionRange {
  const lexed = lex(text);
  const { blocks: allBlocks, lines } = structureOf(text);
  const candidates: { start: number; end: number }[] = [];
  // The token under the cursor: one that starts here wins over one that ends here.
  const tok = lexed.all.find((t) => t.start <= offset && offset < t.end) ?? lexed.all.find((t) => t.end === offset);
  if (tok) candidates.push({ start: tok.start, end: tok.end });
  for (const s of spansAt(model, offset)) candidates.push({ start: s.startOffset, end: s.endOffset });
  for (const b of allBlocks) if (b.open <= offset && offset <= b.close + 1) candidates.push({ start: b.open, end: b.close + 1 });
  candidates.push({ start: 0, end: text.length });
  candidates.sort((a, b) => a.end - a.start - (b.end - b.start) || b.start - a.start);
  const chain: { start: number; end: number }[] = [];
  for (const c of candidates) {
    const prev = chain[chain.length - 1];
    if (prev && (c.start > prev.start || c.end < prev.end || (c.start === prev.start && c.end === prev.end))) continue;
    chain.push(c);
  }
  if (chain.length > MAX_SELECTION_DEPTH) chain.splice(MAX_SELECTION_DEPTH - 1, chain.length - MAX_SELECTION_DEPTH);
  let result: SelectionRange | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = chain[i]!;
    result = { range: { start: lines.positionAt(c.start), end: lines.positionAt(c.end) }, ...(result ? { parent: result } : {}) };
  }
  if (!result) {
    const p = lines.positionAt(offset);
    return { range: { start: p, end: p } };
  }
  return result;
}
