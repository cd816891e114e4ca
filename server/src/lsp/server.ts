// The language server's wiring: documents, settings, diagnostics and requests. No
// analysis logic here: everything the model means comes from analysis/analyze.ts.

import {
  DidChangeConfigurationNotification,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type Location,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, parseCached, type Analysis } from '../analysis/analyze';
import { version } from '../../../package.json';
import { spanToRange, toDiagnostic, toSharesResult } from './convert';
import { formatDocument, formatDocumentRange } from './formatting';
import { WorkspaceFiles } from './host';
import { hoverAt } from './hover';
import { nameAt } from './lookup';
import { documentSymbols } from './outline';
import { FILE_NOT_READABLE, SHARES_METHOD, type SharesParams, type SharesResult } from './protocol';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from './settings';
import { fileKey, uriToPath } from './uris';

/** Delay between the last keystroke and the analysis of a changed document. */
export const CHANGE_DEBOUNCE_MS = 200;

interface Cached {
  readonly generation: number;
  readonly engine: boolean;
  readonly analysis: Analysis;
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

export class DmabufServer {
  private readonly documents = new TextDocuments(TextDocument);
  /** Open documents by file key. */
  private readonly open = new Map<string, TextDocument>();
  private readonly files = new WorkspaceFiles({
    textOf: (key) => this.open.get(key)?.getText(),
    uriOf: (key) => this.open.get(key)?.uri,
  });
  private settings: Settings = DEFAULT_SETTINGS;
  private configPull = false;
  private configDynamic = false;
  private foldersChange = false;
  /** Bumped on every change of any text, file or setting: older analyses are stale. */
  private generation = 0;
  private readonly cache = new Map<string, Cached>();
  /** Per open document (by key): the keys of the files of its model, at its last analysis. */
  private readonly modelFiles = new Map<string, Set<string>>();
  /** Open documents (by key) whose last analysis could not find a `use`d file. */
  private readonly missingUse = new Set<string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The version each document was opened at, to skip the change event that follows open. */
  private readonly openedAt = new Map<string, number>();

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((p) => this.initialize(p));
    c.onInitialized(() => void this.initialized());
    c.onShutdown(() => {
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
    });

    this.documents.onDidOpen((e) => this.safely('didOpen', () => this.didOpen(e.document)));
    this.documents.onDidChangeContent((e) => this.safely('didChange', () => this.didChange(e.document)));
    this.documents.onDidSave((e) => this.safely('didSave', () => this.didSave(e.document)));
    this.documents.onDidClose((e) => this.safely('didClose', () => this.didClose(e.document)));
    c.onDidChangeConfiguration((p) => void this.configurationChanged(p.settings));
    c.onDidChangeWatchedFiles((p) => this.safely('didChangeWatchedFiles', () => this.filesChanged(p.changes.map((ch) => ch.uri))));

