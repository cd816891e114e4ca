// One model = one root file plus the files it pulls in with `use` (LANGUAGE.md §1).
// This module gathers the files through a host (the server's documents, or the disk),
// then runs the layers in order: syntax → model → engine → rules.

import type { ParseResult, UseDecl } from '../syntax/ast';
import { parse } from '../syntax/parser';
import { buildModel, type ResolvedModel } from '../model/build';
import { runEngine, type EngineResult } from '../engine/run';
import { runRules, type RuleSettings } from '../rules/index';
import type { Finding, ShareResult } from './types';

export interface ModelHost {
  /** The text of a file, or undefined when it does not exist or cannot be read. */
  readFile(uri: string): string | undefined;
  /**
   * The file that `use "path"` in `fromUri` names, or an explanation why there is none
   * (outside the workspace folder, absolute path…).
   */
  resolveUse(fromUri: string, path: string): { uri: string } | { refused: string };
  /** A parse cache keyed by uri and text, so unchanged `use`d files are not re-parsed. */
  parseCache?: Map<string, { text: string; result: ParseResult }>;
}

export interface AnalysisOptions {
  /** Run the mapping engine and its rules (false: syntax and names only, for typing). */
  readonly engine?: boolean;
  readonly rules?: RuleSettings;
}

/** A file of the model and the place it was pulled in from. */
export interface ModelFile {
  readonly uri: string;
  readonly text: string;
  readonly parse: ParseResult;
  readonly usedFrom: { readonly uri: string; readonly decl: UseDecl } | undefined;
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
}

/** Limits that keep a hostile model from exhausting the server (docs/robustness.md). */
export const MAX_USE_DEPTH = 16;
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export function parseCached(host: ModelHost, uri: string, text: string): ParseResult {
  const hit = host.parseCache?.get(uri);
  if (hit && hit.text === text) return hit.result;
  const result = parse(text);
  host.parseCache?.set(uri, { text, result });
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
    for (const e of result.errors) {
      findings.push({ code: 'syntax-error', severity: 'error', message: e.message, uri, span: e.span, related: [] });
    }
    for (const item of result.model.items) {
      if (item.kind !== 'Use') continue;
      const at = { uri, span: item.path.span };
      const target = host.resolveUse(uri, item.path.value);
      if ('refused' in target) {
        findings.push({ code: 'use-not-found', severity: 'error', message: target.refused, ...at, related: [] });
        continue;
      }
      if (onStack.has(target.uri)) {
        findings.push({
          code: 'use-not-found',
          severity: 'error',
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
          message: `'${item.path.value}' is nested deeper than ${MAX_USE_DEPTH} uses`,
          ...at,
          related: [],
        });
        continue;
      }
      const text = host.readFile(target.uri);
      if (text === undefined) {
        findings.push({ code: 'use-not-found', severity: 'error', message: `'${item.path.value}' does not exist`, ...at, related: [] });
        continue;
      }
      if (text.length > MAX_FILE_BYTES) {
        findings.push({
          code: 'use-not-found',
          severity: 'error',
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

  const model = buildModel(files);
  let engine: EngineResult | undefined;
  let shares: ShareResult[] = [];
  if (options.engine !== false) {
    engine = runEngine(model);
    shares = engine.shares.map((s) => s.result);
  }
  const all = runRules(model, engine, options.rules ?? {}, [...findings, ...model.findings]);
  return { rootUri, files, model, engine, findings: sortFindings(all), shares };
}

function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.span.startOffset - b.span.startOffset || (a.code < b.code ? -1 : 1)));
}
