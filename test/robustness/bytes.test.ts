// Any byte sequence: NUL, invalid UTF-8, CRLF and lone CR, a BOM, tabs, surrogates, a
// 1 MB line. Nothing throws, and the position of a known error after such content is
// the one the client computes (LSP: UTF-16 code units; `\n`, `\r\n` and `\r` end lines).

import { Lexer, type IToken } from 'chevrotain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Position, PublishDiagnosticsParams } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { allTokens, dmabufLexer, lexerOptimized, tokenEnd } from '../../server/src/syntax/lexer';
import type { SharesResult } from '../../server/src/lsp/protocol';
import { FILE_NOT_READABLE } from '../../server/src/lsp/protocol';
import { analyzeText } from '../helpers/analyzeFile';
import { lint, type JsonDoc } from '../cli/run';
import { TestClient } from '../lsp/helpers';
import { Rng } from '../../fuzz/gen';
import { Workspace } from './workspace';

/** A text whose only mistake is `intel2` (expected a CPU), after `prefix`; where `intel2` starts. */
function withError(prefix: string): { text: string; at: Position } {
  const text = `${prefix}platform p { cpu intel2 }\n`;
  const doc = TextDocument.create('file:///x', 'dmabuf', 1, text);
  return { text, at: doc.positionAt(text.indexOf('intel2')) };
}

const CASES: [string, string][] = [
  ['CRLF line ends', '// one\r\n// two\r\n\r\n'],
  ['lone CR line ends', '// one\r// two\r\r'],
  ['mixed line ends', '// a\n// b\r\n// c\r\r\n'],
  ['a BOM', '\ufeff'],
  ['tabs', '\t\t// x\t\ty\n\t'],
  ['astral characters (surrogate pairs) in a comment', '// 🙂🙂 ünïcødé\n/* 🚀 */ '],
  ['a lone surrogate in a comment', '// \ud800 \udc00\n'],
  ['U+FFFD (what an editor shows for invalid UTF-8) in a comment', '// caf\ufffd\n'],
  ['a 1 MB comment line', `// ${'x'.repeat(1_000_000)}\n`],
  ['a 1 MB line of statements', Array.from({ length: 30_000 }, (_, i) => `buffer b${i} from heap { size 4K } `).join('')],
  ['U+2028 and U+0085 (not line ends in the LSP)', '/* \u2028 \u0085 */ '],
];

describe('byte sequences in the analysis', () => {
  for (const [what, prefix] of CASES) {
    it(`${what}: the error after it is where the client puts it`, () => {
      const { text, at } = withError(prefix);
      const a = analyzeText(text);
      const errs = a.findings.filter((f) => f.code === 'syntax-error');
      expect(errs).toHaveLength(1);
      expect(errs[0]!.span.start).toEqual(at);
      expect(errs[0]!.span.startOffset).toBe(text.indexOf('intel2'));
    });
  }

  it('NUL bytes: one error per run, at the NUL, and the rest is read', () => {
    const text = 'platform p {\0\0 cpu intel }\nbuffer b from heap { size 4K \0}\n';
    const a = analyzeText(text);
    const errs = a.findings.filter((f) => f.code === 'syntax-error');
    expect(errs.map((f) => [f.message, f.span.start, f.span.end])).toEqual([
      ['unexpected character NUL', { line: 0, character: 12 }, { line: 0, character: 14 }],
      ['unexpected character NUL', { line: 1, character: 29 }, { line: 1, character: 30 }],
    ]);
    expect(a.model.symbols.has('b')).toBe(true);
  });

  it('a CRLF is never split by a range: an error at the end of a CRLF line ends before the CR', () => {
    const text = 'platform p {\r\n  cpu\r\n}\r\n';
    const a = analyzeText(text);
    const doc = TextDocument.create('file:///x', 'dmabuf', 1, text);
    for (const f of a.findings) {
      for (const p of [f.span.start, f.span.end]) expect(doc.positionAt(doc.offsetAt(p))).toEqual(p);
    }
  });
});

describe('the lexer on hostile input', () => {
  it('keeps chevrotain’s first-character optimisation', () => {
    expect(lexerOptimized).toBe(true);
  });

  for (const [what, text] of [
    ['1 MB of a character that starts no token', '@'.repeat(1_000_000)],
    ['1 MB of NUL', '\0'.repeat(1_000_000)],
    ['1 MB of non-ASCII', 'é'.repeat(1_000_000)],
    ['1 MB of `-`', '-'.repeat(1_000_000)],
    ['1 MB of digits then a letter (was quadratic: hours)', '1'.repeat(1_000_000) + 'a'],
    ['1 MB of `0x` runs', '0x0'.repeat(300_000) + 'g'],
  ] as const) {
    it(`${what}: one error (or one malformed number), in linear time`, () => {
      const t = performance.now();
      const r = dmabufLexer.tokenize(text);
      expect(performance.now() - t).toBeLessThan(3000);
      if (/^[0-9]/.test(text)) {
        // One token the parser reports as "not a number" (lexer.ts, malformed literals).
        expect(r.tokens.map((k) => k.tokenType.name)).toEqual(['MalformedNumber']);
        expect(r.errors).toEqual([]);
      } else {
        expect(r.errors.length).toBeGreaterThan(0);
        expect(r.errors.length).toBeLessThan(300_001);
      }
    });
  }

  // The plain lexer tries every keyword's pattern; dmabufLexer matches words as names and
  // looks keywords up afterwards, and tracks offsets only (tokenEnd gives the end).
  it('gives exactly what chevrotain’s plain lexer of allTokens gives (tokens, comments, errors)', () => {
    const plain = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false, skipValidations: true });
    const alphabet = ['a', 'Z', '_', '0', '1', '9', 'x', 'f', 'K', 'i', '-', '>', '.', '/', '*', '"', '\\', ' ', '\n', '\r', '\t', '{', '}', ',', ':', '@', 'é', '\0', '\ufeff', '\u00a0', '\u2028', 'amd-vi', 'amd', 'amdgpu', 'vfio-pci', 'vfio', 'pci', 'gpu', 'size', 'share', '0x', '03:00.0', '8086:2030', '0000:03:00.0', '//', '/*', '*/', '64K', '🙂', '\ud800', '12', '00', '1_', 'ab:'];
    // The plain lexer's own end offsets (inclusive, from full tracking) against tokenEnd.
    const norm = (r: ReturnType<typeof plain.tokenize>, end: (t: IToken) => number) =>
      JSON.stringify({
        t: r.tokens.map((t) => [t.tokenType.name, t.tokenTypeIdx, t.image, t.startOffset, end(t)]),
        c: (r.groups['comments'] ?? []).map((t) => [t.image, t.startOffset, end(t)]),
        e: r.errors.map((e) => [e.offset, e.length, e.message]),
      });
    const rng = new Rng(42);
    for (let n = 0; n < 20_000; n++) {
      let s = '';
      const len = rng.int(30);
      for (let i = 0; i < len; i++) s += rng.pick(alphabet);
      expect(norm(dmabufLexer.tokenize(s), tokenEnd), JSON.stringify(s)).toBe(norm(plain.tokenize(s), (t) => t.endOffset! + 1));
    }
  });
});