    c.onHover(
      this.guard('hover', null, (p) => {
        const doc = this.documents.get(p.textDocument.uri);
        if (!doc) return null;
        const a = this.analysisOf(doc.uri, true);
        return hoverAt(a, doc.uri, doc.getText(), doc.offsetAt(p.position));
      }),
    );
    c.onDocumentSymbol(
      this.guard('documentSymbol', [], (p) => {
        const doc = this.documents.get(p.textDocument.uri);
        if (!doc) return [];
        return documentSymbols(parseCached(this.files.hostFor(doc.uri), doc.uri, doc.getText()).model);
      }),
    );
    c.onDefinition(
      this.guard('definition', null, (p) => {
        const doc = this.documents.get(p.textDocument.uri);
        if (!doc) return null;
        const n = nameAt(this.analysisOf(doc.uri, false), doc.uri, doc.offsetAt(p.position));
        if (!n?.symbol) return null;
        return { uri: n.symbol.place.uri, range: spanToRange(n.symbol.place.span) };
      }),
    );
    c.onReferences(
      this.guard('references', [], (p) => {
        const doc = this.documents.get(p.textDocument.uri);
        if (!doc) return [];
        return this.references(doc, doc.offsetAt(p.position), p.context.includeDeclaration);
      }),
    );
    c.onDocumentFormatting(
      this.guard('formatting', [], (p) => {
        const doc = this.documents.get(p.textDocument.uri);
        if (!doc) return [];
        const r = formatDocument(doc);
        if ('unavailable' in r) {
          c.console.info(`formatting ${doc.uri}: ${r.unavailable}`);
          return [];
        }
        return r.edits;
      }),
    );
    c.onDocumentRangeFormatting(
      this.guard('rangeFormatting', [], (p) => {
        const doc = this.documents.get(p.textDocument.uri);
        return doc ? formatDocumentRange(doc, p.range) : [];
      }),
    );
    c.onRequest(SHARES_METHOD, (p: SharesParams) => {
      try {
        return this.shares(p);
      } catch (e) {
        c.console.error(`${SHARES_METHOD} failed: ${errorText(e)}`);
        return new ResponseError(ErrorCodes.InternalError, `${SHARES_METHOD} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    });

    this.documents.listen(c);
  }

  // ------------------------------------------------------------------ lifecycle

  private initialize(p: InitializeParams): InitializeResult {
    const folderUris = p.workspaceFolders?.map((f) => f.uri) ?? (p.rootUri ? [p.rootUri] : []);
    this.files.folders = folderUris.map(uriToPath).filter((x): x is string => x !== undefined);
    if (this.files.folders.length === 0 && p.rootPath) this.files.folders = [p.rootPath];
    const ws = p.capabilities.workspace;
    this.configPull = ws?.configuration === true;
    this.configDynamic = ws?.didChangeConfiguration?.dynamicRegistration === true;
    this.foldersChange = ws?.workspaceFolders === true;
    // Settings may come with initialize (`initializationOptions.settings` = the `dmabuf`
    // section): clients without workspace/configuration, such as dmabuf-lint, use that.
    const init = (p.initializationOptions as { settings?: unknown } | undefined)?.settings;
    if (init !== undefined) this.settings = parseSettings(init, (m) => this.connection.console.warn(m));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        documentSymbolProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: this.foldersChange } },
      },
      serverInfo: { name: 'dmabuf-language-server', version },
    };
  }

  private async initialized(): Promise<void> {
    try {
      if (this.configDynamic) await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'dmabuf' });
      if (this.foldersChange) {
        this.connection.workspace.onDidChangeWorkspaceFolders((e) =>
          this.safely('didChangeWorkspaceFolders', () => {
            const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
            const added = e.added.map((f) => uriToPath(f.uri)).filter((x): x is string => x !== undefined);
            this.files.folders = [...this.files.folders.filter((f) => !removed.has(f)), ...added];
            this.invalidate();
            this.refreshAll();
          }),
        );
      }
    } catch (e) {
      this.connection.console.error(`initialized: ${errorText(e)}`);
    }
    await this.configurationChanged(undefined);
  }

  /** Reads the settings (pulled when the client can, else pushed) and re-analyses if they changed. */
  private async configurationChanged(pushed: unknown): Promise<void> {
    try {
      let raw: unknown;
      if (this.configPull) raw = await this.connection.workspace.getConfiguration({ section: 'dmabuf' });
      else raw = pushed && typeof pushed === 'object' ? (pushed as Record<string, unknown>)['dmabuf'] : undefined;
      if (raw === undefined && !this.configPull && pushed === undefined) return;
      const next = parseSettings(raw, (m) => this.connection.console.warn(m));
      if (JSON.stringify(next) === JSON.stringify(this.settings)) return;
      this.settings = next;
      this.invalidate();
      this.refreshAll();
    } catch (e) {
      this.connection.console.error(`configuration: ${errorText(e)}`);
    }
  }

  // ------------------------------------------------------------------ documents

  private didOpen(doc: TextDocument): void {
    const key = fileKey(doc.uri);
    this.open.set(key, doc);
    this.openedAt.set(doc.uri, doc.version);
    this.invalidate();
    this.refresh(doc.uri, true);
    this.refreshDependents(key, true);
  }

  private didChange(doc: TextDocument): void {
    if (this.openedAt.get(doc.uri) === doc.version) return; // the change event that follows didOpen
    this.openedAt.delete(doc.uri);
    this.invalidate();
    const key = fileKey(doc.uri);
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.safely('analysis', () => {
          const engine = this.settings.analyzeOn === 'change';
          this.refresh(doc.uri, engine);
          this.refreshDependents(key, engine);
        });
      }, CHANGE_DEBOUNCE_MS),
    );
  }

  private didSave(doc: TextDocument): void {
    const key = fileKey(doc.uri);
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.refresh(doc.uri, true);
    this.refreshDependents(key, true);
  }

  private didClose(doc: TextDocument): void {
    const key = fileKey(doc.uri);
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.open.delete(key);
    this.openedAt.delete(doc.uri);
    this.cache.delete(key);
    this.modelFiles.delete(key);
    this.missingUse.delete(key);
    this.connection.sendDiagnostics({ uri: doc.uri, diagnostics: [] });
    this.invalidate();
    this.refreshDependents(key, true); // they now read the file from the disk
  }

  /** Files changed on disk (the client's file watcher): re-analyse the models that read them. */
  private filesChanged(uris: string[]): void {
    this.invalidate();
    const keys = new Set(uris.map(fileKey));
    for (const [key, doc] of this.open) {
      const deps = this.modelFiles.get(key);
      const touched = deps !== undefined && [...deps].some((d) => d !== key && keys.has(d));
      if (touched || this.missingUse.has(key)) this.refresh(doc.uri, true);
    }
  }

  // ------------------------------------------------------------------ analysis

  private invalidate(): void {
    this.generation++;
  }

  /** The analysis of the model rooted at an open document (cached until anything changes). */
  private analysisOf(uri: string, engine: boolean): Analysis {
    const key = fileKey(uri);
    const hit = this.cache.get(key);
    if (hit && hit.generation === this.generation && (hit.engine || !engine)) return hit.analysis;
    const analysis = this.run(uri, engine);
    this.cache.set(key, { generation: this.generation, engine: analysis.engine !== undefined, analysis });
    return analysis;
  }

  /** Runs the analysis; if the engine or the rules throw, falls back to syntax and names. */
  private run(uri: string, engine: boolean): Analysis {
    const host = this.files.hostFor(uri);
    try {
      return analyze(uri, host, { engine, rules: this.settings.rules });
    } catch (e) {
      if (!engine) throw e;
      this.connection.console.error(`analysis of ${uri} failed, showing syntax and names only: ${errorText(e)}`);
      return analyze(uri, host, { engine: false, rules: this.settings.rules });
    }
  }

  /** Analyses an open document and publishes its diagnostics. */
  private refresh(uri: string, engine: boolean): void {
    const doc = this.documents.get(uri) ?? this.open.get(fileKey(uri));
    if (!doc) return;
    try {
      const key = fileKey(doc.uri);
      const a = this.analysisOf(doc.uri, engine);
      this.modelFiles.set(key, new Set(a.files.map((f) => fileKey(f.uri))));
      if (a.findings.some((f) => f.code === 'use-not-found')) this.missingUse.add(key);
      else this.missingUse.delete(key);
      const diagnostics = a.findings.filter((f) => fileKey(f.uri) === key).map(toDiagnostic);
      void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    } catch (e) {
      this.connection.console.error(`analysis of ${doc.uri} failed: ${errorText(e)}`);
    }
  }

  /** Re-analyses the open documents whose model reads the file `key`. */
  private refreshDependents(key: string, engine: boolean): void {
    for (const [other, doc] of this.open) {
      if (other !== key && this.modelFiles.get(other)?.has(key)) this.refresh(doc.uri, engine);
    }
  }

  private refreshAll(): void {
    for (const doc of this.open.values()) this.refresh(doc.uri, true);
  }

  // ------------------------------------------------------------------ requests

  private references(doc: TextDocument, offset: number, includeDeclaration: boolean): Location[] {
    const n = nameAt(this.analysisOf(doc.uri, false), doc.uri, offset);
    const sym = n?.symbol;
    if (!sym) return [];
    const same = (s: { place: { uri: string; span: { startOffset: number } } } | undefined) =>
      s !== undefined && fileKey(s.place.uri) === fileKey(sym.place.uri) && s.place.span.startOffset === sym.place.span.startOffset;
    const out = new Map<string, Location>();
    const add = (uri: string, range: Location['range']) => out.set(`${fileKey(uri)}:${range.start.line}:${range.start.character}`, { uri, range });
    if (includeDeclaration) add(sym.place.uri, spanToRange(sym.place.span));
    // This model, and every open model that reads this file.
    const key = fileKey(doc.uri);
    const roots = [doc.uri, ...[...this.open].filter(([k]) => k !== key && this.modelFiles.get(k)?.has(key)).map(([, d]) => d.uri)];
    for (const root of roots) {
      for (const ref of this.analysisOf(root, false).model.references) {
        if (same(ref.symbol)) add(ref.uri, spanToRange(ref.name.span));
      }
    }
    return [...out.values()];
  }

  private shares(p: SharesParams): SharesResult | ResponseError {
    if (!p || typeof p.uri !== 'string' || p.uri.length === 0) {
      return new ResponseError(ErrorCodes.InvalidParams, `${SHARES_METHOD} needs { uri: string }`);
    }
    const open = this.open.get(fileKey(p.uri));
    if (open) return toSharesResult(p.uri, this.analysisOf(open.uri, true));
    if (this.files.readFile(p.uri) === undefined) {
      const where = uriToPath(p.uri) ?? p.uri;
      return new ResponseError(FILE_NOT_READABLE, `cannot read ${where}: it does not exist, is not a regular file or is not readable`);
    }
    // Not open: analysed fresh every time (no file watcher tells us when it changes).
    return toSharesResult(p.uri, this.run(p.uri, true));
  }

  // ------------------------------------------------------------------ safety

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.connection.console.error(`${what} failed: ${errorText(e)}`);
    }
  }

  /** A request handler that logs any error and answers `fallback` instead of failing. */
  private guard<P, R>(what: string, fallback: R, fn: (p: P) => R): (p: P) => R {
    return (p: P) => {
      try {
        return fn(p);
      } catch (e) {
        this.connection.console.error(`${what} failed: ${errorText(e)}`);
        return fallback;
      }
    };
  }
}

export function startServer(connection: Connection): DmabufServer {
  const server = new DmabufServer(connection);
  server.listen();
  return server;
}
