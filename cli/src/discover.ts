// From the command line's paths and globs to the list of files to check.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { reason } from './inputs';

export class PathError extends Error {}

export interface Candidate {
  /** Absolute path. */
  readonly abs: string;
  /** The path printed: relative to the current directory, with '/' separators. */
  readonly shown: string;
}

const EXT = '.dmabuf';

export function shownPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs) || '.';
  return rel.split(path.sep).join('/');
}

function isGlob(p: string): boolean {
  return /[*?[\]{}]/.test(p);
}

function skipDir(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** Every *.dmabuf file below `dir`, sorted, depth first. */
function walk(dir: string, out: string[], seen: Set<string>): void {
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return;
  }
  if (seen.has(real)) return; // a symlink loop
  seen.add(real);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new PathError(`cannot read '${dir}': ${reason(e)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const st = fs.statSync(p);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue; // a dangling link
      }
    }
    if (isDir && !skipDir(e.name)) walk(p, out, seen);
    else if (isFile && e.name.endsWith(EXT)) out.push(p);
  }
}

/** A glob as a regular expression over '/'-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let braces = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          re += i + 2 === glob.length ? '.*' : '(?:[^/]*/)*';
          i += i + 2 === glob.length ? 2 : 3;
          continue;
        }
      }
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        i++;
      } else {
        let body = glob.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = close + 1;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
      i++;
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
      i++;
    } else if (c === ',' && braces > 0) {
      re += '|';
      i++;
    } else {
      re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp('^' + re + '$');
}

function expandGlob(pattern: string, cwd: string): string[] {
  const norm = pattern.split(path.sep).join('/');
  const segments = norm.split('/');
  const fixed: string[] = [];
  while (segments.length > 1 && !isGlob(segments[0]!)) fixed.push(segments.shift()!);
  const base = path.resolve(cwd, fixed.length > 0 ? (fixed.join('/') || '/') : '.');
  const re = globToRegExp(segments.join('/'));
  const found: string[] = [];
  const visit = (dir: string, rel: string, depth: number) => {
    if (depth > 64) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const p = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = fs.statSync(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
        if (isDir) continue; // globs do not follow directory links
      }
      if (isFile && re.test(r)) found.push(p);
      else if (isDir && !skipDir(e.name)) visit(p, r, depth + 1);
    }
  };
  visit(base, '', 0);
  return found;
}

/** The files to check, in command-line order, each once. Throws PathError for a bad path. */
export function discover(args: readonly string[], cwd: string): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (abs: string) => {
    if (seen.has(abs)) return;
    seen.add(abs);
    out.push({ abs, shown: shownPath(abs, cwd) });
  };
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      if (isGlob(arg)) {
        const matches = expandGlob(arg, cwd);
        if (matches.length === 0) throw new PathError(`no file matches '${arg}'`);
        matches.forEach(add);
        continue;
      }
      throw new PathError(`cannot read '${arg}': ${reason(e)}`);
    }
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(abs, files, new Set());
      files.forEach(add);
    } else if (st.isFile()) {
      try {
        fs.accessSync(abs, fs.constants.R_OK);
      } catch (e) {
        throw new PathError(`cannot read '${arg}': ${reason(e)}`);
      }
      add(abs);
    } else {
      throw new PathError(`cannot read '${arg}': not a regular file or a folder`);
    }
  }
  return out;
}
