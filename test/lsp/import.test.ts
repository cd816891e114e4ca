// `dmabuf/import` over a real JSON-RPC stream to the bundled server (dist/server.js).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseError } from 'vscode-jsonrpc/node';
import { IMPORT_FAILED, IMPORT_METHOD, type ImportParams, type ImportResult } from '../../server/src/lsp/importProtocol';
import { readTree } from '../import/helpers';
import { ROOT, TestClient } from './helpers';

const F = join(ROOT, 'test/import/fixtures');

describe('dmabuf/import', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await TestClient.start();
  });
  afterAll(async () => {
    await client?.stop();
  });

  const ask = (p: unknown) => client.request<ImportResult>(IMPORT_METHOD, p);

  it('answers lspci with the model, the notes, the group check and a summary', async () => {
    const params: ImportParams = { kind: 'lspci', inputs: { tree: readFileSync(join(F, 'lspci-imac2020-titan-ridge/lspci-vvvnnPP.txt'), 'utf8') }, name: 'imac' };
    const r = await ask(params);
    expect(r.text).toMatch(/^\/\/ Imported by dmabuf-lint import from lspci -vvvnn\.\n/);
    expect(r.text).toContain('platform imac {');
    expect(r.summary).toEqual({ hostBridges: 1, functions: 33, written: 32 });
    expect(r.notes).toEqual(["1 host-bridge function is not modelled (listed in the model's comments)"]);
    expect(r.groupCheck).toMatchObject({ compared: 20, realGroups: 11 });
    // The engine forms the kernel's 11 groups (pci_acs_flags_enabled with the imported acs_cap).
    expect(r.groupCheck!.differences).toEqual([]);
  });

  it('answers sysfs from the files of a snapshot folder, and hwloc from its XML', async () => {
    const s = await ask({ kind: 'sysfs', inputs: { snapshotFiles: readTree(join(F, 'sysfs-imac2020-titan-ridge/snapshot')) } });
    expect(s.text).toContain('gpu gpu0 03:00.0 id 1002:7340 {');
    const h = await ask({ kind: 'hwloc', inputs: { xml: readFileSync(join(F, 'hwloc-nvidia-dgx2/nvidiaDGX2.xml'), 'utf8') } });
    expect(h.groupCheck).toBeNull();
    expect(h.summary.hostBridges).toBe(4);
  });

  it('answers an input it cannot import, and bad params, with an error; the server goes on', async () => {
    const fail = async (p: unknown) => {
      try {
        await ask(p);
      } catch (e) {
        return e as ResponseError<unknown>;
      }
      throw new Error('no error');
    };
    const bad = await fail({ kind: 'lspci', inputs: { tree: 'not lspci' } });
    expect(bad.code).toBe(IMPORT_FAILED);
    expect(bad.message).toMatch(/nothing in the input is lspci output/);
    expect((await fail({ kind: 'pcie', inputs: {} })).message).toMatch(/kind must be 'lspci', 'sysfs' or 'hwloc'/);
    expect((await fail({ kind: 'lspci', inputs: { tree: 42 } })).message).toMatch(/inputs.tree must be a string/);
    expect((await fail(null)).message).toMatch(/needs \{ kind, inputs \}/);
    expect((await fail({ kind: 'sysfs', inputs: { snapshotFiles: { a: 1 } } })).message).toMatch(/must be a string/);
    const again = await ask({ kind: 'hwloc', inputs: { xml: readFileSync(join(F, 'hwloc-nvidia-dgx2/nvidiaDGX2.xml'), 'utf8') } });
    expect(again.summary.functions).toBe(84);
  });
});
