// What the client can do (from initialize) and what the server offers in return.

import { CodeActionKind, TextDocumentSyncKind, type InitializeParams, type ServerCapabilities } from 'vscode-languageserver/node';
import { LEGEND } from './semanticTokens';

/** What the client said it can do (initialize), as far as the features care. */
export interface ClientCaps {
  readonly snippets: boolean;
  readonly pullDiagnostics: boolean;
  readonly diagnosticRefresh: boolean;
  readonly inlayHintRefresh: boolean;
  readonly semanticTokensRefresh: boolean;
  readonly documentChanges: boolean;
  readonly prepareRename: boolean;
  /** workspace/configuration: settings are pulled, not pushed. */
  readonly configPull: boolean;
  /** didChangeConfiguration may be registered dynamically. */
  readonly configDynamic: boolean;
  /** workspace folders may change (didChangeWorkspaceFolders). */
  readonly foldersChange: boolean;
}

export const NO_CLIENT_CAPS: ClientCaps = {
  snippets: false,
  pullDiagnostics: false,
  diagnosticRefresh: false,
  inlayHintRefresh: false,
  semanticTokensRefresh: false,
  documentChanges: false,
  prepareRename: false,
  configPull: false,
  configDynamic: false,
  foldersChange: false,
};

export function clientCaps(p: InitializeParams): ClientCaps {
  const ws = p.capabilities.workspace;
  const td = p.capabilities.textDocument;
  return {
    snippets: td?.completion?.completionItem?.snippetSupport === true,
    pullDiagnostics: td?.diagnostic !== undefined,
    diagnosticRefresh: ws?.diagnostics?.refreshSupport === true,
    inlayHintRefresh: ws?.inlayHint?.refreshSupport === true,
    semanticTokensRefresh: ws?.semanticTokens?.refreshSupport === true,
    documentChanges: ws?.workspaceEdit?.documentChanges === true,
    prepareRename: td?.rename?.prepareSupport === true,
    configPull: ws?.configuration === true,
    configDynamic: ws?.didChangeConfiguration?.dynamicRegistration === true,
    foldersChange: ws?.workspaceFolders === true,
  };
}

export function serverCapabilities(caps: ClientCaps): ServerCapabilities {
  return {
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
    renameProvider: caps.prepareRename ? { prepareProvider: true } : true,
    workspaceSymbolProvider: true,
    documentLinkProvider: { resolveProvider: false },
    ...(caps.pullDiagnostics ? { diagnosticProvider: { identifier: 'dmabuf', interFileDependencies: true, workspaceDiagnostics: false } } : {}),
    workspace: { workspaceFolders: { supported: true, changeNotifications: caps.foldersChange } },
  };
}
