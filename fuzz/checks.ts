// What the fuzzer checks for each input (fuzz/run.ts), and what the corpus test
// (test/robustness/corpus.test.ts) checks again for every input the fuzzer kept:
//
// in-process, on the analysis and the pure functions of the language server:
// - nothing throws (analysis with and without the engine, formatter, quick fixes,
//   hover, completion, folding, selection, semantic tokens, outline, inlay hints…);
// - every range (diagnostics, related information, shares, feature results) lies
//   inside its document and agrees with the LSP's own offset ↔ position conversion;
// - the formatter refuses or keeps the token stream and the comments, and is
//   idempotent; range formatting too;
// - each quick fix and fix-all, applied and undone, gives back the original text and
//   keeps every comment;
// - all that within a time bound per input;
//
// over the protocol, against the real server process (dist/server.js): open, the
// diagnostics arrive and lie inside the document, a round of requests is answered
// (formatting edits keep the token stream), the server logs no failure, close.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResponseError } from 'vscode-jsonrpc/node';
import type {
  CodeAction,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Position,
  Range,
  SelectionRange,
  SemanticTokens,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type ModelHost } from '../server/src/analysis/analyze';
import type { Span } from '../server/src/syntax/ast';
import { format, formatRange } from '../server/src/syntax/format';
import { dmabufLexer } from '../server/src/syntax/lexer';
import { parse } from '../server/src/syntax/parser';
import { FIXABLE_CODES, fixAll, quickFixes, type FileEdits } from '../server/src/lsp/codeActions';
import { completionItems } from '../server/src/lsp/completion';
import { toDiagnostic } from '../server/src/lsp/convert';
import { toTextEdits } from '../server/src/lsp/edits';
import { formatDocument } from '../server/src/lsp/formatting';
import { hoverAt } from '../server/src/lsp/hover';
import { inlayHints, shareValues } from '../server/src/lsp/inlayHints';
import { keywordAt, nameAt } from '../server/src/lsp/lookup';
import { highlights, modelSymbols, renameTarget } from '../server/src/lsp/names';
import { documentSymbols } from '../server/src/lsp/outline';
import { semanticTokens } from '../server/src/lsp/semanticTokens';
import { foldingRanges, selectionRange } from '../server/src/lsp/structure';
import { ROOT_NAME, type Input } from './gen';
import { applyEdits } from '../test/lsp/apply';
import { LspClient, withTimeout } from '../test/helpers/lspClient';

export interface Failure {
  /** A short kind: `exception`, `range`, `format`, `fix`, `slow`, `server`… */
  readonly kind: string;
  readonly message: string;
}

/** One line that tells failures of the same bug apart (kind, and the first line of the message without numbers). */
export function signature(f: Failure): string {
  const first = f.message.split('\n').slice(0, 2).join(' ');
  return `${f.kind}: ${first.replace(/\d+/g, 'N').slice(0, 160)}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

// ------------------------------------------------------------------------------ positions

/** Problems with a range of `doc`: outside it, or between a CR and its LF, or past a line's end. */
function badPosition(doc: TextDocument, p: Position, what: string): string | undefined {
  if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) return `${what}: ${JSON.stringify(p)} is not a position`;
  if (p.line >= doc.lineCount) return `${what}: line ${p.line} of a document of ${doc.lineCount} lines`;
  const lineText = doc.getText({ start: { line: p.line, character: 0 }, end: { line: p.line + 1, character: 0 } }).replace(/\r\n$|\r$|\n$/, '');
  if (p.character > lineText.length) return `${what}: character ${p.character} of line ${p.line}, which has ${lineText.length}`;
  return undefined;
}

function badRange(doc: TextDocument, r: Range | undefined, what: string): string | undefined {
  if (!r) return `${what}: no range`;
  const s = badPosition(doc, r.start, `${what} start`) ?? badPosition(doc, r.end, `${what} end`);
  if (s) return s;
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) return `${what}: ends before it starts ${JSON.stringify(r)}`;
  return undefined;
}

/** A span of the analysis: offsets inside the text, and positions that are what the LSP computes from them. */
function badSpan(doc: TextDocument, s: Span, what: string): string | undefined {
  const len = doc.getText().length;
  if (!(s.startOffset >= 0 && s.startOffset <= s.endOffset && s.endOffset <= len)) return `${what}: offsets ${s.startOffset}..${s.endOffset} in a text of ${len}`;
  const ps = doc.positionAt(s.startOffset);
  const pe = doc.positionAt(s.endOffset);
  if (ps.line !== s.start.line || ps.character !== s.start.character || pe.line !== s.end.line || pe.character !== s.end.character) {
    return `${what}: positions ${JSON.stringify([s.start, s.end])} for offsets ${s.startOffset}..${s.endOffset}, the LSP says ${JSON.stringify([ps, pe])}`;
  }
  return badRange(doc, { start: s.start, end: s.end }, what);
}

// ------------------------------------------------------------------------------ token streams

function streamOf(text: string): { tokens: string[]; comments: string[] } {
  const r = dmabufLexer.tokenize(text);
  return { tokens: r.tokens.map((t) => `${t.tokenType.name} ${t.image}`), comments: (r.groups['comments'] ?? []).map((t) => t.image) };
}

function sameStream(a: string, b: string): string | undefined {
  const x = streamOf(a);
  const y = streamOf(b);
  if (x.tokens.length !== y.tokens.length || x.tokens.some((t, i) => t !== y.tokens[i])) {
    const i = x.tokens.findIndex((t, k) => t !== y.tokens[k]);
    return `the tokens changed at #${i}: ${JSON.stringify(x.tokens[i])} became ${JSON.stringify(y.tokens[i])}`;
  }
  if (x.comments.length !== y.comments.length || x.comments.some((t, i) => t !== y.comments[i])) return 'the comments changed';
  return undefined;
}

