// Editor features over the real protocol: inlay hints, completion, semantic tokens,
// folding and selection ranges, document highlight, rename, workspace symbols and
// document links.

import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CompletionItem,
  CompletionList,
  DocumentHighlight,
  DocumentLink,
  FoldingRange,
  InlayHint,
  Position,
  Range,
  SelectionRange,
  SemanticTokens,
  SemanticTokensLegend,
  SymbolInformation,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { applyEdits, editsOf, filesOf, rangeText } from './apply';
import { cursorAt, machine, model, NIC_VFIO } from './fixtures';
import { codes, fileUri, marked, ROOT, TestClient } from './helpers';

const SAMPLE_01 = readFileSync(join(ROOT, 'test/conformance/01-vfio-switch.dmabuf'), 'utf8');
const WHOLE: Range = { start: { line: 0, character: 0 }, end: { line: 10000, character: 0 } };

let client: TestClient;
let n = 0;
const nextUri = (tag: string) => fileUri(`test/lsp/virtual/ft-${tag}-${++n}.dmabuf`);
const refreshes: string[] = [];

beforeAll(async () => {
  client = await TestClient.start({
    capabilities: {
      textDocument: { completion: { completionItem: { snippetSupport: true } }, rename: { prepareSupport: true } },
      workspace: { inlayHint: { refreshSupport: true } },
    },
  });
  client.conn.onRequest('workspace/inlayHint/refresh', () => {
    refreshes.push('inlayHint');
    return null;
  });
});
afterAll(async () => {
  await client?.stop();
});

// ---------------------------------------------------------------------------- inlay hints

describe('inlay hints', () => {
  const hints = (uri: string) => client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: WHOLE });

  it('shows the map type and first DMA address after the share header', async () => {
    const uri = nextUri('hint');
    await client.open(uri, SAMPLE_01);
    const h = await hints(uri);
    expect(h).toHaveLength(1);
    expect(h[0]!.label).toBe('BUS_ADDR · 0x6000000000');
    const line = SAMPLE_01.split('\n').findIndex((l) => l.startsWith('share doorbells -> gpu0'));
    expect(h[0]!.position).toEqual({ line, character: 'share doorbells -> gpu0'.length });
    expect(h[0]!.paddingLeft).toBe(true);
    await client.close(uri);
  });

  it('says `fails: <code>` for a share whose map fails', async () => {
    const uri = nextUri('hint-fail');
    const text = model(machine(), NIC_VFIO, 'share db -> gpu0 as s1 { attach dynamic peer2peer }\nshare db -> gpu0 as s2 { attach dynamic move_notify peer2peer }\n');
    await client.open(uri, text);
    const h = await hints(uri);
    expect(h.map((x) => x.label)).toEqual(['fails: missing-notifier', 'BUS_ADDR · 0x6000000000']);
    expect(h[0]!.position.character).toBe('share db -> gpu0 as s1'.length);
    await client.close(uri);
  });

  it('comes only from the last full analysis: typing keeps the old values, saving updates them', async () => {
    const uri = nextUri('hint-stale');
    const text = model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n');
    await client.open(uri, text);
    // Typing: a new line above the share, and move_notify removed (the map would fail).
    const typed = ('// a comment\n' + text).replace('move_notify peer2peer', 'peer2peer');
    const v = await client.change(uri, typed);
    await client.waitForDiagnostics(uri, (p) => p.version === v);
    const during = await hints(uri);
    expect(during.map((x) => x.label)).toEqual(['BUS_ADDR · 0x6000000000']);
    expect(during[0]!.position.line).toBe(typed.split('\n').findIndex((l) => l.startsWith('share db')));
    const before = refreshes.length;
    await client.save(uri);
    await client.waitForDiagnostics(uri, (p) => p.version === v && codes(p.diagnostics).includes('missing-notifier'));
    const after = await hints(uri);
    expect(after.map((x) => x.label)).toEqual(['fails: missing-notifier']);
    await expect.poll(() => refreshes.length).toBeGreaterThan(before);
    await client.close(uri);
  });

  it('answers only for the requested range', async () => {
    const uri = nextUri('hint-range');
    await client.open(uri, SAMPLE_01);
    expect(await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } } })).toEqual([]);
    await client.close(uri);
  });
});

