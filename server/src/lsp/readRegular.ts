// The one way the server, the CLI and the import commands read a file from disk
// (issue 27): open first, then look at what was opened. Checking a name with `stat` and
// opening it afterwards is a race: the name can be replaced by a FIFO in between, and
// opening a FIFO for reading blocks until a writer comes, which hangs the event loop.
// Here the open never blocks (O_NONBLOCK: a FIFO opens at once, with no writer), the
// descriptor is checked with fstat (only a regular file is read), and the read stops one
// byte past the cap. Imports only uris.ts (node:path and node:url), so that the CLI
// bundle may use it.

import * as fs from 'node:fs';
import { isInside } from './uris';

export interface ReadOptions {
  /** The most bytes read: a larger file is refused (`too-large`), never read whole. */
  readonly maxBytes: number;
  /** Refuse a symbolic link in the last component of the path (O_NOFOLLOW): `symlink`. */
  readonly noFollow?: boolean;
  /**
   * Folders (real paths, no symbolic link in them) the file actually opened must lie in:
   * else `outside`, with its real path. Checked on the open descriptor, not on the name.
   */
  readonly inside?: readonly string[];
}

export type ReadFailure =
  | { readonly kind: 'missing'; readonly code: 'ENOENT' | 'ENOTDIR' }
  | { readonly kind: 'directory' }
  | { readonly kind: 'not-regular' } // a FIFO, a device, a socket
  | { readonly kind: 'too-large'; readonly size: number | undefined } // the size, when fstat knew it before the read
  | { readonly kind: 'symlink' } // noFollow and the last component is a link
  | { readonly kind: 'outside'; readonly real: string }
  | { readonly kind: 'changed' } // the file moved while it was opened: its real path could not be told
  | { readonly kind: 'error'; readonly code: string | undefined; readonly message: string };

export type ReadResult = { readonly bytes: Buffer; readonly real: string | undefined } | { readonly failure: ReadFailure };

// Windows has neither flag; there a FIFO cannot appear under a file name anyway.
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** Opens `p` without blocking, reads it if it is a regular file of at most `maxBytes` bytes. */
export function readRegularFile(p: string, options: ReadOptions): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(p, fs.constants.O_RDONLY | O_NONBLOCK | (options.noFollow ? O_NOFOLLOW : 0));
  } catch (e) {
    return { failure: fromError(e, options.noFollow === true) };
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) return { failure: { kind: 'directory' } };
    if (!st.isFile()) return { failure: { kind: 'not-regular' } };
    let real: string | undefined;
    if (options.inside !== undefined) {
      const r = realPathOf(fd, p, st);
      if (r === undefined) return { failure: { kind: 'changed' } };
      if (!options.inside.some((f) => isInside(f, r))) return { failure: { kind: 'outside', real: r } };
      real = r;
    }
    if (st.size > options.maxBytes) return { failure: { kind: 'too-large', size: st.size } };
    // To its end (it may grow after the fstat), but never more than one byte past the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 16, options.maxBytes + 1 - total));
      const got = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      chunks.push(chunk.subarray(0, got));
      total += got;
      if (total > options.maxBytes) return { failure: { kind: 'too-large', size: undefined } };
    }
    return { bytes: Buffer.concat(chunks, total), real };
  } catch (e) {
    return { failure: fromError(e, false) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The real path of the file open on `fd`. The name `p` may have been replaced since the
 * open, so the name alone proves nothing: the candidate path (Linux: the kernel's own
 * record of what was opened, /proc/self/fd/N; elsewhere the real path of `p` now) counts
 * only if it names the very file that is open, the same device and inode as fstat says.
 * A hard link inside the workspace to a file outside is the file inside: it is as much
 * the workspace's as any other file there. Undefined when the two disagree (the file was
 * swapped, moved or deleted meanwhile): the caller refuses rather than guesses.
 */
function realPathOf(fd: number, p: string, st: fs.Stats): string | undefined {
  const candidates: string[] = [];
  try {
    const link = fs.readlinkSync(`/proc/self/fd/${fd}`);
    if (link.startsWith('/') && !link.endsWith(' (deleted)')) candidates.push(link);
  } catch {
    // no /proc: the real path of the name
  }
  try {
    candidates.push(fs.realpathSync.native(p));
  } catch {
    // gone meanwhile
  }
  for (const c of candidates) {
    try {
      const now = fs.statSync(c);
      if (now.dev === st.dev && now.ino === st.ino) return c;
    } catch {
      // not there any more
    }
  }
  return undefined;
}

function fromError(e: unknown, noFollow: boolean): ReadFailure {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing', code };
  if (code === 'EISDIR') return { kind: 'directory' };
  // O_NOFOLLOW on a link: ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on NetBSD.
  if (noFollow && (code === 'ELOOP' || code === 'EMLINK' || code === 'EFTYPE')) return { kind: 'symlink' };
  return { kind: 'error', code, message: e instanceof Error ? e.message : String(e) };
}