// ------------------------------------------------------------------------------ edits

/** Applies LSP edits to `text` as a client must, and gives the edits that undo them (the LSP tests' helper). */
function applyTextEdits(text: string, edits: readonly TextEdit[]): { text: string; inverse: TextEdit[] } {
  const { text: out, inverse } = applyEdits(text, edits);
  return { text: out, inverse: [...inverse] };
}

/** Every comment of `before` is still in `after` (as many times). */
function lostComment(before: string, after: string): string | undefined {
  const have = new Map<string, number>();
  for (const c of streamOf(after).comments) have.set(c, (have.get(c) ?? 0) + 1);
  for (const c of streamOf(before).comments) {
    const n = have.get(c) ?? 0;
    if (n === 0) return `the comment ${JSON.stringify(c.slice(0, 60))} was lost`;
    have.set(c, n - 1);
  }
  return undefined;
}

// ------------------------------------------------------------------------------ in-process

/**
 * A host over the input's files, refusing `..` and absolute paths as the server does.
 * The analyses of one input share a parse cache, as the server's analyses of a
 * document do (a parse is a function of the text: parsing it again finds nothing new).
 */
function hostOf(files: Readonly<Record<string, string>>, parseCache: NonNullable<ModelHost['parseCache']>): ModelHost {
  return {
    readFile: (u) => files[u],
    resolveUse: (_from, p) => {
      if (p.length === 0) return { refused: 'empty' };
      if (p.startsWith('/') || /^[A-Za-z]:|\\/.test(p) || p.split('/').includes('..')) return { refused: `'${p}' leaves the workspace` };
      return { uri: p.replace(/^(\.\/)+/, '') };
    },
    parseCache,
  };
}

export interface InProcessOptions {
  /** Per input, all checks together (ms). */
  readonly timeLimitMs: number;
  /** Offsets to probe besides 0 and the end (from the fuzzer's generator). */
  readonly probes?: readonly number[];
}

export interface InProcessResult {
  readonly failures: Failure[];
  /** The slowest single operation (an analysis, a formatting, a feature at one place…). */
  readonly slowest: { readonly what: string; readonly ms: number };
  /** All checks together. */
  readonly ms: number;
  /** What the input exercised. */
  readonly stats: Stats;
}

export interface Stats {
  /** Shares the engine computed. */
  shares: number;
  findings: number;
  /** Quick fixes and fix-alls applied and undone. */
  fixes: number;
  /** The formatter accepted the input. */
  formatted: number;
}

/**
 * All in-process checks of one input. Never throws. The time bound applies to each
 * operation on its own (what one request of the server would compute), in CPU time of
 * the thread that runs it: a first run times each operation by the wall clock, which
 * costs nothing and is never less than the thread's CPU time; only when one took
 * longer than the bound is the input checked again, up to three times, timing each
 * operation by the thread's CPU time (a garbage collection or a busy machine can slow
 * one run), and it fails when every such run is slow.
 */
