// The editor features in process (inProcess.ts: the server's source, no dist/), on a
// small model in a workspace on disk: what a user would notice of each feature.

import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import type {
  CodeAction,
  CompletionItem,
  DocumentDiagnosticReport,
  DocumentLink,
  DocumentSymbol,
  Hover,
  Location,
  MarkupContent,
  Position,
  SemanticTokens,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { applyEdits } from './apply';
import { machine, model, NIC_VFIO } from './fixtures';
import { codes } from './helpers';
import { InProcessClient } from './inProcess';

let dir: string;
let client: InProcessClient;
let n = 0;
const uriOf = (name: string) => pathToFileURL(join(dir, name)).href;
const nextUri = (tag: string) => uriOf(`${tag}-${++n}.dmabuf`);

/** A NIC BAR shared to a GPU behind one switch: s1 lacks move_notify (it fails), s2 maps. */
const SHARES = 'share db -> gpu0 as s1 { attach dynamic peer2peer }\nshare db -> gpu0 as s2 { attach dynamic move_notify peer2peer }\n';
const TEXT = model(machine(), NIC_VFIO, SHARES);

/** The position of the `n`th occurrence of `needle` in `text`, plus `skip` characters. */
function at(text: string, needle: string, nth = 0, skip = 0): Position {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`'${needle}' #${nth} not found`);
  }
  const before = text.slice(0, i + skip).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
}

const hoverText = (h: Hover | null) => (h ? (h.contents as MarkupContent).value : '');

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'dmabuf-inproc-')));
  client = await InProcessClient.start({
    rootDir: dir,
    capabilities: {
      textDocument: { completion: { completionItem: { snippetSupport: true } }, rename: { prepareSupport: true }, diagnostic: {} },
      workspace: { diagnostics: { refreshSupport: true } },
    },
  });
});
afterAll(async () => {
  await client?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hover', () => {
  it('shows a share’s map type and the address the importer sees', async () => {
    const uri = nextUri('hover');
    await client.open(uri, TEXT);
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at(TEXT, 'as s2') });
    expect(hoverText(h)).toContain('| map type | `BUS_ADDR` |');
    expect(hoverText(h)).toContain('`0x6000000000`, length `0x10000` (64 KiB)');
    // BUS_ADDR: the TLPs turn at the switch.
    expect(hoverText(h)).toContain('| TLPs | `nic0 → sw0.nic0 → sw0 → sw0.gpu0 → gpu0` |');
    await client.close(uri);
  });

  it('shows the IOVA when the importer is behind an IOMMU', async () => {
    const uri = nextUri('hover-iova');
    const text = model(machine({ iommu: 'vtd' }), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n');
    await client.open(uri, text);
    const value = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at(text, 'share db') }));
    expect(value).toContain('| map type | `THRU_HOST_BRIDGE` |');
    expect(value).toContain('| address kind | `iova` |');
    expect(value).toContain('the importer sees iova 0xffff0000');
    // THRU_HOST_BRIDGE: the path turns at the switch, the TLPs at the root complex.
    expect(value).toContain('| path | `nic0` → `sw0.nic0` → `sw0` → `sw0.gpu0` → `gpu0` |');
    expect(value).toContain('| TLPs | `nic0 → sw0.nic0 → sw0 → rp0 → hb0 (root complex) → rp0 → sw0 → sw0.gpu0 → gpu0` |');
    await client.close(uri);
  });

  it('describes a device by its BDF and BAR', async () => {
    const uri = nextUri('hover-name');
    await client.open(uri, TEXT);
    const value = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at(TEXT, 'from nic0', 0, 6) }));
    expect(value).toContain('**`nic0`** — nic');
    expect(value).toContain('BDF `0000:04:00.0`');
    expect(value).toContain('BAR 0: `0x6000000000 .. 0x61ffffffff` (8G)');
    await client.close(uri);
  });
});

