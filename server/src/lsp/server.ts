// The language server's wiring: documents, settings, diagnostics and requests. No
// analysis logic here: everything the model means comes from analysis/analyze.ts.

import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type DocumentLink,
  type InitializeParams,
  type InitializeResult,
  type Location,
  type SymbolInformation,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, overSizeCap, parseCached, useProblemsThrough, type Analysis } from '../analysis/analyze';
import type { SymbolInfo } from '../model/types';
import { LineIndex } from '../syntax/lineIndex';
import { version } from '../../../package.json';
import { checkpoint, contentModifiedError, retriggerError } from './cancel';
import { FIXABLE_CODES, fixAll, quickFixes, wants, type FileEdits } from './codeActions';
import { completionItems } from './completion';
import { spanToRange, toDiagnostic, toSharesResult } from './convert';
import { toTextEdits } from './edits';
import { formatDocument, formatDocumentRange } from './formatting';
import { WorkspaceFiles } from './host';
import { hoverAt } from './hover';
import { inlayHints, shareValues, type ShareValue } from './inlayHints';
import { fileOf, nameAt } from './lookup';
import { highlights, invalidNewName, modelSymbols, occurrences, renameTarget, samePlace } from './names';
import { documentSymbols } from './outline';
import { LEGEND, semanticTokens } from './semanticTokens';
import { foldingRanges, selectionRange } from './structure';
import { FILE_NOT_READABLE, SHARES_METHOD, type SharesParams, type SharesResult } from './protocol';
import { registerImportRequest } from './importRequest';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from './settings';
import { fileKey, uriToPath } from './uris';
import { registerViews } from './views';

/** Delay between the last keystroke and the analysis of a changed document. */
export const CHANGE_DEBOUNCE_MS = 200;

interface Cached {
  readonly generation: number;
  readonly engine: boolean;
  readonly analysis: Analysis;
}

/** What the client said it can do (initialize), as far as the features below care. */
interface ClientCaps {
  snippets: boolean;
  pullDiagnostics: boolean;
  diagnosticRefresh: boolean;
  inlayHintRefresh: boolean;
  semanticTokensRefresh: boolean;
  documentChanges: boolean;
  prepareRename: boolean;
}

