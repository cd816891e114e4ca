// One model = one root file plus the files it pulls in with `use` (docs/language.md §1).
// This module gathers the files through a host (the server's documents, or the disk),
// then runs the layers in order: syntax → model → engine → rules.

import type { ParseResult, UseDecl } from '../syntax/ast';
import { parse } from '../syntax/parser';
import { reparse } from '../syntax/reparse';
import { buildModel, type ResolvedModel } from '../model/build';
import { runEngine, type EngineResult } from '../engine/run';
import { runRules, type RuleSettings } from '../rules/index';
import type { Finding } from '../ground/findings';
import type { ModelFile } from '../model/types';
import type { ShareResult } from '../engine/types';
import { withKernelVersion } from '../model/platform';
import type { KernelVersion } from '../ground/release';

export interface ModelHost {
  /** The text of a file, or undefined when it does not exist or cannot be read. */
  readFile(uri: string): string | undefined;
  /**
   * Why `readFile` gave undefined, in a few words ("is not UTF-8", "is larger than
   * 4 MiB"…), for the `use-not-found` message; undefined means it does not exist.
   */
  unreadable?(uri: string): string | undefined;
  /**
   * The file that `use "path"` in `fromUri` names, or an explanation why there is none
   * (outside the workspace folder, absolute path…).
   */
  resolveUse(fromUri: string, path: string): { uri: string } | { refused: string };
  /**
   * A parse cache keyed by uri and text, so unchanged `use`d files are not re-parsed; a
   * file whose text changed is parsed again from its last parse (syntax/reparse.ts).
   */
  parseCache?: Map<string, { text: string; result: ParseResult }>;
}

export interface AnalysisOptions {
  /** Run the mapping engine and its rules (false: syntax and names only, for typing). */
  readonly engine?: boolean;
  readonly rules?: RuleSettings;
  /** Evaluate the model on this release instead of its own `version` (already checked: parseKernelVersion, modelledRelease). */
  readonly kernel?: { readonly text: string; readonly version: KernelVersion };
}


export interface Analysis {
  readonly rootUri: string;
  /** Root first, then `use`d files in the order they are pulled in. */
  readonly files: readonly ModelFile[];
  readonly model: ResolvedModel;
  readonly engine: EngineResult | undefined;
  readonly findings: readonly Finding[];
  /** Every share of the model in share order (§7). Empty when the engine did not run. */
  readonly shares: readonly ShareResult[];
  /** Set when the engine was asked for but not run: the platform has syntax errors. */
  readonly engineWithheld?: 'syntax-errors';
}

/** Limits that keep a hostile model from exhausting the server (docs/robustness.md). */
export const MAX_USE_DEPTH = 16;
/** The largest file that is read: a root file over it gets one diagnostic, a `use`d one is refused. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Syntax errors reported per file; the rest are counted in one more diagnostic. */
export const MAX_SYNTAX_ERRORS = 1000;
/** Parse results kept by `parseCached` (the least recently stored go first). */
const MAX_PARSE_CACHE = 1000;

/** The length of `text` in UTF-8 bytes (the size of the file on disk). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 code units, 4 bytes
      i++;
    } else n += 2; // 3 bytes (a lone surrogate is written as U+FFFD, also 3 bytes)
  }
  return n;
}

/** True when `text` is larger than MAX_FILE_BYTES in UTF-8 (cheap for the common sizes). */
export function overSizeCap(text: string): boolean {
  if (text.length > MAX_FILE_BYTES) return true;
  if (text.length * 3 <= MAX_FILE_BYTES) return false;
  return utf8Length(text) > MAX_FILE_BYTES;
}