describe('byte sequences through the server', () => {
  const ws = new Workspace();
  let client: TestClient;
  beforeAll(async () => {
    client = await TestClient.start({ rootDir: ws.root });
  });
  afterAll(async () => {
    await client?.stop();
    ws.remove();
  });

  CASES.forEach(([what, prefix], i) => {
    it(`${what}: the published error is where the client puts it`, async () => {
      const uri = ws.uri(`case${i}.dmabuf`);
      const { text, at } = withError(prefix);
      const p: PublishDiagnosticsParams = await client.open(uri, text);
      expect(p.diagnostics.map((d) => d.range.start)).toEqual([at]);
      // And features at and after it answer.
      await client.request('textDocument/hover', { textDocument: { uri }, position: at });
      await client.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
      await client.request('textDocument/semanticTokens/full', { textDocument: { uri } });
      await client.close(uri);
    });
  });

  it('NUL bytes in an open document', async () => {
    const uri = ws.uri('nul.dmabuf');
    const p = await client.open(uri, '\0platform p {\0 cpu intel }\0');
    expect(p.diagnostics.map((d) => [d.range.start.character, d.message])).toEqual([
      [0, 'unexpected character NUL'],
      [13, 'unexpected character NUL'],
      [26, 'unexpected character NUL'],
    ]);
    await client.close(uri);
  });

  it('a used file on disk: its BOM is dropped (as editors show it) and positions agree with the editor’s', async () => {
    ws.write('bom/used.dmabuf', '\ufeffplatform p { cpu intel2 }\n');
    ws.write('bom/main.dmabuf', 'use "used.dmabuf"\n');
    const r = await client.request<SharesResult>('dmabuf/shares', { uri: ws.uri('bom/main.dmabuf') });
    const d = r.diagnostics.find((x) => x.uri === ws.uri('bom/used.dmabuf'));
    expect(d?.range.start).toEqual({ line: 0, character: 17 });
  });

  it('a used file that is not UTF-8 is refused (not read with U+FFFD in it); a root file too', async () => {
    ws.write('bad/latin1.dmabuf', Buffer.from([...Buffer.from('platform p { cpu intel } // caf'), 0xe9, 0x0a]));
    ws.write('bad/overlong.dmabuf', Buffer.from([0xc0, 0xaf, 0x0a]));
    ws.write('bad/surrogate.dmabuf', Buffer.from([0xed, 0xa0, 0x80, 0x0a]));
    ws.write('bad/main.dmabuf', 'use "latin1.dmabuf"\nuse "overlong.dmabuf"\nuse "surrogate.dmabuf"\n');
    const r = await client.request<SharesResult>('dmabuf/shares', { uri: ws.uri('bad/main.dmabuf') });
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['use-not-found', "'latin1.dmabuf' is not UTF-8 text: it is not read"],
      ['use-not-found', "'overlong.dmabuf' is not UTF-8 text: it is not read"],
      ['use-not-found', "'surrogate.dmabuf' is not UTF-8 text: it is not read"],
    ]);
    await expect(client.request('dmabuf/shares', { uri: ws.uri('bad/latin1.dmabuf') })).rejects.toMatchObject({
      code: FILE_NOT_READABLE,
      message: expect.stringMatching(/is not UTF-8 text/),
    });
  });

  it('the CLI: a root that uses a non-UTF-8 file gets use-not-found at the use', () => {
    ws.write('cli/latin1.dmabuf', Buffer.from([...Buffer.from('platform p { cpu intel } // caf'), 0xe9, 0x0a]));
    ws.write('cli/main.dmabuf', 'use "latin1.dmabuf"\n');
    const r = lint(['--format', 'json', 'main.dmabuf'], { cwd: ws.path('cli') });
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as JsonDoc;
    expect(doc.files[0]!.diagnostics.map((d) => [d.code, d.message, d.range.start])).toEqual([
      ['use-not-found', "'latin1.dmabuf' is not UTF-8 text: it is not read", { line: 0, character: 4 }],
    ]);
  });

  it('still alive', () => {
    expect(client.alive).toBe(true);
  });
});
