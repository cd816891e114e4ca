// Protocol abuse against the real server (dist/server.js over stdio): requests for
// unknown and closed documents, malformed params, positions past the end, versions out
// of order, cancellation in the middle of an analysis, floods of changes. Every request
// is answered (a result or a clean error), the server stays up, its memory stays flat.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseError } from 'vscode-jsonrpc/node';
import type { Hover, PublishDiagnosticsParams, SelectionRange } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { rssKiB } from '../../fuzz/checks';
import { codes, rawExchange, ROOT, TestClient } from '../lsp/helpers';
import { Workspace } from './workspace';

const SAMPLE = readFileSync(join(ROOT, 'samples/05-hgx-acs-redirect.dmabuf'), 'utf8');
const ERROR = 'platform p { cpu intel2 }\n';

/** Every request the server answers about a document, with params for `uri`. */
function requests(uri: string, position = { line: 3, character: 4 }): [string, unknown][] {
  const td = { uri };
  const range = { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } };
  return [
    ['textDocument/hover', { textDocument: td, position }],
    ['textDocument/definition', { textDocument: td, position }],
    ['textDocument/references', { textDocument: td, position, context: { includeDeclaration: true } }],
    ['textDocument/documentHighlight', { textDocument: td, position }],
    ['textDocument/completion', { textDocument: td, position }],
    ['textDocument/codeAction', { textDocument: td, range, context: { diagnostics: [] } }],
    ['textDocument/codeAction', { textDocument: td, range, context: { diagnostics: [], only: ['source.fixAll'] } }],
    ['textDocument/formatting', { textDocument: td, options: { tabSize: 2, insertSpaces: true } }],
    ['textDocument/rangeFormatting', { textDocument: td, range, options: { tabSize: 2, insertSpaces: true } }],
    ['textDocument/prepareRename', { textDocument: td, position }],
    ['textDocument/rename', { textDocument: td, position, newName: 'renamed' }],
    ['textDocument/semanticTokens/full', { textDocument: td }],
    ['textDocument/inlayHint', { textDocument: td, range }],
    ['textDocument/foldingRange', { textDocument: td }],
    ['textDocument/selectionRange', { textDocument: td, positions: [position] }],
    ['textDocument/documentSymbol', { textDocument: td }],
    ['textDocument/documentLink', { textDocument: td }],
    ['textDocument/diagnostic', { textDocument: td }],
  ];
}

