// The language server's wiring: the workspace (workspace.ts: documents, settings, the
// analyses by phase) and one provider per feature (features/), each registered with
// the phase it needs. No analysis logic here: the model's meaning comes from
// analysis/analyze.ts, each answer from its feature.

import type { Connection } from 'vscode-languageserver/node';
import { registerCodeActions } from './features/codeActions';
import { registerCompletion } from './features/completion';
import { ConfigurationFeature } from './features/configuration';
import { DiagnosticsFeature } from './features/diagnostics';
import { registerFormatting } from './features/formatting';
import { registerHover } from './features/hover';
import { registerInlayHints } from './features/inlayHints';
import { registerLinks } from './features/links';
import { registerReferences } from './features/references';
import type { Features } from './features/register';
import { registerRename } from './features/rename';
import { registerSemanticTokens } from './features/semanticTokens';
import { registerShares } from './features/shares';
import { registerStructure } from './features/structure';
import { registerSymbols } from './features/symbols';
import { registerImportRequest } from './importRequest';
import { errorText, Workspace } from './workspace';

export { CHANGE_DEBOUNCE_MS, changeDebounceMs } from './features/diagnostics';

export class DmabufServer {
  readonly workspace: Workspace;
  private readonly diagnostics: DiagnosticsFeature;
  private readonly configuration: ConfigurationFeature;
  private readonly features: Features;

  constructor(private readonly connection: Connection) {
    this.workspace = new Workspace(connection.console);
    this.features = { ws: this.workspace, connection };
    this.diagnostics = new DiagnosticsFeature(this.features);
    this.configuration = new ConfigurationFeature(this.features, this.diagnostics);
  }

  listen(): void {
    const c = this.connection;
    const documents = this.workspace.documents;
    const d = this.diagnostics;
    c.onInitialize((p) => this.configuration.initialize(p));
    c.onInitialized(() => void this.configuration.initialized());
    c.onShutdown(() => d.shutdown());

    documents.onDidOpen((e) => this.safely('didOpen', () => d.didOpen(e.document)));
    documents.onDidChangeContent((e) => this.safely('didChange', () => d.didChange(e.document)));
    documents.onDidSave((e) => this.safely('didSave', () => d.didSave(e.document)));
    documents.onDidClose((e) => this.safely('didClose', () => d.didClose(e.document)));
    c.onDidChangeConfiguration((p) => void this.configuration.changed(p.settings));
    c.onDidChangeWatchedFiles((p) => this.safely('didChangeWatchedFiles', () => d.filesChanged(p.changes.map((ch) => ch.uri))));

    const f = this.features;
    registerHover(f);
    registerSymbols(f); // documentSymbol, workspaceSymbol
    registerReferences(f); // definition, references, documentHighlight
    registerFormatting(f);
    registerCodeActions(f);
    registerCompletion(f);
    registerInlayHints(f);
    registerSemanticTokens(f);
    registerStructure(f); // foldingRange, selectionRange
    registerRename(f); // prepareRename, rename
    registerLinks(f);
    d.registerPull();
    registerShares(f); // dmabuf/shares, dmabuf/topology, dmabuf/matrix
    registerImportRequest(c); // dmabuf/import

    documents.listen(c);
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.connection.console.error(`${what} failed: ${errorText(e)}`);
    }
  }
}

export function startServer(connection: Connection): DmabufServer {
  const server = new DmabufServer(connection);
  server.listen();
  return server;
}
