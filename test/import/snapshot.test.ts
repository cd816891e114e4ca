// bin/dmabuf-snapshot against a fake /sys and /proc built from the sysfs fixture: it
// must write back the fixture's files (a round trip), read only, and its folder must
// import as the fixture does.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';
import { FIXTURES, IMAC_SYSFS, importImacSysfs, importOf, readTree } from './helpers';

const SCRIPT = resolve(__dirname, '../../bin/dmabuf-snapshot');
const SNAPSHOT = join(FIXTURES, IMAC_SYSFS, 'snapshot');

/** A listing of every path below `dir` with its size, to see that nothing changed. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = lstatSync(p);
      out.push(`${p.slice(dir.length)} ${st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** A fake /sys (and empty /proc) with the fixture's functions, groups and drivers. */
function fakeRoot(root: string): { sys: string; proc: string } {
  const sys = join(root, 'sys');
  const proc = join(root, 'proc');
  mkdirSync(join(sys, 'bus/pci/devices'), { recursive: true });
  mkdirSync(join(sys, 'bus/pci/drivers'), { recursive: true });
  mkdirSync(join(sys, 'kernel/iommu_groups'), { recursive: true });
  mkdirSync(join(sys, 'class/iommu'), { recursive: true });
  mkdirSync(proc, { recursive: true });
  const files = readTree(SNAPSHOT);
  const bdfs = [...new Set(Object.keys(files).filter((p) => p.startsWith('pci/')).map((p) => p.split('/')[1]!))];
  for (const bdf of bdfs) {
    const dir = join(sys, files[`pci/${bdf}/path`]!.trim());
    mkdirSync(dir, { recursive: true });
    for (const f of ['class', 'vendor', 'device', 'resource']) writeFileSync(join(dir, f), files[`pci/${bdf}/${f}`]!);
    symlinkSync(dir, join(sys, 'bus/pci/devices', bdf));
    const driver = files[`pci/${bdf}/driver`]?.trim();
    if (driver) {
      mkdirSync(join(sys, 'bus/pci/drivers', driver), { recursive: true });
      symlinkSync(join(sys, 'bus/pci/drivers', driver), join(dir, 'driver'));
    }
    const group = files[`pci/${bdf}/iommu_group`]?.trim();
    if (group) {
      const g = join(sys, 'kernel/iommu_groups', group);
      mkdirSync(join(g, 'devices'), { recursive: true });
      symlinkSync(dir, join(g, 'devices', bdf));
      symlinkSync(g, join(dir, 'iommu_group'));
    }
  }
  return { sys, proc };
}

