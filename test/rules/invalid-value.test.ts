// invalid-value: a value out of range (docs/language.md §5): BDF function > 7, a BAR outside every
// window of its host bridge, overlapping BARs, a buffer larger than its BAR or than its ranges,
// size 0, dma_mask outside 12–64.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNone, expectOne } from './expect';
import { TRIGGERS, machine, model, withItems } from './models';

const NIC_BAR_RANGE = '0x60_0000_0000 size 8G';

describe('invalid-value', () => {
  describe('BDF function > 7', () => {
    it('reports a function number 8 at the BDF (a PCI function number is 0–7)', () => {
      const { text } = TRIGGERS['invalid-value']!;
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '04:00.8', names: ['function 8', '0–7'] });
    });
    it('near miss: function 7 is the last valid one', () => {
      const a = analyzeText(model(machine().replace('04:00.0', '04:00.7')));
      expectNone(a, 'invalid-value');
      expect(codes(a)).toEqual([]);
    });
    it('also in disable_acs_redir', () => {
      const text = model(machine({ kernel: ['disable_acs_redir 02:00.9'] }));
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '02:00.9' });
    });
  });

  describe('a BAR outside every window of its host bridge (the kernel could not assign it)', () => {
    const outside = model(machine().replace(NIC_BAR_RANGE, '0x80_0000_0000 size 8G'));
    it('reports the BAR range, related to the host bridge', () => {
      expectOne(outside, analyzeText(outside), 'invalid-value', {
        severity: 'error',
        at: '0x80_0000_0000 size 8G',
        names: ['outside every window', 'hb0'],
        related: ['hb0'],
      });
    });
    it('a BAR that straddles the end of a window is outside too', () => {
      const text = model(machine().replace(NIC_BAR_RANGE, '0x7f_ffff_0000 size 1M'));
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '0x7f_ffff_0000 size 1M' });
    });
    it('near miss: the BAR inside the 64-bit window', () => {
      expectNone(analyzeText(model(machine())), 'invalid-value');
    });
  });

  describe('overlapping BARs', () => {
    it("reports the later BAR, related to the one it overlaps", () => {
      const text = model(machine().replace(NIC_BAR_RANGE, '0x43_ff00_0000 size 8G'));
      expectOne(text, analyzeText(text), 'invalid-value', {
        severity: 'error',
        at: '0x43_ff00_0000 size 8G',
        names: ["BAR 0 of 'nic0' overlaps BAR 0 of 'gpu0'"],
        related: ['0x40_0000_0000 size 16G'],
      });
    });
    it('near miss: the NIC BAR right after the GPU BAR', () => {
      expectNone(analyzeText(model(machine().replace(NIC_BAR_RANGE, '0x44_0000_0000 size 8G'))), 'invalid-value');
    });
  });

  describe('a buffer larger than its BAR', () => {
    const text = model(machine(), 'buffer db from nic0 driver vfio-pci { size 16G }');
    it('reports the buffer name, related to the BAR', () => {
      expectOne(text, analyzeText(text), 'invalid-value', {
        severity: 'error',
        at: { find: 'db', in: 'buffer db' },
        names: ['does not fit in BAR 0'],
        related: [NIC_BAR_RANGE],
      });
    });
    it('near miss: a buffer exactly as large as the BAR', () => {
      expectNone(analyzeText(model(machine(), 'buffer db from nic0 driver vfio-pci { size 8G }')), 'invalid-value');
    });
    it('packing counts: the second 6 GiB buffer of an 8 GiB BAR does not fit (2 MiB aligned, in declaration order)', () => {
      const packed = model(machine(), 'buffer one from nic0 driver vfio-pci { size 6G }', 'buffer two from nic0 driver vfio-pci { size 6G }');
      expectOne(packed, analyzeText(packed), 'invalid-value', { severity: 'error', at: { find: 'two', in: 'buffer two' } });
    });
  });

  describe('a buffer larger than its ranges', () => {
    it('reports the buffer name', () => {
      const text = model(machine(), 'buffer db from nic0 driver vfio-pci { size 1M range offset 0 size 64K }');
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'db', in: 'buffer db' }, names: ['larger than its ranges'] });
    });
    it('near miss: the size is the sum of the ranges', () => {
      const text = model(machine(), 'buffer db from nic0 driver vfio-pci { size 128K range offset 0 size 64K range offset 1M size 64K }');
      expectNone(analyzeText(text), 'invalid-value');
    });
    it('a range past the end of the BAR does not fit either', () => {
      const text = model(machine(), 'buffer db from nic0 driver vfio-pci { range offset 8G size 64K }');
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'db', in: 'buffer db' }, names: ['does not fit'] });
    });
  });

  describe('size 0', () => {
    it('reports a buffer of size 0 at the size', () => {
      const text = model(machine(), 'buffer pages from heap { size 0 }');
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: '0', in: 'size 0 }' }, names: ['size 0'] });
    });
    it('reports a vfio-pci range of size 0 (vfio_pci_core_feature_dma_buf refuses empty ranges)', () => {
      const text = model(machine(), 'buffer db from nic0 driver vfio-pci { range offset 0 size 0 range offset 64K size 64K }');
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: '0', in: 'size 0 range' }, names: ['vfio_pci_core_feature_dma_buf'] });
    });
    it('near miss: one page', () => {
      expectNone(analyzeText(model(machine(), 'buffer pages from heap { size 4K }')), 'invalid-value');
    });
  });

  describe('dma_mask outside 12–64', () => {
    it('reports an endpoint mask of 8 bits at the value', () => {
      const text = model(withItems(machine(), 'nic0', 'dma_mask 8'));
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: '8', in: 'dma_mask 8' }, names: ['12–64'] });
    });
    it('reports a platform device mask of 65 bits', () => {
      const text = model(machine({ extra: ['platform_device dsp { dma_mask 65 }'] }));
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: '65', in: 'dma_mask 65' } });
    });
    it('near miss: 12 and 64 are both accepted', () => {
      expectNone(analyzeText(model(withItems(machine(), 'nic0', 'dma_mask 12'))), 'invalid-value');
      expectNone(analyzeText(model(machine({ extra: ['platform_device dsp { dma_mask 64 }'] }))), 'invalid-value');
    });
  });
});
