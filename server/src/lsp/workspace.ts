// The language server's workspace: the open documents, the files they read, the
// settings, and the cache of analyses by phase. Features ask it for a document at the
// phase they need (`at`); nothing here knows what a feature does with it.

import { ResponseError, TextDocuments, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, overSizeCap, parseCached, type Analysis, type AnalysisOptions } from '../analysis/analyze';
import type { Phase } from '../ground/findings';
import type { ParseResult } from '../syntax/ast';
import { NO_CLIENT_CAPS, type ClientCaps } from './capabilities';
import { WorkspaceFiles } from './host';
import { FILE_NOT_READABLE } from './protocol';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import { fileKey, uriToPath } from './uris';

/** What a document gives at each phase: its own parse, or the analysis of the model it roots. */
export interface PhaseResult {
  readonly parsed: ParseResult;
  readonly names: Analysis;
  readonly engine: Analysis;
}

/** The phases that analyse a whole model (the `parsed` phase reads one file). */
export type ModelPhase = Exclude<Phase, 'parsed'>;

/** Where the workspace reports what went wrong (the connection's console). */
export interface Log {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}

interface Cached {
  readonly generation: number;
  readonly engine: boolean;
  readonly analysis: Analysis;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

export class Workspace {
  readonly documents = new TextDocuments(TextDocument);
  /** Open documents by file key. */
  private readonly open = new Map<string, TextDocument>();
  readonly files = new WorkspaceFiles({
    textOf: (key) => this.open.get(key)?.getText(),
    uriOf: (key) => this.open.get(key)?.uri,
  });
  settings: Settings = DEFAULT_SETTINGS;
  /** What the client said it can do (initialize). */
  caps: ClientCaps = NO_CLIENT_CAPS;
  /** Bumped on every change of any text, file or setting: older analyses are stale. */
  private generationCount = 0;
  private readonly cache = new Map<string, Cached>();
  /** Per open document (by key): the keys of the files of its model, at its last analysis. */
  private readonly modelFiles = new Map<string, Set<string>>();
  /** Open documents (by key) whose last analysis could not find a `use`d file. */
  private readonly missingUse = new Set<string>();
  /** The version each document was opened at, to skip the change event that follows open. */
  private readonly openedAt = new Map<string, number>();
  /** Per open document (by key): its last analysis with the mapping engine, and the version it was made for. */
  private readonly lastFull = new Map<string, { version: number; analysis: Analysis }>();
  /** Per document: whether its text at that version is over the size cap. */
  private readonly sizeChecked = new WeakMap<TextDocument, { version: number; over: boolean }>();

  constructor(private readonly log: Log) {}

  // ------------------------------------------------------------------ documents

  get generation(): number {
    return this.generationCount;
  }

  /** Anything changed (a text, a file, a setting): every cached analysis is stale. */
  invalidate(): void {
    this.generationCount++;
  }

  opened(doc: TextDocument): void {
    this.open.set(fileKey(doc.uri), doc);
    this.openedAt.set(doc.uri, doc.version);
  }

  /**
   * Whether this change event is the one TextDocuments fires right after didOpen; only
   * that one (a real change may come with the same version number from a client that
   * reuses it). Asked once per change event.
   */
  isOpenEcho(doc: TextDocument): boolean {
    const opened = this.openedAt.get(doc.uri);
    this.openedAt.delete(doc.uri);
    return opened === doc.version;
  }

  closed(doc: TextDocument): void {
    const key = fileKey(doc.uri);
    this.open.delete(key);
    this.openedAt.delete(doc.uri);
    this.cache.delete(key);
    this.modelFiles.delete(key);
    this.missingUse.delete(key);
    this.lastFull.delete(key);
    this.sizeChecked.delete(doc);
    this.files.parseCache.delete(doc.uri); // its text on disk is read again when it is used
  }

  /** The open documents, by file key. */
  openDocuments(): ReadonlyMap<string, TextDocument> {
    return this.open;
  }

  openDocument(key: string): TextDocument | undefined {
    return this.open.get(key);
  }

  /**
   * The open document a request is about, or undefined: when the params name none, the
   * document is not open (unknown or closed), or it is over the size cap (its only
   * answer is the diagnostic that says so; no request lexes or parses it).
   */
  requestDoc(p: unknown, overCapOk = false): TextDocument | undefined {
    const uri = (p as { textDocument?: { uri?: unknown } } | null | undefined)?.textDocument?.uri;
    if (typeof uri !== 'string') return undefined;
    const doc = this.documents.get(uri);
    if (!doc || overCapOk) return doc;
    let checked = this.sizeChecked.get(doc);
    if (checked?.version !== doc.version) {
      checked = { version: doc.version, over: overSizeCap(doc.getText()) };
      this.sizeChecked.set(doc, checked);
    }
    return checked.over ? undefined : doc;
  }

  // ------------------------------------------------------------------ phases

  /** An open document at a phase: its parse (`parsed`), or its model's analysis. */
  at<P extends Phase>(doc: TextDocument, phase: P): PhaseResult[P];
  at(doc: TextDocument, phase: Phase): ParseResult | Analysis {
    return phase === 'parsed' ? this.parsed(doc) : this.analysis(doc.uri, phase);
  }

