// p2p-host-bridge: map type THRU_HOST_BRIDGE, the traffic crosses the root complex
// (calc_map_type_and_dist, cpu_supports_p2pdma, host_bridge_whitelist).
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { GPU_VRAM, NIC_VFIO, TRIGGERS, WHITELISTED, machine, model, share, twoHostBridges } from './models';

const HEAD = 'share db -> gpu0';

describe('p2p-host-bridge', () => {
  it('root ports of a whitelisted host bridge go through the root complex (host_bridge_whitelist)', () => {
    const { text } = TRIGGERS['p2p-host-bridge']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'p2p-host-bridge', {
      severity: 'warning',
      at: HEAD,
      share: 'db->gpu0',
      names: ['host_bridge_whitelist', '8086:2030', 'share no upstream bridge'],
      related: ['hb0'],
    });
    expectNamesKernel(f);
    // No IOMMU: dma-direct hands over the CPU physical BAR address (dma_direct_map_phys).
    expect(a.shares[0]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', addressKind: 'phys', ok: true, segments: [{ dma: 0x60_0000_0000n, length: 0x1_0000n }] });
  });

  it('near miss: under one switch without an IOMMU the TLPs turn around in the switch (BUS_ADDR)', () => {
    const a = analyzeText(model(machine({ tree: 'switch', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'p2p-host-bridge');
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR', addressKind: 'bus' });
  });

  it('an AMD Zen CPU allows it without the whitelist (cpu_supports_p2pdma)', () => {
    const text = model(machine({ cpu: 'amd family 0x19', tree: 'root-ports' }), NIC_VFIO, share('db', 'gpu0'));
    expectOne(text, analyzeText(text), 'p2p-host-bridge', { severity: 'warning', at: HEAD, names: ['cpu_supports_p2pdma'] });
  });

  it('two Skylake-SP host bridges are both whitelisted without REQ_SAME_HOST_BRIDGE: both are related', () => {
    const text = model(machine({ hostBridgeId: '8086:2030', ...twoHostBridges('8086:2020') }), NIC_VFIO, share('db', 'gpu0'));
    expectOne(text, analyzeText(text), 'p2p-host-bridge', { severity: 'warning', at: HEAD, names: ['host bridges', 'are on the P2PDMA whitelist'], related: ['hb1', 'hb0'] });
  });

  it('with an IOMMU and ACS redirect under a switch the importer gets an IOVA (kernel.md example 3: 0xffff0000)', () => {
    const text = model(machine({ iommu: 'vtd', tree: 'switch', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0'));
    const a = analyzeText(text);
    expectOne(text, a, 'p2p-host-bridge', { severity: 'warning', at: HEAD, names: ['ACS redirect', 'IOVA'] });
    expect(a.shares[0]).toMatchObject({ addressKind: 'iova', segments: [{ dma: 0xffff_0000n, length: 0x1_0000n }] });
  });

  it('amdgpu VRAM through the host bridge is reported the same way', () => {
    const text = model(machine({ tree: 'root-ports', hostBridgeId: WHITELISTED }), GPU_VRAM, share('frame', 'nic0'));
    expectOne(text, analyzeText(text), 'p2p-host-bridge', { severity: 'warning', at: 'share frame -> nic0' });
  });

  it('a map that fails is not reported as working through the host bridge', () => {
    const a = analyzeText(model(machine({ kernel: [], tree: 'root-ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'p2p-host-bridge');
    expect(findings(a, 'pin-unsupported')).toHaveLength(1);
  });
});