/** The answer, or the error's code: never a hang (the request has a time limit). */
async function answer(client: TestClient, method: string, params: unknown, ms = 10_000): Promise<{ result?: unknown; code?: number }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${ms} ms`)), ms);
  });
  try {
    return { result: await Promise.race([client.request(method, params), timeout]) };
  } catch (e) {
    if (e instanceof ResponseError) return { code: e.code };
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

function serverErrors(client: TestClient): string[] {
  return client.logs.filter((l) => l.type === 1).map((l) => l.message);
}

describe('protocol abuse', () => {
  const ws = new Workspace();
  let client: TestClient;
  beforeAll(async () => {
    client = await TestClient.start({
      rootDir: ws.root,
      capabilities: { textDocument: { diagnostic: {}, rename: { prepareSupport: true } } },
    });
  });
  afterAll(async () => {
    await client?.stop();
    ws.remove();
  });

  it('requests about a document that was never opened: empty answers, no error logged', async () => {
    const uri = ws.uri('never-opened.dmabuf');
    for (const [method, params] of requests(uri)) {
      const r = await answer(client, method, params);
      expect(r.code, method).toBeUndefined();
      expect(r.result === null || (Array.isArray(r.result) && r.result.length === 0) || typeof r.result === 'object', method).toBe(true);
    }
    // Not open and not on disk: the project's own request says so.
    const shares = await answer(client, 'dmabuf/shares', { uri });
    expect(shares.code).toBe(-32602);
    expect(serverErrors(client)).toEqual([]);
  });

  it('requests about a document that was closed: the same', async () => {
    const uri = ws.uri('closed.dmabuf');
    await client.open(uri, SAMPLE);
    const closed = client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    await client.close(uri);
    await closed;
    for (const [method, params] of requests(uri)) {
      const r = await answer(client, method, params);
      expect(r.code, method).toBeUndefined();
      const empty = r.result === null || (Array.isArray(r.result) && r.result.length === 0);
      const emptyObject = typeof r.result === 'object' && r.result !== null && (JSON.stringify(r.result) === '{"data":[]}' || JSON.stringify(r.result).includes('"items":[]'));
      expect(empty || emptyObject, `${method}: ${JSON.stringify(r.result)}`).toBe(true);
    }
    expect(serverErrors(client)).toEqual([]);
  });

  it('notifications about unknown documents are ignored: change, save, close', async () => {
    const uri = ws.uri('ghost.dmabuf');
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 7 }, contentChanges: [{ text: ERROR }] });
    await client.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const r = await answer(client, 'textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    expect(r.result).toBeNull();
    expect(client.alive).toBe(true);
  });

  it('malformed params: answered (a result or an error), never a crash', async () => {
    const uri = ws.uri('malformed.dmabuf');
    await client.open(uri, SAMPLE);
    const bad: [string, unknown][] = [
      ['textDocument/hover', {}],
      ['textDocument/hover', { textDocument: {} }],
      ['textDocument/hover', { textDocument: { uri: 42 }, position: { line: 0, character: 0 } }],
      ['textDocument/hover', { textDocument: { uri } }],
      ['textDocument/hover', { textDocument: { uri }, position: null }],
      ['textDocument/completion', { textDocument: { uri }, position: { line: 'x', character: {} } }],
      ['textDocument/semanticTokens/full', null],
      ['textDocument/codeAction', { textDocument: { uri } }],
      ['textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [{ code: 'missing-notifier', range: null }] } }],
      ['textDocument/selectionRange', { textDocument: { uri }, positions: 'all' }],
      ['textDocument/rename', { textDocument: { uri }, position: { line: 3, character: 4 }, newName: 42 }],
      ['textDocument/rangeFormatting', { textDocument: { uri } }],
      ['dmabuf/shares', null],
      ['dmabuf/shares', { uri: '' }],
      ['dmabuf/shares', { uri: 'untitled:Untitled-1' }],
      ['workspace/symbol', {}],
      ['no/such/method', {}],
    ];
    for (const [method, params] of bad) {
      const r = await answer(client, method, params);
      expect(r.result !== undefined || r.code !== undefined, method).toBe(true);
    }
    expect(client.alive).toBe(true);
    // And the document is still served normally.
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 17, character: 10 } });
    expect(h).not.toBeNull();
    await client.close(uri);
    client.logs.splice(0);
  });

  it('positions past the end, negative or fractional: answered, with ranges inside the document', async () => {
    const uri = ws.uri('positions.dmabuf');
    await client.open(uri, SAMPLE);
    const doc = TextDocument.create(uri, 'dmabuf', 1, SAMPLE);
    const inside = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) => {
      for (const p of [r.start, r.end]) expect(doc.positionAt(doc.offsetAt(p))).toEqual(p);
    };
    const positions = [
      { line: 1_000_000, character: 0 },
      { line: 0, character: 1_000_000 },
      { line: 17, character: 1_000_000 },
      { line: -1, character: -5 },
      { line: 2 ** 31, character: 2 ** 31 },
      { line: 3.5, character: 0.25 },
    ];
    for (const position of positions) {
      for (const [method, params] of requests(uri, position)) {
        const r = await answer(client, method, params);
        expect(r.code === undefined || r.code === -32803 /* RequestFailed: rename refused */, `${method} at ${JSON.stringify(position)}: ${r.code}`).toBe(true);
      }
      const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
      if (h?.range) inside(h.range);
      const [sel] = await client.request<SelectionRange[]>('textDocument/selectionRange', { textDocument: { uri }, positions: [position] });
      for (let s: SelectionRange | undefined = sel; s; s = s.parent) inside(s.range);
    }
    expect(serverErrors(client)).toEqual([]);
    await client.close(uri);
  });

  it('versions out of order: each change is applied in the order it arrives, and the diagnostics say which version they are for', async () => {
    const uri = ws.uri('versions.dmabuf');
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dmabuf', version: 5, text: SAMPLE } });
    await client.waitForDiagnostics(uri, (p) => p.version === 5);
    // A lower version than the current one: applied (the text is the client's), published as version 3.
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: ERROR }] });
    const p3 = await client.waitForDiagnostics(uri, (p) => p.version === 3);
    expect(codes(p3.diagnostics)).toEqual(['syntax-error']);
    // The same version as the open one: a real change too (it was ignored before: taken for the open's own change event).
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 5 }, contentChanges: [{ text: 'platform p { cpu amd }\n' }] });
    const p5 = await client.waitForDiagnostics(uri, (p) => p.version === 5 && p.diagnostics.length === 0);
    expect(p5.diagnostics).toEqual([]);
    // Incremental edits with ranges past the end are clamped to it.
    await client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 6 },
      contentChanges: [{ range: { start: { line: 99, character: 0 }, end: { line: 120, character: 9 } }, text: 'buffer b from heap { size 4K }\n' }],
    });
    const p6 = await client.waitForDiagnostics(uri, (p) => p.version === 6);
    expect(p6.diagnostics).toEqual([]);
    const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(['p', 'b']);
    // A change without a version is refused by the document manager (it logs why); the server goes on.
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri }, contentChanges: [{ text: ERROR }] });
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    expect(serverErrors(client)).toEqual([expect.stringContaining('without valid version identifier')]);
    client.logs.splice(0);
    // Opened twice: the second text wins.
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dmabuf', version: 1, text: ERROR } });
    const again = await client.waitForDiagnostics(uri, (p) => p.version === 1);
    expect(codes(again.diagnostics)).toEqual(['syntax-error']);
    expect(client.alive).toBe(true);
    await client.close(uri);
  });

  it('cancellation, or a change, in the middle of an analysis: RequestCancelled or ContentModified, and the next request is answered', async () => {
    const uri = ws.uri('cancel.dmabuf');
    // A model whose analysis takes a while (thousands of shares).
    const big = SAMPLE + '\n' + 'share weights -> nic1 { attach dynamic move_notify peer2peer }\n'.repeat(4000);
    await client.open(uri, big);
    const fixAll = (id: string) => ({
      id,
      method: 'textDocument/codeAction',
      params: { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } },
    });
    const change = { method: 'textDocument/didChange', params: { textDocument: { uri, version: 50 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// typed\n' }] } };
    for (const [id, late, code] of [
      ['mid-cancel', { method: '$/cancelRequest', params: { id: 'mid-cancel' } }, -32800],
      ['mid-change', change, -32801],
    ] as const) {
      // A change first, so that the request has to analyse; the second message arrives 30 ms into that analysis.
      await client.change(uri, big + `// ${id}\n`);
      const r = await rawExchange(client, [fixAll(id)], [id], { later: [late], delayMs: 30, timeoutMs: 15_000 });
      expect(r.get(id)!.error?.code, id).toBe(code);
    }
    const tokens = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
    expect(tokens.data.length).toBeGreaterThan(0);
    await client.close(uri);
  });

  it('a flood of 500 changes in a burst: the server keeps answering and ends with the diagnostics of the last version', async () => {
    const uri = ws.uri('flood.dmabuf');
    await client.open(uri, SAMPLE);
    let version = 1;
    let text = SAMPLE;
    const hovers: Promise<unknown>[] = [];
    for (let i = 0; i < 500; i++) {
      version = await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, `// ${i}\n`);
      text = `// ${i}\n` + text;
      if (i % 100 === 50) hovers.push(answer(client, 'textDocument/hover', { textDocument: { uri }, position: { line: i, character: 3 } }));
    }
    // The last one breaks the platform: its diagnostics must be those of this version.
    version = await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'cpu\n');
    const last = await client.waitForDiagnostics(uri, (p) => p.version === version, 15_000);
    expect(codes(last.diagnostics)).toContain('syntax-error');
    expect(last.diagnostics.find((d) => d.code === 'syntax-error')!.range.start).toEqual({ line: 0, character: 0 });
    await Promise.all(hovers);
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.length).toBeGreaterThan(0);
    await client.close(uri);
  });

  it('memory stays flat across repeated floods and hundreds of documents opened and closed', async () => {
    const pid = client.proc.pid;
    // Big texts (200 KB, mostly a comment, cheap to analyse) so that anything kept per
    // version or per closed document would stand far above the garbage collector's
    // wobble (about 70 MiB): each round sends 500 versions and 400 documents, 180 MB.
    const filler = `/* ${'x'.repeat(200_000)} */\n`;
    const round = async (r: number) => {
      const uri = ws.uri(`mem-${r % 3}.dmabuf`);
      await client.open(uri, filler + SAMPLE);
      let v = 1;
      for (let i = 0; i < 500; i++) v = await client.change(uri, `${filler}${SAMPLE}\n// ${r}.${i}\n`);
      await client.waitForDiagnostics(uri, (p: PublishDiagnosticsParams) => p.version === v, 30_000);
      for (let k = 0; k < 400; k++) {
        const other = ws.uri(`docs/r${r}-${k}.dmabuf`);
        await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: other, languageId: 'dmabuf', version: 1, text: `${filler}// ${k}\n${ERROR}` } });
        await client.close(other);
      }
      await client.close(uri);
      // Everything sent has been handled once this is answered.
      await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    };
    await round(0);
    const base = rssKiB(pid) ?? 0;
    const samples: number[] = [];
    for (let r = 1; r <= 4; r++) {
      await round(r);
      samples.push(rssKiB(pid) ?? 0);
    }
    // Kept texts alone would add 720 MB over the four rounds; the wobble is under 150 MiB.
    const most = Math.max(...samples);
    console.log(`server RSS after a warm-up round, then after each round of 500 versions and 400 documents of 200 KB (MiB): ${[base, ...samples].map((k) => (k / 1024).toFixed(0)).join(', ')}`);
    expect(most, `RSS in KiB: ${base}, then ${samples.join(', ')}`).toBeLessThan(base + 150 * 1024);
    expect(client.alive).toBe(true);
  }, 240_000);

  it('is still alive and answering after all of that, and logged no failure', async () => {
    const uri = ws.uri('after.dmabuf');
    const p = await client.open(uri, ERROR);
    expect(codes(p.diagnostics)).toEqual(['syntax-error']);
    expect(serverErrors(client).filter((m) => / failed/.test(m))).toEqual([]);
    await client.close(uri);
  });
});
