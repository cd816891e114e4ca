// The swapper of race.test.ts: replaces one path, as fast as it can, by a regular file,
// a FIFO, a symbolic link to a file inside the workspace, one to a file outside it and a
// directory, until it is killed. argv: the path, the FIFO to hard-link (made by the
// test with mkfifo), the file inside, the file outside, the text of the regular file.
import { linkSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';

const [victim, fifo, inside, outside, text] = process.argv.slice(2);
const tmp = `${victim}.swap`;
const pause = new Int32Array(new SharedArrayBuffer(4));
const kinds = ['file', 'fifo', 'link-in', 'link-out', 'dir', 'fifo', 'file', 'link-out', 'fifo'];
let isDir = false;
for (let n = 0; ; n++) {
  const kind = kinds[n % kinds.length];
  try {
    rmSync(tmp, { force: true, recursive: true });
    if (kind === 'dir') {
      rmSync(victim, { force: true });
      mkdirSync(victim);
      isDir = true;
    } else {
      if (kind === 'file') writeFileSync(tmp, text);
      else if (kind === 'fifo') linkSync(fifo, tmp);
      else symlinkSync(kind === 'link-in' ? inside : outside, tmp);
      if (isDir) rmSync(victim, { force: true, recursive: true });
      isDir = false;
      renameSync(tmp, victim); // atomic: the path names the old thing or the new one
    }
  } catch {
    // a step that failed leaves some state behind: the next one replaces it
  }
  // Leave the two cores some room for the server and the CLI.
  if (n % 16 === 15) Atomics.wait(pause, 0, 0, 1);
}
