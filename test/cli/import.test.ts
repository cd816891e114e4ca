// `dmabuf-lint import` end to end: the bundled CLI (dist/cli.js) and server, the
// fixtures of test/import/fixtures, the files written, the warnings, the exit codes.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { format } from '../../server/src/syntax/format';
import { parse } from '../../server/src/syntax/parser';
import { expectOneLine, lint, ROOT } from './run';

const F = join(ROOT, 'test/import/fixtures');

describe('dmabuf-lint import', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'dmabuf-import-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('--lspci TREE --verbose VVV -o OUT: writes a formatted model, exit 0', () => {
    const out = join(tmp, 'esc.dmabuf');
    const r = lint(['import', '--lspci', join(F, 'lspci-asus-esc8000a-e12/tree.txt'), '--verbose', join(F, 'lspci-asus-esc8000a-e12/verbose.txt'), '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`dmabuf-lint: wrote ${out}: 190 of 198 PCI functions under 8 host bridges; see its TODO comments`);
    const text = readFileSync(out, 'utf8');
    expect(parse(text).errors).toEqual([]);
    expect(format(text)).toEqual({ ok: true, text });
    expect(text).toContain('gpu gpu0 01:00.0 {');
  });

  it('prints to stdout without -o, and the group check: the engine forms the kernel\u2019s groups', () => {
    const r = lint(['import', '--lspci', join(F, 'lspci-imac2020-titan-ridge/lspci-vvvnnPP.txt')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ Imported by dmabuf-lint import from lspci -vvvnn\./);
    expect(r.stderr).toContain('dmabuf-lint: IOMMU groups: 20 endpoints in 11 kernel groups, the engine forms the same groups');
  });

  it('prints every group difference as a warning naming the devices (a snapshot without lspci has no ACS bits)', () => {
    const snap = join(tmp, 'snapshot-no-lspci');
    cpSync(join(F, 'sysfs-imac2020-titan-ridge/snapshot'), snap, { recursive: true });
    rmSync(join(snap, 'lspci-vvvnn.txt'));
    const r = lint(['import', '--sysfs', snap]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("dmabuf-lint: warning: IOMMU groups: 20 endpoints compared, 1 difference between the kernel's groups and the engine's:");
    expect(r.stderr).toMatch(/dmabuf-lint: warning: the engine puts \w+ \(09:00\.0\), \w+ \(0a:00\.0\) in one group/);
  });

  it('--sysfs DIR and --hwloc FILE', () => {
    const s = lint(['import', '--sysfs', join(F, 'sysfs-imac2020-titan-ridge/snapshot'), '--name', 'imac']);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toContain('platform imac {');
    expect(s.stderr).toContain('dmabuf-lint: note: snapshot: derived from a published lspci -vvvnnPP listing');
    const h = lint(['import', '--hwloc', join(F, 'hwloc-nvidia-dgx2/nvidiaDGX2.xml')]);
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toContain('host_bridge hb0 id 8086:2030 node 0 {');
  });

  it('exit 2: no source, two sources, --verbose without --lspci, an unknown option', () => {
    for (const args of [
      ['import'],
      ['import', '--lspci', 'a', '--hwloc', 'b'],
      ['import', '--hwloc', join(F, 'hwloc-nvidia-dgx2/nvidiaDGX2.xml'), '--verbose', 'x'],
      ['import', '--lspci', 'a', '--frobnicate'],
      ['import', '--lspci'],
    ]) {
      const r = lint(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(expectOneLine(r)).toMatch(/^dmabuf-lint: .*\(see dmabuf-lint import --help\)$/);
    }
  });

  it('exit 2: a file that cannot be read, an input that is not the output named, a bad name', () => {
    const junk = join(tmp, 'junk.txt');
    writeFileSync(junk, 'this is not lspci output\n');
    const fifo = join(tmp, 'fifo.txt');
    execFileSync('mkfifo', [fifo]);
    const cases: [string[], RegExp][] = [
      [['import', '--lspci', join(tmp, 'missing.txt')], /cannot read '.*missing\.txt': no such file or directory/],
      [['import', '--lspci', junk], /cannot import: nothing in the input is lspci output: no tree line such as/],
      // Opened without blocking: a FIFO is refused at once, not waited on (issue 27).
      [['import', '--lspci', fifo], /cannot read '.*fifo\.txt': not a regular file/],
      [['import', '--hwloc', fifo], /cannot read '.*fifo\.txt': not a regular file/],
      [['import', '--hwloc', junk], /cannot import: the file is not well-formed XML|cannot import: no <topology>/],
      [['import', '--sysfs', tmp], /cannot import: no pci\/DOMAIN:BUS:DEV\.FN\/ entries/],
      [['import', '--sysfs', junk], /is not a directory/],
      [['import', '--lspci', join(F, 'lspci-imac2020-titan-ridge/lspci-vvvnnPP.txt'), '--name', 'gpu'], /'gpu' is not a platform name/],
    ];
    for (const [args, re] of cases) {
      const r = lint(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(expectOneLine(r)).toMatch(re);
    }
  });

  it('does not overwrite OUT without --force', () => {
    const out = join(tmp, 'exists.dmabuf');
    writeFileSync(out, 'keep me\n');
    const args = ['import', '--hwloc', join(F, 'hwloc-nvidia-dgx2/nvidiaDGX2.xml'), '-o', out];
    const r = lint(args);
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toMatch(/exists: give --force to overwrite it/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    const f = lint([...args, '--force']);
    expect(f.status, f.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^\/\/ Imported by dmabuf-lint import/);
  });

  it('--help prints the import usage; the main usage names the command', () => {
    const h = lint(['import', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: dmabuf-lint import --lspci TREE \[--verbose VVV\]/);
    expect(lint(['--help']).stdout).toContain('import --lspci TREE [--verbose VVV] | --sysfs DIR | --hwloc FILE [-o OUT]');
  });
});
