// p2p-via-iommu: amdgpu maps VRAM with dma_map_resource() (amdgpu_vram_mgr_alloc_sgt), so the
// importer gets an IOVA even where BUS_ADDR is possible.
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne } from './expect';
import { NIC_VFIO, TRIGGERS, machine, model, share } from './models';

describe('p2p-via-iommu', () => {
  it('amdgpu maps VRAM through the IOMMU although the switch could route it (dma_map_resource)', () => {
    const { text } = TRIGGERS['p2p-via-iommu']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'p2p-via-iommu', { severity: 'info', at: 'share frame -> nic0', share: 'frame->nic0', names: ['dma_map_resource', 'BUS_ADDR', 'sw0'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR', placement: 'vram', addressKind: 'iova' });
  });

  it('NVIDIA maps BAR1 with dma_map_resource too (nv_dma_map_peer): the same note, in its words', () => {
    const text = model(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), 'buffer kv from gpu0 driver nvidia { size 1G }', share('kv', 'nic0'));
    expectOne(text, analyzeText(text), 'p2p-via-iommu', { severity: 'info', at: 'share kv -> nic0', names: ['nvidia maps device memory with dma_map_resource()', 'BUS_ADDR'] });
  });

  it('near miss: an identity (passthrough) domain gives the CPU physical address', () => {
    const a = analyzeText(model(machine({ iommu: 'vtd mode identity', tree: 'switch-no-acs' }), 'buffer frame from gpu0 driver amdgpu { size 256M }', share('frame', 'nic0')));
    expectNone(a, 'p2p-via-iommu');
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR', addressKind: 'phys', segments: [{ dma: 0x40_0000_0000n, length: 0x1000_0000n }] });
  });

  it('near miss: without an IOMMU there is nothing to go through', () => {
    expectNone(analyzeText(model(machine({ tree: 'switch-no-acs' }), 'buffer frame from gpu0 driver amdgpu { size 256M }', share('frame', 'nic0'))), 'p2p-via-iommu');
  });

  it('vfio-pci asks pci_p2pdma_map_type and hands over the bus address: no finding', () => {
    const a = analyzeText(model(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'p2p-via-iommu');
    expect(a.shares[0]).toMatchObject({ mapType: 'BUS_ADDR', addressKind: 'bus' });
  });
});
