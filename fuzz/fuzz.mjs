#!/usr/bin/env node
// `npm run fuzz -- [options]` (options: `npm run fuzz -- --help`).
// Runs fuzz/run.ts bundled. The protocol checks use dist/server.js: it is rebuilt
// first when missing or older than the sources.
import { root, runBundled } from '../scripts/run-bundled.mjs';

await runBundled({
  label: 'fuzz',
  entry: 'fuzz/run.ts',
  outputs: ['dist/server.js'],
  sources: ['server/src'],
  env: { DMABUF_FUZZ_ROOT: root },
});
