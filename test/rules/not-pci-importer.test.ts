// not-pci-importer: pci_p2pdma_map_type() needs dev_is_pci() and does not walk up to a PCI
// parent, so a vfio-pci or p2pmem BAR mapped by a non-PCI device is NOT_SUPPORTED (-EINVAL).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { GPU_VRAM, NIC_VFIO, TRIGGERS, machine, model, share, tree } from './models';

describe('not-pci-importer', () => {
  it('a platform device child of a PCI GPU cannot map a vfio-pci BAR (pci_p2pdma_map_type, dev_is_pci)', () => {
    const { text } = TRIGGERS['not-pci-importer']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'not-pci-importer', { severity: 'error', at: 'share db -> dsp', share: 'db->dsp', names: ['pci_p2pdma_map_type', 'dev_is_pci', 'no parent walk'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, mapType: 'NOT_SUPPORTED' });
  });

  it('near miss: attaching with the PCI function itself', () => {
    const a = analyzeText(model(machine({ extra: ['platform_device dsp { dma_mask 64 parent gpu0 }'] }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'not-pci-importer');
    expect(codes(a)).toEqual([]);
  });

  it('p2pmem uses the same map type check: an NVMe CMB to a platform device fails', () => {
    const t = tree('switch').replace('nic nic0 04:00.0', 'nvme ssd0 04:00.0');
    const text = model(machine({ tree: t, extra: ['platform_device dsp { dma_mask 64 }'] }), 'buffer cmb from ssd0 driver p2pmem { size 1M }', share('cmb', 'dsp', ''));
    expectOne(text, analyzeText(text), 'not-pci-importer', { severity: 'error', at: 'share cmb -> dsp' });
  });

  it('amdgpu uses pci_p2pdma_distance, which walks to the PCI parent: no finding', () => {
    const a = analyzeText(model(machine({ extra: ['platform_device dsp { dma_mask 64 parent nic0 }'] }), GPU_VRAM, share('frame', 'dsp')));
    expectNone(a, 'not-pci-importer');
    expect(a.shares[0]).toMatchObject({ ok: true, placement: 'vram' });
  });
});
