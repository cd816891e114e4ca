// readRegularFile (server/src/lsp/readRegular.ts), the one safe open-and-read of the
// server, the CLI and the import commands (issue 27): each refusal, on the descriptor.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegularFile } from '../../server/src/lsp/readRegular';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'dmabuf-read-')));
const inside = join(base, 'in');
mkdirSync(inside);
writeFileSync(join(inside, 'a.txt'), 'hello');
writeFileSync(join(base, 'out.txt'), 'secret');
symlinkSync(join(inside, 'a.txt'), join(inside, 'link-in.txt'));
symlinkSync(join(base, 'out.txt'), join(inside, 'link-out.txt'));
symlinkSync(base, join(inside, 'up'));
execFileSync('mkfifo', [join(inside, 'fifo')]);
afterAll(() => rmSync(base, { recursive: true, force: true }));

const read = (name: string, o: { maxBytes?: number; noFollow?: boolean; confine?: boolean } = {}) =>
  readRegularFile(join(inside, name), { maxBytes: o.maxBytes ?? 100, noFollow: o.noFollow, inside: o.confine ? [inside] : undefined });

describe('readRegularFile', () => {
  it('reads a regular file, and a link to one', () => {
    const r = read('a.txt', { confine: true });
    expect('bytes' in r && r.bytes.toString()).toBe('hello');
    expect('bytes' in r && r.real).toBe(join(inside, 'a.txt'));
    const l = read('link-in.txt', { confine: true });
    expect('bytes' in l && l.real).toBe(join(inside, 'a.txt'));
  });

  it('refuses a FIFO at once (no writer needed), a directory, a missing file', () => {
    expect(read('fifo')).toEqual({ failure: { kind: 'not-regular' } });
    expect(read('up')).toEqual({ failure: { kind: 'directory' } });
    expect(read('nope')).toEqual({ failure: { kind: 'missing', code: 'ENOENT' } });
    expect(read('a.txt/x')).toEqual({ failure: { kind: 'missing', code: 'ENOTDIR' } });
  });

  it('refuses a file over the cap with its size, never reading it', () => {
    expect(read('a.txt', { maxBytes: 4 })).toEqual({ failure: { kind: 'too-large', size: 5 } });
    expect('bytes' in read('a.txt', { maxBytes: 5 })).toBe(true);
  });

  it('confines the file actually opened: a link, or a folder link, that leads out is refused with its real path', () => {
    expect(read('link-out.txt', { confine: true })).toEqual({ failure: { kind: 'outside', real: join(base, 'out.txt') } });
    expect(read('up/out.txt', { confine: true })).toEqual({ failure: { kind: 'outside', real: join(base, 'out.txt') } });
    expect('bytes' in read('link-out.txt')).toBe(true); // not confined: followed
  });

  it('noFollow refuses a link as the last component', () => {
    expect(read('link-in.txt', { noFollow: true })).toEqual({ failure: { kind: 'symlink' } });
    expect('bytes' in read('a.txt', { noFollow: true })).toBe(true);
  });
});