// ---------------------------------------------------------------------------- completion

async function complete(text: string, tag = 'cmp'): Promise<{ items: CompletionItem[]; labels: string[]; uri: string; text: string }> {
  const m = marked(text);
  const uri = nextUri(tag);
  await client.open(uri, m.text);
  const r = await client.request<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position: m.positions[0] });
  await client.close(uri);
  const items = Array.isArray(r) ? r : (r?.items ?? []);
  return { items, labels: items.map((i) => i.label), uri, text: m.text };
}

describe('completion', () => {
  const base = model(
    machine({ extra: ['iommufd ioas', 'kvm vm0', 'platform_device dsp0 { dma_mask 32 }'] }),
    NIC_VFIO,
    'buffer fb from gpu0 driver amdgpu { size 1G }',
    '',
  );

  it('offers the top-level keywords and a share snippet outside every block', async () => {
    const r = await complete(base + '<|>\n');
    expect(r.labels).toEqual(expect.arrayContaining(['use', 'platform', 'buffer', 'share', 'share …']));
    expect(r.labels).not.toContain('cpu');
    expect(r.labels).not.toContain('attach');
    const snip = r.items.find((i) => i.label === 'share …')!;
    expect(snip.insertTextFormat).toBe(2);
    expect((snip.textEdit as TextEdit).newText).toMatch(/^share \$\{1\|db,fb\|\} -> \$\{2\|gpu0,nic0,.*\} \{/);
  });

  it('offers the items of the block the cursor is in', async () => {
    const platform = await complete(base.replace('  cpu intel\n', '  cpu intel\n  <|>\n'));
    expect(platform.labels).toEqual(expect.arrayContaining(['cpu', 'kernel', 'iommu', 'memory', 'host_bridge', 'link', 'platform_device', 'iommufd', 'kvm']));
    expect(platform.labels).not.toContain('share');
    expect(platform.labels).not.toContain('bar');

    const ep = await complete(base.replace('{ bar 0 0x60_0000_0000 size 8G }', '{ bar 0 0x60_0000_0000 size 8G <|> }'));
    expect(ep.labels).toEqual(expect.arrayContaining(['bar', 'dma_mask', 'bus_dma_limit', 'ats', 'tph', 'untrusted', 'acs', 'acs_ctl', 'iommu', 'vf']));
    expect(ep.labels).not.toContain('window');
    expect(ep.labels).not.toContain('cpu');

    const share = await complete(base + 'share db -> gpu0 {\n  attach dynamic\n  <|>\n}\n');
    expect(share.labels).toEqual(expect.arrayContaining(['attach', 'move_notify', 'peer2peer', 'via', 'devices', 'ats', 'tph', 'caching', 'expect']));
    expect(share.labels).not.toContain('bar');
    expect(share.labels).not.toContain('platform');

    const kernel = await complete(base.replace('kernel { move_notify }', 'kernel { move_notify <|> }'));
    expect(kernel.labels).toEqual(expect.arrayContaining(['forcedac', 'swiotlb_off', 'disable_acs_redir']));
    expect(kernel.labels).not.toContain('cpu');

    const bridge = await complete(base.replace('      switch sw0 01:00.0 acs {\n', '      switch sw0 01:00.0 acs {\n        <|>\n'));
    expect(bridge.labels).toEqual(expect.arrayContaining(['port', 'gpu', 'nic', 'endpoint …']));
    expect(bridge.labels).not.toContain('window');
  });

  it('offers only importers after `->`, devices or heap after `from`, buffers after `share`', async () => {
    const arrow = await complete(base + 'share db -> <|>\n');
    expect(arrow.labels.sort()).toEqual(['cpu', 'dsp0', 'gpu0', 'ioas', 'nic0', 'vm0']);
    const from = await complete(base + 'buffer b2 from <|>\n');
    expect(from.labels.sort()).toEqual(['gpu0', 'heap', 'nic0']);
    const share = await complete(base + 'share <|>\n');
    expect(share.labels.sort()).toEqual(['db', 'fb']);
    const typed = await complete(base + 'share db -> gp<|>\n');
    const gpu = typed.items.find((i) => i.label === 'gpu0')!;
    expect((gpu.textEdit as TextEdit).range).toEqual({ start: { line: typed.text.split('\n').length - 2, character: 12 }, end: { line: typed.text.split('\n').length - 2, character: 14 } });
    const devices = await complete(base + 'share db -> gpu0 { devices nic0, <|> }\n');
    expect(devices.labels.sort()).toEqual(['gpu0', 'nic0']);
  });

  it('offers the values of each keyword', async () => {
    const cases: [string, string[]][] = [
      ['buffer b2 from nic0 driver <|>', ['amdgpu', 'habanalabs', 'i915', 'nouveau', 'nvidia', 'p2pmem', 'rdma', 'vfio-pci', 'xe']],
      ['share db -> gpu0 { attach <|> }', ['dynamic', 'static']],
      ['share db -> gpu0 { via <|> }', ['mmap', 'pfn', 'sgt']],
      ['buffer b2 from heap { placement <|> }', ['system', 'vram']],
      ['buffer b2 from heap { caching <|> }', ['cached', 'uncached', 'wc']],
      ['share db -> gpu0 { caching <|> }', ['cached', 'uncached', 'wc']],
      ['share db -> gpu0 { expect <|> }', ['address', 'bus', 'bus_addr', 'fails', 'iova', 'not_supported', 'phys', 'swiotlb', 'system', 'thru_host_bridge', 'vram']],
      ['share db -> gpu0 { expect bus_addr, <|> }', ['address', 'bus', 'bus_addr', 'fails', 'iova', 'not_supported', 'phys', 'swiotlb', 'system', 'thru_host_bridge', 'vram']],
    ];
    for (const [tail, want] of cases) {
      const r = await complete(base + tail + '\n');
      expect(r.labels.sort(), tail).toEqual(want);
    }
    const platformCases: [string, string[]][] = [
      ['  cpu <|>', ['amd', 'arm', 'hygon', 'intel', 'other']],
      ['  iommu <|>', ['amd-vi', 'smmu', 'vtd']],
      ['  iommu vtd mode <|>', ['dma', 'identity', 'lazy']],
    ];
    for (const [line, want] of platformCases) {
      const r = await complete(base.replace('  cpu intel\n', `${line}\n`));
      expect(r.labels.sort(), line).toEqual(want);
    }
    const epIommu = await complete(base.replace('{ bar 0 0x60_0000_0000 size 8G }', '{ bar 0 0x60_0000_0000 size 8G iommu <|> }'));
    expect(epIommu.labels.sort()).toEqual(['dma', 'identity', 'private']);
    const amd = await complete(base.replace('  cpu intel\n', '  iommu amd<|>\n'));
    const vi = amd.items.find((i) => i.label === 'amd-vi')!;
    expect((vi.textEdit as TextEdit).range.start.character).toBe('  iommu '.length);
  });

  it('offers nothing inside comments and strings', async () => {
    expect((await complete(base + '// share <|>\n')).items).toEqual([]);
    expect((await complete(base + '/* share db -> <|> */\n')).items).toEqual([]);
    expect((await complete('use "lib<|>.dmabuf"\n' + base)).items).toEqual([]);
  });
});

// ---------------------------------------------------------------------------- semantic tokens

interface Decoded {
  readonly text: string;
  readonly line: number;
  readonly type: string;
  readonly modifiers: string[];
}

function decode(text: string, tokens: SemanticTokens, legend: SemanticTokensLegend): Decoded[] {
  const lines = text.split('\n');
  const out: Decoded[] = [];
  let line = 0;
  let ch = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [dl, dc, len, type, mods] = tokens.data.slice(i, i + 5) as [number, number, number, number, number];
    line += dl;
    ch = dl === 0 ? ch + dc : dc;
    out.push({
      text: lines[line]!.slice(ch, ch + len),
      line,
      type: legend.tokenTypes[type]!,
      modifiers: legend.tokenModifiers.filter((_, b) => (mods & (1 << b)) !== 0),
    });
  }
  return out;
}

