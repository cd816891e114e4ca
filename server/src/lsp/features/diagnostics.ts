// Diagnostics, pushed (publishDiagnostics after each analysis) and pulled
// (textDocument/diagnostic), and the analyses that the document events start: names
// while the user types (debounced), the engine on open and save (or on every change,
// `dmabuf.analyzeOn`).

import { DocumentDiagnosticReportKind, type Diagnostic, type DocumentDiagnosticParams, type DocumentDiagnosticReport } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { useProblemsThrough, type Analysis } from '../../analysis/analyze';
import type { Phase } from '../../ground/findings';
import { LineIndex } from '../../syntax/lineIndex';
import { retriggerError } from '../cancel';
import { toDiagnostic } from '../convert';
import { fileKey } from '../uris';
import { errorText } from '../workspace';
import { register, type Features } from './register';

/** The longest delay between the last keystroke and the analysis of a changed document. */
export const CHANGE_DEBOUNCE_MS = 200;
/** The shortest: a small model is analysed in a millisecond, so it follows typing almost at once. */
export const MIN_CHANGE_DEBOUNCE_MS = 50;

/**
 * The debounce for a document of `textLength` characters: 50 ms up to 20,000 characters
 * (about 600 lines), then 1 ms more per 2,000 characters, at most 200 ms (from about
 * 300,000 characters, 10,000 lines, where the names analysis takes tens of ms and
 * analysing between two keystrokes would only delay the next one).
 */
export function changeDebounceMs(textLength: number): number {
  const extra = Math.max(0, textLength - 20_000) / 2000;
  return Math.min(CHANGE_DEBOUNCE_MS, Math.round(MIN_CHANGE_DEBOUNCE_MS + extra));
}

export class DiagnosticsFeature {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private refreshScheduled = false;

  constructor(private readonly f: Features) {}

  /** textDocument/diagnostic: the same diagnostics as the last push would carry now. */
  registerPull(): void {
    const { ws } = this.f;
    const resultIdOf = (doc: TextDocument) => `${ws.generation}:${doc.version}:${ws.engineFor(doc) ? 'full' : 'names'}`;
    // An unchanged report needs no analysis: its parse is the one the last report saw.
    const phaseOf = (doc: TextDocument, p: DocumentDiagnosticParams): Phase =>
      p.previousResultId === resultIdOf(doc) ? 'parsed' : ws.engineFor(doc) ? 'engine' : 'names';
    register(
      this.f,
      this.f.connection.languages.diagnostics.on,
      phaseOf,
      (ctx): DocumentDiagnosticReport => {
        const resultId = resultIdOf(ctx.doc);
        if (ctx.phase === 'parsed') return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
        return { kind: DocumentDiagnosticReportKind.Full, resultId, items: this.diagnosticsFor(ctx.result, fileKey(ctx.doc.uri)) };
      },
      { name: 'diagnostic', fallback: { kind: DocumentDiagnosticReportKind.Full, items: [] }, long: true, stale: retriggerError, overCapOk: true },
    );
  }

  // ------------------------------------------------------------------ document events

  didOpen(doc: TextDocument): void {
    const key = fileKey(doc.uri);
    this.f.ws.opened(doc);
    this.f.ws.invalidate();
    this.refresh(doc.uri, true);
    this.refreshDependents(key, true);
    this.notifyRefresh();
  }

