// dmabuf-lint end to end: the bundled dist/cli.js (which starts dist/server.js).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/cli.js');

function lint(args: string[], cwd = ROOT, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SYNTAX_ERROR = 'platform p {\n  cpu intel2\n}\n';

const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-lint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dmabuf-lint', () => {
  it('--help prints the usage and exits 0', () => {
    const r = lint(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: dmabuf-lint/);
    expect(r.stdout).toContain('--format');
    expect(r.stdout).toContain('use');
  });

  it('--version prints the package version', () => {
    const r = lint(['--version']);
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('a bad option exits 2 with one line on stderr', () => {
    for (const args of [['--bogus'], ['--format', 'xml', 'samples'], ['--format'], ['--rule', 'nope=off']]) {
      const r = lint(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('a missing path exits 2 with a one-line message and no stack trace', () => {
    const r = lint(['samples/does-not-exist.dmabuf']);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('does-not-exist.dmabuf');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a glob that matches nothing exits 2', () => {
    const r = lint(['samples/*.nothing']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--format json samples/ prints the §7 document, one entry per root file', () => {
    const r = lint(['--format', 'json', 'samples/']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as {
      version: number;
      files: { path: string; diagnostics: { code: string; severity: string; message: string; range: unknown }[]; shares: { name: string }[] }[];
      summary: { files: number; errors: number; warnings: number; infos: number };
    };
    expect(Object.keys(doc)).toEqual(['version', 'files', 'summary']);
    expect(doc.version).toBe(1);
    const samples = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.dmabuf')).sort();
    expect(doc.files.map((f) => f.path)).toEqual(samples.map((f) => `samples/${f}`));
    for (const f of doc.files) {
      expect(Object.keys(f)).toEqual(['path', 'diagnostics', 'shares']);
      for (const d of f.diagnostics) {
        expect(Object.keys(d)).toEqual(['code', 'severity', 'message', 'range']);
        expect(['error', 'warning', 'info']).toContain(d.severity);
      }
      expect(f.shares.length).toBeGreaterThan(0);
    }
    const all = doc.files.flatMap((f) => f.diagnostics);
    expect(doc.summary).toEqual({
      files: doc.files.length,
      errors: all.filter((d) => d.severity === 'error').length,
      warnings: all.filter((d) => d.severity === 'warning').length,
      infos: all.filter((d) => d.severity === 'info').length,
    });
    expect(r.status).toBe(doc.summary.errors > 0 ? 1 : 0);
  });

  it('the JSON shares of a conformance example match its expectations', () => {
    const r = lint(['--format', 'json', 'test/conformance/01-vfio-switch.dmabuf']);
    const doc = JSON.parse(r.stdout) as { files: { path: string; shares: unknown[] }[] };
    const expected = JSON.parse(readFileSync(join(ROOT, 'test/conformance/01-vfio-switch.expect.json'), 'utf8')) as { shares: Record<string, unknown>[] };
    expect(doc.files).toHaveLength(1);
    expect(doc.files[0]!.path).toBe('test/conformance/01-vfio-switch.dmabuf');
    expected.shares.forEach((s, i) => expect(doc.files[0]!.shares[i]).toMatchObject(s));
    expect(r.status).toBe(0);
  });

  it('a file with a syntax error exits 1, and pretty output names file:line:col', () => {
    const file = join(tmp, 'broken.dmabuf');
    writeFileSync(file, SYNTAX_ERROR);
    const r = lint(['broken.dmabuf'], tmp);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('broken.dmabuf:2:7 error syntax-error ');
    expect(r.stdout).toContain('  cpu intel2');
    expect(r.stdout).toMatch(/\|\s+\^{6}\n/);
    expect(r.stdout).toMatch(/1 file, 1 error, 0 warnings, 0 infos\n$/);
    expect(r.stdout).not.toContain('\x1b['); // not a TTY: no colours
  });

  it('pretty output shows the shares table and the summary', () => {
    const r = lint(['samples/02-vfio-switch-iommu.dmabuf'], ROOT, { NO_COLOR: '1' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^samples\/02-vfio-switch-iommu\.dmabuf:\d+:\d+ warning p2p-host-bridge /m);
    expect(r.stdout).toMatch(/^doorbells->gpu0\s+THRU_HOST_BRIDGE\s+iova\s+0xffff0000 \+0x10000\s+yes$/m);
    expect(r.stdout).toMatch(/1 file, 0 errors, \d+ warnings?, 0 infos\n$/);
    const colored = lint(['--color', 'samples/02-vfio-switch-iommu.dmabuf']);
    expect(colored.stdout).toContain('\x1b[');
  });

  it('a file that another given file uses is not a root of its own', () => {
    const dir = join(tmp, 'model');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    const sample = readFileSync(join(ROOT, 'samples/01-vfio-switch.dmabuf'), 'utf8');
    const cut = sample.indexOf('buffer doorbells');
    writeFileSync(join(dir, 'lib/machine.dmabuf'), sample.slice(0, cut));
    writeFileSync(join(dir, 'main.dmabuf'), 'use "lib/machine.dmabuf"\n\n' + sample.slice(cut));
    const r = lint(['--format', 'json', '.'], dir);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { files: { path: string; shares: { name: string }[] }[] };
    expect(doc.files.map((f) => f.path)).toEqual(['main.dmabuf']);
    expect(doc.files[0]!.shares.map((s) => s.name)).toEqual(['doorbells->gpu0']);
    expect(r.status).toBe(0);
  });

  it('--rule changes a severity', () => {
    const r = lint(['--format', 'json', '--rule', 'p2p-host-bridge=error', 'samples/02-vfio-switch-iommu.dmabuf']);
    const doc = JSON.parse(r.stdout) as { files: { diagnostics: { code: string; severity: string }[] }[] };
    expect(doc.files[0]!.diagnostics).toContainEqual(expect.objectContaining({ code: 'p2p-host-bridge', severity: 'error' }));
    expect(r.status).toBe(1);
  });
});
