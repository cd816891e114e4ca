// acs-redirect: a common upstream bridge exists but ACS redirect (RR, CR or EC) on the listed
// nodes forces the host-bridge path (pci_bridge_has_acs_redir, pci_std_enable_acs).
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { NIC_VFIO, TRIGGERS, WHITELISTED, machine, model, share, tree, withItems } from './models';

const HEAD = 'share db -> gpu0';
const IOMMU_PORTS = { iommu: 'vtd', tree: 'ports', hostBridgeId: WHITELISTED } as const;

describe('acs-redirect', () => {
  it('with an IOMMU the kernel sets RR/CR on ACS-capable downstream ports: related to both ports (pci_bridge_has_acs_redir)', () => {
    const { text } = TRIGGERS['acs-redirect']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'acs-redirect', {
      severity: 'warning',
      at: HEAD,
      share: 'db->gpu0',
      names: ['pci_bridge_has_acs_redir', 'sw0', 'disable_acs_redir 02:01.0, 02:00.0'],
      related: ['dp1', 'dp0'],
    });
    expectNamesKernel(f);
    expect(f.data).toEqual({ bdfs: ['02:01.0', '02:00.0'] });
    expect(a.shares[0]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', distance: 4 });
  });

  it('near miss: disable_acs_redir on both ports gives BUS_ADDR back (pci=disable_acs_redir)', () => {
    const a = analyzeText(model(machine({ ...IOMMU_PORTS, kernel: ['move_notify', 'disable_acs_redir 02:00.0, 02:01.0'] }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'acs-redirect');
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR', addressKind: 'bus' });
  });

  it('near miss: without an IOMMU nobody calls pci_request_acs, so the redirect bits stay clear', () => {
    const a = analyzeText(model(machine({ tree: 'ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'acs-redirect');
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR' });
  });

  it('clearing one port is not enough: the other is still listed', () => {
    const text = model(machine({ ...IOMMU_PORTS, kernel: ['move_notify', 'disable_acs_redir 02:00.0'] }), NIC_VFIO, share('db', 'gpu0'));
    expectOne(text, analyzeText(text), 'acs-redirect', { severity: 'warning', at: HEAD, related: ['dp1'], names: ['disable_acs_redir 02:01.0'] });
  });

  it('EC alone counts as a redirect; SV, TB, UF and DT do not (acs_ctl as read from lspci)', () => {
    const ec = model(machine({ tree: tree('ports').replace('port dp1 02:01.0 acs', 'port dp1 02:01.0 acs_ctl ec'), hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0'));
    expectOne(ec, analyzeText(ec), 'acs-redirect', { severity: 'warning', at: HEAD, related: ['dp1'] });
    const other = model(machine({ tree: tree('ports').replace('port dp1 02:01.0 acs', 'port dp1 02:01.0 acs_ctl sv tb uf dt'), hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0'));
    expectNone(analyzeText(other), 'acs-redirect');
  });

  it('the provider endpoint itself is checked (calc_map_type_and_dist checks ACS before the match)', () => {
    const text = model(withItems(machine({ iommu: 'vtd', tree: 'switch-no-acs', hostBridgeId: WHITELISTED }), 'nic0', 'acs'), NIC_VFIO, share('db', 'gpu0'));
    expectOne(text, analyzeText(text), 'acs-redirect', { severity: 'warning', at: HEAD, related: [{ find: 'nic0', in: 'nic nic0' }], names: ['disable_acs_redir 04:00.0'] });
  });

  it('implicit switch ports carry the switch\'s acs and have no BDF: the fix asks for BDFs', () => {
    const text = model(machine({ iommu: 'vtd', tree: 'switch', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0'));
    const f = expectOne(text, analyzeText(text), 'acs-redirect', {
      severity: 'warning',
      at: HEAD,
      names: ['sw0.nic0', 'sw0.gpu0', 'names ports by BDF', 'port NAME BDF acs'],
      related: [{ find: 'nic0', in: 'nic nic0' }, { find: 'gpu0', in: 'gpu gpu0' }],
    });
    expect(f.data).toEqual({ bdfs: [] });
  });

  it('with a host bridge off the whitelist the redirect makes the map fail: acs-redirect and p2p-not-supported', () => {
    const a = analyzeText(model(machine({ iommu: 'vtd', tree: 'ports' }), NIC_VFIO, share('db', 'gpu0')));
    expect(findings(a, 'acs-redirect')).toHaveLength(1);
    expect(findings(a, 'p2p-not-supported')).toHaveLength(1);
  });

  it('no common upstream bridge: ACS is not the reason, nothing to report', () => {
    const a = analyzeText(model(machine({ iommu: 'vtd', tree: 'root-ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'acs-redirect');
    expect(findings(a, 'p2p-host-bridge')).toHaveLength(1);
  });
});
