// private-domain: an importer whose driver owns its IOMMU domain (Tegra, MSM, Rockchip DRM)
// takes DMA addresses made by dma_buf_map_attachment for the default domain: the wrong ones.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { DYNAMIC, HEAP, NIC_VFIO, TRIGGERS, WHITELISTED, machine, model, share, withItems } from './models';

describe('private-domain', () => {
  it('a PCI importer with `iommu private` mapped via sgt gets addresses for the wrong domain (dma_buf_map_attachment)', () => {
    const { text } = TRIGGERS['private-domain']!;
    const f = expectOne(text, analyzeText(text), 'private-domain', { severity: 'error', at: 'share pages -> nic0', share: 'pages->nic0', names: ['dma_buf_map_attachment', 'its driver owns'] });
    expectNamesKernel(f);
  });

  it('near miss: the same device in the kernel\'s DMA domain', () => {
    const a = analyzeText(model(machine({ iommu: 'vtd' }), HEAP, share('pages', 'nic0', '')));
    expectNone(a, 'private-domain');
    expect(codes(a)).toEqual([]);
  });

  it('`via pfn` is no sgt mapping, so not private-domain; but a device driver has no mainline PFN path (pfn-no-path)', () => {
    const a = analyzeText(model(withItems(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), 'gpu0', 'iommu private'), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} via pfn`)));
    expectNone(a, 'private-domain');
    expect(findings(a, 'pfn-no-path')).toHaveLength(1);
  });

  it('a platform device with its own domain (a Rockchip VOP-like display engine)', () => {
    const text = model(machine({ iommu: 'smmu', extra: ['platform_device vop { dma_mask 32 iommu private }'] }), HEAP, share('pages', 'vop', ''));
    expectOne(text, analyzeText(text), 'private-domain', { severity: 'error', at: 'share pages -> vop' });
  });

  it('a P2P share into a private-domain GPU is flagged too', () => {
    const text = model(withItems(machine({ iommu: 'vtd', tree: 'switch', hostBridgeId: WHITELISTED }), 'gpu0', 'iommu private'), NIC_VFIO, share('db', 'gpu0'));
    expectOne(text, analyzeText(text), 'private-domain', { severity: 'error', at: 'share db -> gpu0' });
  });

  it('a map that fails anyway is not also reported as private-domain', () => {
    const text = model(withItems(machine({ iommu: 'vtd', kernel: [] }), 'gpu0', 'iommu private'), NIC_VFIO, share('db', 'gpu0'));
    expectNone(analyzeText(text), 'private-domain');
  });
});