export function checkInProcess(input: Input, o: InProcessOptions): InProcessResult {
  const t0 = performance.now();
  const limit = timeLimitFor(input, o.timeLimitMs);
  let r = runChecks(input, o.probes ?? [], wallMs);
  if (r.slowest.ms <= limit) return { ...r, ms: performance.now() - t0 };
  const times: number[] = [];
  for (let k = 0; k < 3 && (k === 0 || r.slowest.ms > limit); k++) {
    r = runChecks(input, o.probes ?? [], threadCpuMs);
    times.push(r.slowest.ms);
  }
  if (r.slowest.ms > limit) {
    r.failures.push({
      kind: 'slow',
      message: `${r.slowest.what} took ${times.map((t) => Math.round(t)).join(', ')} ms of CPU time in three runs (limit ${Math.round(limit)} ms) on ${input.text.length} characters`,
    });
  }
  return { ...r, ms: performance.now() - t0 };
}

/** Linear work allowed per character beyond the fixed bound: 20 µs (100 KB: the fixed 2 s; 300 KB: 6 s). */
const MS_PER_CHAR = 0.02;

/** The bound on one operation for this input: `fixedMs`, or more for a big input (linear in its size). */
export function timeLimitFor(input: Input, fixedMs: number): number {
  const size = input.text.length + Object.values(input.files).reduce((n, t) => n + t.length, 0);
  return Math.max(fixedMs, size * MS_PER_CHAR);
}

function wallMs(): number {
  return performance.now();
}

/**
 * CPU time of the calling thread in ms (Linux: /proc/thread-self/schedstat, whose first
 * field is the nanoseconds it ran), so that the other threads of the fuzzer (the other
 * workers, the main thread talking to the server) do not count; elsewhere the CPU time
 * of the whole process.
 */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]) / 1e6;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

