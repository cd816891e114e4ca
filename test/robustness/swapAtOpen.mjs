// A preload of race.test.ts (node --import): the worst moment of the race, every time.
// Just before the process opens RACE_VICTIM, the name is replaced by a link of the FIFO
// RACE_FIFO (RACE_SWAP=fifo) or by a symbolic link to RACE_OUTSIDE (RACE_SWAP=link-out),
// after whatever the process checked on the name before. Patches the fs module object,
// which the CommonJS bundles (dist/cli.js, dist/server.js) read through.
import fs from 'node:fs';

const { RACE_VICTIM: victim, RACE_SWAP: swap, RACE_FIFO: fifo, RACE_OUTSIDE: outside } = process.env;
const openSync = fs.openSync;
fs.openSync = function (p, ...rest) {
  if (String(p) === victim) {
    const tmp = `${victim}.${process.pid}.swap`;
    try {
      if (swap === 'fifo') fs.linkSync(fifo, tmp);
      else fs.symlinkSync(outside, tmp);
      fs.renameSync(tmp, victim);
    } catch {
      // swapped already
    }
  }
  return openSync.call(this, p, ...rest);
};
