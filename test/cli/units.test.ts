// The CLI's pure parts: option parsing, globs, the choice of root files, the diff, the
// UTF-8 check, the rule metadata, GitHub escaping.

import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES as SERVER_MAX_FILE_BYTES } from '../../server/src/analysis/analyze';
import { parseArgs, UsageError } from '../../cli/src/args';
import { diffLines, splitLines, unifiedDiff } from '../../cli/src/diff';
import { globToRegExp } from '../../cli/src/discover';
import { annotation, escapeData, escapeProperty } from '../../cli/src/github';
import { firstInvalidUtf8, MAX_FILE_BYTES } from '../../cli/src/inputs';
import { chooseRoots } from '../../cli/src/roots';
import { RULE_METADATA } from '../../cli/src/rules';
import { DIAGNOSTIC_CODES } from '../../server/src/ground/codes';

describe('parseArgs', () => {
  it('defaults to pretty output of the current directory', () => {
    expect(parseArgs([], {})).toMatchObject({ command: 'lint', format: 'pretty', formatGiven: false, paths: ['.'], color: undefined, rules: {}, quiet: false, maxWarnings: undefined, formatCheck: false });
  });
  it('defaults to github under GitHub Actions, unless --format says otherwise', () => {
    expect(parseArgs([], { GITHUB_ACTIONS: 'true' }).format).toBe('github');
    expect(parseArgs(['--format', 'pretty'], { GITHUB_ACTIONS: 'true' }).format).toBe('pretty');
    expect(parseArgs([], { GITHUB_ACTIONS: 'false' }).format).toBe('pretty');
    expect(parseArgs(['--format-check'], { GITHUB_ACTIONS: 'true' }).format).toBe('pretty');
  });
  it('reads --format both ways, --no-color, --rule, --quiet, --max-warnings and paths after --', () => {
    expect(parseArgs(['--format=json', 'a', '--no-color', '--rule', 'acs-redirect=off', '-q', '--max-warnings=3', '--', '--weird'], {})).toMatchObject({
      format: 'json',
      color: false,
      quiet: true,
      maxWarnings: 3,
      rules: { 'acs-redirect': 'off' },
      paths: ['a', '--weird'],
    });
    expect(parseArgs(['--format', 'sarif', '--max-warnings', '0'], {})).toMatchObject({ format: 'sarif', maxWarnings: 0 });
  });
  it('reads explain FILE SHARE, with options anywhere; `-- explain` is a path', () => {
    expect(parseArgs(['explain', 'f.dmabuf', 'a->b', '--format', 'json'], {})).toMatchObject({ command: 'explain', paths: ['f.dmabuf'], share: 'a->b', format: 'json' });
    expect(parseArgs(['--no-color', 'explain', 'f.dmabuf', 'a->b'], {})).toMatchObject({ command: 'explain', color: false });
    expect(parseArgs(['--', 'explain'], {})).toMatchObject({ command: 'lint', paths: ['explain'] });
    expect(parseArgs(['x', 'explain'], {})).toMatchObject({ command: 'lint', paths: ['x', 'explain'] });
  });
  it('refuses what it does not know', () => {
    for (const bad of [
      ['--nope'],
      ['--format', 'xml'],
      ['--rule', 'acs-redirect=loud'],
      ['--rule', 'no-such-code=off'],
      ['-'],
      ['--max-warnings', '-1'],
      ['--max-warnings', '1.5'],
      ['--max-warnings'],
      ['explain', 'f'],
      ['explain', 'f', 's', 't'],
      ['explain', 'f', 's', '--format', 'github'],
      ['explain', 'f', 's', '--format-check'],
      ['explain', 'f', 's', '--max-warnings', '1'],
      ['--format-check', '--format', 'sarif'],
    ]) {
      expect(() => parseArgs(bad, {}), bad.join(' ')).toThrow(UsageError);
    }
  });
});

describe('globToRegExp', () => {
  it.each([
    ['*.dmabuf', 'a.dmabuf', true],
    ['*.dmabuf', 'x/a.dmabuf', false],
    ['**/*.dmabuf', 'a.dmabuf', true],
    ['**/*.dmabuf', 'x/y/a.dmabuf', true],
    ['x/**', 'x/y/z', true],
    ['0[12]-*.dmabuf', '02-a.dmabuf', true],
    ['0[12]-*.dmabuf', '03-a.dmabuf', false],
    ['{a,b}.dmabuf', 'b.dmabuf', true],
    ['?.dmabuf', 'ab.dmabuf', false],
    ['a.dmabuf', 'aXdmabuf', false],
  ])('%s against %s', (glob, path, ok) => {
    expect(globToRegExp(glob).test(path)).toBe(ok);
  });
});

