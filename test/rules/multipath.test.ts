// multipath: `devices` names functions that will DMA with the addresses mapped for the one
// attach->dev (dma_buf_attach), but sit in another IOMMU group (pci_device_group) or under
// another root port.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { HEAP, THREE_NICS, TRIGGERS, machine, model, multiFunction, share } from './models';

const HEAD = 'share pages -> nic0';

describe('multipath', () => {
  it('a second function under another root port gets addresses mapped for the first (dma_buf_attach), related to it', () => {
    const { text } = TRIGGERS['multipath']!;
    const f = expectOne(text, analyzeText(text), 'multipath', {
      severity: 'warning',
      at: HEAD,
      share: 'pages->nic0',
      names: ['dma_buf_attach', 'another root port', 'rp1'],
      related: [{ find: 'nic2', in: 'nic nic2' }],
    });
    expectNamesKernel(f);
  });

  it('near miss: a function of the same device under the same root port (no IOMMU)', () => {
    const a = analyzeText(model(machine({ tree: THREE_NICS }), HEAP, share('pages', 'nic0', 'devices nic1')));
    expectNone(a, 'multipath');
    expect(codes(a)).toEqual([]);
  });

  it('with an IOMMU, functions isolated by ACS are in another group: the IOVAs mean nothing to them', () => {
    const text = model(machine({ iommu: 'vtd', tree: multiFunction(true) }), HEAP, share('pages', 'nic0', 'devices nic1'));
    expectOne(text, analyzeText(text), 'multipath', { severity: 'warning', at: HEAD, names: ['another IOMMU group'], related: [{ find: 'nic1', in: 'nic nic1' }] });
  });

  it('near miss: with an IOMMU, functions without ACS share the group (and the IOVA domain)', () => {
    expectNone(analyzeText(model(machine({ iommu: 'vtd', tree: multiFunction(false) }), HEAP, share('pages', 'nic0', 'devices nic1'))), 'multipath');
  });

  it('one finding per function that is elsewhere; the importer itself is ignored', () => {
    const a = analyzeText(model(machine({ tree: THREE_NICS }), HEAP, share('pages', 'nic0', 'devices nic0, nic1, nic2')));
    expect(a.findings.filter((f) => f.code === 'multipath').map((f) => f.related[0]!.message)).toEqual(['nic2']);
  });
});
