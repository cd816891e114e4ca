// Preloaded into dmabuf-lint (NODE_OPTIONS=--import) by test/cli/spawn.test.ts: notes
// every process the CLI spawns in the file named by DMABUF_SPAWN_LOG, one line each.
import cp from 'node:child_process';
import { appendFileSync } from 'node:fs';

const spawn = cp.spawn;
cp.spawn = function spied(cmd, args, ...rest) {
  appendFileSync(process.env.DMABUF_SPAWN_LOG, `${[cmd, ...(args || [])].join(' ')}\n`);
  return spawn.call(this, cmd, args, ...rest);
};