function runChecks(input: Input, rawProbes: readonly number[], clock: () => number): Omit<InProcessResult, 'ms'> {
  const failures: Failure[] = [];
  const stats: Stats = { shares: 0, findings: 0, fixes: 0, formatted: 0 };
  const fail = (kind: string, message: string) => failures.push({ kind, message });
  const files: Record<string, string> = { ...input.files, [ROOT_NAME]: input.text };
  const docs = new Map(Object.entries(files).map(([u, t]) => [u, TextDocument.create(u, 'dmabuf', 1, t)]));
  const text = input.text;
  const doc = docs.get(ROOT_NAME)!;
  // Offsets as the server gets them from positions: never between a CR and its LF.
  const probes = rawProbes.map((p) => doc.offsetAt(doc.positionAt(p % (text.length + 1))));
  let slowest = { what: '', ms: 0 };

  // The time of a step without the steps inside it, by `clock` (see checkInProcess).
  let inner = 0;
  const step = <T>(what: string, fn: () => T): T | undefined => {
    const t0 = clock();
    const outer = inner;
    inner = 0;
    try {
      return fn();
    } catch (e) {
      fail('exception', `${what}: ${errorText(e)}`);
      return undefined;
    } finally {
      const total = clock() - t0;
      const ms = total - inner;
      if (ms > slowest.ms) slowest = { what, ms };
      inner = outer + total;
    }
  };

  // ---- analysis
  const parseCache: NonNullable<ModelHost['parseCache']> = new Map();
  const full = step('analyze', () => analyze(ROOT_NAME, hostOf(files, parseCache), { engine: true }));
  const names = step('analyze (names only)', () => analyze(ROOT_NAME, hostOf(files, parseCache), { engine: false }));
  stats.shares = full?.shares.length ?? 0;
  stats.findings = full?.findings.length ?? 0;
  for (const a of [full, names]) {
    if (!a) continue;
    for (const f of a.findings) {
      const d = docs.get(f.uri);
      if (!d) {
        fail('range', `a ${f.code} finding in ${f.uri}, not a file of the input`);
        continue;
      }
      const bad = badSpan(d, f.span, `${f.code} '${f.message.slice(0, 80)}'`);
      if (bad) fail('range', bad);
      for (const r of f.related) {
        const rd = docs.get(r.uri);
        const b2 = rd ? badSpan(rd, r.span, `related information of ${f.code}`) : `related information in ${r.uri}`;
        if (b2) fail('range', b2);
      }
    }
    for (const s of a.shares) {
      const d = docs.get(s.location.uri);
      const bad = d ? badSpan(d, s.location.span, `share ${s.name}`) : `share ${s.name} in ${s.location.uri}`;
      if (bad) fail('range', bad);
    }
  }

  // ---- formatter (the text, as a document, by ranges, then its output again: in this
  // order, format.ts lays each text out once)
  let formatted: string | undefined;
  // The parse of the root text, as the analyses got it (its errors include the lexer's).
  const parsedRoot = () => {
    const hit = parseCache.get(ROOT_NAME);
    return hit?.text === text ? hit.result : parse(text);
  };
  step('format', () => {
    const r = format(text);
    if (!r.ok) {
      if (!/syntax error/.test(r.reason)) fail('format', `refused without a syntax error: ${r.reason}`);
      else if (parsedRoot().errors.length === 0) fail('format', `refused a text that parses: ${r.reason}`);
      return;
    }
    stats.formatted = 1;
    const changed = sameStream(text, r.text);
    if (changed) fail('format', `format changed the token stream: ${changed}`);
    formatted = r.text;
    const lsp = formatDocument(doc);
    if ('edits' in lsp) {
      const applied = applyTextEdits(text, lsp.edits);
      if (applied.text !== r.text) fail('format', 'the formatting edits do not give the formatted text');
      if (applyTextEdits(applied.text, applied.inverse).text !== text) fail('format', 'undoing the formatting edits does not give the original');
    } else fail('format', `formatDocument refused what format accepted: ${lsp.unavailable}`);
  });
  step('formatRange', () => {
    const offsets = [0, text.length, ...probes];
    for (let k = 0; k + 1 < offsets.length; k += 2) {
      const edits = formatRange(text, offsets[k]!, offsets[k + 1]!);
      let at = 0;
      for (const e of edits) {
        if (e.startOffset < at || e.endOffset < e.startOffset || e.endOffset > text.length) {
          fail('format', `formatRange(${offsets[k]}, ${offsets[k + 1]}) gave edits out of order or outside the text`);
          return;
        }
        at = e.endOffset;
      }
      let out = '';
      let from = 0;
      for (const e of edits) {
        out += text.slice(from, e.startOffset) + e.newText;
        from = e.endOffset;
      }
      out += text.slice(from);
      const changed = edits.length > 0 ? sameStream(text, out) : undefined;
      if (changed) fail('format', `formatRange changed the token stream: ${changed}`);
      // As the client gets them: positions that say exactly those offsets, applied and undone.
      const lsp: TextEdit[] = [];
      for (const e of edits) {
        const range = { start: doc.positionAt(e.startOffset), end: doc.positionAt(e.endOffset) };
        if (doc.offsetAt(range.start) !== e.startOffset || doc.offsetAt(range.end) !== e.endOffset) {
          fail('format', `formatRange gave an edit at ${e.startOffset}..${e.endOffset}, which no position can say (inside a CRLF?)`);
          return;
        }
        lsp.push({ range, newText: e.newText });
      }
      const applied = applyTextEdits(text, lsp);
      if (applied.text !== out) fail('format', 'the range formatting edits, by position, do not give the formatted text');
      else if (applyTextEdits(applied.text, applied.inverse).text !== text) fail('format', 'undoing the range formatting edits does not give the original');
    }
  });
  if (formatted !== undefined) {
    const output = formatted;
    step('format (its output)', () => {
      const again = format(output);
      if (!again.ok) fail('format', `format refused its own output: ${again.reason}`);
      else if (again.text !== output) fail('format', 'format is not idempotent');
    });
  }

  // ---- quick fixes and fix-all: applied and undone give the original, no comment lost
  if (full && names) {
    step('quick fixes', () => {
      const toWorkspaceEdit = (e: FileEdits): WorkspaceEdit => ({ changes: Object.fromEntries([...e].map(([uri, f]) => [uri, toTextEdits(f.file.text, f.edits)])) });
      const rootFindings = full.findings.filter((f) => f.uri === ROOT_NAME);
      const checkEdit = (title: string, we: WorkspaceEdit | undefined) => {
        for (const [uri, edits] of Object.entries(we?.changes ?? {})) {
          const before = files[uri];
          if (before === undefined) {
            fail('fix', `${title}: edits ${uri}, not a file of the input`);
            continue;
          }
          const d = docs.get(uri)!;
          for (const e of edits) {
            const bad = badRange(d, e.range, `${title}: edit`);
            if (bad) fail('fix', bad);
          }
          let applied: { text: string; inverse: TextEdit[] };
          try {
            applied = applyTextEdits(before, edits);
          } catch (e) {
            fail('fix', `${title}: ${e instanceof Error ? e.message : String(e)}`);
            continue;
          }
          stats.fixes++;
          const undone = applyTextEdits(applied.text, applied.inverse).text;
          if (undone !== before) fail('fix', `${title}: applied and undone does not give the original`);
          const lost = lostComment(before, applied.text);
          if (lost) fail('fix', `${title}: ${lost}`);
          // The fixed text is analysed without trouble too.
          step(`analyze after '${title}'`, () => analyze(ROOT_NAME, hostOf({ ...files, [uri]: applied.text }, parseCache), { engine: true }));
        }
      };
      const fixable = rootFindings.filter((f) => FIXABLE_CODES.has(f.code)).slice(0, 8);
      for (const f of fixable) {
        const d = toDiagnostic(f);
        for (const action of quickFixes(names, ROOT_NAME, [d], (x) => x.data as Record<string, unknown> | undefined, { toWorkspaceEdit })) {
          checkEdit(action.title, action.edit);
        }
      }
      const all = fixAll(names, ROOT_NAME, rootFindings.map((f) => ({ diagnostic: toDiagnostic(f), data: f.data })), { toWorkspaceEdit });
      if (all) checkEdit(all.title, all.edit);
    });
  }

  // ---- the language server's features, at a few places
  if (full && names) {
    const model = full.files[0]?.parse.model;
    const offsets = [0, text.length, ...probes];
    if (model) {
      step('folding', () => {
        for (const f of foldingRanges(text, model)) {
          if (!(f.startLine >= 0 && f.startLine <= f.endLine && f.endLine < doc.lineCount)) fail('range', `folding range ${f.startLine}..${f.endLine} of ${doc.lineCount} lines`);
        }
      });
      step('semantic tokens', () => checkSemanticTokens(doc, semanticTokens(model, (n) => full.model.symbols.get(n)), fail));
      step('outline', () => checkSymbols(doc, documentSymbols(model), fail));
      step('inlay hints', () => {
        const whole = { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) };
        for (const h of inlayHints(model, shareValues(full, ROOT_NAME), whole)) {
          const bad = badPosition(doc, h.position, 'inlay hint');
          if (bad) fail('range', bad);
        }
      });
      for (const off of offsets) {
        step(`selection range at ${off}`, () => {
          let s: SelectionRange | undefined = selectionRange(text, model, off);
          while (s) {
            const bad = badRange(doc, s.range, `selection range at ${off}`);
            if (bad) fail('range', bad);
            s = s.parent;
          }
        });
      }
    }
    for (const off of offsets) {
      step(`hover at ${off}`, () => {
        const h = hoverAt(full, ROOT_NAME, text, off);
        if (h?.range) {
          const bad = badRange(doc, h.range, `hover at ${off}`);
          if (bad) fail('range', bad);
        }
      });
      step(`completion at ${off}`, () => {
        for (const c of completionItems(text, off, names.model, { snippets: true })) {
          const te = c.textEdit;
          if (te && 'range' in te) {
            const bad = badRange(doc, te.range, `completion '${c.label}' at ${off}`);
            if (bad) fail('range', bad);
          }
        }
      });
      step(`names at ${off}`, () => {
        nameAt(names, ROOT_NAME, off);
        keywordAt(text, off);
        renameTarget(names, ROOT_NAME, text, off);
        for (const h of highlights(names, ROOT_NAME, off)) {
          const bad = badRange(doc, h.range, `highlight at ${off}`);
          if (bad) fail('range', bad);
        }
      });
    }
    step('workspace symbols', () => modelSymbols(names, ''));
  }
  return { failures, slowest, stats };
}