describe('bin/dmabuf-snapshot', () => {
  let tmp: string;
  let roots: { sys: string; proc: string };
  let lspci: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'dmabuf-snapshot-'));
    roots = fakeRoot(join(tmp, 'root'));
    // A stand-in for lspci that prints the published listing for -vvvnn.
    lspci = join(tmp, 'lspci');
    writeFileSync(lspci, `#!/bin/sh\ncase "$1" in -vvvnn) cat '${join(SNAPSHOT, 'lspci-vvvnn.txt')}' ;; *) : ;; esac\n`);
    chmodSync(lspci, 0o755);
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('sh', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, SYSFS_ROOT: roots.sys, PROC_ROOT: roots.proc, LSPCI: lspci, ...env } });

  it('is a POSIX sh script that only reads', () => {
    const text = readFileSync(SCRIPT, 'utf8');
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toMatch(/^set -eu$/m);
    expect(spawnSync('sh', ['-n', SCRIPT]).status).toBe(0);
    // Nothing but the output folder is written: every redirection goes into "$OUT" ($dst is "$OUT/pci/…").
    for (const m of text.matchAll(/>>?\s*("?)([^\s;&|)]+)\1/g)) {
      if (m[2] === '/dev/null' || m[2] === '&2') continue;
      expect(m[2], m[0]).toMatch(/^\$(?:OUT|dst)\//);
    }
  });

  it('writes back the fixture: every file of every function, the groups, the lspci output', () => {
    const before = listing(roots.sys);
    const out = join(tmp, 'snap');
    const r = run([out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`dmabuf-snapshot: wrote ${out} (33 PCI functions, 21 IOMMU groups)`);
    expect(listing(roots.sys)).toEqual(before);
    const got = readTree(out);
    const want = readTree(SNAPSHOT);
    for (const [p, text] of Object.entries(want)) {
      if (p === 'notes' || p === 'VERSION') continue;
      expect(got[p], p).toBe(text);
    }
    expect(got['VERSION']).toBe('dmabuf-snapshot 1\n');
    expect(got['iommu_class']).toBe('');
    expect(got['notes']).toMatch(/cpuinfo: not readable/);
    expect(got['notes']).toMatch(/iomem: not readable/);
    // And it imports as the fixture does, but for this kernel's release (uname -r here).
    expect(got['kernel']).toBe(`${spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout}`);
    const { kernel: _k, config: _c, config_source: _s, ...rest } = got;
    expect(importOf({ kind: 'sysfs', snapshotFiles: rest }).text).toBe(importImacSysfs().text);
  });

  it('copies cpuinfo, cmdline and iomem, and says when iomem hides its addresses', () => {
    writeFileSync(join(roots.proc, 'cpuinfo'), 'vendor_id\t: GenuineIntel\ncpu family\t: 6\n');
    writeFileSync(join(roots.proc, 'cmdline'), 'quiet intel_iommu=on\n');
    writeFileSync(join(roots.proc, 'iomem'), '00000000-00000000 : System RAM\n00000000-00000000 : PCI Bus 0000:00\n');
    const out = join(tmp, 'snap2');
    const r = run([out], { LSPCI: '' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'cpuinfo'), 'utf8')).toContain('GenuineIntel');
    expect(readFileSync(join(out, 'cmdline'), 'utf8')).toBe('quiet intel_iommu=on\n');
    expect(readFileSync(join(out, 'notes'), 'utf8')).toContain('iomem: read without root, every address is 0');
    expect(existsSync(join(out, 'lspci-vvvnn.txt'))).toBe(false);
    const m = importOf({ kind: 'sysfs', snapshotFiles: readTree(out) });
    expect(m.text).toContain('cpu intel family 0x6 // /proc/cpuinfo: vendor_id GenuineIntel, cpu family 6');
  });

  it('captures the kernel: release, the IOMMU words of the command line, the config that matters', () => {
    const release = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
    const boot = join(tmp, 'boot');
    mkdirSync(boot, { recursive: true });
    writeFileSync(join(boot, `config-${release}`), 'CONFIG_PCI=y\nCONFIG_PCI_P2PDMA=y\nCONFIG_DMABUF_MOVE_NOTIFY=y\n# CONFIG_IOMMU_DEFAULT_PASSTHROUGH is not set\nCONFIG_IOMMU_DEFAULT_DMA_LAZY=y\nCONFIG_DRM=m\n');
    writeFileSync(join(roots.proc, 'cmdline'), 'BOOT_IMAGE=/vmlinuz quiet intel_iommu=on iommu.forcedac=1 pci=noaer,disable_acs_redir=0000:00:01.0;02:00.0\n');
    const out = join(tmp, 'snap-kernel');
    const r = run([out], { LSPCI: '', BOOT_ROOT: boot });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'config'), 'utf8')).toBe('CONFIG_PCI_P2PDMA=y\nCONFIG_DMABUF_MOVE_NOTIFY=y\n# CONFIG_IOMMU_DEFAULT_PASSTHROUGH is not set\nCONFIG_IOMMU_DEFAULT_DMA_LAZY=y\n');
    const m = importOf({ kind: 'sysfs', snapshotFiles: readTree(out) });
    expect(m.text).toContain(`// kernel release ${release} (uname -r)`);
    expect(m.text).toContain('// /proc/cmdline intel_iommu=on');
    expect(m.text).toContain(`// /boot/config-${release}: CONFIG_IOMMU_DEFAULT_DMA_LAZY=y`);
    // iommu.forcedac=1: iommu_dma_forcedac_setup (drivers/iommu/dma-iommu.c); pci=disable_acs_redir=: pci_disable_acs_redir (drivers/pci/pci.c).
    expect(m.text).toContain('  kernel {\n    forcedac // /proc/cmdline iommu.forcedac=1\n    disable_acs_redir 00:01.0, 02:00.0 // /proc/cmdline pci=disable_acs_redir=0000:00:01.0;02:00.0\n    move_notify // /boot/config-');
    const a = analyzeText(m.text);
    expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('refuses a folder that is not empty, and a second folder; prints its help', () => {
    const out = join(tmp, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'x'), 'x');
    const r = run([out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/exists and is not empty/);
    expect(run(['a', 'b']).status).toBe(2);
    const h = run(['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^dmabuf-snapshot: copies what `dmabuf-lint import --sysfs DIR` reads/);
    expect(dirname(SCRIPT)).toMatch(/bin$/);
  });
});
