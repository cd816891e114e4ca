// Preloaded into dmabuf-lint (NODE_OPTIONS=--require) by test/cli/spawn.test.ts: notes
// every process the CLI spawns in the file named by DMABUF_SPAWN_LOG, one line each.
'use strict';
const cp = require('node:child_process');
const fs = require('node:fs');
const spawn = cp.spawn;
cp.spawn = function spied(cmd, args, ...rest) {
  fs.appendFileSync(process.env.DMABUF_SPAWN_LOG, `${[cmd, ...(args || [])].join(' ')}\n`);
  return spawn.call(this, cmd, args, ...rest);
};
