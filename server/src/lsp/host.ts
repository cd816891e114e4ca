// The ModelHost of the language server: the text of a file comes from the open
// documents first, then from the disk; `use` paths are resolved relative to the using
// file and must stay inside the workspace folder(s).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_FILE_BYTES, type ModelHost } from '../analysis/analyze';
import type { ParseResult } from '../syntax/ast';
import { fileKey, isInside, pathToUri, uriToPath } from './uris';

export interface OpenDocuments {
  /** The text of an open document, by file key. */
  textOf(key: string): string | undefined;
  /** The URI the client uses for an open document, by file key. */
  uriOf(key: string): string | undefined;
}

export class WorkspaceFiles {
  /** Workspace folders as absolute paths (from initialize). */
  folders: string[] = [];
  readonly parseCache = new Map<string, { text: string; result: ParseResult }>();

  constructor(private readonly docs: OpenDocuments) {}

  /** The text of a file, open or on disk; undefined when it cannot be read (`unreadable` says why). */
  readFile(uri: string): string | undefined {
    const r = this.read(uri);
    return 'text' in r ? r.text : undefined;
  }

  /** Why `readFile(uri)` gives undefined; undefined when the file does not exist (or can be read). */
  unreadable(uri: string): string | undefined {
    const r = this.read(uri);
    return 'text' in r ? undefined : r.why;
  }

  /**
   * An open document's text as the client sent it; else the file on disk, if it is a
   * regular file of at most MAX_FILE_BYTES in UTF-8, without its byte-order mark (as
   * editors show it, so that positions agree with theirs).
   */
  private read(uri: string): { text: string } | { why: string | undefined } {
    const open = this.docs.textOf(fileKey(uri));
    if (open !== undefined) return { text: open };
    const p = uriToPath(uri);
    if (p === undefined) return { why: undefined };
    let fd: number | undefined;
    try {
      // Only regular files: reading a FIFO or a device would block the server.
      const st = fs.statSync(p);
      if (!st.isFile()) return { why: st.isDirectory() ? 'is a directory' : 'is not a regular file' };
      if (st.size > MAX_FILE_BYTES) return { why: `is ${st.size} bytes, over the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit: it is not read` };
      fd = fs.openSync(p, 'r');
      // To its end (it may have changed since the stat), but never more than one byte past the limit.
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const chunk = Buffer.allocUnsafe(Math.min(1 << 16, MAX_FILE_BYTES + 1 - total));
        const got = fs.readSync(fd, chunk, 0, chunk.length, null);
        if (got === 0) break;
        chunks.push(chunk.subarray(0, got));
        total += got;
        if (total > MAX_FILE_BYTES) return { why: `is over the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit: it is not read` };
      }
      try {
        return { text: utf8.decode(Buffer.concat(chunks, total)) };
      } catch {
        return { why: 'is not UTF-8 text: it is not read' };
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { why: undefined };
      if (code === 'EACCES' || code === 'EPERM') return { why: 'cannot be read: permission denied' };
      return { why: `cannot be read: ${code ?? (e instanceof Error ? e.message : String(e))}` };
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** A ModelHost for the model whose root file is `rootUri`. */
  hostFor(rootUri: string): ModelHost {
    return {
      readFile: (uri) => this.readFile(uri),
      unreadable: (uri) => this.unreadable(uri),
      resolveUse: (fromUri, usePath) => this.resolveUse(rootUri, fromUri, usePath),
      parseCache: this.parseCache,
    };
  }

  /** The folders `use` may read from: the workspace folders, else the root file's directory. */
  allowedFolders(rootUri: string): string[] {
    if (this.folders.length > 0) return this.folders;
    const rootPath = uriToPath(rootUri);
    return rootPath === undefined ? [] : [path.dirname(rootPath)];
  }

  resolveUse(rootUri: string, fromUri: string, usePath: string): { uri: string } | { refused: string } {
    if (usePath.length === 0) return { refused: 'use needs a file name: "" names no file' };
    if (path.isAbsolute(usePath) || path.win32.isAbsolute(usePath) || /^[A-Za-z][A-Za-z0-9+.-]+:/.test(usePath)) {
      return { refused: `'${usePath}' is absolute: use takes a path relative to the file that uses it` };
    }
    const fromPath = uriToPath(fromUri);
    if (fromPath === undefined) {
      return { refused: `'${usePath}' cannot be resolved: only a file saved on disk can use other files` };
    }
    const target = path.resolve(path.dirname(fromPath), usePath);
    const folders = this.allowedFolders(rootUri);
    if (!folders.some((f) => isInside(f, target))) {
      return { refused: `'${usePath}' lies outside the workspace folder${folders.length === 1 ? ` ${folders[0]}` : 's'}: use may only read files inside it` };
    }
    const real = realpath(target);
    if (real !== undefined) {
      const realFolders = folders.map((f) => realpath(f) ?? f);
      if (!realFolders.some((f) => isInside(f, real))) {
        return { refused: `'${usePath}' is a symbolic link to ${real}, outside the workspace folder: use may only read files inside it` };
      }
    }
    return { uri: this.docs.uriOf(fileKey(pathToUri(target))) ?? pathToUri(target) };
  }
}

/** Strict UTF-8: a file with an invalid sequence is refused, not read with U+FFFD in it. Drops a BOM. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}
