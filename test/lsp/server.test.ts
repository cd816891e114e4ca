// The language server end to end: the bundled dist/server.js over stdio.

import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentSymbol, Hover, Location, MarkupContent, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codes, fileUri, marked, ROOT, TestClient } from './helpers';
import type { SharesResult } from '../../server/src/lsp/protocol';

const SAMPLE_01 = readFileSync(join(ROOT, 'test/conformance/01-vfio-switch.dmabuf'), 'utf8');
const SAMPLE_02 = readFileSync(join(ROOT, 'test/conformance/02-vfio-switch-iommu.dmabuf'), 'utf8');

/** Inserts `<|>` before the `n`th occurrence (0-based) of `needle` in `text`, plus `skip` characters. */
function cursorAt(text: string, needle: string, n = 0, skip = 0): string {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`fixture: '${needle}' #${n} not found`);
  }
  return text.slice(0, at + skip) + '<|>' + text.slice(at + skip);
}

function hoverText(h: Hover | null): string {
  if (!h) return '';
  return (h.contents as MarkupContent).value;
}

describe('language server', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await TestClient.start();
  });
  afterAll(async () => {
    await client?.stop();
  });

  it('initializes with its capabilities', () => {
    const caps = client.initializeResult.capabilities;
    expect(caps.hoverProvider).toBe(true);
    expect(caps.documentSymbolProvider).toBe(true);
    expect(caps.definitionProvider).toBe(true);
    expect(caps.referencesProvider).toBe(true);
    expect(caps.documentFormattingProvider).toBe(true);
    expect(caps.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(client.initializeResult.serverInfo?.name).toBe('dmabuf-language-server');
  });

  it('reports a syntax error at its range, and drops it once fixed', async () => {
    const uri = fileUri('test/lsp/virtual/syntax.dmabuf');
    const { text, ranges } = marked('platform p {\n  cpu <|intel2|>\n}\n');
    const first = await client.open(uri, text);
    const err = first.diagnostics.find((d) => d.code === 'syntax-error');
    expect(err, JSON.stringify(first.diagnostics)).toBeDefined();
    expect(err!.range).toEqual(ranges[0]);
    expect(err!.severity).toBe(1);
    expect(err!.source).toBe('dmabuf');
    expect(err!.codeDescription?.href).toBe('https://dmabuf-lens.dev/rules/syntax-error');

    const version = await client.edit(uri, ranges[0]!, 'intel');
    const fixed = await client.waitForDiagnostics(uri, (p) => p.version === version);
    expect(codes(fixed.diagnostics)).not.toContain('syntax-error');
    await client.close(uri);
  });

  it('hovers a share with its map type and explanation', async () => {
    const uri = fileUri('test/lsp/virtual/hover-share.dmabuf');
    const { text, positions } = marked(cursorAt(SAMPLE_01, 'attach dynamic', 0, 3));
    await client.open(uri, text);
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positions[0] });
    const value = hoverText(h);
    expect(value).toContain('doorbells->gpu0');
    expect(value).toContain('BUS_ADDR');
    expect(value).toContain('0x6000000000');
    expect(value).toContain('64 KiB');
    await client.close(uri);
  });

  it('hovers a device name and a keyword', async () => {
    const uri = fileUri('test/lsp/virtual/hover-name.dmabuf');
    const { text, positions } = marked(cursorAt(cursorAt(SAMPLE_01, 'from nic0', 0, 6), 'host_bridge', 0, 2));
    await client.open(uri, text);
    const kw = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positions[0] });
    expect(hoverText(kw)).toContain('root complex');
    const name = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positions[1] });
    expect(hoverText(name)).toContain('nic0');
    expect(hoverText(name)).toContain('04:00.0');
    await client.close(uri);
  });

  it('lists document symbols as a tree', async () => {
    const uri = fileUri('test/lsp/virtual/symbols.dmabuf');
    await client.open(uri, SAMPLE_01);
    const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(syms.map((s) => s.name)).toEqual(['workstation', 'doorbells', 'doorbells->gpu0']);
    const names: string[] = [];
    const walk = (s: DocumentSymbol) => {
      names.push(s.name);
      s.children?.forEach(walk);
    };
    syms.forEach(walk);
    expect(names).toEqual(expect.arrayContaining(['hb0', 'rp0', 'sw0', 'gpu0', 'nic0', 'low', 'high']));
    await client.close(uri);
  });

  it('goes to the definition of a device and finds its references', async () => {
    const uri = fileUri('test/lsp/virtual/nav.dmabuf');
    const src = SAMPLE_01.replace('nic nic0', 'nic <|nic0|>').replace('from nic0', 'from ni<|>c0');
    const { text, positions, ranges } = marked(src);
    await client.open(uri, text);
    const def = await client.request<Location | Location[] | null>('textDocument/definition', { textDocument: { uri }, position: positions[0] });
    const loc = Array.isArray(def) ? def[0] : def;
    expect(loc).toEqual({ uri, range: ranges[0] });

    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri }, position: positions[0], context: { includeDeclaration: true } });
    const doc = TextDocument.create(uri, 'dmabuf', 1, text);
    const at = refs.map((r) => doc.getText(r.range));
    expect(at.every((t) => t === 'nic0')).toBe(true);
    expect(refs.length).toBeGreaterThanOrEqual(2); // the declaration and `from nic0`
    expect(refs).toContainEqual({ uri, range: ranges[0] });
    const noDecl = await client.request<Location[]>('textDocument/references', { textDocument: { uri }, position: positions[0], context: { includeDeclaration: false } });
    expect(noDecl).not.toContainEqual({ uri, range: ranges[0] });
    expect(noDecl.length).toBe(refs.length - 1);
    await client.close(uri);
  });

  it('formats a document', async () => {
    const uri = fileUri('test/lsp/virtual/format.dmabuf');
    const text = 'platform p {   cpu intel\n memory m 0x0 .. 0xfff }\nbuffer b from heap {size 4K}';
    await client.open(uri, text);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits.length).toBeGreaterThan(0);
    const formatted = TextDocument.applyEdits(TextDocument.create(uri, 'dmabuf', 1, text), edits);
    expect(formatted).toContain('platform p {\n  cpu intel\n');
    expect(formatted.endsWith('\n')).toBe(true);
    await client.close(uri);
  });

  it('answers dmabuf/shares for a file on disk with the conformance results', async () => {
    const uri = fileUri('test/conformance/01-vfio-switch.dmabuf');
    const expected = JSON.parse(readFileSync(join(ROOT, 'test/conformance/01-vfio-switch.expect.json'), 'utf8')) as {
      shares: Record<string, unknown>[];
      diagnostics: { code: string; severity: string }[];
    };
    const r = await client.request<SharesResult>('dmabuf/shares', { uri });
    expect(r.uri).toBe(uri);
    expect(r.files).toEqual([uri]);
    expect(r.shares).toHaveLength(expected.shares.length);
    expected.shares.forEach((s, i) => expect(r.shares[i]).toMatchObject(s));
    expect(r.diagnostics.map((d) => ({ code: d.code, severity: d.severity }))).toEqual(expected.diagnostics.map((d) => ({ code: d.code, severity: d.severity })));
    expect(r.explain.map((e) => e.name)).toEqual(r.shares.map((s) => s.name));
    expect(r.explain[0]!.steps.length).toBeGreaterThan(0);
    // A client that prints no steps (dmabuf-lint) asks without them: same answer, no explain.
    const lean = await client.request<SharesResult>('dmabuf/shares', { uri, explain: false });
    expect(lean.explain).toEqual([]);
    expect(lean.shares).toEqual(r.shares);
    expect(lean.diagnostics).toEqual(r.diagnostics);
  });

  it('answers cleanly for unknown documents and keeps serving', async () => {
    const missing = fileUri('test/lsp/virtual/not-there.dmabuf');
    await expect(client.request('dmabuf/shares', { uri: missing })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request('dmabuf/shares', {})).rejects.toMatchObject({ code: -32602 });
    expect(await client.request('textDocument/hover', { textDocument: { uri: missing }, position: { line: 0, character: 0 } })).toBeNull();
    expect(await client.request('textDocument/documentSymbol', { textDocument: { uri: missing } })).toEqual([]);
    expect(await client.request('textDocument/definition', { textDocument: { uri: missing }, position: { line: 0, character: 0 } })).toBeNull();
    expect(await client.request('textDocument/references', { textDocument: { uri: missing }, position: { line: 0, character: 0 }, context: { includeDeclaration: true } })).toEqual([]);
    // A position far outside the document.
    const uri = fileUri('test/lsp/virtual/alive.dmabuf');
    await client.open(uri, SAMPLE_01);
    expect(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 9999, character: 9999 } })).toBeNull();
    expect(client.alive).toBe(true);
    const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(syms.length).toBe(3);
    await client.close(uri);
  });

  it('runs the engine on open and save; while typing, names are fresh and the last engine findings stay until save', async () => {
    const uri = fileUri('test/lsp/virtual/modes.dmabuf');
    const opened = await client.open(uri, SAMPLE_02);
    expect(codes(opened.diagnostics)).toContain('p2p-host-bridge');
    // Without the IOMMU the share would be BUS_ADDR with no warning, but the engine waits for the save.
    const typedText = SAMPLE_02.replace('iommu vtd mode dma', '') + '\nshare doorbells -> nobody\n';
    const v = await client.change(uri, typedText);
    const typed = await client.waitForDiagnostics(uri, (p) => p.version === v);
    expect(codes(typed.diagnostics)).toContain('unknown-name');
    expect(codes(typed.diagnostics)).toContain('p2p-host-bridge');
    await client.save(uri);
    const saved = await client.waitForDiagnostics(uri, (p) => p.version === v && !codes(p.diagnostics).includes('p2p-host-bridge'));
    // The engine ran: BUS_ADDR now, so the sample's `expect thru_host_bridge, iova, address …` all fail.
    expect(codes(saved.diagnostics).sort()).toEqual(['expect-mismatch', 'expect-mismatch', 'expect-mismatch', 'unknown-name']);
    await client.close(uri);
  });

  it('resolves `use` through open documents and re-analyses the files that use a changed file', async () => {
    const lib = fileUri('test/lsp/virtual/lib.dmabuf');
    const main = fileUri('test/lsp/virtual/main.dmabuf');
    const platform = SAMPLE_01.slice(0, SAMPLE_01.indexOf('buffer doorbells'));
    await client.open(lib, platform);
    const first = await client.open(main, 'use "lib.dmabuf"\n\nbuffer doorbells from nic0 driver vfio-pci { size 64K }\n');
    expect(first.diagnostics).toEqual([]);
    const v = await client.change(lib, platform.replace('nic nic0', 'nic nic1'));
    await client.waitForDiagnostics(lib, (p) => p.version === v);
    const after = await client.waitForDiagnostics(main, (p) => codes(p.diagnostics).includes('unknown-name'));
    expect(after.diagnostics.find((d) => d.code === 'unknown-name')!.range.start.line).toBe(2);
    await client.close(lib);
    await client.close(main);
  });

  it('refuses a `use` that leaves the workspace or is absolute', async () => {
    const uri = fileUri('test/lsp/virtual/escape.dmabuf');
    const { text, ranges } = marked('use <|"../../../../../../etc/hosts.dmabuf"|>\nuse <|"/etc/hosts.dmabuf"|>\n');
    const d = await client.open(uri, text);
    const notFound = d.diagnostics.filter((x) => x.code === 'use-not-found');
    expect(notFound.map((x) => x.range)).toEqual(ranges);
    expect(notFound[0]!.message).toMatch(/outside the workspace/);
    expect(notFound[1]!.message).toMatch(/absolute/);
    await client.close(uri);
  });
});