describe('semantic tokens', () => {
  it('declares its legend and marks declarations, references and unresolved names', async () => {
    const provider = client.initializeResult.capabilities.semanticTokensProvider!;
    expect(provider.full).toBe(true);
    const legend = provider.legend;
    expect(legend.tokenModifiers).toEqual(expect.arrayContaining(['declaration', 'unresolved']));
    const text = SAMPLE_01 + '\nbuffer ghost from nic9 { size 4K }\nshare ghost -> gpu7 as g1\n';
    const uri = nextUri('sem');
    await client.open(uri, text);
    const t = decode(text, await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } }), legend);
    const find = (s: string, i = 0) => t.filter((x) => x.text === s)[i];
    expect(find('workstation')).toMatchObject({ type: 'namespace', modifiers: ['declaration'] });
    expect(find('high')).toMatchObject({ type: 'property', modifiers: ['declaration'] });
    expect(find('sw0')).toMatchObject({ type: 'class', modifiers: ['declaration'] });
    expect(find('gpu0', 0)).toMatchObject({ type: 'class', modifiers: ['declaration'] });
    expect(find('gpu0', 1)).toMatchObject({ type: 'class', modifiers: [] });
    expect(find('doorbells', 0)).toMatchObject({ type: 'variable', modifiers: ['declaration'] });
    expect(find('nic0', 1)).toMatchObject({ type: 'class', modifiers: [] }); // from nic0
    expect(find('doorbells', 1)).toMatchObject({ type: 'variable', modifiers: [] }); // share doorbells
    expect(find('nic9')).toMatchObject({ type: 'class', modifiers: ['unresolved'] });
    expect(find('gpu7')).toMatchObject({ type: 'class', modifiers: ['unresolved'] });
    expect(find('ghost', 1)).toMatchObject({ type: 'variable', modifiers: [] });
    expect(find('g1')).toMatchObject({ type: 'event', modifiers: ['declaration'] });
    // Keywords are the grammar's business (TextMate): no token for them.
    expect(t.some((x) => x.text === 'share' || x.text === 'gpu')).toBe(false);
    await client.close(uri);
  });

  it('resolves a used file\'s names through the open files that use it', async () => {
    const lib = nextUri('sem-lib');
    const main = fileUri('test/lsp/virtual/ft-sem-main.dmabuf');
    const libText = 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n';
    await client.open(lib, libText);
    await client.open(main, `${machine()}\n${NIC_VFIO}use "${lib.slice(lib.lastIndexOf('/') + 1)}"\n`);
    const legend = client.initializeResult.capabilities.semanticTokensProvider!.legend;
    const t = decode(libText, await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: lib } }), legend);
    expect(t.map((x) => [x.text, x.modifiers.join()])).toEqual([
      ['db', ''],
      ['gpu0', ''],
    ]);
    await client.close(main);
    await client.close(lib);
  });
});

