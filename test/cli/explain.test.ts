// dmabuf-lint explain FILE SHARE.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, lint, ROOT } from './run';

const SAMPLE2 = 'samples/02-vfio-switch-iommu.dmabuf';
const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-explain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dmabuf-lint explain', () => {
  it('prints the result fields, the steps and the diagnostics at the share', () => {
    const r = lint(['explain', SAMPLE2, 'doorbells->gpu0']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^share doorbells->gpu0 \(samples\/02-vfio-switch-iommu\.dmabuf:26:1\)$/m);
    expect(out).toMatch(/^\s+mapType\s+THRU_HOST_BRIDGE$/m);
    expect(out).toMatch(/^\s+distance\s+4$/m);
    expect(out).toMatch(/^\s+path\s+nic0 -> sw0\.nic0 -> sw0 -> sw0\.gpu0 -> gpu0$/m);
    // Where the TLPs go: up through the root port to the root complex and back.
    expect(out).toMatch(/^\s+TLPs\s+nic0 → sw0\.nic0 → sw0 → rp0 → hb0 \(root complex\) → rp0 → sw0 → sw0\.gpu0 → gpu0$/m);
    expect(out).toMatch(/^\s+placement\s+vram$/m);
    expect(out).toMatch(/^\s+addressKind\s+iova$/m);
    expect(out).toMatch(/^\s+ok\s+yes$/m);
    expect(out).toMatch(/^\s+segments\s+0xffff0000 \+0x10000$/m);
    expect(out).toMatch(/^\s+iommuGroup\s+\d+$/m);
    expect(out).toMatch(/^steps\n\s+1\. /m);
    expect(out).toMatch(/^diagnostics\n/m);
    expect(out).toMatch(/warning acs-redirect /);
    expect(out).toMatch(/warning p2p-host-bridge /);
    expect(out).not.toContain('\x1b[');
  }, 60000);

  it('--format json: the §7 share fields, the IOMMU group, the steps and the diagnostics', () => {
    const r = lint(['explain', '--format', 'json', SAMPLE2, 'doorbells -> gpu0']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { version: number; path: string; shares: Record<string, unknown>[] };
    expect(doc.path).toBe(SAMPLE2);
    expect(doc.shares).toHaveLength(1);
    const s = doc.shares[0]!;
    expect(s).toMatchObject({ name: 'doorbells->gpu0', mapType: 'THRU_HOST_BRIDGE', distance: 4, placement: 'vram', addressKind: 'iova', ok: true });
    expect(typeof s['iommuGroup']).toBe('number');
    expect(s['route']).toEqual(['nic0', 'sw0.nic0', 'sw0', 'rp0', 'hb0', 'rp0', 'sw0', 'sw0.gpu0', 'gpu0']);
    expect(s['path']).toEqual(['nic0', 'sw0.nic0', 'sw0', 'sw0.gpu0', 'gpu0']);
    expect(s['routeText']).toBe('nic0 → sw0.nic0 → sw0 → rp0 → hb0 (root complex) → rp0 → sw0 → sw0.gpu0 → gpu0');
    expect((s['steps'] as string[]).length).toBeGreaterThan(2);
    expect((s['diagnostics'] as { code: string }[]).map((d) => d.code).sort()).toEqual(['acs-redirect', 'p2p-host-bridge']);
  }, 60000);

  it('only the diagnostics of that share; exit 1 when one of them is an error', () => {
    const text = readFileSync(join(ROOT, SAMPLE2), 'utf8').replace('expect thru_host_bridge,', 'expect bus_addr,');
    writeFileSync(join(tmp, 'two.dmabuf'), text + '\nbuffer sys from heap { size 4K }\nshare sys -> gpu0 { attach dynamic move_notify }\n');
    const bad = lint(['explain', '--format', 'json', 'two.dmabuf', 'doorbells->gpu0'], { cwd: tmp });
    expect(bad.status).toBe(1);
    const codes = (JSON.parse(bad.stdout) as { shares: { diagnostics: { code: string }[] }[] }).shares[0]!.diagnostics.map((d) => d.code);
    expect(codes).toContain('expect-mismatch');
    const other = lint(['explain', '--format', 'json', 'two.dmabuf', 'sys->gpu0'], { cwd: tmp });
    expect(other.status).toBe(0);
    const s = (JSON.parse(other.stdout) as { shares: { name: string; mapType: string; diagnostics: { code: string }[] }[] }).shares[0]!;
    expect(s.name).toBe('sys->gpu0');
    expect(s.mapType).toBe('NONE');
    expect(s.diagnostics.map((d) => d.code)).not.toContain('expect-mismatch');
  }, 60000);

  it('a share that does not exist: exit 2, one line that lists the shares that do', () => {
    const r = lint(['explain', SAMPLE2, 'doorbells->nic0']);
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: no share 'doorbells->nic0' in samples/02-vfio-switch-iommu.dmabuf; its shares: doorbells->gpu0");
    const four = lint(['explain', 'samples/04-iova-sequence.dmabuf', 'z->nic0']);
    expect(four.status).toBe(2);
    expect(expectOneLine(four)).toContain('its shares: a->nic0, b->nic0, c->nic0, d->nic0, e->nic0, f->nic0');
  }, 60000);

  it('a model without shares says so', () => {
    writeFileSync(join(tmp, 'broken.dmabuf'), 'platform p {\n  cpu intel2\n}\n');
    const r = lint(['explain', 'broken.dmabuf', 'a->b'], { cwd: tmp });
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: no share 'a->b' in broken.dmabuf: it has no shares (it has 1 error: run dmabuf-lint broken.dmabuf)");
  }, 60000);

  it('a directory, a missing file: exit 2 with one line', () => {
    mkdirSync(join(tmp, 'dir'), { recursive: true });
    const dir = lint(['explain', 'dir', 'a->b'], { cwd: tmp });
    expect(dir.status).toBe(2);
    expect(expectOneLine(dir)).toBe("dmabuf-lint: explain takes one file: 'dir' is a directory");
    const missing = lint(['explain', 'nope.dmabuf', 'a->b'], { cwd: tmp });
    expect(missing.status).toBe(2);
    expect(expectOneLine(missing)).toBe("dmabuf-lint: cannot read 'nope.dmabuf': no such file or directory");
  }, 60000);
});
