// shared-iommu-group: exporter and importer are functions in one IOMMU group (pci_device_group):
// one IOVA domain, no isolation between them.
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { TRIGGERS, WHITELISTED, machine, model, multiFunction, share, tree } from './models';

const BUFFER = 'buffer db from nic1 driver vfio-pci { size 64K }';

describe('shared-iommu-group', () => {
  it('two functions of one device without ACS share a group (pci_device_group), related to the exporter', () => {
    const { text } = TRIGGERS['shared-iommu-group']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'shared-iommu-group', {
      severity: 'info',
      at: 'share db -> nic0',
      share: 'db->nic0',
      names: ['pci_device_group', 'multi-function', 'IOVA domain'],
      related: [{ find: 'nic1', in: 'nic nic1' }],
    });
    expectNamesKernel(f);
  });

  it('near miss: ACS on both functions gives each its own group', () => {
    const a = analyzeText(model(machine({ iommu: 'vtd', tree: multiFunction(true), hostBridgeId: WHITELISTED }), BUFFER, share('db', 'nic0')));
    expectNone(a, 'shared-iommu-group');
    expect(a.shares[0]!.iommuGroup).not.toBeNull();
  });

  it('near miss: without an IOMMU there are no groups', () => {
    expectNone(analyzeText(model(machine({ tree: multiFunction(false) }), BUFFER, share('db', 'nic0'))), 'shared-iommu-group');
  });

  it('everything below a root port without ACS is one group (pci_device_group: the highest port without ACS)', () => {
    const text = model(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), 'buffer db from nic0 driver vfio-pci { size 64K }', share('db', 'gpu0'));
    expectOne(text, analyzeText(text), 'shared-iommu-group', { severity: 'info', at: 'share db -> gpu0', names: ['below rp0'] });
  });

  it('near miss: ACS on the root port only; each switch downstream port without ACS is a group of its own', () => {
    const t = tree('switch-no-acs').replace('root_port rp0 00:01.0', 'root_port rp0 00:01.0 acs');
    const a = analyzeText(model(machine({ iommu: 'vtd', tree: t }), 'buffer db from nic0 driver vfio-pci { size 64K }', share('db', 'gpu0')));
    expectNone(a, 'shared-iommu-group');
  });

  it('a device exporting to itself is not a group problem', () => {
    const a = analyzeText(model(machine({ iommu: 'vtd', tree: multiFunction(false) }), 'buffer db from nic0 driver vfio-pci { size 64K }', share('db', 'nic0')));
    expectNone(a, 'shared-iommu-group');
    expect(findings(a, 'acs-redirect')).toEqual([]);
  });
});