// ---------------------------------------------------------------------------- folding and selection

describe('folding ranges', () => {
  it('folds blocks, multi-line block comments and runs of line comments', async () => {
    const text = '// one\n// two\n/* a\n   b */\n' + SAMPLE_01.replace(/^\/\/.*\n/gm, '');
    const uri = nextUri('fold');
    await client.open(uri, text);
    const f = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    const lines = text.split('\n');
    const lineOf = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(f).toContainEqual({ startLine: 0, endLine: 1, kind: 'comment' });
    expect(f).toContainEqual({ startLine: 2, endLine: 3, kind: 'comment' });
    const platform = lineOf('platform workstation {');
    expect(f).toContainEqual({ startLine: platform, endLine: lines.indexOf('}', platform) - 1 });
    const hb = lineOf('host_bridge hb0');
    expect(f).toContainEqual({ startLine: hb, endLine: lines.indexOf('  }', hb) - 1 });
    expect(f).toContainEqual({ startLine: lineOf('share doorbells'), endLine: lineOf('expect bus_addr') });
    // One-line blocks do not fold.
    expect(f.some((r) => r.startLine === lineOf('gpu gpu0'))).toBe(false);
    await client.close(uri);
  });
});

describe('selection ranges', () => {
  it('grows from the token to its statement, its block and the top-level statement', async () => {
    const { text, positions } = marked(cursorAt(SAMPLE_01, 'size 16G', 0, 6));
    const uri = nextUri('sel');
    await client.open(uri, text);
    const [r] = await client.request<SelectionRange[]>('textDocument/selectionRange', { textDocument: { uri }, positions });
    const chain: string[] = [];
    for (let s: SelectionRange | undefined = r; s; s = s.parent) chain.push(rangeText(text, s.range));
    expect(chain[0]).toBe('16G');
    const bar = chain.indexOf('bar 0 0x40_0000_0000 size 16G prefetchable');
    const block = chain.indexOf('{ bar 0 0x40_0000_0000 size 16G prefetchable }');
    const endpoint = chain.indexOf('gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable }');
    const top = chain.findIndex((c) => c.startsWith('platform workstation {') && c.endsWith('}'));
    expect(bar).toBeGreaterThan(0);
    expect(block).toBeGreaterThan(bar);
    expect(endpoint).toBeGreaterThan(block);
    expect(top).toBeGreaterThan(endpoint);
    expect(chain[chain.length - 1]).toBe(text);
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.includes(chain[i - 1]!)).toBe(true);
    await client.close(uri);
  });
});

