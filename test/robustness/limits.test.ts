// Every limit of docs/robustness.md, end to end: through `analyze` (the analysis with an
// in-memory host) and through the real server (dist/server.js over stdio, files on disk).

import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentSymbol, FoldingRange, Hover, PublishDiagnosticsParams, SemanticTokens, TextEdit } from 'vscode-languageserver';
import { MAX_FILE_BYTES, MAX_SYNTAX_ERRORS, MAX_USE_DEPTH, overSizeCap, utf8Length } from '../../server/src/analysis/analyze';
import { FILE_NOT_READABLE } from '../../server/src/lsp/protocol';
import type { SharesResult } from '../../server/src/lsp/protocol';
import { MAX_NESTING } from '../../server/src/syntax/parser';
import { analyzeText } from '../helpers/analyzeFile';
import { codes, TestClient } from '../lsp/helpers';
import { only, useChain, Workspace } from './workspace';

const PLATFORM = 'platform p { cpu intel }\n';

function nested(depth: number): string {
  const open = Array.from({ length: depth }, (_, k) => `switch s${k} {`).join('\n');
  return `platform p {\n  host_bridge hb {\n${open}\n${'}\n'.repeat(depth)}  }\n}\nbuffer b from heap { size 4K }\n`;
}

describe('limits in the analysis', () => {
  it('the values are the documented ones', () => {
    expect(MAX_FILE_BYTES).toBe(4 * 1024 * 1024);
    expect(MAX_USE_DEPTH).toBe(16);
    expect(MAX_NESTING).toBe(64);
    expect(MAX_SYNTAX_ERRORS).toBe(1000);
  });

  it('the size cap counts UTF-8 bytes, as the file on disk has them', () => {
    expect(utf8Length('aé€🙂')).toBe(1 + 2 + 3 + 4);
    expect(utf8Length('\ud800')).toBe(3); // a lone surrogate is written as U+FFFD
    expect(overSizeCap('a'.repeat(MAX_FILE_BYTES))).toBe(false);
    expect(overSizeCap('a'.repeat(MAX_FILE_BYTES + 1))).toBe(true);
    // 2 MiB of two-byte characters is 4 MiB on disk: at the cap; one more byte is over.
    expect(overSizeCap('é'.repeat(MAX_FILE_BYTES / 2))).toBe(false);
    expect(overSizeCap('é'.repeat(MAX_FILE_BYTES / 2) + 'a')).toBe(true);
  });

  it('a root file over the cap gets one syntax-error at its start and is not parsed', () => {
    const text = 'platform p { cpu intel }\n'.repeat(Math.ceil((MAX_FILE_BYTES + 1) / 25));
    const t = performance.now();
    const a = analyzeText(text);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(a.findings).toHaveLength(1);
    const f = a.findings[0]!;
    expect(f.code).toBe('syntax-error');
    expect(f.message).toMatch(/over the 4 MiB limit \(4194304 bytes\): it is not analysed/);
    expect(f.span.start).toEqual({ line: 0, character: 0 });
    expect(a.files[0]!.parse.model.items).toEqual([]);
  });

  it('a used file over the cap is refused with use-not-found at the use', () => {
    const a = analyzeText(`use "big.dmabuf"\n${PLATFORM}`, { 'big.dmabuf': ' '.repeat(MAX_FILE_BYTES + 1) });
    const fs = a.findings.filter((f) => f.code === 'use-not-found');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toMatch(/larger than 4 MiB/);
    expect(fs[0]!.span.start).toEqual({ line: 0, character: 4 });
  });

  it('nesting: 100,000 nested blocks give one error at the first block too deep', () => {
    const a = analyzeText(nested(100_000));
    expect(a.findings.map((f) => f.code)).toEqual(['syntax-error', 'missing-platform']);
    expect(a.findings[0]!.message).toMatch(`deeper than ${MAX_NESTING}`);
    expect(a.findings[0]!.span.start.line).toBe(MAX_NESTING);
  });

  it(`use depth: a chain of ${MAX_USE_DEPTH} uses is read, one more is refused at the use that goes too deep`, () => {
    const ok = useChain(MAX_USE_DEPTH);
    const a = analyzeText(ok['f0.dmabuf']!, ok);
    expect(a.findings).toEqual([]);
    expect(a.files).toHaveLength(MAX_USE_DEPTH + 1);

    const deep = useChain(MAX_USE_DEPTH + 1);
    const b = analyzeText(deep['f0.dmabuf']!, deep);
    const fs = b.findings.filter((f) => f.code === 'use-not-found');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.uri).toBe(`f${MAX_USE_DEPTH}.dmabuf`);
    expect(fs[0]!.message).toBe(`'f${MAX_USE_DEPTH + 1}.dmabuf' is nested deeper than ${MAX_USE_DEPTH} uses`);
  });

  it('a use cycle is reported at the use that closes it; a file that uses itself too', () => {
    const a = analyzeText(`use "a.dmabuf"\n${PLATFORM}`, { 'a.dmabuf': 'use "b.dmabuf"\n', 'b.dmabuf': 'use "main.dmabuf"\n' });
    const fs = a.findings.filter((f) => f.code === 'use-not-found');
    expect(fs.map((f) => [f.uri, f.span.start.line, f.span.start.character])).toEqual([['b.dmabuf', 0, 4]]);
    expect(fs[0]!.message).toMatch(/cycle/);
    const self = analyzeText(`use "main.dmabuf"\n${PLATFORM}`);
    expect(self.findings.map((f) => [f.code, f.uri])).toEqual([['use-not-found', 'main.dmabuf']]);
  });

  it(`syntax errors: at most ${MAX_SYNTAX_ERRORS} per file, then one that counts the rest`, () => {
    const text = 'platform p {\n' + 'cpu @\n'.repeat(MAX_SYNTAX_ERRORS + 500) + '}\n';
    const a = analyzeText(text);
    const fs = a.findings.filter((f) => f.code === 'syntax-error');
    expect(fs).toHaveLength(MAX_SYNTAX_ERRORS + 1);
    expect(fs[MAX_SYNTAX_ERRORS]!.message).toMatch(/^\d+ more syntax errors from here on are not shown \(at most 1000 per file\)$/);
  });
});