  /** The document's own parse (cached by uri and text, shared with the analyses). */
  parsed(doc: TextDocument): ParseResult {
    return parseCached(this.files.hostFor(doc.uri), doc.uri, doc.getText());
  }

  /**
   * The analysis of the model rooted at an open document, cached until anything
   * changes; an `engine` analysis also answers for `names`.
   */
  analysis(uri: string, phase: ModelPhase): Analysis {
    const engine = phase === 'engine';
    const key = fileKey(uri);
    const hit = this.cache.get(key);
    if (hit && hit.generation === this.generationCount && (hit.engine || !engine)) return hit.analysis;
    const analysis = this.run(uri, engine);
    this.cache.set(key, { generation: this.generationCount, engine: analysis.engine !== undefined || analysis.engineWithheld !== undefined, analysis });
    const doc = this.open.get(key);
    if (analysis.engine !== undefined && doc) this.lastFull.set(key, { version: doc.version, analysis });
    return analysis;
  }

  /** Runs the analysis, uncached; if the engine or the rules throw, falls back to syntax and names. */
  run(uri: string, engine: boolean, kernel?: AnalysisOptions['kernel']): Analysis {
    const host = this.files.hostFor(uri);
    try {
      return analyze(uri, host, { engine, rules: this.settings.rules, ...(kernel ? { kernel } : {}) });
    } catch (e) {
      if (!engine) throw e;
      this.log.error(`analysis of ${uri} failed, showing syntax and names only: ${errorText(e)}`);
      return analyze(uri, host, { engine: false, rules: this.settings.rules });
    }
  }

  /**
   * The full analysis of the model rooted at `uri`, open (cached) or on disk (analysed
   * fresh every time: no file watcher tells us when it changes), or why there is none.
   */
  modelAt(uri: string, kernel?: AnalysisOptions['kernel']): Analysis | ResponseError {
    const open = this.open.get(fileKey(uri));
    // Another release than the model's own is analysed fresh: the cache holds the model's.
    if (open) return kernel ? this.run(open.uri, true, kernel) : this.analysis(open.uri, 'engine');
    if (this.files.readFile(uri) === undefined) {
      const why = this.files.unreadable(uri);
      return new ResponseError(FILE_NOT_READABLE, `cannot read ${uriToPath(uri) ?? uri}: ${why ?? 'it does not exist, is not a regular file or is not readable'}`);
    }
    return this.run(uri, true, kernel);
  }

  /** Whether the engine would run for this document now, as the pushed diagnostics do. */
  engineFor(doc: TextDocument): boolean {
    return this.settings.analyzeOn === 'change' || this.lastFull.get(fileKey(doc.uri))?.version === doc.version;
  }

  /** The last analysis with the engine of an open document. */
  lastFullOf(key: string): Analysis | undefined {
    return this.lastFull.get(key)?.analysis;
  }

  // ------------------------------------------------------------------ models and files

  /** Notes which files an open document's model read, and whether a `use` was missing. */
  noteModel(key: string, a: Analysis): void {
    this.modelFiles.set(key, new Set(a.files.map((f) => fileKey(f.uri))));
    if (a.findings.some((f) => f.code === 'use-not-found')) this.missingUse.add(key);
    else this.missingUse.delete(key);
  }

  /** The file keys an open document's model read at its last analysis. */
  modelFilesOf(key: string): ReadonlySet<string> | undefined {
    return this.modelFiles.get(key);
  }

  hasMissingUse(key: string): boolean {
    return this.missingUse.has(key);
  }

  /** The other open documents whose model read the file `key` at its last analysis. */
  dependents(key: string): TextDocument[] {
    return [...this.open].filter(([k]) => k !== key && this.modelFiles.get(k)?.has(key)).map(([, d]) => d);
  }

  /**
   * The open documents whose model reads the file `key` (the document itself first when
   * open); a model not analysed yet is analysed (names) to know.
   */
  modelsReading(key: string): TextDocument[] {
    const out: TextDocument[] = [];
    const self = this.open.get(key);
    if (self) out.push(self);
    for (const [k, d] of this.open) {
      if (k === key) continue;
      const files = this.modelFiles.get(k) ?? new Set(this.analysis(d.uri, 'names').files.map((f) => fileKey(f.uri)));
      if (files.has(key)) out.push(d);
    }
    return out;
  }

  /** The last analyses with the engine of the open documents, by key. */
  lastFullAnalyses(): ReadonlyMap<string, { readonly version: number; readonly analysis: Analysis }> {
    return this.lastFull;
  }

  /** A workspace edit of whole-file edit lists, versioned for open documents when the client can take that. */
  workspaceEdit(byUri: ReadonlyMap<string, TextEdit[]>): WorkspaceEdit {
    if (this.caps.documentChanges) {
      return {
        documentChanges: [...byUri].map(([uri, edits]) => ({ textDocument: { uri, version: this.open.get(fileKey(uri))?.version ?? null }, edits })),
      };
    }
    return { changes: Object.fromEntries(byUri) };
  }
}
