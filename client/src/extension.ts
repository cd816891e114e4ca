// The VS Code extension: starts the bundled language server (dist/server.js) over IPC
// and adds the `dmabuf.explainShare` and `dmabuf.restartServer` commands and a
// status-bar item with the active model's error and warning counts. Every other
// feature (quick fixes, completion, inlay hints, semantic tokens, rename…) comes from
// the server through vscode-languageclient.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SHARES_METHOD, type ExplainJson, type SharesParams, type SharesResult } from '../../server/src/lsp/protocol';
import { shareMarkdown } from '../../server/src/lsp/shareMarkdown';
import { registerViews } from './views';
import { registerImportTopology } from './importTopology';
import { registerOpenSample } from './openSample';
import { registerCompareKernels } from './compareKernels';

const LANGUAGE = 'dmabuf';
const EXPLAIN_SCHEME = 'dmabuf-explain';

let client: LanguageClient | undefined;

/** Read-only documents with the explanation of a share. */
class ExplainDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE }],
    synchronize: {
      configurationSection: 'dmabuf',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.dmabuf'),
    },
    // This client pulls diagnostics (textDocument/diagnostic): again after a save, when
    // the full mapping engine has run (the server also asks for a refresh then).
    diagnosticPullOptions: { onChange: true, onSave: true },
    middleware: {
      // The server publishes diagnostics for clients that cannot pull, and answers pulls
      // for those that can. vscode-languageclient keeps the two in separate collections:
      // take the pulled ones only, or every problem would show twice.
      handleDiagnostics: (uri, diagnostics, next) => {
        if (client?.initializeResult?.capabilities.diagnosticProvider) return;
        next(uri, diagnostics);
      },
    },
  };
  // The id 'dmabuf' makes the client honour the `dmabuf.trace.server` setting.
  return new LanguageClient('dmabuf', 'dmabuf language server', serverOptions, clientOptions);
}

function contains(range: ExplainJson['range'], pos: vscode.Position): boolean {
  const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
  return r.contains(pos);
}

async function explainShare(explainDocs: ExplainDocuments): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== LANGUAGE) {
    void vscode.window.showInformationMessage('dmabuf: open a .dmabuf file and put the cursor in a share.');
    return;
  }
  if (!client) {
    void vscode.window.showErrorMessage('dmabuf: the language server is not running.');
    return;
  }
  const doc = editor.document;
  const params: SharesParams = { uri: doc.uri.toString() };
  const res = await client.sendRequest<SharesResult>(SHARES_METHOD, params);
  if (res.explain.length === 0) {
    void vscode.window.showInformationMessage('dmabuf: no share was computed for this model (see the Problems view).');
    return;
  }
  const here = doc.uri.toString();
  let index = res.explain.findIndex((e) => vscode.Uri.parse(e.uri).toString() === here && contains(e.range, editor.selection.active));
  if (index < 0) {
    const pick = await vscode.window.showQuickPick(
      res.explain.map((e, i) => ({ label: e.name, description: `${res.shares[i]?.mapType ?? ''} ${res.shares[i]?.addressKind ?? ''}`, index: i })),
      { placeHolder: 'The cursor is not in a share: which share?' },
    );
    if (!pick) return;
    index = pick.index;
  }
  const share = res.shares[index];
  const explain = res.explain[index];
  if (!share || !explain) return;
  const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${share.name.replace(/[/\\]/g, '_')}.md`, query: here });
  explainDocs.set(uri, shareMarkdown(share, explain, { heading: true }));
  const shown = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(shown, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
}

function updateStatus(item: vscode.StatusBarItem): void {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== LANGUAGE) {
    item.hide();
    return;
  }
  let errors = 0;
  let warnings = 0;
  for (const d of vscode.languages.getDiagnostics(editor.document.uri)) {
    if (d.source !== 'dmabuf') continue;
    if (d.severity === vscode.DiagnosticSeverity.Error) errors++;
    else if (d.severity === vscode.DiagnosticSeverity.Warning) warnings++;
  }
  item.text = `dmabuf $(error) ${errors} $(warning) ${warnings}`;
  item.tooltip = `dmabuf: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in this model`;
  item.show();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const explainDocs = new ExplainDocuments();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, explainDocs));

  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.name = 'dmabuf diagnostics';
  status.command = 'workbench.actions.view.problems';
  context.subscriptions.push(
    status,
    vscode.languages.onDidChangeDiagnostics(() => updateStatus(status)),
    vscode.window.onDidChangeActiveTextEditor(() => updateStatus(status)),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('dmabuf.explainShare', async () => {
      try {
        await explainShare(explainDocs);
      } catch (e) {
        void vscode.window.showErrorMessage(`dmabuf: could not explain the share: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    vscode.commands.registerCommand('dmabuf.restartServer', async () => {
      try {
        if (client) await client.restart();
        else {
          client = createClient(context);
          await client.start();
        }
      } catch (e) {
        void vscode.window.showErrorMessage(`dmabuf: could not restart the language server: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
  registerViews(context, () => client); // dmabuf.showTopology, dmabuf.showMatrix (views.ts)
  context.subscriptions.push(registerImportTopology(() => client)); // dmabuf.importTopology (importTopology.ts)
  context.subscriptions.push(registerOpenSample(context)); // dmabuf.openSample (openSample.ts)
  registerCompareKernels(context, () => client); // dmabuf.compareKernels (compareKernels.ts)

  client = createClient(context);
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(`dmabuf: the language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  updateStatus(status);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}