describe('limits through the server', () => {
  const ws = new Workspace();
  let client: TestClient;
  beforeAll(async () => {
    client = await TestClient.start({ rootDir: ws.root });
  });
  afterAll(async () => {
    await client?.stop();
    ws.remove();
  });

  it('an open document over 4 MiB gets one diagnostic at its start; every request answers empty', async () => {
    const uri = ws.uri('huge.dmabuf');
    const text = 'share b -> gpu0 { attach dynamic }\n'.repeat(Math.ceil((MAX_FILE_BYTES + 10) / 35));
    const p = await client.open(uri, text);
    expect(p.diagnostics).toHaveLength(1);
    expect(p.diagnostics[0]!.code).toBe('syntax-error');
    expect(p.diagnostics[0]!.range).toEqual({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    expect(p.diagnostics[0]!.message).toMatch(/over the 4 MiB limit/);
    const td = { textDocument: { uri } };
    const at = { ...td, position: { line: 3, character: 5 } };
    expect(await client.request<Hover | null>('textDocument/hover', at)).toBeNull();
    expect(await client.request<DocumentSymbol[]>('textDocument/documentSymbol', td)).toEqual([]);
    expect(await client.request<FoldingRange[]>('textDocument/foldingRange', td)).toEqual([]);
    expect(await client.request<SemanticTokens>('textDocument/semanticTokens/full', td)).toEqual({ data: [] });
    expect(await client.request<TextEdit[]>('textDocument/formatting', { ...td, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
    expect(await client.request('textDocument/completion', at)).toEqual([]);
    const shares = await client.request<SharesResult>('dmabuf/shares', { uri });
    expect(shares.diagnostics.map((d) => d.code)).toEqual(['syntax-error']);
    // Back under the cap: analysed as usual.
    const version = await client.change(uri, 'platform p { cpu intel2 }\n');
    const after = await client.waitForDiagnostics(uri, (d) => d.version === version);
    expect(codes(after.diagnostics)).toEqual(['syntax-error']);
    expect(after.diagnostics[0]!.range.start).toEqual({ line: 0, character: 17 });
    await client.close(uri);
  });

  it('a used file over 4 MiB on disk is refused at the use without being read', async () => {
    ws.write('big.dmabuf', '');
    truncateSync(ws.path('big.dmabuf'), 5 * 1024 * 1024); // sparse: 5 MiB of NUL
    const uri = ws.uri('uses-big.dmabuf');
    const p = await client.open(uri, `use "big.dmabuf"\n${PLATFORM}`);
    const fs = only(p.diagnostics, 'use-not-found');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toBe("'big.dmabuf' is 5242880 bytes, over the 4 MiB limit: it is not read");
    expect(fs[0]!.range.start).toEqual({ line: 0, character: 4 });
    await client.close(uri);
  });

  it('dmabuf/shares of a file over 4 MiB on disk is refused with FILE_NOT_READABLE', async () => {
    await expect(client.request('dmabuf/shares', { uri: ws.uri('big.dmabuf') })).rejects.toMatchObject({
      code: FILE_NOT_READABLE,
      message: expect.stringMatching(/over the 4 MiB limit/),
    });
  });

  it('100,000 nested blocks: one syntax error, and the server stays responsive', async () => {
    const uri = ws.uri('nested.dmabuf');
    const t = performance.now();
    const p = await client.open(uri, nested(100_000));
    expect(codes(p.diagnostics)).toEqual(['syntax-error', 'missing-platform']);
    expect(p.diagnostics[0]!.message).toMatch(`deeper than ${MAX_NESTING}`);
    expect(p.diagnostics[0]!.range.start.line).toBe(MAX_NESTING);
    const td = { textDocument: { uri } };
    await client.request('textDocument/foldingRange', td);
    await client.request('textDocument/semanticTokens/full', td);
    await client.request('textDocument/selectionRange', { ...td, positions: [{ line: 50_000, character: 3 }] });
    await client.request('textDocument/hover', { ...td, position: { line: 100_001, character: 0 } });
    expect(performance.now() - t).toBeLessThan(15_000);
    expect(client.alive).toBe(true);
    await client.close(uri);
  });

  it(`use depth through the server: ${MAX_USE_DEPTH} levels are read, the next is refused, and the root shows it at its use`, async () => {
    const deep = useChain(MAX_USE_DEPTH + 1);
    for (const [name, text] of Object.entries(deep)) ws.write(`chain/${name}`, text);
    const uri = ws.uri('chain/f0.dmabuf');
    const p = await client.open(uri, deep['f0.dmabuf']!);
    const fs = only(p.diagnostics, 'use-not-found');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.range.start).toEqual({ line: 0, character: 4 });
    expect(fs[0]!.message).toBe(
      `a file pulled in through 'f1.dmabuf' cannot use another: in f${MAX_USE_DEPTH}.dmabuf, 'f${MAX_USE_DEPTH + 1}.dmabuf' is nested deeper than ${MAX_USE_DEPTH} uses`,
    );
    expect(fs[0]!.relatedInformation?.[0]?.location.uri).toBe(ws.uri(`chain/f${MAX_USE_DEPTH}.dmabuf`));
    const shares = await client.request<SharesResult>('dmabuf/shares', { uri });
    expect(shares.files).toHaveLength(MAX_USE_DEPTH + 1);
    expect(shares.diagnostics.filter((d) => d.code === 'use-not-found').map((d) => d.uri)).toEqual([ws.uri(`chain/f${MAX_USE_DEPTH}.dmabuf`)]);
    await client.close(uri);
  });

  it('a use cycle: reported at the use that closes it, and at the root’s use that leads there', async () => {
    ws.write('cyc/a.dmabuf', 'use "b.dmabuf"\n' + PLATFORM);
    ws.write('cyc/b.dmabuf', 'use "c.dmabuf"\n');
    ws.write('cyc/c.dmabuf', '// closes it\nuse "b.dmabuf"\n');
    const uri = ws.uri('cyc/a.dmabuf');
    const p = await client.open(uri, 'use "b.dmabuf"\n' + PLATFORM);
    const fs = only(p.diagnostics, 'use-not-found');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toMatch(/through 'b.dmabuf'.*in c.dmabuf, 'b.dmabuf' is already being read: a use cycle/);
    expect(fs[0]!.relatedInformation?.[0]?.location).toEqual({ uri: ws.uri('cyc/c.dmabuf'), range: { start: { line: 1, character: 4 }, end: { line: 1, character: 14 } } });
    await client.close(uri);
    // Opened itself, the file that closes the cycle shows it at its own use.
    const c = ws.uri('cyc/c.dmabuf');
    const pc = await client.open(c, '// closes it\nuse "b.dmabuf"\n');
    expect(only(pc.diagnostics, 'use-not-found').map((d) => d.range.start)).toEqual([{ line: 1, character: 4 }]);
    await client.close(c);
  });

  it('uses that leave the workspace folder are refused with use-not-found: .., absolute paths, URLs, symbolic links', async () => {
    writeFileSync(`${ws.base}/outside.dmabuf`, PLATFORM);
    mkdirSync(`${ws.base}/outdir`, { recursive: true });
    writeFileSync(`${ws.base}/outdir/x.dmabuf`, PLATFORM);
    symlinkSync(`${ws.base}/outside.dmabuf`, ws.path('link-out.dmabuf'));
    symlinkSync(`${ws.base}/outdir`, ws.path('dir-out'));
    symlinkSync('/dev/zero', ws.path('zero.dmabuf'));
    ws.write('inside.dmabuf', PLATFORM);
    symlinkSync(ws.path('inside.dmabuf'), ws.path('link-in.dmabuf'));
    const cases: [string, RegExp][] = [
      ['../outside.dmabuf', /lies outside the workspace folder/],
      ['sub/../../outside.dmabuf', /lies outside the workspace folder/],
      [`${ws.base}/outside.dmabuf`, /is absolute/],
      ['/etc/passwd', /is absolute/],
      ['C:\\\\Windows\\\\win.ini', /is absolute/],
      ['file:///etc/passwd', /is absolute/],
      ['link-out.dmabuf', /symbolic link to .*outside\.dmabuf, outside the workspace folder/],
      ['dir-out/x.dmabuf', /symbolic link to .*outdir\/x\.dmabuf, outside the workspace folder/],
      ['zero.dmabuf', /symbolic link to \/dev\/zero, outside the workspace folder/],
      ['', /names no file/],
    ];
    const text = cases.map(([p]) => `use "${p}"`).join('\n') + '\nuse "link-in.dmabuf"\n';
    const uri = ws.uri('escapes.dmabuf');
    const p = await client.open(uri, text);
    const fs = only(p.diagnostics, 'use-not-found');
    expect(fs.map((d) => d.range.start.line)).toEqual(cases.map((_, i) => i));
    cases.forEach(([, re], i) => expect(fs[i]!.message, cases[i]![0]).toMatch(re));
    // A link that stays inside is followed: its platform is read.
    const shares = await client.request<SharesResult>('dmabuf/shares', { uri });
    expect(shares.files).toEqual([uri, ws.uri('link-in.dmabuf')]);
    await client.close(uri);
  });

  it('a FIFO, a directory, an unreadable or non-UTF-8 file is refused at the use, and nothing blocks', async () => {
    execFileSync('mkfifo', [ws.path('fifo.dmabuf')]);
    mkdirSync(ws.path('adir.dmabuf'));
    ws.write('latin1.dmabuf', Buffer.from('platform p { cpu intel } // caf\xe9\n', 'latin1'));
    const uri = ws.uri('odd.dmabuf');
    const p = await client.open(uri, 'use "fifo.dmabuf"\nuse "adir.dmabuf"\nuse "latin1.dmabuf"\nuse "nope.dmabuf"\n');
    expect(only(p.diagnostics, 'use-not-found').map((d) => d.message)).toEqual([
      "'fifo.dmabuf' is not a regular file",
      "'adir.dmabuf' is a directory",
      "'latin1.dmabuf' is not UTF-8 text: it is not read",
      "'nope.dmabuf' does not exist",
    ]);
    await client.close(uri);
  });

  it('keeps serving after all of that', async () => {
    const uri = ws.uri('last.dmabuf');
    const p: PublishDiagnosticsParams = await client.open(uri, PLATFORM);
    expect(p.diagnostics).toEqual([]);
    expect(client.alive).toBe(true);
    await client.close(uri);
  });
});
