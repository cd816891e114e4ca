// CPU-profiles every Node process it is preloaded into, for the processes that
// `node --cpu-prof` cannot reach (NODE_OPTIONS refuses --cpu-prof, and dmabuf-lint
// spawns its server itself). Each process writes DIR/<script>-<pid>.cpuprofile at exit:
//   DMABUF_PROFILE_DIR=/tmp/prof NODE_OPTIONS=--import=./bench/profile-preload.mjs \
//     node dist/cli.js --format json DIR > /dev/null
// then: npm run bench -- --summarize /tmp/prof/server_js-1234.cpuprofile --bundle dist/server.js
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const dir = process.env.DMABUF_PROFILE_DIR ?? '.';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 250 });
session.post('Profiler.start');
let written = false;
process.on('exit', () => {
  if (written) return;
  written = true;
  // An in-process session answers synchronously, so this runs before the process ends.
  session.post('Profiler.stop', (err, r) => {
    if (err) return;
    mkdirSync(dir, { recursive: true });
    const name = basename(process.argv[1] ?? 'node').replace(/\W/g, '_');
    writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
  });
});
