// p2p-not-supported: map type NOT_SUPPORTED and the exporter cannot fall back, so the map
// fails (calc_map_type_and_dist, host_bridge_whitelist; dma_buf_phys_vec_to_sgt returns -EINVAL).
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { GPU_VRAM, NIC_VFIO, TRIGGERS, WHITELISTED, machine, model, share, tree, twoHostBridges } from './models';

const HEAD = 'share db -> gpu0';

describe('p2p-not-supported', () => {
  it('vfio-pci fails across root ports of a host bridge off the whitelist (calc_map_type_and_dist, dma_buf_phys_vec_to_sgt)', () => {
    const { text } = TRIGGERS['p2p-not-supported']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'p2p-not-supported', {
      severity: 'error',
      at: HEAD,
      share: 'db->gpu0',
      names: ['pci_p2pdma_map_type', 'dma_buf_phys_vec_to_sgt', 'NOT_SUPPORTED'],
      related: ['hb0'],
    });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ mapType: 'NOT_SUPPORTED', ok: false, addressKind: 'none', distance: 4, path: ['nic0', 'rp1', 'hb0', 'rp0', 'gpu0'] });
  });

  it('near miss: a whitelisted root device (8086:2030) allows the host-bridge path (host_bridge_whitelist)', () => {
    const a = analyzeText(model(machine({ tree: 'root-ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'p2p-not-supported');
    expect(a.shares[0]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', ok: true });
  });

  it('near miss: both devices under one switch without an IOMMU turn around in the switch (BUS_ADDR)', () => {
    const a = analyzeText(model(machine({ tree: 'switch' }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'p2p-not-supported');
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR', ok: true });
  });

  it('REQ_SAME_HOST_BRIDGE: Xeon E5 v3 (8086:2f00) works within one host bridge, not across two (__host_bridge_whitelist)', () => {
    const same = model(machine({ tree: 'root-ports', hostBridgeId: '8086:2f00' }), NIC_VFIO, share('db', 'gpu0'));
    expectNone(analyzeText(same), 'p2p-not-supported');
    const across = model(machine({ hostBridgeId: '8086:2f00', ...twoHostBridges('8086:2f00') }), NIC_VFIO, share('db', 'gpu0'));
    expectOne(across, analyzeText(across), 'p2p-not-supported', { severity: 'error', at: HEAD, related: ['hb1', 'hb0'] });
  });

  it('cpu_supports_p2pdma: AMD family 0x19 allows any host-bridge path, family 0x15 and Hygon do not', () => {
    const on = (cpu: string) => analyzeText(model(machine({ cpu, tree: 'root-ports' }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(on('amd family 0x19'), 'p2p-not-supported');
    expect(findings(on('amd family 0x15'), 'p2p-not-supported')).toHaveLength(1);
    expect(findings(on('hygon family 0x18'), 'p2p-not-supported')).toHaveLength(1);
  });

  it('ACS redirect under a common switch with a host bridge off the whitelist fails too (pci_bridge_has_acs_redir)', () => {
    const text = model(machine({ iommu: 'vtd', tree: 'ports' }), NIC_VFIO, share('db', 'gpu0'));
    const a = analyzeText(text);
    expectOne(text, a, 'p2p-not-supported', { severity: 'error', at: HEAD });
    expect(findings(a, 'acs-redirect')).toHaveLength(1);
  });

  it('p2pmem cannot fall back either: an NVMe CMB across root ports fails', () => {
    const t = tree('root-ports').replace('nic nic0 02:00.0', 'nvme ssd0 02:00.0');
    const text = model(machine({ tree: t }), 'buffer cmb from ssd0 driver p2pmem { size 1M }', share('cmb', 'gpu0', ''));
    expectOne(text, analyzeText(text), 'p2p-not-supported', { severity: 'error', at: 'share cmb -> gpu0', names: ['p2pmem'] });
  });

  it('amdgpu is never refused: it migrates to system memory instead (p2p-fallback-system)', () => {
    const a = analyzeText(model(machine({ tree: 'root-ports' }), GPU_VRAM, share('frame', 'nic0')));
    expectNone(a, 'p2p-not-supported');
    expect(findings(a, 'p2p-fallback-system')).toHaveLength(1);
  });
});
