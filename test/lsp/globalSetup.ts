// Vitest global setup: makes dist/ current before any suite runs, so the suites that
// spawn dist/server.js or dist/cli.js (test/lsp, test/cli, test/robustness, test/view)
// never answer with the bundle of an older source. scripts/build.mjs lists every file
// the bundles were built from in dist/inputs.json (esbuild's metafile); the bundles are
// built again when one of them is newer than the oldest bundle, or is gone.

import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function mtimeMs(relative: string): number | undefined {
  try {
    return statSync(resolve(ROOT, relative)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Why dist/ must be built again, or undefined when it is current. */
export function staleBecause(): string | undefined {
  let listed: { outputs: string[]; inputs: string[] };
  try {
    listed = JSON.parse(readFileSync(resolve(ROOT, 'dist/inputs.json'), 'utf8')) as typeof listed;
  } catch {
    return 'dist/inputs.json is missing';
  }
  let built = Infinity;
  for (const out of listed.outputs) {
    const t = mtimeMs(out);
    if (t === undefined) return `${out} is missing`;
    built = Math.min(built, t);
  }
  for (const input of listed.inputs) {
    const t = mtimeMs(input);
    if (t === undefined) return `${input} is gone`;
    if (t > built) return `${input} changed`;
  }
  return undefined;
}

export default function setup(): void {
  const why = staleBecause();
  if (why === undefined) return;
  const t0 = performance.now();
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  process.stdout.write(`dist/ rebuilt (${why}) in ${Math.round(performance.now() - t0)} ms\n`);
}
