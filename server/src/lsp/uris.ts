// URIs and paths. The client names documents with URIs whose spelling may differ from
// Node's (`file:///c%3A/…` versus `file:///c:/…`), so files are compared by a key.

import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The file system path of a file: URI, or undefined for any other scheme. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(p: string): string {
  return pathToFileURL(p).href;
}

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

/** A key that is equal for two spellings of the same file. */
export function fileKey(uri: string): string {
  const p = uriToPath(uri);
  if (p === undefined) return uri;
  const n = path.normalize(p);
  return caseInsensitive ? n.toLowerCase() : n;
}

/** True when `child` is `parent` or lies below it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
