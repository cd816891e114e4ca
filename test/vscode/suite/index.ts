// Runs inside VS Code's extension host (started by test/vscode/run.mjs): a minimal
// runner without mocha, using Node's assert. VS Code calls `run()` and fails the run
// when it rejects.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'dmabuf-lens.dmabuf-lens';

interface Test {
  readonly name: string;
  readonly fn: () => Promise<void>;
}

const tests: Test[] = [];
function test(name: string, fn: () => Promise<void>): void {
  tests.push({ name, fn });
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function repoRoot(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the test instance`);
  return ext.extensionPath;
}

async function openSample(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(repoRoot(), 'samples', name)));
  return vscode.window.showTextDocument(doc);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

test('activates on a .dmabuf file', async () => {
  const editor = await openSample('01-vfio-switch.dmabuf');
  assert.equal(editor.document.languageId, 'dmabuf');
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  await waitFor('activation', () => ext.isActive || undefined);
});

test('diagnostics arrive from the server', async () => {
  const editor = await openSample('02-vfio-switch-iommu.dmabuf');
  const diags = await waitFor('p2p-host-bridge on sample 02', () => {
    const d = vscode.languages.getDiagnostics(editor.document.uri).filter((x) => x.source === 'dmabuf');
    return d.some((x) => x.code === 'p2p-host-bridge' || (typeof x.code === 'object' && x.code.value === 'p2p-host-bridge')) ? d : undefined;
  });
  assert.ok(diags.every((d) => d.source === 'dmabuf'));
});

test('a syntax error typed into sample 01 is reported', async () => {
  const editor = await openSample('01-vfio-switch.dmabuf');
  const uri = editor.document.uri;
  const line = editor.document.lineAt(editor.document.getText().split('\n').findIndex((l) => l.includes('cpu intel')));
  const at = line.text.indexOf('intel');
  await editor.edit((e) => e.insert(new vscode.Position(line.lineNumber, at + 'intel'.length), '2'));
  const d = await waitFor('syntax-error', () =>
    vscode.languages.getDiagnostics(uri).find((x) => x.code === 'syntax-error' || (typeof x.code === 'object' && x.code.value === 'syntax-error')),
  );
  assert.equal(d.range.start.line, line.lineNumber);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor('the error to go', () => (vscode.languages.getDiagnostics(uri).length === 0 ? true : undefined));
});

test('dmabuf.openSample (the walkthrough) opens a sample as an unsaved dmabuf document that the server analyses', async () => {
  const doc = await vscode.commands.executeCommand<vscode.TextDocument>('dmabuf.openSample', '02-vfio-switch-iommu.dmabuf');
  assert.ok(doc, 'no document');
  assert.equal(doc.isUntitled, true);
  assert.equal(doc.languageId, 'dmabuf');
  assert.ok(doc.getText().includes('share doorbells -> gpu0'));
  await waitFor('p2p-host-bridge on the unsaved sample', () =>
    vscode.languages.getDiagnostics(doc.uri).some((x) => x.code === 'p2p-host-bridge' || (typeof x.code === 'object' && x.code.value === 'p2p-host-bridge')) || undefined,
  );
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('hover on a share shows its map type', async () => {
  const editor = await openSample('01-vfio-switch.dmabuf');
  const lineNo = editor.document.getText().split('\n').findIndex((l) => l.includes('attach dynamic'));
  assert.ok(lineNo >= 0);
  const pos = new vscode.Position(lineNo, editor.document.lineAt(lineNo).text.indexOf('attach') + 2);
  const text = await waitFor('a hover', async () => {
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, pos)) ?? [];
    const t = hoverText(hovers);
    return t.includes('BUS_ADDR') ? t : undefined;
  });
  assert.match(text, /doorbells->gpu0/);
});

test('dmabuf.explainShare opens the explanation', async () => {
  const editor = await openSample('01-vfio-switch.dmabuf');
  const lineNo = editor.document.getText().split('\n').findIndex((l) => l.includes('peer2peer'));
  editor.selection = new vscode.Selection(lineNo, 3, lineNo, 3);
  await vscode.commands.executeCommand('dmabuf.explainShare');
  const shown = await waitFor('the explanation', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'dmabuf-explain'));
  assert.match(shown.document.getText(), /BUS_ADDR/);
});

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const t of tests) {
    try {
      await t.fn();
      console.log(`  ok   ${t.name}`);
    } catch (e) {
      failures.push(t.name);
      console.log(`  FAIL ${t.name}\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log(`${tests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} VS Code test(s) failed: ${failures.join('; ')}`);
}
