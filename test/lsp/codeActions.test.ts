// Quick fixes and source.fixAll over the real protocol: each fix is applied to the text
// here, the result is analysed again, and the fix is undone to give back the original.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import { applyEdits, editsOf, filesOf } from './apply';
import { machine, model, NIC_VFIO } from './fixtures';
import { codes, fileUri, TestClient } from './helpers';
import type { SharesResult } from '../../server/src/lsp/protocol';

let client: TestClient;
let n = 0;
const nextUri = (tag: string) => fileUri(`test/lsp/virtual/ca-${tag}-${++n}.dmabuf`);

beforeAll(async () => {
  client = await TestClient.start();
});
afterAll(async () => {
  await client?.stop();
});

async function openAndDiagnose(tag: string, text: string): Promise<{ uri: string; diags: PublishDiagnosticsParams }> {
  const uri = nextUri(tag);
  const diags = await client.open(uri, text);
  return { uri, diags };
}

async function actions(uri: string, diags: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
  return client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: diags[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: diags, ...(only ? { only } : {}) },
  });
}

interface FixOutcome {
  readonly before: PublishDiagnosticsParams;
  readonly action: CodeAction;
  readonly after: string;
  readonly afterDiagnostics: Diagnostic[];
}

/**
 * Opens `text`, takes the quick fix of the first diagnostic `code`, applies it, checks
 * that undoing it gives `text` back, and re-opens the result.
 */
async function fix(code: string, text: string, nth = 0): Promise<FixOutcome> {
  const { uri, diags } = await openAndDiagnose(code, text);
  const target = diags.diagnostics.filter((d) => d.code === code)[nth];
  expect(target, `${code} in ${JSON.stringify(codes(diags.diagnostics))}`).toBeDefined();
  const list = await actions(uri, [target!]);
  expect(list).toHaveLength(1);
  const action = list[0]!;
  expect(action.kind).toBe('quickfix');
  expect(action.diagnostics).toEqual([target]);
  expect(filesOf(action.edit)).toEqual([uri]);
  const applied = applyEdits(text, editsOf(action.edit, uri));
  expect(applyEdits(applied.text, applied.inverse).text).toBe(text);
  await client.close(uri);
  const again = await openAndDiagnose(code, applied.text);
  await client.close(again.uri);
  return { before: diags, action, after: applied.text, afterDiagnostics: again.diags.diagnostics };
}

