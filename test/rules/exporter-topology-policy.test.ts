// exporter-topology-policy: NVIDIA decides reachability with nv_grdma_pci_topology_supported
// (nv-pci.c), not pci_p2pdma_map_type(); the rule says where the two disagree.
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { NV_VRAM, TRIGGERS, machine, model, share } from './models';

const HEAD = 'share kv -> nic0';

describe('exporter-topology-policy', () => {
  it('NVIDIA maps BAR1 where the kernel says NOT_SUPPORTED (nv_grdma_pci_topology_supported allows it)', () => {
    const { text } = TRIGGERS['exporter-topology-policy']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'exporter-topology-policy', { severity: 'warning', at: HEAD, share: 'kv->nic0', names: ['nv_grdma_pci_topology_supported', 'NOT_SUPPORTED'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ mapType: 'NOT_SUPPORTED', ok: true, addressKind: 'phys' });
  });

  it('with the unsupported-chipset flag NVIDIA refuses a pair the whitelist would route (nv_pci_has_common_pci_switch)', () => {
    const text = model(machine({ tree: 'root-ports', hostBridgeId: '8086:2030' }), 'buffer kv from gpu0 driver nvidia { size 1G p2p_unsupported_chipset }', share('kv', 'nic0'));
    const a = analyzeText(text);
    expectOne(text, a, 'exporter-topology-policy', { severity: 'warning', at: HEAD, names: ['refuses', 'THRU_HOST_BRIDGE'] });
    expectOne(text, a, 'p2p-not-supported', { severity: 'error', at: HEAD, names: ['nv_dma_buf_attach', 'nv_grdma_pci_topology_supported', '-ENOTSUPP'] });
  });

  it('near miss: under one switch both agree (BUS_ADDR)', () => {
    const a = analyzeText(model(machine(), NV_VRAM, share('kv', 'nic0')));
    expectNone(a, 'exporter-topology-policy');
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR', ok: true });
  });

  it('near miss: a coherent platform maps C2C pages, not P2P (nv_dma_buf_map_pages)', () => {
    const a = analyzeText(model(machine({ tree: 'root-ports' }), 'buffer kv from gpu0 driver nvidia { size 1G coherent }', share('kv', 'nic0')));
    expect(findings(a, 'exporter-topology-policy')).toEqual([]);
  });
});
