// dmabuf/topology and dmabuf/matrix over a real JSON-RPC stream (dist/server.js).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from 'vscode-jsonrpc';
import { FILE_NOT_READABLE } from '../../server/src/lsp/protocol';
import { MATRIX_METHOD, TOPOLOGY_METHOD, type MatrixResult, type TopologyResult } from '../../server/src/lsp/viewProtocol';
import { fileUri, ROOT, TestClient } from './helpers';

const SAMPLE = 'samples/02-vfio-switch-iommu.dmabuf';
const TEXT = readFileSync(join(ROOT, SAMPLE), 'utf8');

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`'${needle}' not in the fixture`);
  return text.slice(0, at).split('\n').length - 1;
}

describe('view requests', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await TestClient.start();
  });
  afterAll(async () => {
    await client?.stop();
  });

  it('dmabuf/topology: SVG of a file on disk, every node and share with where it is declared', async () => {
    const r = await client.request<TopologyResult>(TOPOLOGY_METHOD, { uri: fileUri(SAMPLE) });
    expect(r.uri).toBe(fileUri(SAMPLE));
    expect(r.files).toEqual([fileUri(SAMPLE)]);
    expect(r.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="dmabuf-topology"')).toBe(true);
    expect(r.svg).toContain('<style><![CDATA[');
    expect(r.dot).toBeNull();
    for (const n of r.nodes) expect(r.svg).toContain(`data-node="${n.id}"`);
    expect(r.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['cpu', 'hb0', 'rp0', 'sw0', 'sw0.gpu0', 'sw0.nic0', 'gpu0', 'nic0']));
    const gpu0 = r.nodes.find((n) => n.id === 'gpu0')!;
    expect(gpu0).toMatchObject({ kind: 'endpoint', bdf: '03:00.0', acsRedirect: false });
    expect(gpu0.iommuGroup).toEqual(expect.any(Number));
    expect(gpu0.place!.uri).toBe(fileUri(SAMPLE));
    expect(gpu0.place!.range.start.line).toBe(lineOf(TEXT, 'gpu gpu0'));
    expect(r.nodes.find((n) => n.id === 'sw0.gpu0')!.acsRedirect).toBe(true);
    expect(r.shares).toHaveLength(1);
    const s = r.shares[0]!;
    expect(s).toMatchObject({ id: 'doorbells->gpu0', outcome: 'thru-host-bridge', mapType: 'THRU_HOST_BRIDGE', direct: false });
    // Drawn where the TLPs go: up through the root port to the root complex and back.
    const tlps = ['nic0', 'sw0.nic0', 'sw0', 'rp0', 'hb0', 'rp0', 'sw0', 'sw0.gpu0', 'gpu0'];
    expect(s.route).toEqual(tlps);
    expect(s.tlps).toEqual(tlps);
    expect(s.place.range.start.line).toBe(lineOf(TEXT, 'share doorbells'));
    expect(r.svg).toContain('data-share="doorbells-&gt;gpu0"');
    expect(r.errors).toBe(0);
  });

  it('dmabuf/topology: the webview form has no stylesheet of its own; DOT on request', async () => {
    const r = await client.request<TopologyResult>(TOPOLOGY_METHOD, { uri: fileUri(SAMPLE), svg: 'embedded', dot: true });
    expect(r.svg).not.toContain('<style');
    expect(r.dot).toMatch(/^digraph "02-vfio-switch-iommu.dmabuf" \{/);
    expect(r.dot).toContain('"nic0" -> "gpu0" [id="share:doorbells->gpu0"');
  });

  it('follows the open document, not the disk', async () => {
    const uri = fileUri('samples/views-open.dmabuf');
    const text = TEXT + '\nbuffer extra from heap { size 4K }\nshare extra -> gpu0 { attach dynamic move_notify }\n';
    await client.open(uri, text);
    try {
      const r = await client.request<TopologyResult>(TOPOLOGY_METHOD, { uri });
      expect(r.shares.map((s) => s.id)).toEqual(['doorbells->gpu0', 'extra->gpu0']);
      const extra = r.shares[1]!;
      // System memory: from the RAM region through the root complex down to the importer.
      expect(extra).toMatchObject({ outcome: 'system', mapType: 'NONE', direct: false });
      expect(extra.route).toEqual(['high', 'hb0', 'rp0', 'sw0', 'sw0.gpu0', 'gpu0']);
      const m = await client.request<MatrixResult>(MATRIX_METHOD, { uri });
      expect(m.endpoints.map((e) => e.name)).toEqual(['gpu0', 'nic0']);
    } finally {
      await client.close(uri);
    }
  });

  it('dmabuf/matrix: every pair with the engine\'s map type and distance', async () => {
    const m = await client.request<MatrixResult>(MATRIX_METHOD, { uri: fileUri(SAMPLE) });
    expect(m.title).toBe('02-vfio-switch-iommu.dmabuf');
    expect(m.files).toEqual([fileUri(SAMPLE)]);
    expect(m.endpoints.map((e) => [e.name, e.bdf, e.cls, e.hostBridge])).toEqual([
      ['gpu0', '03:00.0', 'gpu', 'hb0'],
      ['nic0', '04:00.0', 'nic', 'hb0'],
    ]);
    expect(m.endpoints[0]!.place.range.start.line).toBe(lineOf(TEXT, 'gpu gpu0'));
    // The share doorbells -> gpu0 is THRU_HOST_BRIDGE at distance 4 (test/cli/explain.test.ts).
    expect(m.cells[1]![0]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', distance: 4, path: ['nic0', 'sw0.nic0', 'sw0', 'sw0.gpu0', 'gpu0'], commonAncestor: 'sw0', link: null });
    expect(m.cells[1]![0]!.acsRedirects).toEqual(['sw0.nic0', 'sw0.gpu0']);
    expect(m.cells[0]![1]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', distance: 4 });
  });

  it('answers errors for bad params and unreadable files', async () => {
    for (const method of [TOPOLOGY_METHOD, MATRIX_METHOD]) {
      await expect(client.request(method, {})).rejects.toMatchObject({ code: ErrorCodes.InvalidParams });
      await expect(client.request(method, null)).rejects.toMatchObject({ code: ErrorCodes.InvalidParams });
      await expect(client.request(method, { uri: fileUri('samples/no-such-file.dmabuf') })).rejects.toMatchObject({ code: FILE_NOT_READABLE });
    }
    await expect(client.request(TOPOLOGY_METHOD, { uri: fileUri(SAMPLE), svg: 'png' })).rejects.toMatchObject({ code: ErrorCodes.InvalidParams });
    expect(client.alive).toBe(true);
  });

  it('draws a model without a platform as an empty picture', async () => {
    const uri = fileUri('samples/views-empty.dmabuf');
    await client.open(uri, 'buffer b from heap { size 4K }\n');
    try {
      const r = await client.request<TopologyResult>(TOPOLOGY_METHOD, { uri });
      expect(r.nodes).toEqual([]);
      expect(r.svg).toContain('no platform');
      expect(r.errors).toBeGreaterThan(0);
      const m = await client.request<MatrixResult>(MATRIX_METHOD, { uri });
      expect(m.endpoints).toEqual([]);
    } finally {
      await client.close(uri);
    }
  });
});