describe('names', () => {
  it('goes to the definition of a device', async () => {
    const uri = nextUri('def');
    await client.open(uri, TEXT);
    const loc = await client.request<Location | null>('textDocument/definition', { textDocument: { uri }, position: at(TEXT, 'from nic0', 0, 6) });
    const start = at(TEXT, 'nic nic0', 0, 4);
    expect(loc).toEqual({ uri, range: { start, end: { line: start.line, character: start.character + 4 } } });
    await client.close(uri);
  });

  it('finds every reference, also in an open file that uses this one', async () => {
    const a = uriOf('refs-a.dmabuf');
    const b = uriOf('refs-b.dmabuf');
    const bText = 'use "refs-a.dmabuf"\nshare db -> nic0 as s3 { attach dynamic move_notify peer2peer }\n';
    writeFileSync(join(dir, 'refs-a.dmabuf'), TEXT);
    await client.open(a, TEXT);
    await client.open(b, bText);
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: a }, position: at(TEXT, 'buffer db', 0, 7), context: { includeDeclaration: true } });
    const where = refs.map((r) => `${r.uri === a ? 'a' : 'b'}:${r.range.start.line}:${r.range.start.character}`).sort();
    const inA = [at(TEXT, 'buffer db', 0, 7), at(TEXT, 'share db', 0, 6), at(TEXT, 'share db', 1, 6)].map((p) => `a:${p.line}:${p.character}`);
    expect(where).toEqual([...inA, `b:1:6`].sort());
    await client.close(b);
    await client.close(a);
  });

  it('renames every reference, and refuses a name the model already has', async () => {
    const uri = nextUri('rename');
    await client.open(uri, TEXT);
    const position = at(TEXT, 'buffer db', 0, 7);
    const prepared = await client.request<{ placeholder: string }>('textDocument/prepareRename', { textDocument: { uri }, position });
    expect(prepared.placeholder).toBe('db');
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position, newName: 'doorbell' });
    const after = applyEdits(TEXT, edit.changes![uri]!).text;
    expect(after).toBe(TEXT.replaceAll('buffer db', 'buffer doorbell').replaceAll('share db', 'share doorbell'));
    const clash = client.request('textDocument/rename', { textDocument: { uri }, position, newName: 'gpu0' });
    await expect(clash).rejects.toThrow(/'gpu0' is already declared in this model \(pci at .*:9\)/);
    await client.close(uri);
  });
});

describe('outline, tokens and links', () => {
  it('lists the platform tree and the top-level declarations', async () => {
    const uri = nextUri('symbols');
    await client.open(uri, TEXT);
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(['lab', 'db', 's1', 's2']);
    const names = (s: DocumentSymbol): string[] => [s.name, ...(s.children ?? []).flatMap(names)];
    expect(names(symbols[0]!)).toEqual(expect.arrayContaining(['hb0', 'rp0', 'sw0', 'gpu0', 'nic0']));
    await client.close(uri);
  });

  it('marks declarations, references and undeclared names', async () => {
    const uri = nextUri('tokens');
    const text = model(machine(), NIC_VFIO, 'share db -> gpu9 { attach dynamic move_notify peer2peer }\n');
    await client.open(uri, text);
    const { data } = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const { tokenTypes, tokenModifiers } = client.initializeResult.capabilities.semanticTokensProvider!.legend;
    const lines = text.split('\n');
    const tokens: string[] = [];
    for (let i = 0, line = 0, ch = 0; i < data.length; i += 5) {
      line += data[i]!;
      ch = data[i]! === 0 ? ch + data[i + 1]! : data[i + 1]!;
      const mods = tokenModifiers.filter((_, k) => (data[i + 4]! & (1 << k)) !== 0);
      tokens.push(`${lines[line]!.slice(ch, ch + data[i + 2]!)}:${tokenTypes[data[i + 3]!]}${mods.map((m) => `+${m}`).join('')}`);
    }
    expect(tokens).toEqual(expect.arrayContaining(['nic0:class+declaration', 'db:variable+declaration', 'nic0:class', 'db:variable']));
    expect(tokens.find((t) => t.startsWith('gpu9:'))).toMatch(/\+unresolved$/);
    await client.close(uri);
  });

  it('links a `use` to the file it reads, not one that is missing', async () => {
    writeFileSync(join(dir, 'links-lib.dmabuf'), machine());
    const uri = nextUri('links');
    const text = 'use "links-lib.dmabuf"\nuse "links-missing.dmabuf"\n';
    await client.open(uri, text);
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri } });
    expect(links).toEqual([
      { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 21 } }, target: uriOf('links-lib.dmabuf'), tooltip: `use ${join(dir, 'links-lib.dmabuf')}` },
    ]);
    await client.close(uri);
  });
});