describe('language server settings', () => {
  it('applies dmabuf.rules pulled with workspace/configuration', async () => {
    const client = await TestClient.start({ configuration: (section) => (section === 'dmabuf' ? { analyzeOn: 'save', rules: { 'acs-redirect': 'off', 'p2p-host-bridge': 'error' } } : null) });
    try {
      const uri = fileUri('test/lsp/virtual/rules.dmabuf');
      await client.open(uri, SAMPLE_02);
      const d = await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((x) => x.code === 'p2p-host-bridge' && x.severity === 1));
      expect(codes(d.diagnostics)).not.toContain('acs-redirect');
    } finally {
      await client.stop();
    }
  });

  it('dmabuf.compareKernels: the hover of a share names its kernel and the listed releases where its verdict differs', async () => {
    const client = await TestClient.start({ initializationOptions: { settings: { compareKernels: ['6.8', '7.0'] } } });
    try {
      const uri = fileUri('test/lsp/virtual/kernels.dmabuf');
      await client.open(uri, SAMPLE_01);
      const line = SAMPLE_01.split('\n').findIndex((l) => l.startsWith('share '));
      const h = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 2 } });
      const text = h?.contents.value ?? '';
      expect(text).toContain('Kernel: 7.3 (version 1: no `version` written)');
      // vfio-pci dma-buf export came in 6.19 (engine/releases.ts); 7.0 maps as 7.3 does.
      expect(text).toContain('On 6.8: BUS_ADDR none fails (kernel-too-old)');
      expect(text).not.toContain('On 7.0');
    } finally {
      await client.stop();
    }
  });

  it('runs the engine while typing when dmabuf.analyzeOn is change', async () => {
    const client = await TestClient.start({ initializationOptions: { settings: { analyzeOn: 'change' } } });
    try {
      const uri = fileUri('test/lsp/virtual/change.dmabuf');
      await client.open(uri, SAMPLE_02);
      const v = await client.change(uri, SAMPLE_02 + '\n');
      const typed = await client.waitForDiagnostics(uri, (p) => p.version === v);
      expect(codes(typed.diagnostics)).toContain('p2p-host-bridge');
    } finally {
      await client.stop();
    }
  });
});

