// Runs a TypeScript entry point of the repository as the tools (`npm run bench`,
// `npm run fuzz`) need it: first rebuilds dist/ when it is missing or older than the
// sources, so figures and protocol checks never use a stale server; then bundles the
// entry with esbuild (as scripts/build.mjs bundles the server) into a temporary folder
// and runs it, forwarding signals and the exit status.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBundle } from './bundle-options.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * @param {object} o
 * @param {string} o.label        prefix of the messages (`bench`, `fuzz`)
 * @param {string} o.entry        the TypeScript entry, relative to the repository
 * @param {string[]} o.outputs    dist files that must be fresh
 * @param {string[]} o.sources    source folders they are built from
 * @param {string[]} [o.nodeArgs] extra node options (e.g. --expose-gc)
 * @param {Record<string, string>} [o.env] extra environment
 */
export async function runBundled({ label, entry, outputs, sources, nodeArgs = [], env = {} }) {
  const built = outputs.map((p) => join(root, p));
  const newestSource = Math.max(...sources.map((d) => newest(join(root, d))), statSync(join(root, 'package.json')).mtimeMs);
  if (built.some((p) => !existsSync(p) || statSync(p).mtimeMs < newestSource)) {
    process.stderr.write(`${label}: dist/ is missing or older than the sources: npm run build\n`);
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }

  const tmp = mkdtempSync(join(tmpdir(), `dmabuf-${label}-`));
  const bundle = join(tmp, 'run.cjs');
  await build({ ...nodeBundle, entryPoints: [join(root, entry)], outfile: bundle, absWorkingDir: root, sourcemap: true });

  const child = spawn(process.execPath, [...nodeArgs, '--enable-source-maps', bundle, ...process.argv.slice(2)], {
    cwd: process.cwd(),
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const forward = (sig) => () => child.kill(sig);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code, signal) => {
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code ?? (signal ? 1 : 0));
  });
}
