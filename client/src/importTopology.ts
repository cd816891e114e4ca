// `dmabuf.importTopology` ("Import topology from file…"): pick lspci output, a hwloc
// XML or a dmabuf-snapshot folder, send it to the server with `dmabuf/import`, and open
// the model it writes as a new untitled .dmabuf document. Glue only: the server parses.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { IMPORT_METHOD, type ImportParams, type ImportResult, type ImportSourceKind } from '../../server/src/lsp/importProtocol';

const MAX_BYTES = 64 * 1024 * 1024;

interface SourcePick extends vscode.QuickPickItem {
  readonly source: ImportSourceKind;
}

const SOURCES: readonly SourcePick[] = [
  { source: 'lspci', label: 'lspci output…', detail: 'lspci -tvnn and/or sudo lspci -vvvnn saved to files (pick one or both)' },
  { source: 'hwloc', label: 'hwloc XML…', detail: 'lstopo --of xml' },
  { source: 'sysfs', label: 'dmabuf-snapshot folder…', detail: 'the folder written by dmabuf-snapshot (/sys and /proc of the machine)' },
];

async function readText(uri: vscode.Uri): Promise<string> {
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.length > MAX_BYTES) throw new Error(`${uri.fsPath} is larger than ${MAX_BYTES / 1024 / 1024} MiB`);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

async function readFolder(root: vscode.Uri): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  let total = 0;
  const walk = async (dir: vscode.Uri, rel: string) => {
    for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
      const r = rel ? `${rel}/${name}` : name;
      const uri = vscode.Uri.joinPath(dir, name);
      if (type === vscode.FileType.Directory) await walk(uri, r);
      else if (type === vscode.FileType.File) {
        const bytes = await vscode.workspace.fs.readFile(uri);
        total += bytes.length;
        if (total > MAX_BYTES) throw new Error(`${root.fsPath} holds more than ${MAX_BYTES / 1024 / 1024} MiB: is it a dmabuf-snapshot folder?`);
        try {
          files[r] = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          // not text: not part of a snapshot
        }
      }
    }
  };
  await walk(root, '');
  return files;
}

async function paramsFor(kind: ImportSourceKind): Promise<ImportParams | undefined> {
  if (kind === 'sysfs') {
    const dir = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Import snapshot', title: 'dmabuf-snapshot folder' });
    if (!dir?.[0]) return undefined;
    return { kind, inputs: { snapshotFiles: await readFolder(dir[0]) } };
  }
  if (kind === 'hwloc') {
    const f = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Import', title: 'lstopo --of xml output', filters: { 'hwloc XML': ['xml'], 'All files': ['*'] } });
    if (!f?.[0]) return undefined;
    return { kind, inputs: { xml: await readText(f[0]) } };
  }
  const fs = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Import', title: 'lspci -tvnn and/or lspci -vvvnn output (one or two files)' });
  if (!fs || fs.length === 0) return undefined;
  if (fs.length > 2) throw new Error('pick at most two files: the lspci -tvnn output and the lspci -vvvnn output');
  const texts = await Promise.all(fs.map(readText));
  // The server tells the tree from the verbose output by their shape.
  return { kind, inputs: { tree: texts[0], verbose: texts[1] } };
}

function report(channel: vscode.OutputChannel, r: ImportResult): void {
  channel.clear();
  channel.appendLine(`Imported ${r.summary.written} of ${r.summary.functions} PCI functions under ${r.summary.hostBridges} host bridge(s).`);
  for (const n of r.notes) channel.appendLine(`note: ${n}`);
  const g = r.groupCheck;
  if (g) {
    if (g.differences.length === 0) channel.appendLine(`IOMMU groups: ${g.compared} endpoints in ${g.realGroups} kernel groups; the engine forms the same groups.`);
    else {
      channel.appendLine(`IOMMU groups: ${g.compared} endpoints compared; the kernel's groups and the engine's differ:`);
      for (const d of g.differences) channel.appendLine(`  - ${d}`);
    }
  }
}

export function registerImportTopology(getClient: () => LanguageClient | undefined): vscode.Disposable {
  const channel = vscode.window.createOutputChannel('dmabuf import');
  const command = vscode.commands.registerCommand('dmabuf.importTopology', async () => {
    try {
      const client = getClient();
      if (!client) {
        void vscode.window.showErrorMessage('dmabuf: the language server is not running.');
        return;
      }
      const pick = await vscode.window.showQuickPick(SOURCES, { placeHolder: 'Import the topology of a machine from…' });
      if (!pick) return;
      const params = await paramsFor(pick.source);
      if (!params) return;
      const result = await client.sendRequest<ImportResult>(IMPORT_METHOD, params);
      report(channel, result);
      const doc = await vscode.workspace.openTextDocument({ language: 'dmabuf', content: result.text });
      await vscode.window.showTextDocument(doc, { preview: false });
      const diffs = result.groupCheck?.differences.length ?? 0;
      const message = diffs > 0
        ? `dmabuf: imported; the kernel's IOMMU groups and the engine's differ in ${diffs} place(s).`
        : `dmabuf: imported ${result.summary.written} PCI functions; the TODO comments say what to add.`;
      const show = diffs > 0 ? vscode.window.showWarningMessage(message, 'Show details') : vscode.window.showInformationMessage(message, 'Show details');
      if ((await show) === 'Show details') channel.show(true);
    } catch (e) {
      void vscode.window.showErrorMessage(`dmabuf: could not import: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return vscode.Disposable.from(command, channel);
}