// ---------------------------------------------------------------------------- highlight and rename

describe('document highlight', () => {
  it('highlights every occurrence of the name under the cursor', async () => {
    const src = SAMPLE_01.replace('gpu gpu0', 'gpu <|gpu0|>').replace('-> gpu0', '-> <|gp<|>u0|>');
    const { text, positions, ranges } = marked(src);
    const uri = nextUri('hl');
    await client.open(uri, text);
    const h = await client.request<DocumentHighlight[]>('textDocument/documentHighlight', { textDocument: { uri }, position: positions[0] });
    expect(h).toEqual([
      { range: ranges[0], kind: 3 }, // the declaration (write)
      { range: ranges[1], kind: 2 }, // the reference (read)
    ]);
    expect(await client.request('textDocument/documentHighlight', { textDocument: { uri }, position: { line: 0, character: 1 } })).toEqual([]);
    await client.close(uri);
  });
});

describe('rename', () => {
  const prepare = (uri: string, position: Position) => client.request<{ range: Range; placeholder: string } | null>('textDocument/prepareRename', { textDocument: { uri }, position });
  const rename = (uri: string, position: Position, newName: string) => client.request<WorkspaceEdit | null>('textDocument/rename', { textDocument: { uri }, position, newName });

  it('prepares a name and refuses a keyword', async () => {
    const { text, positions, ranges } = marked(SAMPLE_01.replace('from nic0', 'from <|ni<|>c0|>').replace('nic nic0', 'n<|>ic nic0'));
    const uri = nextUri('prep');
    await client.open(uri, text);
    expect(await prepare(uri, positions[1]!)).toEqual({ range: ranges[0], placeholder: 'nic0' });
    await expect(prepare(uri, positions[0]!)).rejects.toMatchObject({ message: expect.stringMatching(/keyword/) });
    expect(client.initializeResult.capabilities.renameProvider).toEqual({ prepareProvider: true });
    await client.close(uri);
  });

  it('renames the declaration and every reference; the result has no diagnostics', async () => {
    const { text, positions } = marked(SAMPLE_01.replace('from nic0', 'from ni<|>c0'));
    const uri = nextUri('ren');
    await client.open(uri, text);
    const we = await rename(uri, positions[0]!, 'nic_a');
    const edits = editsOf(we!, uri);
    expect(edits).toHaveLength(2);
    const applied = applyEdits(text, edits);
    expect(applied.changes.every((c) => c.old === 'nic0' && c.new === 'nic_a')).toBe(true);
    expect(applyEdits(applied.text, applied.inverse).text).toBe(text);
    expect(applied.text).toContain('nic nic_a 04:00.0');
    expect(applied.text).toContain('from nic_a driver');
    await client.close(uri);
    const again = nextUri('ren2');
    expect((await client.open(again, applied.text)).diagnostics).toEqual([]);
    await client.close(again);
  });

  it('rejects a keyword, an invalid name and a name that exists', async () => {
    const { text, positions } = marked(SAMPLE_01.replace('from nic0', 'from ni<|>c0'));
    const uri = nextUri('ren-bad');
    await client.open(uri, text);
    await expect(rename(uri, positions[0]!, 'gpu')).rejects.toMatchObject({ message: expect.stringMatching(/keyword/) });
    await expect(rename(uri, positions[0]!, 'nic-1')).rejects.toMatchObject({ message: expect.stringMatching(/not a name/) });
    await expect(rename(uri, positions[0]!, '9nic')).rejects.toMatchObject({ message: expect.stringMatching(/not a name/) });
    await expect(rename(uri, positions[0]!, 'gpu0')).rejects.toMatchObject({ message: expect.stringMatching(/already declared/) });
    await expect(rename(uri, positions[0]!, 'doorbells')).rejects.toMatchObject({ message: expect.stringMatching(/already declared/) });
    await client.close(uri);
  });

  it('refuses an undeclared name', async () => {
    const { text, positions } = marked(SAMPLE_01 + '\nshare doorbells -> gh<|>ost as s2\n');
    const uri = nextUri('ren-undecl');
    await client.open(uri, text);
    await expect(prepare(uri, positions[0]!)).rejects.toMatchObject({ message: expect.stringMatching(/not declared/) });
    await client.close(uri);
  });

  it('renames across the used file and the open files that use it', async () => {
    const lib = fileUri('test/lsp/virtual/ft-ren-lib.dmabuf');
    const a = fileUri('test/lsp/virtual/ft-ren-a.dmabuf');
    const b = fileUri('test/lsp/virtual/ft-ren-b.dmabuf');
    const other = fileUri('test/lsp/virtual/ft-ren-other.dmabuf');
    const libText = machine();
    const aSrc = marked('use "ft-ren-lib.dmabuf"\nbuffer db from ni<|>c0 driver vfio-pci { size 64K }\nshare db -> gpu0 { attach dynamic move_notify peer2peer }\n');
    const bText = 'use "ft-ren-lib.dmabuf"\nbuffer pages from heap { size 4K }\nshare pages -> nic0\n';
    const otherText = SAMPLE_01; // its own nic0: not the same name
    await client.open(lib, libText);
    await client.open(a, aSrc.text);
    await client.open(b, bText);
    await client.open(other, otherText);
    const we = await rename(a, aSrc.positions[0]!, 'nic9');
    expect(filesOf(we!).sort()).toEqual([a, b, lib].sort());
    const libAfter = applyEdits(libText, editsOf(we!, lib)).text;
    const aAfter = applyEdits(aSrc.text, editsOf(we!, a)).text;
    const bAfter = applyEdits(bText, editsOf(we!, b)).text;
    expect(libAfter).toBe(libText.replace('nic nic0', 'nic nic9'));
    expect(aAfter).toBe(aSrc.text.replace('from nic0', 'from nic9'));
    expect(bAfter).toBe(bText.replace('-> nic0', '-> nic9'));
    // A name of the used file that the other model also declares is refused there.
    await client.change(b, bText.replace('buffer pages', 'buffer nic9'));
    await expect(rename(a, aSrc.positions[0]!, 'nic9')).rejects.toMatchObject({ message: expect.stringMatching(/already declared/) });
    for (const u of [other, b, a, lib]) await client.close(u);
  });
});

