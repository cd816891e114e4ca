// The CLI's pure parts: option parsing, globs, the choice of root files.

import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../cli/src/args';
import { globToRegExp } from '../../cli/src/discover';
import { chooseRoots } from '../../cli/src/roots';

describe('parseArgs', () => {
  it('defaults to pretty output of the current directory', () => {
    expect(parseArgs([])).toMatchObject({ format: 'pretty', paths: ['.'], color: undefined, rules: {} });
  });
  it('reads --format both ways, --no-color, --rule and paths after --', () => {
    expect(parseArgs(['--format=json', 'a', '--no-color', '--rule', 'acs-redirect=off', '--', '--weird'])).toMatchObject({
      format: 'json',
      color: false,
      rules: { 'acs-redirect': 'off' },
      paths: ['a', '--weird'],
    });
  });
  it('refuses what it does not know', () => {
    expect(() => parseArgs(['--nope'])).toThrow(UsageError);
    expect(() => parseArgs(['--format', 'xml'])).toThrow(UsageError);
    expect(() => parseArgs(['--rule', 'acs-redirect=loud'])).toThrow(UsageError);
    expect(() => parseArgs(['--rule', 'no-such-code=off'])).toThrow(UsageError);
    expect(() => parseArgs(['-'])).toThrow(UsageError);
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
});
