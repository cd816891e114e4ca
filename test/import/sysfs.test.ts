// A dmabuf-snapshot folder (fixtures/sysfs-imac2020-titan-ridge, derived from a
// published listing: SOURCE.md) into a platform block, and the files the snapshot may
// hold beyond the PCI functions: cpuinfo, iomem, the IOMMU groups' types and drivers.

import { describe, expect, it } from 'vitest';
import { importSysfs } from '../../server/src/import/sysfs';
import { emitPlatform } from '../../server/src/import/emit';
import { ImportError } from '../../server/src/import/types';
import { expectWellFormed, importImac, importImacSysfs, importOf, lineOf, nameAt } from './helpers';

/** The model without its comments: what the engine reads. */
function statements(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s*\/\/.*$/, ''))
    .filter((l) => l.trim())
    .join('\n');
}

describe('dmabuf-snapshot of an iMac 2020', () => {
  const o = importImacSysfs();

  it('imports, formatted, the same machine as the lspci listing it was derived from', () => {
    expectWellFormed(o);
    expect(o.summary).toEqual({ hostBridges: 1, functions: 33, written: 32 });
    expect(statements(o.text)).toBe(statements(importImac().text));
  });

  it('reads the tree from the device paths, BARs from resource, ACS from the snapshot\u2019s lspci -vvvnn', () => {
    expect(lineOf(o.text, nameAt(o, '07:00.0'))).toMatch(/^switch sw1 07:00\.0 \{/);
    expect(o.text).toContain('gpu gpu0 03:00.0 id 1002:7340 {');
    expect(o.text).toContain('bar 0 0xa000_0000 size 256M prefetchable');
    expect(lineOf(o.text, nameAt(o, '08:02.0'))).toMatch(/acs_ctl sv uf/);
    expect(lineOf(o.text, nameAt(o, '09:00.0'))).toContain('driver thunderbolt');
    expect(o.notes).toContain('snapshot: derived from a published lspci -vvvnnPP listing (see ../SOURCE.md): no cpuinfo, cmdline, iomem, /sys/class/iommu or IOMMU group types');
  });

  it('finds the IOMMU on from its groups, and agrees with the real groups as the listing does', () => {
    expect(o.text).toMatch(/\/\/ TODO iommu: 21 IOMMU groups in \/sys\/kernel\/iommu_groups, so an IOMMU is on/);
    expect(o.groupCheck?.differences).toEqual(importImac().groupCheck?.differences);
    expect(o.groupCheck?.differences).toEqual([]);
  });

  it('without lspci in the snapshot: every port is marked ACS?, and the groups still compare', () => {
    const bare = importImacSysfs(['lspci-vvvnn.txt']);
    expectWellFormed(bare);
    expect(bare.text).toContain('// TODO acs: this source does not show ACS');
    expect(bare.text).not.toMatch(/ acs_ctl (?:sv|tb|rr|cr|uf|ec|dt)/);
    expect(lineOf(bare.text, 'rp1')).toBe('root_port rp1 00:1b.0 { // driver pcieport; ACS?');
    // Without ACS no port is isolated; on this machine every root port has one device or
    // one group below it anyway, except 00:1c.4: the Titan Ridge NHI and xHCI come out in
    // one group, where the kernel isolates them. The check says so.
    expect(bare.groupCheck!.differences).toHaveLength(1);
    expect(bare.groupCheck!.differences[0]).toMatch(/09:00\.0.*0a:00\.0.*in one group.*the kernel has them apart/);
    // Classes still come from sysfs.
    expect(nameAt(bare, '03:00.0')).toBe('gpu0');
  });
});

describe('snapshot files', () => {
  const one = {
    'pci/0000:00:00.0/class': '0x060000\n',
    'pci/0000:00:00.0/vendor': '0x1022\n',
    'pci/0000:00:00.0/device': '0x14a4\n',
    'pci/0000:00:00.0/path': 'devices/pci0000:00/0000:00:00.0\n',
    'pci/0000:00:01.1/class': '0x060400\n',
    'pci/0000:00:01.1/path': 'devices/pci0000:00/0000:00:01.1\n',
    'pci/0000:00:01.1/numa_node': '1\n',
    'pci/0000:01:00.0/class': '0x030000\n',
    'pci/0000:01:00.0/vendor': '0x10de\n',
    'pci/0000:01:00.0/device': '0x2204\n',
    'pci/0000:01:00.0/numa_node': '1\n',
    'pci/0000:01:00.0/iommu_group': '7\n',
    'pci/0000:01:00.0/path': 'devices/pci0000:00/0000:00:01.1/0000:01:00.0\n',
    'pci/0000:01:00.0/resource':
      '0x00000000fb000000 0x00000000fbffffff 0x0000000000040200\n0x0000006000000000 0x00000067ffffffff 0x000000000014220c\n0x0000000000000000 0x0000000000000000 0x0000000000000000\n0x0000000000000000 0x0000000000000000 0x0000000000000000\n0x0000000000000000 0x0000000000000000 0x0000000000000000\n0x000000000000f000 0x000000000000f07f 0x0000000000040101\n',
    'iommu_groups/7/devices': '0000:01:00.0\n',
    'iommu_groups/7/type': 'DMA-FQ\n',
    'iommu_groups/count': '1\n',
    'iommu_class': 'ivhd0\n',
    cpuinfo: 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n',
    iomem: '00001000-0009ffff : System RAM\n000a0000-000fffff : Reserved\nf0000000-fcffffff : PCI Bus 0000:00\n  fb000000-fbffffff : PCI Bus 0000:01\n100000000-107fffffff : System RAM\n6000000000-7fffffffff : PCI Bus 0000:00\n',
    cmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 iommu.strict=0 quiet\n',
  };

  it('reads cpuinfo, iomem windows and RAM, the IOMMU type and mode, NUMA nodes', () => {
    const o = importOf({ kind: 'sysfs', snapshotFiles: one });
    expectWellFormed(o);
    expect(o.text).toContain('cpu amd family 0x19 // /proc/cpuinfo: vendor_id AuthenticAMD, cpu family 25');
    expect(o.text).toContain('iommu amd-vi mode lazy // 1 IOMMU groups in /sys/kernel/iommu_groups; /sys/class/iommu: ivhd0; group type DMA-FQ');
    expect(o.text).toContain('memory ram0 0x1000 .. 0x9_ffff // System RAM in /proc/iomem');
    expect(o.text).toContain('memory ram1 0x1_0000_0000 .. 0x10_7fff_ffff // System RAM in /proc/iomem');
    expect(o.text).toContain('host_bridge hb0 id 1022:14a4 node 1 {');
    expect(o.text).toContain('window 0xf000_0000 .. 0xfcff_ffff\n    window 0x60_0000_0000 .. 0x7f_ffff_ffff');
    expect(o.text).not.toContain('window 0xfb00_0000'); // a child bus's window is not the host bridge's
    expect(o.text).toContain('bar 1 0x60_0000_0000 size 32G prefetchable');
    expect(o.text).toContain('// BAR 5: I/O ports at 0xf000 size 128 (port I/O is not modelled)');
    // With the windows written, no BAR lies outside them.
    expect(o.text).not.toContain('TODO window');
  });

  it('an empty iommu_groups: no IOMMU, said so; iomem read without root: noted, nothing invented', () => {
    const files: Record<string, string> = { ...one, 'iommu_groups/count': '0\n', iomem: '00000000-00000000 : System RAM\n00000000-00000000 : PCI Bus 0000:00\n' };
    delete files['iommu_groups/7/devices'];
    delete files['iommu_groups/7/type'];
    delete files['pci/0000:01:00.0/iommu_group'];
    const m = importSysfs(files);
    expect(m.iommu).toEqual({ present: false, type: undefined, mode: undefined, evidence: '/sys/kernel/iommu_groups is empty: no IOMMU translates DMA (kernel command line: iommu.strict=0)' });
    expect(m.notes).toContain('iomem was read without root (every address is 0): no windows or memory from it');
    const text = emitPlatform(m).text;
    expect(text).toContain('// no iommu statement: /sys/kernel/iommu_groups is empty');
    expect(text).toContain('// TODO window: not in this source');
  });

  it('refuses a folder that is not a snapshot', () => {
    expect(() => importSysfs({ 'README.txt': 'hello' })).toThrow(ImportError);
  });
});