// ---------------------------------------------------------------------------- workspace symbols

describe('workspace symbols', () => {
  it('searches the names of the open documents and their models', async () => {
    const lib = fileUri('test/lsp/virtual/ft-ws-lib.dmabuf');
    const main = fileUri('test/lsp/virtual/ft-ws-main.dmabuf');
    await client.open(lib, machine());
    await client.open(main, `use "ft-ws-lib.dmabuf"\n${NIC_VFIO}share db -> gpu0 as dbshare { attach dynamic move_notify peer2peer }\n`);
    const gpu = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'gpu' });
    expect(gpu.map((s) => [s.name, s.location.uri])).toContainEqual(['gpu0', lib]);
    expect(gpu.filter((s) => s.name === 'gpu0' && (s.location.uri === lib || s.location.uri === main))).toHaveLength(1);
    const all = await client.request<SymbolInformation[]>('workspace/symbol', { query: '' });
    expect(all.map((s) => s.name)).toEqual(expect.arrayContaining(['lab', 'hb0', 'rp0', 'sw0', 'gpu0', 'nic0', 'high', 'db', 'dbshare']));
    const fuzzy = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'dbsh' });
    expect(fuzzy.map((s) => s.name)).toEqual(['dbshare']);
    expect(fuzzy[0]!.location.uri).toBe(main);
    await client.close(main);
    await client.close(lib);
  });
});

