// dmabuf.openSample (the walkthrough's first step): one of the samples shipped with the
// extension, opened as a new unsaved document so that editing it never touches the
// installed extension.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** The sample the walkthrough describes; first in the list. */
const FIRST = '02-vfio-switch-iommu.dmabuf';

export function registerOpenSample(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand('dmabuf.openSample', async (name?: string) => {
    const dir = path.join(context.extensionPath, 'samples');
    let files: string[];
    try {
      files = fs.readdirSync(dir).filter((f) => f.endsWith('.dmabuf')).sort((a, b) => (a === FIRST ? -1 : b === FIRST ? 1 : a.localeCompare(b)));
    } catch {
      void vscode.window.showErrorMessage('dmabuf: this installation has no samples folder');
      return undefined;
    }
    const chosen =
      typeof name === 'string' && files.includes(name)
        ? name
        : (await vscode.window.showQuickPick(
            files.map((f) => ({ label: f, description: firstComment(path.join(dir, f)) })),
            { placeHolder: 'A sample design to open as a new file' },
          ))?.label;
    if (!chosen) return undefined;
    const doc = await vscode.workspace.openTextDocument({ language: 'dmabuf', content: fs.readFileSync(path.join(dir, chosen), 'utf8') });
    await vscode.window.showTextDocument(doc);
    return doc;
  });
}

/** The first comment line of a sample: what it shows. */
function firstComment(file: string): string | undefined {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  return first.startsWith('//') ? first.replace(/^\/\/\s*/, '') : undefined;
}
