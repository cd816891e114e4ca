// The hwloc XML of an NVIDIA DGX-2H (hwloc's own test suite, fixtures/hwloc-nvidia-dgx2)
// into a platform block: host bridges and their root devices, the PEX switches, GPUs and
// NVSwitches, NUMA nodes from the packages, the CPU; and what hwloc cannot tell.

import { describe, expect, it } from 'vitest';
import { importHwloc, singleNode } from '../../server/src/import/hwloc';
import { ImportError } from '../../server/src/import/types';
import { bridgesOnPath, expectWellFormed, importDgx2, lineOf, nameAt, p2pShares } from './helpers';

describe('hwloc XML of an NVIDIA DGX-2H', () => {
  const o = importDgx2();

  it('imports every PCI object, formatted, and the CPU of the packages', () => {
    expectWellFormed(o);
    expect(o.summary).toEqual({ hostBridges: 4, functions: 84, written: 84 });
    expect(o.text).toContain('cpu intel family 0x6 // hwloc Package info: CPUVendor GenuineIntel, CPUFamilyNumber 6');
  });

  it('gives each host bridge the id of its root port at 00.0 and the NUMA node of its package', () => {
    expect(o.text).toContain('host_bridge hb0 id 8086:2030 node 0 { // PCI bus 0000:2b');
    expect(o.text).toContain('host_bridge hb1 id 8086:2030 node 0 { // PCI bus 0000:4e');
    expect(o.text).toContain('host_bridge hb2 id 8086:2030 node 1 { // PCI bus 0000:ae');
    expect(o.text).toContain('host_bridge hb3 id 8086:2030 node 1 { // PCI bus 0000:d7');
  });

  it('writes the two levels of PEX switches, 16 GPUs and the NVSwitches', () => {
    expect(lineOf(o.text, nameAt(o, '2c:00.0'))).toBe('switch sw0 2c:00.0 {');
    expect(lineOf(o.text, nameAt(o, '2d:04.0'))).toBe('port dp0 2d:04.0 { // ACS?');
    expect(lineOf(o.text, nameAt(o, '32:00.0'))).toBe('switch sw1 32:00.0 {');
    expect(lineOf(o.text, nameAt(o, '34:00.0'))).toBe('gpu gpu0 34:00.0 id 10de:1db8 // nvml0: Tesla V100-SXM3-32GB-H');
    expect(nameAt(o, 'e7:00.0')).toBe('gpu15');
    expect(o.text.match(/^\s*gpu gpu\d+ /gm)).toHaveLength(16);
    expect(lineOf(o.text, nameAt(o, '61:00.0'))).toBe(`endpoint ${nameAt(o, '61:00.0')} 61:00.0 id 10de:1ac2 // NVSwitch`);
    // An NVSwitch hwloc read no ids for: written without one.
    expect(lineOf(o.text, nameAt(o, '66:00.0'))).toBe(`endpoint ${nameAt(o, '66:00.0')} 66:00.0 // NVSwitch`);
    expect(o.notes).toContain('0000:66:00.0: hwloc read no class or ids (pci_type "0000 [0000:0000] [0000:0000] 00 00")');
  });

  it('writes a TODO for what hwloc cannot tell: iommu, memory addresses, windows, BARs, ACS', () => {
    expect(o.text).toContain('// TODO iommu: not in this source');
    expect(o.text).toContain('// TODO memory: the source gives sizes only (node 0 754.6 GiB, node 1 756.0 GiB)');
    expect(o.text).toContain('// TODO window: not in this source, and it shows no BARs below this bridge: add `window A .. B` for each `PCI Bus 0000:2b` line');
    expect(o.text).toContain('// TODO acs: this source does not show ACS');
    expect(o.text).not.toMatch(/^\s*bar /m);
    expect(o.notes).toContain('hwloc records no BARs, no ACS and no IOMMU groups; lstopo keeps only the PCI objects it finds important unless run with --whole-io');
    expect(o.groupCheck).toBeUndefined();
  });

  it('places GPUs for the engine: under one PEX switch, across host bridges, across sockets', () => {
    // hwloc records no BARs and the source states no P2P verdict: the route only.
    const withBar = o.text.replace('gpu gpu0 34:00.0 id 10de:1db8 // nvml0: Tesla V100-SXM3-32GB-H', 'gpu gpu0 34:00.0 id 10de:1db8 { bar 0 0x1000_0000_0000 size 16M }');
    const [same, node, sys] = p2pShares(withBar, [
      { exporter: 'gpu0', importer: 'gpu1', bar: 0 },
      { exporter: 'gpu0', importer: 'gpu4', bar: 0 },
      { exporter: 'gpu0', importer: 'gpu8', bar: 0 },
    ]);
    expect(same!.mapType).toBe('BUS_ADDR');
    expect(same!.path).toEqual(['gpu0', 'dp1', 'sw1', 'dp2', 'gpu1']);
    expect(bridgesOnPath(node!)).toEqual(['hb0', 'hb1']);
    expect(bridgesOnPath(sys!)).toEqual(['hb0', 'hb2']);
    // 8086:2030 (Skylake-E) is whitelisted across host bridges.
    expect(node!.mapType).toBe('THRU_HOST_BRIDGE');
    expect(sys!.mapType).toBe('THRU_HOST_BRIDGE');
  });
});

describe('hwloc parsing', () => {
  it('reads nodesets of one node only', () => {
    expect(singleNode('0x00000002')).toBe(1);
    expect(singleNode('0x00000001,0x00000000')).toBe(32);
    expect(singleNode('0x00000003')).toBeUndefined();
    expect(singleNode(undefined)).toBeUndefined();
  });

  it('refuses what is not lstopo XML', () => {
    expect(() => importHwloc('<topology version="2.0"><object type="Machine"/></topology>')).toThrow(/no PCI objects/);
    expect(() => importHwloc('<notxml')).toThrow(ImportError);
    expect(() => importHwloc('<?xml version="1.0"?><foo/>')).toThrow(ImportError);
  });
});