// ---------------------------------------------------------------------------- document links

describe('document links', () => {
  let dir: string;
  let ws: TestClient;
  beforeAll(async () => {
    dir = join(realpathSync(mkdtempSync(join(tmpdir(), 'dmabuf-links-'))), 'ws');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'lib.dmabuf'), machine());
    ws = await TestClient.start({ rootDir: dir });
  });
  afterAll(async () => {
    await ws?.stop();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('links `use "path"` to the file it resolves to', async () => {
    const main = pathToFileURL(join(dir, 'main.dmabuf')).href;
    const { text, ranges } = marked('use "<|sub/lib.dmabuf|>"\nuse "missing.dmabuf"\nuse "../outside.dmabuf"\n');
    await ws.open(main, text);
    const links = await ws.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: main } });
    expect(links).toHaveLength(1);
    expect(links[0]!.range).toEqual(ranges[0]);
    expect(links[0]!.target).toBe(pathToFileURL(join(dir, 'sub', 'lib.dmabuf')).href);
    await ws.close(main);
  });
});

// ---------------------------------------------------------------------------- capabilities

describe('capabilities', () => {
  it('declares every feature', () => {
    const caps = client.initializeResult.capabilities;
    expect(caps.inlayHintProvider).toBeTruthy();
    expect(caps.completionProvider).toBeTruthy();
    expect(caps.foldingRangeProvider).toBe(true);
    expect(caps.selectionRangeProvider).toBe(true);
    expect(caps.documentHighlightProvider).toBe(true);
    expect(caps.workspaceSymbolProvider).toBe(true);
    expect(caps.documentLinkProvider).toBeTruthy();
    // Pull diagnostics only for clients that announce them (test/lsp/pull.test.ts).
    expect(caps.diagnosticProvider).toBeUndefined();
  });
});
