// Pull diagnostics (textDocument/diagnostic) next to push, and cancellation: a cancelled
// request answers RequestCancelled, a result computed for an older version of its
// document is dropped (ContentModified; ServerCancelled with retrigger for diagnostics).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver';
import { machine, model, NIC_VFIO } from './fixtures';
import { codes, fileUri, rawExchange, TestClient } from './helpers';

interface Report {
  readonly kind: 'full' | 'unchanged';
  readonly resultId?: string;
  readonly items?: Diagnostic[];
}

const TEXT = model(machine({ iommu: 'vtd' }), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n');

describe('pull diagnostics', () => {
  let client: TestClient;
  const refreshes: string[] = [];
  beforeAll(async () => {
    client = await TestClient.start({ capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } }, workspace: { diagnostics: { refreshSupport: true } } } });
    client.conn.onRequest('workspace/diagnostic/refresh', () => {
      refreshes.push('diagnostic');
      return null;
    });
  });
  afterAll(async () => {
    await client?.stop();
  });

  const pull = (uri: string, previousResultId?: string) =>
    client.request<Report>('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });

  it('declares a diagnostic provider to clients that announce pull diagnostics', () => {
    expect(client.initializeResult.capabilities.diagnosticProvider).toMatchObject({ interFileDependencies: true, workspaceDiagnostics: false });
  });

  it('answers what push publishes, and unchanged for an unchanged document', async () => {
    const uri = fileUri('test/lsp/virtual/pull-1.dmabuf');
    const pushed = await client.open(uri, TEXT); // push goes on as before
    expect(codes(pushed.diagnostics)).toEqual(expect.arrayContaining(['acs-redirect', 'p2p-host-bridge']));
    const r = await pull(uri);
    expect(r.kind).toBe('full');
    expect(r.items).toEqual(pushed.diagnostics);
    const again = await pull(uri, r.resultId);
    expect(again).toEqual({ kind: 'unchanged', resultId: r.resultId });
    await client.close(uri);
  });

  it('follows the analysis mode: syntax and names while typing, the engine after save', async () => {
    const uri = fileUri('test/lsp/virtual/pull-2.dmabuf');
    await client.open(uri, TEXT);
    // Typing drops the IOMMU: the engine would find no warning, but it waits for the save.
    const v = await client.change(uri, TEXT.replace(/iommu vtd[^\n]*/, '') + '\n// typing\n');
    const typed = await pull(uri);
    expect(codes(typed.items!)).toContain('p2p-host-bridge');
    const pushedTyped = await client.waitForDiagnostics(uri, (p) => p.version === v);
    expect(codes(pushedTyped.diagnostics)).toEqual(codes(typed.items!));
    const before = refreshes.length;
    await client.save(uri);
    await client.waitForDiagnostics(uri, (p) => p.version === v && !codes(p.diagnostics).includes('p2p-host-bridge'));
    await expect.poll(() => refreshes.length).toBeGreaterThan(before); // the client is told to pull again
    const saved = await pull(uri, typed.resultId);
    expect(saved.kind).toBe('full');
    expect(codes(saved.items!)).not.toContain('p2p-host-bridge');
    await client.close(uri);
  });

  it('asks for a refresh when a used file changes', async () => {
    const lib = fileUri('test/lsp/virtual/pull-lib.dmabuf');
    const main = fileUri('test/lsp/virtual/pull-main.dmabuf');
    await client.open(lib, machine());
    await client.open(main, `use "pull-lib.dmabuf"\n${NIC_VFIO}`);
    expect((await pull(main)).items).toEqual([]);
    const before = refreshes.length;
    await client.change(lib, machine().replace('nic nic0', 'nic nic1'));
    await expect.poll(() => refreshes.length).toBeGreaterThan(before);
    expect(codes((await pull(main)).items!)).toEqual(['unknown-name']);
    await client.close(main);
    await client.close(lib);
  });

  it('answers an empty report for an unknown document', async () => {
    expect(await pull(fileUri('test/lsp/virtual/pull-none.dmabuf'))).toEqual({ kind: 'full', items: [] });
  });
});

// ---------------------------------------------------------------------------- cancellation

describe('cancellation', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await TestClient.start({ capabilities: { textDocument: { diagnostic: {} } } });
  });
  afterAll(async () => {
    await client?.stop();
  });

  it('answers a request normally when nothing happens meanwhile', async () => {
    const uri = fileUri('test/lsp/virtual/cancel-0.dmabuf');
    await client.open(uri, TEXT);
    const r = await rawExchange(client, [{ id: 'ok-1', method: 'textDocument/semanticTokens/full', params: { textDocument: { uri } } }], ['ok-1']);
    expect((r.get('ok-1')!.result as { data: number[] }).data.length).toBeGreaterThan(0);
    await client.close(uri);
  });

  it('answers RequestCancelled to a request cancelled before it ran', async () => {
    const uri = fileUri('test/lsp/virtual/cancel-1.dmabuf');
    await client.open(uri, TEXT);
    const requests: [string, string, object][] = [
      ['c-tokens', 'textDocument/semanticTokens/full', { textDocument: { uri } }],
      ['c-diag', 'textDocument/diagnostic', { textDocument: { uri } }],
      ['c-action', 'textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } }],
      ['c-rename', 'textDocument/rename', { textDocument: { uri }, position: { line: 0, character: 10 }, newName: 'lab2' }],
      ['c-symbols', 'workspace/symbol', { query: '' }],
    ];
    const messages = requests.flatMap(([id, method, params]) => [
      { id, method, params },
      { method: '$/cancelRequest', params: { id } },
    ]);
    const r = await rawExchange(client, messages, requests.map(([id]) => id));
    for (const [id] of requests) expect(r.get(id)!.error?.code, id).toBe(-32800);
    expect(client.alive).toBe(true);
    await client.close(uri);
  });

  it('drops a result computed for an older version of the document', async () => {
    const uri = fileUri('test/lsp/virtual/cancel-2.dmabuf');
    await client.open(uri, TEXT);
    const change = (version: number) => ({
      method: 'textDocument/didChange',
      // Small, so that the whole batch stays one write and one read.
      params: { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `// v${version}\n` }] },
    });
    const r = await rawExchange(
      client,
      [
        { id: 's-tokens', method: 'textDocument/semanticTokens/full', params: { textDocument: { uri } } },
        change(2),
        { id: 's-diag', method: 'textDocument/diagnostic', params: { textDocument: { uri } } },
        change(3),
        { id: 's-hints', method: 'textDocument/inlayHint', params: { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } } } },
        change(4),
      ],
      ['s-tokens', 's-diag', 's-hints'],
    );
    expect(r.get('s-tokens')!.error?.code).toBe(-32801); // ContentModified
    expect(r.get('s-diag')!.error).toMatchObject({ code: -32802, data: { retriggerRequest: true } }); // ServerCancelled
    expect(r.get('s-hints')!.error?.code).toBe(-32801);
    // The next request, on the current version, is answered.
    const tokens = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
    expect(tokens.data.length).toBeGreaterThan(0);
    await client.close(uri);
  });
});
