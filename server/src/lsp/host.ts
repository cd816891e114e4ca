// The ModelHost of the language server: the text of a file comes from the open
// documents first, then from the disk; `use` paths are resolved relative to the using
// file and must stay inside the workspace folder(s).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_FILE_BYTES, type ModelHost } from '../analysis/analyze';
import type { ParseResult } from '../syntax/ast';
import { readRegularFile, type ReadFailure } from './readRegular';
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
   * editors show it, so that positions agree with theirs). With `inside` (real paths of
   * folders), the file actually opened must lie in one of them (readRegular.ts checks
   * the open descriptor, so a name swapped for a link after `resolveUse` looked at it
   * is caught here).
   */
  private read(uri: string, inside?: readonly string[]): { text: string } | { why: string | undefined } {
    const open = this.docs.textOf(fileKey(uri));
    if (open !== undefined) return { text: open };
    const p = uriToPath(uri);
    if (p === undefined) return { why: undefined };
    // Never blocks: a FIFO or a device put under the name at any moment is refused, not opened for reading.
    const r = readRegularFile(p, { maxBytes: MAX_FILE_BYTES, inside });
    if ('failure' in r) return { why: whyNot(r.failure) };
    try {
      return { text: utf8.decode(r.bytes) };
    } catch {
      return { why: 'is not UTF-8 text: it is not read' };
    }
  }

  /**
   * A ModelHost for the model whose root file is `rootUri`. The root is read wherever it
   * is (the client or the user named it); every other file, a `use`d one, only if the
   * file opened lies inside the allowed folders. Why a read failed is kept for
   * `unreadable`, so that the message is about the read that failed, not a second one.
   */
  hostFor(rootUri: string): ModelHost {
    const rootKey = fileKey(rootUri);
    let inside: string[] | undefined;
    const why = new Map<string, string | undefined>();
    const readFile = (uri: string): string | undefined => {
      const confine = fileKey(uri) === rootKey ? undefined : (inside ??= this.allowedFolders(rootUri).map((f) => realpath(f) ?? f));
      const r = this.read(uri, confine);
      if ('text' in r) {
        why.delete(uri);
        return r.text;
      }
      why.set(uri, r.why);
      return undefined;
    };
    return {
      readFile,
      unreadable: (uri) => {
        if (!why.has(uri)) readFile(uri);
        return why.get(uri);
      },
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
    // A first look at the name, for the message; the read checks the file it opens again
    // (hostFor), since the name may lead elsewhere by then.
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

const MIB = MAX_FILE_BYTES / 1024 / 1024;

/** A failed read in the words of a `use-not-found` message (after the quoted path); undefined: it does not exist. */
function whyNot(f: ReadFailure): string | undefined {
  switch (f.kind) {
    case 'missing':
      return undefined;
    case 'directory':
      return 'is a directory';
    case 'not-regular':
      return 'is not a regular file';
    case 'too-large':
      return f.size !== undefined ? `is ${f.size} bytes, over the ${MIB} MiB limit: it is not read` : `is over the ${MIB} MiB limit: it is not read`;
    case 'symlink':
      return 'is a symbolic link: it is not followed';
    case 'outside':
      return `is a symbolic link to ${f.real}, outside the workspace folder: use may only read files inside it`;
    case 'changed':
      return 'changed while it was read: it is not read';
    case 'error':
      if (f.code === 'EACCES' || f.code === 'EPERM') return 'cannot be read: permission denied';
      return `cannot be read: ${f.code ?? f.message}`;
  }
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}
