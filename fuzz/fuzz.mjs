#!/usr/bin/env node
// `npm run fuzz -- [options]` (options: `npm run fuzz -- --help`).
// Bundles fuzz/run.ts with esbuild (as scripts/build.mjs bundles the server) into a
// temporary folder and runs it. The protocol checks use dist/server.js: it is rebuilt
// first when missing or older than the sources.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const server = join(root, 'dist/server.js');
if (!existsSync(server) || statSync(server).mtimeMs < newest(join(root, 'server/src'))) {
  process.stderr.write('fuzz: dist/server.js is missing or older than the sources: npm run build\n');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-fuzz-build-'));
const bundle = join(tmp, 'run.cjs');
await build({
  entryPoints: [join(root, 'fuzz/run.ts')],
  outfile: bundle,
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
});

const child = spawn(process.execPath, ['--enable-source-maps', bundle, ...process.argv.slice(2)], {
  cwd: process.cwd(),
  stdio: 'inherit',
  env: { ...process.env, DMABUF_FUZZ_ROOT: root },
});
const forward = (sig) => () => child.kill(sig);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
child.on('exit', (code, signal) => {
  rmSync(tmp, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