describe('quick fix: missing-notifier', () => {
  it('adds move_notify on a line of its own before the closing brace', async () => {
    const share = 'share db -> gpu0 {\n  attach dynamic\n  peer2peer\n}\n';
    const text = model(machine(), NIC_VFIO, share);
    const r = await fix('missing-notifier', text);
    expect(r.action.isPreferred).toBe(true);
    expect(r.after).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 {\n  attach dynamic\n  peer2peer\n  move_notify\n}\n'));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });

  it('adds move_notify to an inline block', async () => {
    const text = model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic peer2peer }\n');
    const r = await fix('missing-notifier', text);
    expect(r.after).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic peer2peer move_notify }\n'));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });

  it('fills an empty block and creates a missing one', async () => {
    const empty = await fix('missing-notifier', model(machine(), NIC_VFIO, 'share db -> gpu0 {}\n'));
    expect(empty.after).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 { move_notify }\n'));
    expect(codes(empty.afterDiagnostics)).not.toContain('missing-notifier');

    const none = await fix('missing-notifier', model(machine(), NIC_VFIO, 'share db -> gpu0 as s1\n// next\n'));
    expect(none.after).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 as s1 { move_notify }\n// next\n'));
    expect(codes(none.afterDiagnostics)).not.toContain('missing-notifier');
    // vfio-pci still refuses the static attachment: that is another fix.
    expect(codes(none.afterDiagnostics)).toContain('static-importer-refused');
  });

  it('keeps CRLF line breaks, tabs and a trailing comment', async () => {
    const share = 'share db -> gpu0 {\r\n\tattach dynamic // dyn\r\n\tpeer2peer\r\n}\r\n';
    const text = model(machine(), NIC_VFIO, share).replace(/\r?\n/g, '\r\n');
    const r = await fix('missing-notifier', text);
    expect(r.after).toBe(text.replace('\tpeer2peer\r\n}', '\tpeer2peer\r\n\tmove_notify\r\n}'));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });
});

describe('quick fix: static-importer-refused', () => {
  it('replaces attach static and adds move_notify and peer2peer', async () => {
    const text = model(machine(), NIC_VFIO, 'share db -> gpu0 { attach static }\n');
    const r = await fix('static-importer-refused', text);
    expect(r.action.isPreferred).toBe(true);
    expect(r.after).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n'));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });

  it('inserts attach dynamic (and the block) when the share has none', async () => {
    const text = model(machine(), NIC_VFIO, 'share db -> gpu0\n');
    const r = await fix('static-importer-refused', text);
    expect(r.after).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n'));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });

  it('only adds what is missing in a multi-line block', async () => {
    const text = model(machine(), NIC_VFIO, 'share db -> gpu0 {\n  attach static\n  move_notify\n  expect bus_addr\n}\n');
    const r = await fix('static-importer-refused', text);
    expect(r.after).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 {\n  attach dynamic\n  move_notify\n  expect bus_addr\n  peer2peer\n}\n'));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });

  it('adds peer2peer to a dynamic importer without it', async () => {
    const text = model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify }\n');
    const r = await fix('static-importer-refused', text);
    expect(r.after).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n'));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });
});

describe('quick fix: pin-unsupported', () => {
  const share = 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n';

  it('creates kernel { move_notify } after cpu when the platform has no kernel block', async () => {
    const text = model(machine({ kernel: '' }), NIC_VFIO, share);
    const r = await fix('pin-unsupported', text);
    expect(r.action.isPreferred).toBe(true);
    expect(r.after).toBe(model(machine({ kernel: 'kernel { move_notify }' }), NIC_VFIO, share));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });

  it('adds move_notify to an existing kernel block', async () => {
    const text = model(machine({ kernel: 'kernel { forcedac }' }), NIC_VFIO, share);
    const r = await fix('pin-unsupported', text);
    expect(r.after).toBe(model(machine({ kernel: 'kernel { forcedac move_notify }' }), NIC_VFIO, share));
    expect(codes(r.afterDiagnostics)).toEqual([]);

    const multi = model(machine({ kernel: 'kernel {\n    forcedac\n  }' }), NIC_VFIO, share);
    const m = await fix('pin-unsupported', multi);
    expect(m.after).toBe(model(machine({ kernel: 'kernel {\n    forcedac\n    move_notify\n  }' }), NIC_VFIO, share));
    expect(codes(m.afterDiagnostics)).toEqual([]);
  });

  it('edits the used file that holds the platform', async () => {
    const lib = fileUri('test/lsp/virtual/ca-pin-lib.dmabuf');
    const main = fileUri('test/lsp/virtual/ca-pin-main.dmabuf');
    const libText = machine({ kernel: '' });
    const mainText = `use "ca-pin-lib.dmabuf"\n\n${NIC_VFIO}${share}`;
    await client.open(lib, libText);
    const d = await client.open(main, mainText);
    const pin = d.diagnostics.filter((x) => x.code === 'pin-unsupported');
    expect(pin).toHaveLength(1);
    const [action] = await actions(main, pin);
    expect(filesOf(action!.edit)).toEqual([lib]);
    const applied = applyEdits(libText, editsOf(action!.edit, lib));
    expect(applied.text).toBe(machine({ kernel: 'kernel { move_notify }' }));
    expect(applyEdits(applied.text, applied.inverse).text).toBe(libText);
    await client.change(lib, applied.text);
    const r = await client.request<SharesResult>('dmabuf/shares', { uri: main });
    expect(r.diagnostics.map((x) => x.code)).not.toContain('pin-unsupported');
    expect(r.shares[0]).toMatchObject({ ok: true });
    await client.close(main);
    await client.close(lib);
  });
});

describe('quick fix: acs-redirect', () => {
  const share = 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n';

  it('adds disable_acs_redir with the BDFs of the redirecting ports', async () => {
    const text = model(machine({ iommu: 'vtd', tree: 'ports' }), NIC_VFIO, share);
    const r = await fix('acs-redirect', text);
    expect(r.action.isPreferred).toBe(false);
    expect(r.action.title).toContain('02:01.0, 02:00.0');
    expect(r.after).toBe(model(machine({ iommu: 'vtd', tree: 'ports', kernel: 'kernel { move_notify disable_acs_redir 02:01.0, 02:00.0 }' }), NIC_VFIO, share));
    expect(codes(r.afterDiagnostics)).not.toContain('acs-redirect');
  });

  it('appends to an existing disable_acs_redir list', async () => {
    const text = model(machine({ iommu: 'vtd', tree: 'ports', kernel: 'kernel { disable_acs_redir 02:00.0 move_notify }' }), NIC_VFIO, share);
    const r = await fix('acs-redirect', text);
    expect(r.after).toBe(model(machine({ iommu: 'vtd', tree: 'ports', kernel: 'kernel { disable_acs_redir 02:00.0, 02:01.0 move_notify }' }), NIC_VFIO, share));
    expect(codes(r.afterDiagnostics)).not.toContain('acs-redirect');
  });

  it('offers nothing when the redirecting ports have no BDF (implicit switch ports)', async () => {
    const { uri, diags } = await openAndDiagnose('acs-none', model(machine({ iommu: 'vtd' }), NIC_VFIO, share));
    const acs = diags.diagnostics.filter((d) => d.code === 'acs-redirect');
    expect(acs).toHaveLength(1);
    expect(acs[0]!.data).toMatchObject({ bdfs: [] });
    expect(await actions(uri, acs)).toEqual([]);
    await client.close(uri);
  });
});

describe('quick fix: expect-mismatch', () => {
  const text = model(
    machine({ iommu: 'vtd', tree: 'ports' }),
    NIC_VFIO,
    'share db -> gpu0 {\n  attach dynamic\n  move_notify\n  peer2peer\n  expect bus_addr, bus, address 0x60_0000_0000\n}\n',
  );

  it('replaces each failing expectation with what the kernel gives', async () => {
    const map = await fix('expect-mismatch', text, 0);
    expect(map.after).toBe(text.replace('expect bus_addr,', 'expect thru_host_bridge,'));
    expect(map.action.isPreferred).toBe(false);
    const kind = await fix('expect-mismatch', text, 1);
    expect(kind.after).toBe(text.replace(', bus,', ', iova,'));
    const addr = await fix('expect-mismatch', text, 2);
    expect(addr.after).toBe(text.replace('address 0x60_0000_0000', 'address 0xffff0000'));
    // Each fix removes its own mismatch and leaves the other two.
    for (const r of [map, kind, addr]) expect(r.afterDiagnostics.filter((d) => d.code === 'expect-mismatch')).toHaveLength(2);
  });

  it('offers nothing when no expectation would hold (data.computed absent)', async () => {
    const t = model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer expect fails }\n');
    const { uri, diags } = await openAndDiagnose('expect-none', t);
    const m = diags.diagnostics.filter((d) => d.code === 'expect-mismatch');
    expect(m).toHaveLength(1);
    expect(await actions(uri, m)).toEqual([]);
    await client.close(uri);
  });

  it('ignores a diagnostic whose range no longer holds an expectation (stale)', async () => {
    const { uri, diags } = await openAndDiagnose('expect-stale', text);
    const m = diags.diagnostics.filter((d) => d.code === 'expect-mismatch');
    const shifted = { ...m[0]!, range: { start: m[0]!.range.start, end: { ...m[0]!.range.end, character: m[0]!.range.end.character + 3 } } };
    expect(await actions(uri, [shifted])).toEqual([]);
    await client.close(uri);
  });
});

describe('source.fixAll', () => {
  const text = model(
    machine({ kernel: 'kernel { forcedac }' }),
    NIC_VFIO,
    'buffer db2 from nic0 driver vfio-pci { size 64K }',
    'buffer db3 from nic0 driver vfio-pci { size 64K }',
    '',
    'share db -> gpu0 {\n  attach dynamic\n  peer2peer\n}',
    'share db2 -> gpu0',
    'share db3 -> gpu0 { attach static expect thru_host_bridge }',
    '',
  );

  it('applies every preferred fix at once, without overlapping edits', async () => {
    const { uri, diags } = await openAndDiagnose('fixall', text);
    const before = codes(diags.diagnostics);
    expect(before).toEqual(expect.arrayContaining(['missing-notifier', 'static-importer-refused']));
    const list = await actions(uri, [], ['source.fixAll']);
    expect(list).toHaveLength(1);
    const all = list[0]!;
    expect(all.kind).toBe('source.fixAll');
    const fixed = new Set((all.diagnostics ?? []).map((d) => d.code));
    expect([...fixed].sort()).toEqual(['missing-notifier', 'static-importer-refused']);
    const applied = applyEdits(text, editsOf(all.edit, uri)); // throws on overlap
    expect(applyEdits(applied.text, applied.inverse).text).toBe(text);
    expect(applied.text).toContain('share db -> gpu0 {\n  attach dynamic\n  peer2peer\n  move_notify\n}');
    expect(applied.text).toContain('share db2 -> gpu0 { attach dynamic move_notify peer2peer }');
    expect(applied.text).toContain('share db3 -> gpu0 { attach dynamic expect thru_host_bridge move_notify peer2peer }');
    await client.close(uri);
    // The next layer of problems shows up: the kernel pins on map. Fix-all again.
    const second = await openAndDiagnose('fixall2', applied.text);
    expect(codes(second.diags.diagnostics)).not.toContain('missing-notifier');
    expect(codes(second.diags.diagnostics)).not.toContain('static-importer-refused');
    expect(codes(second.diags.diagnostics)).toContain('pin-unsupported');
    const [again] = await actions(second.uri, [], ['source']);
    expect(again?.kind).toBe('source.fixAll');
    const final = applyEdits(applied.text, editsOf(again!.edit, second.uri));
    expect(final.text).toContain('kernel { forcedac move_notify }');
    await client.close(second.uri);
    const third = await openAndDiagnose('fixall3', final.text);
    const left = codes(third.diags.diagnostics);
    for (const c of ['missing-notifier', 'static-importer-refused', 'pin-unsupported']) expect(left).not.toContain(c);
    expect(left).toContain('expect-mismatch'); // not a preferred fix: the designer's contract stays
    await client.close(third.uri);
  });

  it('merges the fixes of several diagnostics on one share', async () => {
    const t = model(machine(), NIC_VFIO, 'share db -> gpu0\n');
    const { uri, diags } = await openAndDiagnose('fixall-merge', t);
    expect(codes(diags.diagnostics).sort()).toEqual(['missing-notifier', 'static-importer-refused']);
    const [all] = await actions(uri, [], ['source.fixAll']);
    const applied = applyEdits(t, editsOf(all!.edit, uri));
    // One insertion for both diagnostics: move_notify is not added twice.
    expect(editsOf(all!.edit, uri)).toHaveLength(1);
    expect(applied.text).toBe(model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n'));
    await client.close(uri);
    const after = await openAndDiagnose('fixall-merge2', applied.text);
    expect(codes(after.diags.diagnostics)).toEqual([]);
    await client.close(after.uri);
  });

  it('is only offered for source actions, and not when there is nothing to fix', async () => {
    const { uri, diags } = await openAndDiagnose('fixall-kinds', model(machine(), NIC_VFIO, 'share db -> gpu0 { attach static }\n'));
    const quick = await actions(uri, diags.diagnostics, ['quickfix']);
    expect(quick.every((a) => a.kind === 'quickfix')).toBe(true);
    expect(quick.length).toBeGreaterThan(0);
    await client.close(uri);
    const clean = await openAndDiagnose('fixall-clean', model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n'));
    expect(codes(clean.diags.diagnostics)).toEqual([]);
    expect(await actions(clean.uri, [], ['source.fixAll'])).toEqual([]);
    await client.close(clean.uri);
  });
});

describe('code actions and the capabilities', () => {
  it('declares quickfix and source.fixAll', () => {
    expect(client.initializeResult.capabilities.codeActionProvider).toMatchObject({ codeActionKinds: ['quickfix', 'source.fixAll'] });
  });

  it('works when the client does not send the diagnostic data back', async () => {
    const text = model(machine({ iommu: 'vtd', tree: 'ports' }), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notify peer2peer }\n');
    const { uri, diags } = await openAndDiagnose('nodata', text);
    const acs = diags.diagnostics.filter((d) => d.code === 'acs-redirect').map((d) => ({ ...d, data: undefined }));
    const list = await actions(uri, acs);
    expect(list).toHaveLength(1);
    expect(list[0]!.title).toContain('02:01.0, 02:00.0');
    await client.close(uri);
  });

  it('uses versioned documentChanges when the client supports them', async () => {
    const c2 = await TestClient.start({ capabilities: { workspace: { workspaceEdit: { documentChanges: true } } } });
    try {
      const uri = fileUri('test/lsp/virtual/ca-versioned.dmabuf');
      const text = model(machine(), NIC_VFIO, 'share db -> gpu0 {}\n');
      const d = await c2.open(uri, text);
      const mn = d.diagnostics.filter((x) => x.code === 'missing-notifier');
      const [a] = await c2.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: mn[0]!.range, context: { diagnostics: mn } });
      expect(a!.edit!.documentChanges).toEqual([{ textDocument: { uri, version: 1 }, edits: expect.any(Array) }]);
      expect(applyEdits(text, editsOf(a!.edit, uri)).text).toContain('share db -> gpu0 { move_notify }');
    } finally {
      await c2.stop();
    }
  });
});

describe('quick fix: did you mean (syntax-error, unknown-name)', () => {
  it('a misspelled share item becomes the keyword, and nothing else changes', async () => {
    const text = model(machine(), NIC_VFIO, 'share db -> gpu0 { attach dynamic move_notfy peer2peer }\n');
    const r = await fix('syntax-error', text);
    expect(r.action.title).toBe("Change 'move_notfy' to 'move_notify'");
    expect(r.after).toBe(text.replace('move_notfy', 'move_notify'));
    expect(codes(r.afterDiagnostics)).toEqual([]);
  });

  it('an undeclared importer becomes the declared name nearest to it (nic1 → nic0)', async () => {
    const text = model(machine(), 'buffer pages from heap { size 64K }', 'share pages -> nic1\n');
    const r = await fix('unknown-name', text);
    expect(r.after).toBe(text.replace('-> nic1', '-> nic0'));
    expect(codes(r.afterDiagnostics)).not.toContain('unknown-name');
  });
});