type Step = () => Promise<void>;

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
  /** Per open document (by key): its last analysis with the mapping engine, and the version it was made for. */
  private readonly lastFull = new Map<string, { version: number; analysis: Analysis }>();
  private caps: ClientCaps = {
    snippets: false,
    pullDiagnostics: false,
    diagnosticRefresh: false,
    inlayHintRefresh: false,
    semanticTokensRefresh: false,
    documentChanges: false,
    prepareRename: false,
  };
  private refreshScheduled = false;

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
        const doc = this.requestDoc(p);
        if (!doc) return null;
        const a = this.analysisOf(doc.uri, true);
        return hoverAt(a, doc.uri, doc.getText(), doc.offsetAt(p.position));
      }),
    );
    c.onDocumentSymbol(
      this.guard('documentSymbol', [], (p) => {
        const doc = this.requestDoc(p);
        if (!doc) return [];
        return documentSymbols(parseCached(this.files.hostFor(doc.uri), doc.uri, doc.getText()).model);
      }),
    );
    c.onDefinition(
      this.guard('definition', null, (p) => {
        const doc = this.requestDoc(p);
        if (!doc) return null;
        const n = nameAt(this.analysisOf(doc.uri, false), doc.uri, doc.offsetAt(p.position));
        if (!n?.symbol) return null;
        return { uri: n.symbol.place.uri, range: spanToRange(n.symbol.place.span) };
      }),
    );
    c.onReferences(
      this.guard('references', [], (p) => {
        const doc = this.requestDoc(p);
        if (!doc) return [];
        return this.references(doc, doc.offsetAt(p.position), p.context.includeDeclaration);
      }),
    );
    c.onDocumentFormatting(
      this.guard('formatting', [], (p) => {
        const doc = this.requestDoc(p);
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
        const doc = this.requestDoc(p);
        return doc ? formatDocumentRange(doc, p.range) : [];
      }),
    );
    c.onCodeAction(this.long('codeAction', [], (doc, p, step) => this.codeActions(doc, p, step)));
    c.onCompletion(
      this.long('completion', [] as CompletionItem[], (doc, p) =>
        completionItems(doc.getText(), doc.offsetAt(p.position), this.analysisOf(doc.uri, false).model, { snippets: this.caps.snippets }),
      ),
    );
    c.languages.inlayHint.on(
      this.long('inlayHint', [], (doc, p) => inlayHints(parseCached(this.files.hostFor(doc.uri), doc.uri, doc.getText()).model, this.fullValues(doc.uri), p.range)),
    );
    c.languages.semanticTokens.on(
      this.long('semanticTokens', { data: [] }, (doc, _p, step) => this.semanticTokensOf(doc, step)),
    );
    c.onFoldingRanges(
      this.guard('foldingRange', [], (p) => {
        const doc = this.requestDoc(p);
        if (!doc) return [];
        return foldingRanges(doc.getText(), parseCached(this.files.hostFor(doc.uri), doc.uri, doc.getText()).model);
      }),
    );
    c.onSelectionRanges(
      this.guard('selectionRange', [], (p) => {
        const doc = this.requestDoc(p);
        if (!doc) return [];
        const model = parseCached(this.files.hostFor(doc.uri), doc.uri, doc.getText()).model;
        return p.positions.map((pos) => selectionRange(doc.getText(), model, doc.offsetAt(pos)));
      }),
    );
    c.onDocumentHighlight(
      this.guard('documentHighlight', [], (p) => {
        const doc = this.requestDoc(p);
        if (!doc) return [];
        return highlights(this.analysisOf(doc.uri, false), doc.uri, doc.offsetAt(p.position));
      }),
    );
    c.onPrepareRename(
      this.long('prepareRename', null, (doc, p) => {
        const t = renameTarget(this.analysisOf(doc.uri, false), doc.uri, doc.getText(), doc.offsetAt(p.position));
        if (!t.ok) {
          if (t.reason === undefined) return null;
          throw new ResponseError(LSPErrorCodes.RequestFailed, t.reason);
        }
        return { range: spanToRange(t.span), placeholder: t.symbol.name };
      }),
    );
    c.onRenameRequest(this.long('rename', null, (doc, p, step) => this.rename(doc, doc.offsetAt(p.position), p.newName, step)));
    c.onWorkspaceSymbol(async (p, token) => {
      try {
        return await this.workspaceSymbols(p.query, checkpoint(token, () => true, contentModifiedError));
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        c.console.error(`workspaceSymbol failed: ${errorText(e)}`);
        return [];
      }
    });
    c.onDocumentLinks(
      this.guard('documentLink', [], (p) => {
        const doc = this.requestDoc(p);
        return doc ? this.documentLinks(doc) : [];
      }),
    );
    c.languages.diagnostics.on(this.long('diagnostic', { kind: DocumentDiagnosticReportKind.Full, items: [] }, (doc, p) => this.pullDiagnostics(doc, p), retriggerError, true));
    c.onRequest(SHARES_METHOD, (p: SharesParams) => {
      try {
        return this.shares(p);
      } catch (e) {
        c.console.error(`${SHARES_METHOD} failed: ${errorText(e)}`);
        return new ResponseError(ErrorCodes.InternalError, `${SHARES_METHOD} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    registerViews(c, (uri) => this.viewAnalysis(uri)); // dmabuf/topology, dmabuf/matrix (views.ts)
    registerImportRequest(c); // dmabuf/import (importRequest.ts)

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
    const td = p.capabilities.textDocument;
    this.caps = {
      snippets: td?.completion?.completionItem?.snippetSupport === true,
      pullDiagnostics: td?.diagnostic !== undefined,
      diagnosticRefresh: ws?.diagnostics?.refreshSupport === true,
      inlayHintRefresh: ws?.inlayHint?.refreshSupport === true,
      semanticTokensRefresh: ws?.semanticTokens?.refreshSupport === true,
      documentChanges: ws?.workspaceEdit?.documentChanges === true,
      prepareRename: td?.rename?.prepareSupport === true,
    };
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
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] },
        // `->` (importers) and `,` (expect and devices lists); words trigger completion anyway.
        completionProvider: { triggerCharacters: ['>', ','] },
        inlayHintProvider: true,
        semanticTokensProvider: { legend: LEGEND, full: true },
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        documentHighlightProvider: true,
        renameProvider: this.caps.prepareRename ? { prepareProvider: true } : true,
        workspaceSymbolProvider: true,
        documentLinkProvider: { resolveProvider: false },
        ...(this.caps.pullDiagnostics ? { diagnosticProvider: { identifier: 'dmabuf', interFileDependencies: true, workspaceDiagnostics: false } } : {}),
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
            this.notifyRefresh();
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
      this.notifyRefresh();
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
    this.notifyRefresh();
  }

  private didChange(doc: TextDocument): void {
    // The change event that TextDocuments fires right after didOpen; only that one (a
    // real change may come with the same version number from a client that reuses it).
    const opened = this.openedAt.get(doc.uri);
    this.openedAt.delete(doc.uri);
    if (opened === doc.version) return;
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
          const dependents = this.refreshDependents(key, engine);
          if (engine || dependents > 0) this.notifyRefresh();
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
    this.notifyRefresh();
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
    this.lastFull.delete(key);
    this.sizeChecked.delete(doc);
    this.files.parseCache.delete(doc.uri); // its text on disk is read again when it is used
    this.connection.sendDiagnostics({ uri: doc.uri, diagnostics: [] });
    this.invalidate();
    if (this.refreshDependents(key, true) > 0) this.notifyRefresh(); // they now read the file from the disk
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
    this.notifyRefresh();
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
    const doc = this.open.get(key);
    if (analysis.engine !== undefined && doc) this.lastFull.set(key, { version: doc.version, analysis });
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
      const diagnostics = this.diagnosticsFor(a, key);
      void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    } catch (e) {
      this.connection.console.error(`analysis of ${doc.uri} failed: ${errorText(e)}`);
    }
  }

  /** Re-analyses the open documents whose model reads the file `key`; returns how many. */
  private refreshDependents(key: string, engine: boolean): number {
    let n = 0;
    for (const [other, doc] of this.open) {
      if (other !== key && this.modelFiles.get(other)?.has(key)) {
        this.refresh(doc.uri, engine);
        n++;
      }
    }
    return n;
  }

  /**
   * Asks the client to pull again what may have changed without its document changing
   * (a used file, the settings, a full analysis after save): pulled diagnostics, inlay
   * hints, semantic tokens. Once per turn, and only what the client can refresh.
   */
  private notifyRefresh(): void {
    if (this.refreshScheduled || !(this.caps.diagnosticRefresh || this.caps.inlayHintRefresh || this.caps.semanticTokensRefresh)) return;
    this.refreshScheduled = true;
    setImmediate(() => {
      this.refreshScheduled = false;
      const l = this.connection.languages;
      const log = (what: string) => (e: unknown) => this.connection.console.warn(`${what} refresh: ${errorText(e)}`);
      try {
        // Typed void, but each is a request whose answer may be an error.
        if (this.caps.pullDiagnostics && this.caps.diagnosticRefresh) Promise.resolve(l.diagnostics.refresh() as unknown).catch(log('diagnostic'));
        if (this.caps.inlayHintRefresh) Promise.resolve(l.inlayHint.refresh() as unknown).catch(log('inlay hint'));
        if (this.caps.semanticTokensRefresh) Promise.resolve(l.semanticTokens.refresh() as unknown).catch(log('semantic tokens'));
      } catch (e) {
        log('client')(e);
      }
    });
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

  /** Whether the engine would run for this document now, as the pushed diagnostics do. */
  private engineFor(doc: TextDocument): boolean {
    return this.settings.analyzeOn === 'change' || this.lastFull.get(fileKey(doc.uri))?.version === doc.version;
  }

  private pullDiagnostics(doc: TextDocument, p: DocumentDiagnosticParams): DocumentDiagnosticReport {
    const key = fileKey(doc.uri);
    const engine = this.engineFor(doc);
    const resultId = `${this.generation}:${doc.version}:${engine ? 'full' : 'names'}`;
    if (p.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    const a = this.analysisOf(doc.uri, engine);
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items: this.diagnosticsFor(a, key) };
  }

  /**
   * The diagnostics of one file: the analysis' own and, while the engine waits for a
   * save, the engine's findings from the last full analysis, as a build's diagnostics
   * stay until the next build: warnings do not vanish while the user types.
   */
  private diagnosticsFor(a: Analysis, key: string): Diagnostic[] {
    const own = a.findings.filter((f) => fileKey(f.uri) === key);
    // A cycle or a refused `use` further down the chain, at the root's own `use`.
    if (a.files[0] && fileKey(a.files[0].uri) === key) own.push(...useProblemsThrough(a));
    if (a.engine !== undefined) return own.map(toDiagnostic);
    const last = this.lastFull.get(key)?.analysis;
    const kept = last ? last.findings.filter((f) => f.phase === 'engine' && fileKey(f.uri) === key) : [];
    if (kept.length === 0) return own.map(toDiagnostic);
    // Kept findings were placed in an older text: those that no longer fit in the
    // current one (the text got shorter) would point past its end, and are dropped.
    const text = a.files.find((f) => fileKey(f.uri) === key)?.text;
    const lines = text === undefined ? undefined : new LineIndex(text);
    const fits = (p: { line: number; character: number }) => lines !== undefined && p.line < lines.lineCount && p.character <= lines.lineText(p.line).length;
    return [...own, ...kept.filter((f) => fits(f.span.start) && fits(f.span.end))].map(toDiagnostic);
  }

  /** The diagnostics' data as the server made it, when the client did not send it back. */
  private dataOf(doc: TextDocument, d: Diagnostic): Readonly<Record<string, unknown>> | undefined {
    if (d.data && typeof d.data === 'object') return d.data as Record<string, unknown>;
    if (!FIXABLE_CODES.has(String(d.code))) return undefined;
    const key = fileKey(doc.uri);
    const same = (r: typeof d.range, f: { span: { start: { line: number; character: number }; end: { line: number; character: number } } }) =>
      r.start.line === f.span.start.line && r.start.character === f.span.start.character && r.end.line === f.span.end.line && r.end.character === f.span.end.character;
    const f = this.analysisOf(doc.uri, true).findings.find((x) => fileKey(x.uri) === key && x.code === d.code && same(d.range, x));
    return f?.data;
  }

  private async codeActions(doc: TextDocument, p: CodeActionParams, step: Step): Promise<CodeAction[]> {
    const only = p.context.only;
    const options = { toWorkspaceEdit: (e: FileEdits) => this.workspaceEdit(new Map([...e].map(([uri, f]) => [uri, toTextEdits(f.file.text, f.edits)]))) };
    const out: CodeAction[] = [];
    if (wants(only, CodeActionKind.QuickFix) && p.context.diagnostics.length > 0) {
      out.push(...quickFixes(this.analysisOf(doc.uri, false), doc.uri, p.context.diagnostics, (d) => this.dataOf(doc, d), options));
    }
    // Fix-all only when asked for source actions (on save, or the Source Action menu) or for everything.
    if (only && wants(only, CodeActionKind.SourceFixAll)) {
      await step();
      const key = fileKey(doc.uri);
      const full = this.analysisOf(doc.uri, true);
      const diagnostics = full.findings.filter((f) => fileKey(f.uri) === key).map((f) => ({ diagnostic: toDiagnostic(f), data: f.data }));
      const all = fixAll(this.analysisOf(doc.uri, false), doc.uri, diagnostics, options);
      if (all) out.push(all);
    }
    return out;
  }

  /** A workspace edit of whole-file edit lists, versioned for open documents when the client can take that. */
  private workspaceEdit(byUri: ReadonlyMap<string, TextEdit[]>): WorkspaceEdit {
    if (this.caps.documentChanges) {
      return {
        documentChanges: [...byUri].map(([uri, edits]) => ({ textDocument: { uri, version: this.open.get(fileKey(uri))?.version ?? null }, edits })),
      };
    }
    return { changes: Object.fromEntries(byUri) };
  }

  /** What the last full analyses (of this document, and of open models that use it) computed for its shares. */
  private fullValues(uri: string): Map<string, ShareValue> {
    const key = fileKey(uri);
    const out = new Map<string, ShareValue>();
    const own = this.lastFull.get(key);
    const others = [...this.lastFull].filter(([k, v]) => k !== key && v.analysis.files.some((f) => fileKey(f.uri) === key)).map(([, v]) => v);
    for (const entry of [...(own ? [own] : []), ...others]) {
      for (const [name, v] of shareValues(entry.analysis, uri)) if (!out.has(name)) out.set(name, v);
    }
    return out;
  }

  /** The open documents whose model reads the file `key` (the document itself first when open). */
  private modelsReading(key: string): TextDocument[] {
    const out: TextDocument[] = [];
    const self = this.open.get(key);
    if (self) out.push(self);
    for (const [k, d] of this.open) {
      if (k === key) continue;
      const files = this.modelFiles.get(k) ?? new Set(this.analysisOf(d.uri, false).files.map((f) => fileKey(f.uri)));
      if (files.has(key)) out.push(d);
    }
    return out;
  }

  private async semanticTokensOf(doc: TextDocument, step: Step) {
    const a = this.analysisOf(doc.uri, false);
    const symbols = new Map<string, SymbolInfo>(a.model.symbols);
    // A used file's names may be declared by the files that use it.
    for (const other of this.modelsReading(fileKey(doc.uri))) {
      if (other.uri === doc.uri) continue;
      await step();
      for (const [n, s] of this.analysisOf(other.uri, false).model.symbols) if (!symbols.has(n)) symbols.set(n, s);
    }
    const model = fileOf(a, doc.uri)?.parse.model ?? parseCached(this.files.hostFor(doc.uri), doc.uri, doc.getText()).model;
    return semanticTokens(model, (n) => symbols.get(n));
  }

  private async rename(doc: TextDocument, offset: number, newName: string, step: Step): Promise<WorkspaceEdit | null> {
    const a = this.analysisOf(doc.uri, false);
    const t = renameTarget(a, doc.uri, doc.getText(), offset);
    if (!t.ok) {
      if (t.reason === undefined) return null;
      throw new ResponseError(LSPErrorCodes.RequestFailed, t.reason);
    }
    const bad = invalidNewName(newName);
    if (bad) throw new ResponseError(LSPErrorCodes.RequestFailed, bad);
    const sym = t.symbol;
    if (newName === sym.name) return { changes: {} };
    // This model, and every open model that reads the file that declares the name.
    const roots = [doc, ...this.modelsReading(fileKey(sym.place.uri)).filter((d) => d.uri !== doc.uri)];
    const edits = new Map<string, Map<number, TextEdit>>();
    for (const root of roots) {
      await step();
      const ra = root.uri === doc.uri ? a : this.analysisOf(root.uri, false);
      const own = ra.model.symbols.get(sym.name);
      if (!own || !samePlace(own.place, sym.place)) continue; // another model's own name
      const clash = ra.model.symbols.get(newName);
      if (clash) {
        throw new ResponseError(LSPErrorCodes.RequestFailed, `'${newName}' is already declared in this model (${clash.kind.replace('_', ' ')} at ${clash.place.uri}:${clash.place.span.start.line + 1}): names are global to a model`);
      }
      for (const place of occurrences(ra, sym)) {
        const uri = ra.files.find((f) => fileKey(f.uri) === fileKey(place.uri))?.uri ?? place.uri;
        const m = edits.get(uri) ?? new Map<number, TextEdit>();
        m.set(place.span.startOffset, { range: spanToRange(place.span), newText: newName });
        edits.set(uri, m);
      }
    }
    return this.workspaceEdit(new Map([...edits].map(([uri, m]) => [uri, [...m.values()]])));
  }

  private async workspaceSymbols(query: string, step: Step): Promise<SymbolInformation[]> {
    const out = new Map<string, SymbolInformation>();
    for (const doc of [...this.open.values()]) {
      await step();
      if (!this.open.has(fileKey(doc.uri))) continue;
      for (const s of modelSymbols(this.analysisOf(doc.uri, false), query)) {
        const k = `${fileKey(s.location.uri)}:${s.location.range.start.line}:${s.location.range.start.character}:${s.name}`;
        if (!out.has(k)) out.set(k, s);
      }
    }
    return [...out.values()];
  }

  private documentLinks(doc: TextDocument): DocumentLink[] {
    const out: DocumentLink[] = [];
    for (const item of parseCached(this.files.hostFor(doc.uri), doc.uri, doc.getText()).model.items) {
      if (item.kind !== 'Use') continue;
      const target = this.files.resolveUse(doc.uri, doc.uri, item.path.value);
      if ('refused' in target || this.files.readFile(target.uri) === undefined) continue;
      const s = item.path.span;
      // Inside the quotes.
      const range = s.end.character - s.start.character >= 2 && s.start.line === s.end.line
        ? { start: { line: s.start.line, character: s.start.character + 1 }, end: { line: s.end.line, character: s.end.character - 1 } }
        : spanToRange(s);
      out.push({ range, target: target.uri, tooltip: `use ${uriToPath(target.uri) ?? target.uri}` });
    }
    return out;
  }

  private shares(p: SharesParams): SharesResult | ResponseError {
    if (!p || typeof p.uri !== 'string' || p.uri.length === 0) {
      return new ResponseError(ErrorCodes.InvalidParams, `${SHARES_METHOD} needs { uri: string }`);
    }
    const open = this.open.get(fileKey(p.uri));
    const withExplain = p.explain !== false;
    if (open) return toSharesResult(p.uri, this.analysisOf(open.uri, true), withExplain);
    if (this.files.readFile(p.uri) === undefined) {
      const where = uriToPath(p.uri) ?? p.uri;
      const why = this.files.unreadable(p.uri);
      return new ResponseError(FILE_NOT_READABLE, `cannot read ${where}: ${why ?? 'it does not exist, is not a regular file or is not readable'}`);
    }
    // Not open: analysed fresh every time (no file watcher tells us when it changes).
    return toSharesResult(p.uri, this.run(p.uri, true), withExplain);
  }

  /** The full analysis of the model rooted at `uri`, open or on disk, as `shares` reads it: for views.ts. */
  private viewAnalysis(uri: string): Analysis | ResponseError {
    const open = this.open.get(fileKey(uri));
    if (open) return this.analysisOf(open.uri, true);
    if (this.files.readFile(uri) === undefined) {
      const why = this.files.unreadable(uri);
      return new ResponseError(FILE_NOT_READABLE, `cannot read ${uriToPath(uri) ?? uri}: ${why ?? 'it does not exist, is not a regular file or is not readable'}`);
    }
    return this.run(uri, true);
  }

  // ------------------------------------------------------------------ safety

  /** Per document: whether its text at that version is over the size cap. */
  private readonly sizeChecked = new WeakMap<TextDocument, { version: number; over: boolean }>();

  /**
   * The open document a request is about, or undefined: when the params name none, the
   * document is not open (unknown or closed), or it is over the size cap (its only
   * answer is the diagnostic that says so; no request lexes or parses it).
   */
  private requestDoc(p: unknown, overCapOk = false): TextDocument | undefined {
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

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.connection.console.error(`${what} failed: ${errorText(e)}`);
    }
  }

  /**
   * A long request on one document: it yields at checkpoints (at the start, between
   * models, at the end), answers RequestCancelled once cancelled, and drops a result
   * whose document changed meanwhile (ContentModified, or `stale()`).
   */
  private long<P extends { textDocument: { uri: string } }, R>(
    what: string,
    fallback: R,
    fn: (doc: TextDocument, p: P, step: Step) => R | Promise<R>,
    stale: () => ResponseError<unknown> = contentModifiedError,
    overCapOk = false,
  ): (p: P, token: CancellationToken) => Promise<R> {
    return async (p: P, token: CancellationToken) => {
      const doc = this.requestDoc(p, overCapOk);
      if (!doc) return fallback;
      const version = doc.version;
      const step = checkpoint(token, () => this.documents.get(doc.uri)?.version === version, stale);
      try {
        await step();
        const result = await fn(doc, p, step);
        await step();
        return result;
      } catch (e) {
        if (e instanceof ResponseError) throw e; // answered as that error
        this.connection.console.error(`${what} failed: ${errorText(e)}`);
        return fallback;
      }
    };
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
