// pfn-no-path: an iommufd, kvm or `via pfn` importer takes CPU physical ranges; the only
// mainline path is vfio_pci_dma_buf_iommufd_map() with exactly one range
// (dma_buf_get_pfn_unlocked is an unmerged RFC).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { DYNAMIC, GPU_VRAM, HEAP, NIC_VFIO, TRIGGERS, machine, model, share } from './models';

const IOMMUFD = { extra: ['iommufd ioas'] };

describe('pfn-no-path', () => {
  it('vfio-pci with two ranges cannot reach iommufd (vfio_pci_dma_buf_iommufd_map takes one range, -EOPNOTSUPP)', () => {
    const { text } = TRIGGERS['pfn-no-path']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'pfn-no-path', { severity: 'error', at: 'share db -> ioas', share: 'db->ioas', names: ['vfio_pci_dma_buf_iommufd_map', 'single range', '2'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('near miss: one range reaches iommufd as its CPU physical range', () => {
    const a = analyzeText(model(machine(IOMMUFD), NIC_VFIO, share('db', 'ioas', '')));
    expectNone(a, 'pfn-no-path');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]).toMatchObject({ ok: true, mapType: 'PRIVATE', addressKind: 'phys', segments: [{ dma: 0x60_0000_0000n, length: 0x1_0000n }] });
  });

  it('an amdgpu buffer has no path to iommufd (dma_buf_get_pfn_unlocked is an unmerged RFC)', () => {
    const text = model(machine(IOMMUFD), GPU_VRAM, share('frame', 'ioas', ''));
    expectOne(text, analyzeText(text), 'pfn-no-path', { severity: 'error', at: 'share frame -> ioas', names: ['dma_buf_get_pfn_unlocked'] });
  });

  it('a device driver taking PFNs (`via pfn`) has no path, whatever the exporter (dma_buf_get_pfn_unlocked is an unmerged RFC)', () => {
    const heap = model(machine(), HEAP, share('pages', 'nic0', 'attach dynamic move_notify via pfn'));
    expectOne(heap, analyzeText(heap), 'pfn-no-path', { severity: 'error', at: 'share pages -> nic0', names: ['dma_buf_get_pfn_unlocked'] });
    const vfio = model(machine(), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} via pfn`));
    expectOne(vfio, analyzeText(vfio), 'pfn-no-path', { severity: 'error', at: 'share db -> gpu0', names: ['iommufd only'] });
  });

  it('kvm has no mainline path, not even to a single-range vfio-pci buffer (vfio_pci_dma_buf_iommufd_map serves iommufd only)', () => {
    // `peer2peer` written so that vfio_pci_dma_buf_attach accepts the attachment (kvm's default has none).
    const text = model(machine({ extra: ['kvm vm0'] }), NIC_VFIO, share('db', 'vm0', 'peer2peer'));
    const a = analyzeText(text);
    expectOne(text, a, 'pfn-no-path', { severity: 'error', at: 'share db -> vm0', names: ['vfio_pci_dma_buf_iommufd_map', 'dma_buf_get_pfn_unlocked'] });
    expect(a.shares[0]).toMatchObject({ ok: false });
  });

  it('kvm with its default attachment reports pfn-no-path, the real cause, not static-importer-refused (mapShare checks the path first)', () => {
    const text = model(machine({ extra: ['kvm vm0'] }), NIC_VFIO, share('db', 'vm0', ''));
    const a = analyzeText(text);
    expectOne(text, a, 'pfn-no-path', { severity: 'error', at: 'share db -> vm0' });
    expectNone(a, 'static-importer-refused');
  });

  it('a kvm importer of an amdgpu buffer has no path either', () => {
    const text = model(machine({ extra: ['kvm vm0'] }), GPU_VRAM, share('frame', 'vm0', DYNAMIC));
    expectOne(text, analyzeText(text), 'pfn-no-path', { severity: 'error', at: 'share frame -> vm0' });
  });
});