describe('language server with files on disk', () => {
  let dir: string;
  let client: TestClient;
  const platform = SAMPLE_01.slice(0, SAMPLE_01.indexOf('buffer doorbells'));
  const uses = (file: string) => `use "${file}"\n\nbuffer doorbells from nic0 driver vfio-pci { size 64K }\n`;
  beforeAll(async () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'dmabuf-lsp-')));
    dir = join(base, 'ws');
    mkdirSync(dir);
    writeFileSync(join(dir, 'lib.dmabuf'), platform);
    writeFileSync(join(base, 'outside.dmabuf'), platform);
    symlinkSync(join(base, 'outside.dmabuf'), join(dir, 'link.dmabuf'));
    client = await TestClient.start({ rootDir: dir });
  });
  afterAll(async () => {
    await client?.stop();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('reads a used file from the disk and follows its changes (workspace/didChangeWatchedFiles)', async () => {
    const main = pathToFileURL(join(dir, 'main.dmabuf')).href;
    const first = await client.open(main, uses('lib.dmabuf'));
    expect(first.diagnostics).toEqual([]);
    writeFileSync(join(dir, 'lib.dmabuf'), platform.replace('nic nic0', 'nic nic1'));
    const next = client.waitForDiagnostics(main, (p) => codes(p.diagnostics).includes('unknown-name'));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(dir, 'lib.dmabuf')).href, type: 2 }] });
    await next;
    await client.close(main);
  });

  it('refuses a symbolic link that leads outside the workspace', async () => {
    const main = pathToFileURL(join(dir, 'via-link.dmabuf')).href;
    const d = await client.open(main, uses('link.dmabuf'));
    const refused = d.diagnostics.find((x) => x.code === 'use-not-found');
    expect(refused?.message).toMatch(/symbolic link/);
    await client.close(main);
  });

  it('answers dmabuf/shares with the files of the model', async () => {
    writeFileSync(join(dir, 'lib.dmabuf'), platform);
    writeFileSync(join(dir, 'root.dmabuf'), uses('lib.dmabuf') + 'share doorbells -> gpu0 { attach dynamic move_notify peer2peer }\n');
    const r = await client.request<SharesResult>('dmabuf/shares', { uri: pathToFileURL(join(dir, 'root.dmabuf')).href });
    expect(r.files).toEqual([pathToFileURL(join(dir, 'root.dmabuf')).href, pathToFileURL(join(dir, 'lib.dmabuf')).href]);
    expect(r.shares.map((s) => [s.name, s.mapType])).toEqual([['doorbells->gpu0', 'BUS_ADDR']]);
  });
});
