// The ModelHost of the language server: the text of a file comes from the open
// documents first, then from the disk; `use` paths are resolved relative to the using
// file and must stay inside the workspace folder(s).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelHost } from '../analysis/analyze';
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

  /** The text of a file, open or on disk; undefined when it cannot be read. */
  readFile(uri: string): string | undefined {
    const open = this.docs.textOf(fileKey(uri));
    if (open !== undefined) return open;
    const p = uriToPath(uri);
    if (p === undefined) return undefined;
    try {
      // Only regular files: reading a FIFO or a device would block the server.
      if (!fs.statSync(p).isFile()) return undefined;
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** A ModelHost for the model whose root file is `rootUri`. */
  hostFor(rootUri: string): ModelHost {
    return {
      readFile: (uri) => this.readFile(uri),
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

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}