const START: ParseResult['model']['span'] = { startOffset: 0, endOffset: 0, start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** What a file over the size cap parses to: nothing, and one error at its start. */
function tooLarge(text: string): ParseResult {
  const mib = MAX_FILE_BYTES / 1024 / 1024;
  return {
    model: { kind: 'Model', items: [], span: START },
    errors: [{ message: `this file is ${utf8Length(text)} bytes, over the ${mib} MiB limit (${MAX_FILE_BYTES} bytes): it is not analysed`, span: START }],
    comments: [],
    wideLiterals: [],
  };
}

export function parseCached(host: ModelHost, uri: string, text: string): ParseResult {
  const cache = host.parseCache;
  const hit = cache?.get(uri);
  if (hit && hit.text === text) return hit.result;
  // A new text of a file parsed before (typing): only the statements the edit touched
  // are parsed again (syntax/reparse.ts).
  const result = overSizeCap(text) ? tooLarge(text) : hit && !overSizeCap(hit.text) ? reparse(hit.text, hit.result, text) : parse(text);
  if (cache) {
    cache.delete(uri); // re-inserted last: the oldest entries are the first in the map
    cache.set(uri, { text, result });
    for (const k of cache.keys()) {
      if (cache.size <= MAX_PARSE_CACHE) break;
      cache.delete(k);
    }
  }
  return result;
}

export function analyze(rootUri: string, host: ModelHost, options: AnalysisOptions = {}): Analysis {
  const findings: Finding[] = [];
  const files: ModelFile[] = [];
  const rootText = host.readFile(rootUri) ?? '';
  const onStack = new Set<string>();
  const included = new Set<string>();

  const visit = (uri: string, text: string, usedFrom: ModelFile['usedFrom'], depth: number) => {
    const result = parseCached(host, uri, text);
    files.push({ uri, text, parse: result, usedFrom });
    included.add(uri);
    onStack.add(uri);
    for (const e of result.errors.slice(0, MAX_SYNTAX_ERRORS)) {
      const data = e.replace === undefined ? undefined : { replace: e.replace, found: text.slice(e.span.startOffset, e.span.endOffset) };
      findings.push({ code: 'syntax-error', severity: 'error', phase: 'parsed', message: e.message, uri, span: e.span, related: [], ...(data ? { data } : {}) });
    }
    const more = result.errors.length - MAX_SYNTAX_ERRORS;
    if (more > 0) {
      const next = result.errors[MAX_SYNTAX_ERRORS]!;
      const message = `${more} more syntax error${more === 1 ? '' : 's'} from here on are not shown (at most ${MAX_SYNTAX_ERRORS} per file)`;
      findings.push({ code: 'syntax-error', severity: 'error', phase: 'parsed', message, uri, span: next.span, related: [] });
    }
    for (const item of result.model.items) {
      if (item.kind !== 'Use') continue;
      const at = { uri, span: item.path.span };
      const target = host.resolveUse(uri, item.path.value);
      if ('refused' in target) {
        findings.push({ code: 'use-not-found', severity: 'error', phase: 'parsed', message: target.refused, ...at, related: [] });
        continue;
      }
      if (onStack.has(target.uri)) {
        findings.push({
          code: 'use-not-found',
          severity: 'error',
          phase: 'parsed',
          message: `'${item.path.value}' is already being read: a use cycle (each file is pulled in once)`,
          ...at,
          related: [],
        });
        continue;
      }
      if (included.has(target.uri)) continue; // a diamond: names are global, one copy is enough
      if (depth + 1 > MAX_USE_DEPTH) {
        findings.push({
          code: 'use-not-found',
          severity: 'error',
          phase: 'parsed',
          message: `'${item.path.value}' is nested deeper than ${MAX_USE_DEPTH} uses`,
          ...at,
          related: [],
        });
        continue;
      }
      const text = host.readFile(target.uri);
      if (text === undefined) {
        const why = host.unreadable?.(target.uri) ?? 'does not exist';
        findings.push({ code: 'use-not-found', severity: 'error', phase: 'parsed', message: `'${item.path.value}' ${why}`, ...at, related: [] });
        continue;
      }
      if (overSizeCap(text)) {
        findings.push({
          code: 'use-not-found',
          severity: 'error',
          phase: 'parsed',
          message: `'${item.path.value}' is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB and is not read`,
          ...at,
          related: [],
        });
        continue;
      }
      visit(target.uri, text, { uri, decl: item }, depth + 1);
    }
    onStack.delete(uri);
  };
  visit(rootUri, rootText, undefined, 0);

  const built = buildModel(files);
  const model = options.kernel ? withKernelVersion(built, options.kernel.text, options.kernel.version) : built;
  let engine: EngineResult | undefined;
  let shares: ShareResult[] = [];
  const withheld = options.engine !== false && platformHasSyntaxErrors(files);
  if (options.engine !== false && !withheld) {
    engine = runEngine(model);
    shares = engine.shares.map((s) => s.result);
  }
  const all = runRules(model, engine, options.rules ?? {}, [...findings, ...model.findings]);
  return { rootUri, files, model, engine, findings: sortFindings(all), shares, ...(withheld ? { engineWithheld: 'syntax-errors' as const } : {}) };
}

/**
 * Whether a `platform` statement of the model has a syntax error: its topology is then
 * the parser's guess, and no verdict is computed on it (the engine is not run).
 */
export function platformHasSyntaxErrors(files: readonly ModelFile[]): boolean {
  return files.some((f) =>
    f.parse.errors.some((e) => f.parse.model.items.some((it) => it.kind === 'Platform' && e.span.startOffset >= it.span.startOffset && e.span.startOffset <= it.span.endOffset)),
  );
}

function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.span.startOffset - b.span.startOffset || (a.code < b.code ? -1 : 1)));
}

/**
 * The `use` problems of the files a root file pulls in, shown at the root's own `use`
 * that leads to them: a cycle closed, or a file refused, three files down is otherwise
 * invisible in the root's editor (each file's diagnostics are its own). One finding
 * per `use` of the root, with the places of the problems as related information.
 */
export function useProblemsThrough(a: Analysis): Finding[] {
  const root = a.files[0];
  if (!root) return [];
  const byUri = new Map(a.files.map((f) => [f.uri, f]));
  const at = new Map<UseDecl, Finding[]>();
  for (const f of a.findings) {
    if (f.code !== 'use-not-found' || f.uri === root.uri) continue;
    // Up the chain of `use`s to the root's own.
    let file = byUri.get(f.uri);
    let decl: UseDecl | undefined;
    for (let hops = 0; file?.usedFrom && hops <= a.files.length; hops++) {
      decl = file.usedFrom.decl;
      if (file.usedFrom.uri === root.uri) break;
      file = byUri.get(file.usedFrom.uri);
    }
    if (!decl || !root.parse.model.items.includes(decl)) continue;
    at.set(decl, [...(at.get(decl) ?? []), f]);
  }
  const out: Finding[] = [];
  for (const [decl, problems] of at) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    out.push({
      code: 'use-not-found',
      severity: 'error',
      phase: 'parsed',
      message: `a file pulled in through '${decl.path.value}' cannot use another: in ${baseName(first.uri)}, ${first.message}${more}`,
      uri: root.uri,
      span: decl.path.span,
      related: problems.map((p) => ({ uri: p.uri, span: p.span, message: p.message })),
    });
  }
  return out;
}

function baseName(uri: string): string {
  const last = uri.slice(uri.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