function checkSemanticTokens(doc: TextDocument, t: SemanticTokens, fail: (k: string, m: string) => void): void {
  let line = 0;
  let ch = 0;
  for (let i = 0; i + 4 < t.data.length; i += 5) {
    const [dl, dc, len] = [t.data[i]!, t.data[i + 1]!, t.data[i + 2]!];
    line += dl;
    ch = dl === 0 ? ch + dc : dc;
    const bad = badRange(doc, { start: { line, character: ch }, end: { line, character: ch + len } }, 'semantic token');
    if (bad) {
      fail('range', bad);
      return;
    }
  }
}

function checkSymbols(doc: TextDocument, symbols: readonly DocumentSymbol[], fail: (k: string, m: string) => void): void {
  for (const s of symbols) {
    const bad = badRange(doc, s.range, `symbol ${s.name}`) ?? badRange(doc, s.selectionRange, `symbol ${s.name} (selection)`);
    if (bad) fail('range', bad);
    if (s.children) checkSymbols(doc, s.children, fail);
  }
}

// ------------------------------------------------------------------------------ over the protocol

/** Resident memory of a process in KiB (Linux), from /proc/<pid>/status. */
export function rssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** One language server process (dist/server.js over stdio, the shared client of test/helpers/lspClient.ts) that inputs are sent to one by one. */
export class ServerSession {
  private n = 0;