describe('editing', () => {
  it('completes an importer with the model’s devices', async () => {
    const uri = nextUri('complete');
    const text = model(machine(), NIC_VFIO, 'share db -> ');
    await client.open(uri, text);
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: at(text, 'share db -> ', 0, 12) });
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['gpu0', 'nic0']));
    await client.close(uri);
  });

  it('fixes a missing move_notify, alone and with fix-all', async () => {
    const uri = nextUri('fix');
    const first = await client.open(uri, TEXT);
    expect(codes(first.diagnostics)).toEqual(['missing-notifier']);
    const fixed = TEXT.replace('as s1 { attach dynamic peer2peer }', 'as s1 { attach dynamic peer2peer move_notify }');
    const quick = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: first.diagnostics[0]!.range, context: { diagnostics: first.diagnostics } });
    expect(quick.map((a) => a.title)).toEqual(['Add move_notify to share s1']);
    expect(applyEdits(TEXT, quick[0]!.edit!.changes![uri]!).text).toBe(fixed);
    const all = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    expect(all.map((a) => a.title)).toEqual(['Fix all: 1 dmabuf problem']);
    expect(applyEdits(TEXT, all[0]!.edit!.changes![uri]!).text).toBe(fixed);
    await client.close(uri);
  });

  it('puts move_notify on a new line after a // comment that ends the block’s last line (a bug the fuzzer found)', async () => {
    const uri = nextUri('fix-comment');
    // The `}` shares its line with a character that starts no token, so the fix goes
    // after the last item inside the block: the comment, which runs to the line's end.
    const text = TEXT.replace('as s1 { attach dynamic peer2peer }', 'as s1 { attach dynamic peer2peer // revoke?\n*}');
    const first = await client.open(uri, text);
    const diagnostics = first.diagnostics.filter((d) => d.code === 'missing-notifier');
    expect(diagnostics).toHaveLength(1);
    const quick = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const action = quick.find((a) => a.title === 'Add move_notify to share s1')!;
    expect(applyEdits(text, action.edit!.changes![uri]!).text).toBe(text.replace('// revoke?\n', '// revoke?\nmove_notify\n'));
    await client.close(uri);
  });

  it('formats a badly indented model', async () => {
    const uri = nextUri('format');
    const messy = 'platform lab {\ncpu intel\n      memory high 0x1_0000_0000   size 64G\n}\n';
    await client.open(uri, messy);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(applyEdits(messy, edits).text).toBe('platform lab {\n  cpu intel\n  memory high 0x1_0000_0000 size 64G\n}\n');
    await client.close(uri);
  });
});

describe('diagnostics', () => {
  it('keeps the engine’s findings while the user types, and drops them on save', async () => {
    const uri = nextUri('keep');
    await client.open(uri, TEXT);
    const typed = TEXT.replace('as s1 { attach dynamic peer2peer }', 'as s1 { attach dynamic move_notify peer2peer }');
    const v = await client.change(uri, typed);
    const during = await client.waitForDiagnostics(uri, (p) => p.version === v);
    expect(codes(during.diagnostics)).toEqual(['missing-notifier']); // the last full analysis' finding stays
    await client.save(uri);
    const saved = await client.waitForDiagnostics(uri, (p) => p.version === v && p !== during);
    expect(codes(saved.diagnostics)).toEqual([]);
    await client.close(uri);
  });

  it('answers pulled diagnostics, then Unchanged for the same result', async () => {
    const uri = nextUri('pull');
    await client.open(uri, TEXT);
    const full = await client.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } });
    expect(full.kind).toBe('full');
    expect(full.kind === 'full' && codes(full.items)).toEqual(['missing-notifier']);
    const again = await client.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri }, previousResultId: full.resultId });
    expect(again).toEqual({ kind: 'unchanged', resultId: full.resultId });
    await client.close(uri);
  });
});

describe('robustness', () => {
  it('answers a request on a document that is not open with the empty answer', async () => {
    const textDocument = { uri: uriOf('never-opened.dmabuf') };
    expect(await client.request('textDocument/hover', { textDocument, position: { line: 0, character: 0 } })).toBeNull();
    expect(await client.request('textDocument/documentSymbol', { textDocument })).toEqual([]);
    expect(await client.request('textDocument/semanticTokens/full', { textDocument })).toEqual({ data: [] });
  });

  it('answers RequestCancelled to a long request cancelled at once', async () => {
    const uri = nextUri('cancel');
    await client.open(uri, TEXT);
    const source = new CancellationTokenSource();
    const asked = client.conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } }, source.token);
    source.cancel();
    const e = await asked.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ResponseError);
    expect((e as ResponseError<unknown>).code).toBe(-32800);
    await client.close(uri);
  });
});