describe('chooseRoots', () => {
  it('drops a file another candidate uses', () => {
    expect(chooseRoots([{ key: 'lib', files: ['lib'] }, { key: 'main', files: ['main', 'lib'] }])).toEqual([1]);
  });
  it('keeps the first file of a cycle', () => {
    expect(chooseRoots([{ key: 'a', files: ['a', 'b'] }, { key: 'b', files: ['b', 'a'] }])).toEqual([0]);
  });
  it('keeps independent files', () => {
    expect(chooseRoots([{ key: 'a', files: ['a'] }, { key: 'b', files: ['b'] }])).toEqual([0, 1]);
  });
  it('a file used by a root covers a cycle below it', () => {
    expect(chooseRoots([{ key: 'a', files: ['a', 'b'] }, { key: 'b', files: ['b', 'a'] }, { key: 'c', files: ['c', 'a', 'b'] }])).toEqual([2]);
  });
  it('is fast for many files', () => {
    const cands = Array.from({ length: 20000 }, (_, i) => ({ key: `f${i}`, files: [`f${i}`, 'lib'] }));
    const t = performance.now();
    expect(chooseRoots(cands)).toHaveLength(20000);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });
  it('prints hunks with three lines of context, as diff -u', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'].join('\n') + '\n';
    const b = a.replace('2\n', 'two\n').replace('11\n', '');
    expect(unifiedDiff(a, b, 'a', 'b')).toBe(
      ['--- a', '+++ b', '@@ -1,5 +1,5 @@', ' 1', '-2', '+two', ' 3', ' 4', ' 5', '@@ -8,5 +8,4 @@', ' 8', ' 9', ' 10', '-11', ' 12', ''].join('\n'),
    );
  });
  it('shows a missing final newline and insertions into an empty text', () => {
    expect(unifiedDiff('a', 'a\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n');
    expect(unifiedDiff('', 'a\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n');
  });
  it('finds a shortest edit script', () => {
    const ops = diffLines(splitLines('a\nb\nc\na\nb\nb\na\n'), splitLines('c\nb\na\nb\na\nc\n'));
    expect(ops.filter((o) => o.t !== ' ')).toHaveLength(5); // Myers' example: D = 5
    // Replaying the script gives the new text.
    expect(ops.filter((o) => o.t !== '-').map((o) => o.line).join('')).toBe('c\nb\na\nb\na\nc\n');
    expect(ops.filter((o) => o.t !== '+').map((o) => o.line).join('')).toBe('a\nb\nc\na\nb\nb\na\n');
  });
  it('random edits replay exactly', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: rnd(25) }, () => `l${rnd(5)}\n`);
      const b = a.filter(() => rnd(5) > 0).map((l) => (rnd(10) === 0 ? `x${rnd(3)}\n` : l));
      const ops = diffLines(a, b);
      expect(ops.filter((o) => o.t !== '-').map((o) => o.line)).toEqual(b);
      expect(ops.filter((o) => o.t !== '+').map((o) => o.line)).toEqual(a);
    }
  });
});

describe('inputs', () => {
  it('the size limit is the server’s', () => {
    expect(MAX_FILE_BYTES).toBe(SERVER_MAX_FILE_BYTES);
  });
  it('finds the first byte that is not UTF-8', () => {
    const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
    expect(firstInvalidUtf8(enc('plain ascii\nand é, ✓, 𝄞'))).toBeUndefined();
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0x0a, 0x62, 0xff]))).toEqual({ offset: 3, line: 2, column: 2 });
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0x80]))).toEqual({ offset: 0, line: 1, column: 1 }); // overlong
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toEqual({ offset: 0, line: 1, column: 1 }); // surrogate
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xe2, 0x9c]))).toEqual({ offset: 1, line: 1, column: 2 }); // truncated
  });
});

describe('rule metadata', () => {
  it('covers every diagnostic code, with a summary and the docs link', () => {
    expect(RULE_METADATA.map((r) => r.code)).toEqual([...DIAGNOSTIC_CODES]);
    for (const r of RULE_METADATA) {
      expect(r.summary.length, r.code).toBeGreaterThan(10);
      expect(r.kernel.length, r.code).toBeGreaterThan(0);
      expect(r.href).toBe(`https://dmabuf-lens.dev/rules/${r.code}`);
    }
  });
});

describe('github annotations', () => {
  it('escapes data and properties', () => {
    expect(escapeData('50% a\r\nb')).toBe('50%25 a%0D%0Ab');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });
  it('gives 1-based positions with an inclusive end column', () => {
    const range = { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } };
    expect(annotation({ code: 'acs-redirect', severity: 'info', message: 'm', range, uri: 'file:///w/a.dmabuf' }, '/w')).toBe(
      '::notice file=a.dmabuf,line=3,col=5,endLine=3,endColumn=9,title=acs-redirect::m',
    );
    const toNextLine = { start: { line: 2, character: 4 }, end: { line: 3, character: 0 } };
    expect(annotation({ code: 'syntax-error', severity: 'error', message: 'm', range: toNextLine, uri: 'file:///w/a.dmabuf' }, '/w')).toBe(
      '::error file=a.dmabuf,line=3,col=5,endLine=3,title=syntax-error::m',
    );
  });
});
