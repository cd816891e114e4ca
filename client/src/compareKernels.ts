// dmabuf.compareKernels: the open model on several kernel releases, the table of
// `dmabuf-lint compare` (cli/src/compare.ts) in a read-only document beside the editor.
// The server computes each column (dmabuf/shares with `kernel`); nothing is analysed here.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SHARES_METHOD, type SharesParams, type SharesResult } from '../../server/src/lsp/protocol';
import { comparePretty, compareTable } from '../../cli/src/compare';

const SCHEME = 'dmabuf-compare';
const DEFAULT_KERNELS = ['5.15', '6.1', '6.8', '6.12', '6.19', '7.3'];

class CompareDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

/** The releases to compare: the `dmabuf.compareKernels` setting, or a default spread from 5.15 to 7.3. */
function settingKernels(): string[] {
  const k = vscode.workspace.getConfiguration('dmabuf').get<string[]>('compareKernels') ?? [];
  return k.length >= 2 ? k : DEFAULT_KERNELS;
}

export function registerCompareKernels(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): void {
  const docs = new CompareDocuments();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    vscode.commands.registerCommand('dmabuf.compareKernels', async () => {
      const editor = vscode.window.activeTextEditor;
      const c = client();
      if (!editor || editor.document.languageId !== 'dmabuf' || !c) {
        void vscode.window.showInformationMessage('dmabuf: open a .dmabuf file (with the language server running) to compare kernels.');
        return;
      }
      const typed = await vscode.window.showInputBox({ prompt: 'Kernel releases to compare (6.8, ubuntu-24.04, rhel-9 …)', value: settingKernels().join(',') });
      if (!typed) return;
      const kernels = typed.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
      try {
        const uri = editor.document.uri.toString();
        const results = await Promise.all(kernels.map((kernel) => c.sendRequest<SharesResult>(SHARES_METHOD, { uri, kernel } satisfies SharesParams)));
        const text = comparePretty(compareTable(vscode.workspace.asRelativePath(editor.document.uri), kernels, results), { color: false });
        const shown = vscode.Uri.from({ scheme: SCHEME, path: `/${kernels.join('_')}.txt`, query: uri });
        docs.set(shown, text);
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(shown), { preview: true, viewColumn: vscode.ViewColumn.Beside });
      } catch (e) {
        void vscode.window.showErrorMessage(`dmabuf: could not compare the kernels: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
}