  private constructor(
    private readonly client: LspClient,
    readonly rootDir: string,
  ) {}

  static async start(serverJs: string, rootDir: string): Promise<ServerSession> {
    const client = await LspClient.start({
      server: serverJs,
      rootDir,
      folderName: 'fuzz',
      capabilities: { textDocument: { rename: { prepareSupport: true } } },
      initializationOptions: { settings: { analyzeOn: 'change' } },
      initializeTimeoutMs: 20000,
      keepPublished: 100,
      onConnection: (conn) => conn.onError(() => {}),
    });
    return new ServerSession(client, rootDir);
  }

  get alive(): boolean {
    return this.client.alive;
  }

  get rss(): number | undefined {
    return rssKiB(this.client.proc.pid);
  }

  /**
   * `p`, or a rejection when the server exits first. Not `Promise.race` with
   * `client.exited`: each race leaves a reaction on that promise, which settles only
   * when the server exits, and through it the answer it raced (over a long run, every
   * answer of every request: gigabytes). The listener here is removed once `p` settles.
   */
  private untilExit<T>(p: Promise<T>): Promise<T> {
    const { proc } = this.client;
    return new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) => reject(new Error(`the server exited (${code ?? signal})`));
      proc.once('exit', onExit);
      p.then(resolve, reject).finally(() => proc.off('exit', onExit));
    });
  }

  /**
   * Sends one input through the protocol; the failures found. Never throws. Each
   * request must be answered within `timeoutMs`.
   */
  async check(input: Input, probes: readonly Position[], timeoutMs: number): Promise<Failure[]> {
    const failures: Failure[] = [];
    const fail = (kind: string, message: string) => failures.push({ kind, message });
    const uri = pathToFileURL(join(this.rootDir, `input-${this.n++}.dmabuf`)).href;
    const { client } = this;
    const doc = TextDocument.create(uri, 'dmabuf', 1, input.text);
    const text = input.text;
    const request = async <R>(method: string, params: unknown, acceptable: (e: ResponseError<unknown>) => boolean = () => false): Promise<R | undefined> => {
      if (!this.alive) return undefined; // reported once, below
      try {
        return await withTimeout(this.untilExit(client.request<R>(method, params)), timeoutMs, method);
      } catch (e) {
        if (e instanceof ResponseError && acceptable(e)) return undefined;
        fail('server', `${method}: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    };
    try {
      const published = client.open(uri, text, timeoutMs);
      let diagnostics: Diagnostic[] = [];
      try {
        diagnostics = (await this.untilExit(published)).diagnostics;
      } catch (e) {
        fail('server', e instanceof Error ? e.message : String(e));
      }
      for (const d of diagnostics) {
        const bad = badRange(doc, d.range, `published ${String(d.code)}`);
        if (bad) fail('range', bad);
      }
      const td = { uri };
      const end = doc.positionAt(text.length);
      const places = [{ line: 0, character: 0 }, end, { line: end.line + 5, character: 1_000_000 }, ...probes];
      for (const position of places) {
        const h = await request<Hover | null>('textDocument/hover', { textDocument: td, position });
        if (h?.range) {
          const bad = badRange(doc, h.range, 'hover');
          if (bad) fail('range', bad);
        }
      }
      await request('textDocument/completion', { textDocument: td, position: places[places.length - 1] });
      await request('textDocument/definition', { textDocument: td, position: places[places.length - 1] });
      await request('textDocument/references', { textDocument: td, position: places[places.length - 1], context: { includeDeclaration: true } });
      await request('textDocument/prepareRename', { textDocument: td, position: places[places.length - 1] }, () => true);
      const symbols = await request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: td });
      if (symbols) checkSymbols(doc, symbols, fail);
      const folding = await request<FoldingRange[]>('textDocument/foldingRange', { textDocument: td });
      for (const f of folding ?? []) if (f.endLine >= doc.lineCount) fail('range', `folding range to line ${f.endLine} of ${doc.lineCount}`);
      await request('textDocument/selectionRange', { textDocument: td, positions: places });
      const tokens = await request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: td });
      if (tokens) checkSemanticTokens(doc, tokens, fail);
      await request('textDocument/inlayHint', { textDocument: td, range: { start: { line: 0, character: 0 }, end } });
      await request('textDocument/documentLink', { textDocument: td });
      await request('textDocument/documentHighlight', { textDocument: td, position: places[places.length - 1] });
      const edits = await request<TextEdit[] | null>('textDocument/formatting', { textDocument: td, options: { tabSize: 2, insertSpaces: true } });
      if (edits && edits.length > 0) {
        try {
          const out = applyTextEdits(text, edits).text;
          const changed = sameStream(text, out);
          if (changed) fail('format', `formatting over the protocol changed the token stream: ${changed}`);
        } catch (e) {
          fail('format', `formatting over the protocol: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      const actions = await request<CodeAction[]>('textDocument/codeAction', {
        textDocument: td,
        range: { start: { line: 0, character: 0 }, end },
        context: { diagnostics, only: undefined },
      });
      for (const a of actions ?? []) {
        const edits2 = a.edit?.changes?.[uri] ?? [];
        try {
          const applied = applyTextEdits(text, edits2);
          if (applyTextEdits(applied.text, applied.inverse).text !== text) fail('fix', `${a.title} (over the protocol): applied and undone does not give the original`);
        } catch (e) {
          fail('fix', `${a.title} (over the protocol): ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      await request('dmabuf/shares', { uri });
      if (this.alive) {
        const closed = client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0, timeoutMs);
        await client.close(uri);
        await this.untilExit(closed).catch((e: unknown) => fail('server', e instanceof Error ? e.message : String(e)));
      }
    } catch (e) {
      fail('server', errorText(e));
    }
    if (!this.alive) fail('server', `the server exited (${client.proc.exitCode ?? client.proc.signalCode})`);
    client.refreshes.length = 0; // the server's refresh requests: not checked, not kept
    for (const m of client.logs.splice(0)) if (m.type === 1) fail('server', `the server logged: ${m.message.slice(0, 2000)}`);
    const stderr = client.takeStderr().trim();
    if (stderr) fail('server', `the server wrote on stderr: ${stderr.slice(0, 2000)}`);
    return failures;
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}

// ------------------------------------------------------------------------------ the corpus

/**
 * Texts are stored as WTF-8: UTF-8, except that a lone surrogate (which a JSON-RPC
 * client can send and a JavaScript string holds) is written as its own 3 bytes, so
 * that the corpus keeps exactly the input that failed.
 */
export function encodeWtf8(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
      i++;
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Buffer.from(out);
}

export function decodeWtf8(buf: Uint8Array): string {
  let out = '';
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    const cont = (k: number) => (buf[i + k] ?? 0) & 0x3f;
    let c: number;
    let n: number;
    if (b < 0x80) [c, n] = [b, 1];
    else if (b >= 0xf0 && i + 3 < buf.length) [c, n] = [((b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3), 4];
    else if (b >= 0xe0 && i + 2 < buf.length) [c, n] = [((b & 0x0f) << 12) | (cont(1) << 6) | cont(2), 3];
    else if (b >= 0xc0 && i + 1 < buf.length) [c, n] = [((b & 0x1f) << 6) | cont(1), 2];
    else [c, n] = [0xfffd, 1];
    out += String.fromCodePoint(c);
    i += n;
  }
  return out;
}
