#!/usr/bin/env node
// `npm run bench -- [options]` (options: `npm run bench -- --help`).
// Runs bench/run.ts bundled, with `node --expose-gc`. The server and CLI figures use
// dist/server.js and dist/cli.js: they are rebuilt first when missing or older than
// the sources, so the figures are never those of a stale build.
import { root, runBundled } from '../scripts/run-bundled.mjs';

await runBundled({
  label: 'bench',
  entry: 'bench/run.ts',
  outputs: ['dist/server.js', 'dist/cli.js'],
  sources: ['server/src', 'cli/src'],
  nodeArgs: ['--expose-gc'],
  env: { DMABUF_BENCH_ROOT: root },
});
