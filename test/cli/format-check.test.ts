// dmabuf-lint --format-check: the server's formatting, compared by the CLI.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { format } from '../../server/src/syntax/format';
import { lint, ROOT } from './run';

const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-fmt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The canonical layout of a sample, by the same formatter the server uses. */
function formatted(sample: string): string {
  const r = format(readFileSync(join(ROOT, sample), 'utf8'));
  if (!r.ok) throw new Error(`${sample} does not format`);
  return r.text;
}

describe('dmabuf-lint --format-check', () => {
  it('a formatted file: exit 0, nothing but the count', () => {
    const dir = join(tmp, 'ok');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.dmabuf'), formatted('samples/01-vfio-switch.dmabuf'));
    const r = lint(['--format-check', 'a.dmabuf'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 file checked: all formatted\n');
    expect(r.status).toBe(0);
  }, 60000);

  it('an unformatted file: a unified diff that turns it into the formatted text, exit 1', () => {
    const dir = join(tmp, 'bad');
    mkdirSync(dir, { recursive: true });
    const good = formatted('samples/01-vfio-switch.dmabuf');
    // The same model with a few layout changes.
    const messy = good.replace('  cpu intel\n', '  cpu    intel\n').replace('share doorbells -> gpu0 {', 'share doorbells->gpu0 {');
    expect(messy).not.toBe(good);
    writeFileSync(join(dir, 'a.dmabuf'), messy);
    writeFileSync(join(dir, 'b.dmabuf'), formatted('samples/04-iova-sequence.dmabuf'));
    const r = lint(['--format-check', '.'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('--- a.dmabuf\n+++ a.dmabuf (formatted)\n@@ ');
    expect(r.stdout).toContain('\n-  cpu    intel\n+  cpu intel\n');
    expect(r.stdout).toContain('\n-share doorbells->gpu0 {\n+share doorbells -> gpu0 {\n');
    expect(r.stdout).not.toContain('b.dmabuf');
    expect(r.stdout).toMatch(/\n2 files checked, 1 not formatted\n$/);
    expect(applyUnifiedDiff(messy, r.stdout)).toBe(good);
    // The file itself is left alone.
    expect(readFileSync(join(dir, 'a.dmabuf'), 'utf8')).toBe(messy);
  }, 60000);

  it('a file with syntax errors is reported as not formatted', () => {
    const dir = join(tmp, 'syntax');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'broken.dmabuf'), 'platform p {\n  cpu intel2\n}\n');
    const r = lint(['--format-check', 'broken.dmabuf'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('broken.dmabuf: not formatted: has syntax errors\n1 file checked, 1 not formatted\n');
  }, 60000);

  it('checks the files a root uses, once each', () => {
    const dir = join(tmp, 'use');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    const good = formatted('samples/01-vfio-switch.dmabuf');
    const cut = good.indexOf('buffer doorbells');
    writeFileSync(join(dir, 'lib/machine.dmabuf'), good.slice(0, cut).replace('  cpu intel\n', '  cpu   intel\n'));
    writeFileSync(join(dir, 'main.dmabuf'), 'use "lib/machine.dmabuf"\n\n' + good.slice(cut));
    writeFileSync(join(dir, 'other.dmabuf'), 'use "lib/machine.dmabuf"\n');
    // Only main.dmabuf is given: the used file is checked through it.
    const r = lint(['--format-check', 'main.dmabuf', 'other.dmabuf'], { cwd: dir });
    expect(r.stdout).toContain('--- lib/machine.dmabuf\n');
    expect(r.stdout.match(/--- lib\/machine\.dmabuf/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/\n3 files checked, 1 not formatted\n$/);
    expect(r.status).toBe(1);
  }, 60000);
});

/** Applies the hunks of a unified diff to `text` (the test's own reading of the format). */
function applyUnifiedDiff(text: string, diff: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let at = 0;
  const d = diff.split('\n');
  for (let i = 0; i < d.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(d[i]!);
    if (!m) continue;
    const start = Number(m[1]) - (m[2] === '0' ? 0 : 1);
    while (at < start) out.push(lines[at++]!);
    for (i++; i < d.length && /^[ +-]/.test(d[i]!) && !d[i]!.startsWith('--- '); i++) {
      const l = d[i]!;
      if (l[0] === ' ') {
        expect(lines[at]).toBe(l.slice(1));
        out.push(lines[at++]!);
      } else if (l[0] === '-') {
        expect(lines[at]).toBe(l.slice(1));
        at++;
      } else out.push(l.slice(1));
    }
    i--;
  }
  while (at < lines.length) out.push(lines[at++]!);
  return out.join('\n');
}
