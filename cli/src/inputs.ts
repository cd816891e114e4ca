// What makes a file unusable as input before the server sees it: not readable, too
// large, not UTF-8. These are bad paths (exit status 2), not diagnostics: the file
// never reaches the language server.

import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import { readRegularFile, type ReadFailure } from '../../server/src/lsp/readRegular';

/**
 * The largest file dmabuf-lint gives to the server: the server's MAX_FILE_BYTES
 * (server/src/analysis/analyze.ts, the limit on a `use`d file), repeated here so that
 * the CLI bundle does not pull in the analysis; a test checks that they agree.
 */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export class InputError extends Error {}

/** Why reading failed, in a few words. */
export function reason(e: unknown): string {
  return codeReason((e as { code?: string }).code, e instanceof Error ? e.message : String(e));
}

/** A failed read of readRegular.ts that is neither a refusal nor a limit, in the words of `reason`. */
export function readFailureReason(f: Extract<ReadFailure, { kind: 'missing' | 'error' }>): string {
  return codeReason(f.code, f.kind === 'error' ? f.message : f.code);
}

function codeReason(code: string | undefined, message: string): string {
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return message;
}

function tooLarge(shown: string, bytes: number): InputError {
  return new InputError(`'${shown}' is ${bytes} bytes: files over ${MAX_FILE_BYTES / 1024 / 1024} MiB (${MAX_FILE_BYTES} bytes) are not checked`);
}

/** Over the cap, when how far over is not known (the read stopped one byte past it). */
function overCap(shown: string): InputError {
  return new InputError(`'${shown}' is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB (${MAX_FILE_BYTES} bytes): it is not checked`);
}

/** Line and column (1-based, in bytes) of the first byte that is not UTF-8. */
export function firstInvalidUtf8(buf: Uint8Array): { offset: number; line: number; column: number } | undefined {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return at(buf, i);
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return at(buf, i);
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return at(buf, i);
    i += need + 1;
  }
  return undefined;
}

function at(buf: Uint8Array, offset: number): { offset: number; line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (buf[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * Reads a file that is to be a model's root (or explained, or format-checked) and
 * returns its text. Throws InputError with a one-line message when it cannot be used.
 * Opened without blocking and checked on the open descriptor (readRegular.ts): a name
 * swapped for a FIFO at any moment is refused, never waited on.
 */
export function readInput(abs: string, shown: string): string {
  const r = readRegularFile(abs, { maxBytes: MAX_FILE_BYTES });
  if ('bytes' in r) return decodeInput(r.bytes, shown);
  throw new InputError(failureText(r.failure, shown));
}

/** The one-line message of a failed read of input `shown`. */
export function failureText(f: ReadFailure, shown: string): string {
  switch (f.kind) {
    case 'directory':
      return `'${shown}' is a directory, not a file`;
    case 'not-regular':
      return `cannot read '${shown}': not a regular file`;
    case 'too-large':
      return (f.size !== undefined ? tooLarge(shown, f.size) : overCap(shown)).message;
    case 'symlink':
      return `cannot read '${shown}': a symbolic link`;
    case 'outside':
      return `cannot read '${shown}': it leads to ${f.real}, outside the folder`;
    case 'changed':
      return `cannot read '${shown}': it changed while it was read`;
    case 'missing':
    case 'error':
      return `cannot read '${shown}': ${readFailureReason(f)}`;
  }
}

/** The text of an input's bytes; InputError when they are too many or not UTF-8. */
export function decodeInput(buf: Buffer, shown: string): string {
  if (buf.length > MAX_FILE_BYTES) throw tooLarge(shown, buf.length);
  if (!isUtf8(buf)) {
    const bad = firstInvalidUtf8(buf);
    const where = bad ? ` (byte 0x${buf[bad.offset]!.toString(16).padStart(2, '0')} at line ${bad.line}, byte ${bad.column})` : '';
    throw new InputError(`'${shown}' is not valid UTF-8${where}`);
  }
  return buf.toString('utf8');
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Everything on standard input (`--stdin`), read to its end, as one input. */
export function readStdin(shown: string): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EAGAIN') {
        Atomics.wait(PAUSE, 0, 0, 5); // a non-blocking pipe with nothing yet: wait a little for more
        continue;
      }
      if (code === 'EOF') break;
      throw new InputError(`cannot read standard input: ${reason(e)}`);
    }
    if (n === 0) break;
    total += n;
    // Stop reading at once when the text is over the cap: the rest is never needed.
    if (total > MAX_FILE_BYTES) throw overCap(shown);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return decodeInput(Buffer.concat(chunks), shown);
}
