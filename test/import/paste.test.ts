// What users paste (server/src/import/paste.ts): every lspci form told by its content,
// the wrapping of a paste taken off, a cut-off tree said, a flat list never taken as a
// tree, and an IOMMU group listing beside a tree compared with the engine's groups.

import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanPaste, deviceForm, splitPaste } from '../../server/src/import/paste';
import { ESC8000A, FIXTURES, fixture, importEsc8000a, importOf, nameAt } from './helpers';

const IMAC_TREE = fixture('lspci-imac2020-titan-ridge', 'lspci-vvvnnPP.txt');

/** The iMac's kernel groups (the sysfs fixture's iommu_groups) as `find /sys/kernel/iommu_groups -type l` prints them. */
function imacFindListing(): string {
  const dir = join(FIXTURES, 'sysfs-imac2020-titan-ridge', 'snapshot', 'iommu_groups');
  const lines: string[] = [];
  for (const g of readdirSync(dir).filter((d) => /^\d+$/.test(d))) {
    for (const dev of readFileSync(join(dir, g, 'devices'), 'utf8').split('\n').filter(Boolean)) lines.push(`/sys/kernel/iommu_groups/${g}/devices/${dev}`);
  }
  return lines.join('\n') + '\n';
}

describe('pastes', () => {
  const tree = fixture(ESC8000A, 'tree.txt');
  const verbose = fixture(ESC8000A, 'verbose.txt');
  const plain = importEsc8000a().text;

  it('takes off CRLF, Markdown fences, quote markers and a common indent: the same model', () => {
    const wrapped = [
      '> ```',
      ...tree
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => `>     ${l}`),
      '> ```',
    ].join('\r\n');
    expect(cleanPaste(wrapped).split('\n').filter((l) => l.startsWith('-+-[0000:00]'))).toHaveLength(1);
    expect(importOf({ kind: 'lspci', tree: wrapped, verbose }).text).toBe(plain);
  });

  it('reads the tree and the device blocks from one text, in either order, with the prompts', () => {
    expect(importOf({ kind: 'lspci', tree: `${verbose}\n${tree}` }).text).toBe(plain);
    const parts = splitPaste(`${tree}\n${verbose}`);
    expect(parts.commands[0]).toBe('sonata@coyote2:~$ lspci -tv');
    expect(parts.tree.length).toBeGreaterThan(100);
  });

  it('names each device form by what its blocks hold', () => {
    const nnk = '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU116 [10de:21c4] (rev a1)\n\tSubsystem: ASUSTeK [1043:877f]\n\tKernel driver in use: vfio-pci\n';
    expect(deviceForm(splitPaste(nnk).devices).name).toBe('lspci -nnk');
    expect(deviceForm(splitPaste('00:00.0 Host bridge: Intel Corporation 440FX\n').devices).name).toBe('lspci');
    expect(deviceForm(splitPaste(verbose).devices)).toMatchObject({ name: 'lspci -vvv', busLines: false, capabilities: true });
  });

  it('says a tree cut off in the middle (the last line still has +- or |)', () => {
    const cut = tree.split('\n').slice(0, 40).join('\n');
    const o = importOf({ kind: 'lspci', tree: cut });
    expect(o.notes[0]).toMatch(/^warning: the lspci -t tree looks cut off: its last line \(".*"\) still has branches open/);
    expect(importOf({ kind: 'lspci', tree }).notes.some((n) => /cut off/.test(n))).toBe(false);
  });

  it('refuses a flat -nnk list as a tree, but takes its classes, ids and drivers beside one', () => {
    const nnk = '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation AD102GL [RTX 6000 Ada Generation] [10de:26b1] (rev a1)\n\tSubsystem: NVIDIA Corporation [10de:16a1]\n\tKernel driver in use: vfio-pci\n\tKernel modules: nouveau\n';
    expect(() => importOf({ kind: 'lspci', tree: nnk })).toThrow(/this is the output of lspci -nnk: a flat list \(1 function on 1 bus\)/);
    const o = importOf({ kind: 'lspci', tree, verbose: nnk });
    expect(o.text).toContain(`gpu ${nameAt(o, '01:00.0')} 01:00.0 id 10de:26b1 // NVIDIA Corporation AD102GL [RTX 6000 Ada Generation]; driver vfio-pci`);
    // A -k block shows no capabilities: ACS stays unknown, not "no ACS capability".
    expect(o.text).not.toContain('no ACS capability');
  });

  it('says a function the tree shows twice (two listings in one paste)', () => {
    const twice = `${tree}\n${tree}`;
    const o = importOf({ kind: 'lspci', tree: twice });
    expect(o.notes).toContain('warning: the tree shows 0000:00:00.0 twice (lines 1 and 146): two listings in one input? the second is left out');
    expect(o.summary).toEqual(importOf({ kind: 'lspci', tree }).summary);
  });
});

describe('an IOMMU group listing beside a tree (iMac 2020, kernel 6.12 groups)', () => {
  // The -PP tree without its IOMMU group lines, so the groups come from the listing only.
  const treeOnly = IMAC_TREE.split('\n').filter((l) => !/IOMMU group:/.test(l)).join('\n');

  it('reads `find /sys/kernel/iommu_groups -type l` and compares it with the engine: 20 endpoints, 11 groups, no difference', () => {
    const o = importOf({ kind: 'lspci', tree: treeOnly, groups: imacFindListing() });
    expect(o.groupCheck).toMatchObject({ compared: 20, realGroups: 11, differences: [] });
    expect(o.text).toContain('the IOMMU group listing shows groups');
  });

  it('reads the "IOMMU Group N:" loop too, and reports where the engine differs', () => {
    const loop = imacFindListing()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [, g, dev] = /iommu_groups\/(\d+)\/devices\/0000:(.*)$/.exec(l)!;
        return `IOMMU Group ${g}:\n\t${dev} Device [0000]: listed`;
      })
      .join('\n');
    const same = importOf({ kind: 'lspci', tree: treeOnly, groups: loop });
    expect(same.groupCheck).toMatchObject({ compared: 20, realGroups: 11, differences: [] });
    // Two endpoints the kernel isolates, put in one group: one difference naming them.
    const merged = loop.replace(/IOMMU Group (\d+):\n\t(06:00\.0)/, 'IOMMU Group 1:\n\t$2');
    const diff = importOf({ kind: 'lspci', tree: treeOnly, groups: merged });
    expect(diff.groupCheck!.differences.length).toBeGreaterThan(0);
  });

  it('refuses a groups input that holds no listing', () => {
    expect(() => importOf({ kind: 'hwloc', xml: fixture('hwloc-nvidia-dgx2', 'nvidiaDGX2.xml'), groups: 'nothing here\n' })).toThrow(/holds no IOMMU group listing/);
  });
});
