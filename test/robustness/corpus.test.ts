// Replays every input the fuzzer kept (test/robustness/corpus/<hash>.dmabuf, with the
// files it uses under <hash>.use/): the in-process checks and the protocol checks of
// fuzz/checks.ts must find nothing. Each file is a bug that was found and fixed; the
// reason it was kept is in <hash>.why.txt.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInProcess, decodeWtf8, ServerSession } from '../../fuzz/checks';
import type { Input } from '../../fuzz/gen';
import { ROOT, SERVER } from '../lsp/helpers';

const CORPUS = join(ROOT, 'test/robustness/corpus');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function load(name: string): Input {
  const text = decodeWtf8(readFileSync(join(CORPUS, name)));
  const used = join(CORPUS, name.replace(/\.dmabuf$/, '.use'));
  const files = Object.fromEntries(filesUnder(used).map((p) => [relative(used, p).split('\\').join('/'), decodeWtf8(readFileSync(p))]));
  return { text, files, how: `corpus ${name}` };
}

const NAMES = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.dmabuf')).sort() : [];

/** Three places in the text: its start, middle and end (as offsets). */
function probes(text: string): number[] {
  return [0, Math.floor(text.length / 2), text.length];
}

describe('the fuzzer’s corpus, in process', () => {
  it('has inputs to replay', () => {
    expect(NAMES.length).toBeGreaterThan(0);
  });
  for (const name of NAMES) {
    it(name, () => {
      const input = load(name);
      const r = checkInProcess(input, { timeLimitMs: 2000, probes: probes(input.text) });
      expect(r.failures).toEqual([]);
    });
  }
});

describe('the fuzzer’s corpus, over the protocol', () => {
  let session: ServerSession;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dmabuf-corpus-'));
    session = await ServerSession.start(SERVER, dir);
  });
  afterAll(async () => {
    await session?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const name of NAMES) {
    it(name, async () => {
      const input = load(name);
      const lines = input.text.split(/\r\n|\r|\n/);
      const mid = Math.floor(lines.length / 2);
      const failures = await session.check(input, [{ line: mid, character: Math.floor((lines[mid]?.length ?? 0) / 2) }], 15_000);
      expect(failures).toEqual([]);
    });
  }
});
