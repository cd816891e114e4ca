// The npm package as a user installs it: `npm pack` of this repository, installed into
// an empty folder with only its runtime dependencies (none: the bundles hold them), and
// run from there with nothing of this checkout around it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir: string;
let tarball: string;
let installed: string;

function npm(args: string[], cwd: string): string {
  return execFileSync(NPM, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dmabuf-pack-'));
  // --ignore-scripts: pack the bundles `npm test` built, without rebuilding dist/ under
  // the suites that are running from it.
  const out = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT)) as { filename: string; files: { path: string }[] }[];
  tarball = join(dir, out[0]!.filename);
  const user = join(dir, 'user');
  cpSync(join(ROOT, 'samples'), join(user, 'samples'), { recursive: true });
  // --offline: a package with no runtime dependencies needs nothing from a registry.
  npm(['init', '-y'], user);
  npm(['install', '--omit=dev', '--offline', '--no-package-lock', tarball], user);
  installed = user;
}, 120000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack', () => {
  it('holds the bundled CLI, server, elk layout and snapshot script, and no sources or tests', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
    for (const f of ['bin/dmabuf-lint.js', 'bin/dmabuf-language-server.js', 'bin/dmabuf-snapshot', 'dist/cli.js', 'dist/server.js', 'dist/elk.js', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
      expect(list, f).toContain(f);
    }
    expect(list.filter((p) => /^(server|cli|client|test|bench|fuzz|scripts)\//.test(p) || p.endsWith('.map') || p.endsWith('.ts'))).toEqual([]);
  });

  it('installs with no dependency beside itself', () => {
    expect(readdirSync(join(installed, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['dmabuf-lens']);
    expect(existsSync(join(installed, 'node_modules/dmabuf-lens/node_modules'))).toBe(false);
    expect(statSync(join(installed, 'node_modules/dmabuf-lens/bin/dmabuf-snapshot')).mode & 0o111).not.toBe(0);
  });

  it('dmabuf-lint from the installed package lints the samples', () => {
    const bin = join(installed, 'node_modules/.bin/dmabuf-lint');
    const r = spawnSync(bin, ['--format', 'json', 'samples/'], { cwd: installed, encoding: 'utf8', timeout: 60000 });
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { files: { path: string; shares: unknown[] }[]; summary: { files: number } };
    expect(doc.summary.files).toBeGreaterThanOrEqual(17);
    expect(doc.files.some((f) => f.path === 'samples/02-vfio-switch-iommu.dmabuf' && f.shares.length > 0)).toBe(true);
    // Some samples show failing designs on purpose: exit 1, not a crash.
    expect(r.status).toBe(1);
  }, 60000);

  it('dmabuf-language-server --stdio from the installed package answers initialize and shuts down', async () => {
    const bin = join(installed, 'node_modules/.bin/dmabuf-language-server');
    const proc = spawn(bin, ['--stdio'], { cwd: installed, stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    conn.listen();
    const init = await conn.sendRequest<{ capabilities: Record<string, unknown>; serverInfo?: { name: string } }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      workspaceFolders: null,
    });
    expect(init.capabilities['hoverProvider']).toBeTruthy();
    await conn.sendRequest('shutdown');
    const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
    await conn.sendNotification('exit');
    expect(await exited).toBe(0);
    conn.dispose();
  }, 60000);
});