  didChange(doc: TextDocument): void {
    if (this.f.ws.isOpenEcho(doc)) return;
    this.f.ws.invalidate();
    const key = fileKey(doc.uri);
    this.cancelTimer(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.safely('analysis', () => {
          const engine = this.f.ws.settings.analyzeOn === 'change';
          this.refresh(doc.uri, engine);
          const dependents = this.refreshDependents(key, engine);
          if (engine || dependents > 0) this.notifyRefresh();
        });
      }, changeDebounceMs(doc.getText().length)),
    );
  }

  didSave(doc: TextDocument): void {
    const key = fileKey(doc.uri);
    this.cancelTimer(key);
    this.refresh(doc.uri, true);
    this.refreshDependents(key, true);
    this.notifyRefresh();
  }

  didClose(doc: TextDocument): void {
    const key = fileKey(doc.uri);
    this.cancelTimer(key);
    this.f.ws.closed(doc);
    this.f.connection.sendDiagnostics({ uri: doc.uri, diagnostics: [] });
    this.f.ws.invalidate();
    if (this.refreshDependents(key, true) > 0) this.notifyRefresh(); // they now read the file from the disk
  }

  /** Files changed on disk (the client's file watcher): re-analyse the models that read them. */
  filesChanged(uris: string[]): void {
    const ws = this.f.ws;
    ws.invalidate();
    const keys = new Set(uris.map(fileKey));
    for (const [key, doc] of ws.openDocuments()) {
      const deps = ws.modelFilesOf(key);
      const touched = deps !== undefined && [...deps].some((d) => d !== key && keys.has(d));
      if (touched || ws.hasMissingUse(key)) this.refresh(doc.uri, true);
    }
    this.notifyRefresh();
  }

  /** The settings or the folders changed: every open model is analysed again. */
  everythingChanged(): void {
    this.f.ws.invalidate();
    for (const doc of this.f.ws.openDocuments().values()) this.refresh(doc.uri, true);
    this.notifyRefresh();
  }

  shutdown(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  // ------------------------------------------------------------------ push

  private cancelTimer(key: string): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
  }

  /** Analyses an open document and publishes its diagnostics. */
  private refresh(uri: string, engine: boolean): void {
    const ws = this.f.ws;
    const doc = ws.documents.get(uri) ?? ws.openDocument(fileKey(uri));
    if (!doc) return;
    try {
      const key = fileKey(doc.uri);
      const a = ws.analysis(doc.uri, engine ? 'engine' : 'names');
      ws.noteModel(key, a);
      const diagnostics = this.diagnosticsFor(a, key);
      void this.f.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    } catch (e) {
      this.f.connection.console.error(`analysis of ${doc.uri} failed: ${errorText(e)}`);
    }
  }

  /** Re-analyses the open documents whose model reads the file `key`; returns how many. */
  private refreshDependents(key: string, engine: boolean): number {
    const dependents = this.f.ws.dependents(key);
    for (const doc of dependents) this.refresh(doc.uri, engine);
    return dependents.length;
  }

  /**
   * Asks the client to pull again what may have changed without its document changing
   * (a used file, the settings, a full analysis after save): pulled diagnostics, inlay
   * hints, semantic tokens. Once per turn, and only what the client can refresh.
   */
  private notifyRefresh(): void {
    const caps = this.f.ws.caps;
    if (this.refreshScheduled || !(caps.diagnosticRefresh || caps.inlayHintRefresh || caps.semanticTokensRefresh)) return;
    this.refreshScheduled = true;
    setImmediate(() => {
      this.refreshScheduled = false;
      const l = this.f.connection.languages;
      const log = (what: string) => (e: unknown) => this.f.connection.console.warn(`${what} refresh: ${errorText(e)}`);
      try {
        // Typed void, but each is a request whose answer may be an error.
        if (caps.pullDiagnostics && caps.diagnosticRefresh) Promise.resolve(l.diagnostics.refresh() as unknown).catch(log('diagnostic'));
        if (caps.inlayHintRefresh) Promise.resolve(l.inlayHint.refresh() as unknown).catch(log('inlay hint'));
        if (caps.semanticTokensRefresh) Promise.resolve(l.semanticTokens.refresh() as unknown).catch(log('semantic tokens'));
      } catch (e) {
        log('client')(e);
      }
    });
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
    const last = this.f.ws.lastFullOf(key);
    const kept = last ? last.findings.filter((f) => f.phase === 'engine' && fileKey(f.uri) === key) : [];
    if (kept.length === 0) return own.map(toDiagnostic);
    // The engine was withheld (syntax errors in the platform): say whose findings these are.
    const marked = a.engineWithheld ? kept.map((f) => ({ ...f, message: `${f.message} (from the last version without syntax errors)` })) : kept;
    // Kept findings were placed in an older text: those that no longer fit in the
    // current one (the text got shorter) would point past its end, and are dropped.
    const text = a.files.find((f) => fileKey(f.uri) === key)?.text;
    const lines = text === undefined ? undefined : new LineIndex(text);
    const fits = (p: { line: number; character: number }) => lines !== undefined && p.line < lines.lineCount && p.character <= lines.lineText(p.line).length;
    return [...own, ...marked.filter((f) => fits(f.span.start) && fits(f.span.end))].map(toDiagnostic);
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.f.connection.console.error(`${what} failed: ${errorText(e)}`);
    }
  }
}
