// invalid-value: a value out of range (docs/language.md §5): BDF function > 7, a BAR outside every
// window of its host bridge, overlapping BARs, a buffer larger than its BAR or than its ranges,
// size 0, dma_mask outside 12–64; and, at the share, a map the engine refuses with it: a
// share of a refused buffer, a buffer the kernel cannot allocate (a 16 TiB heap) or that
// is larger than the engine maps, a value out of range that stops the engine.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne, findings as findingsOf } from './expect';
import { TRIGGERS, machine, model, share, withItems } from './models';

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

  describe('at the share: a map the engine refuses never passes quietly', () => {
    const huge = model(machine(), 'buffer big from heap { size 16T }', share('big', 'nic0', ''));

    it('a 16 TiB heap buffer shared with a NIC: system_heap_allocate cannot get the pages (-ENOMEM)', () => {
      const a = analyzeText(huge);
      const f = expectOne(huge, a, 'invalid-value', {
        severity: 'error',
        at: 'share big -> nic0',
        share: 'big->nic0',
        names: ['system_heap_allocate', '16T', '-ENOMEM', 'no cap', 'a platform with 64G of RAM'],
      });
      expectNamesKernel(f);
      expect(codes(a)).toEqual(['invalid-value']);
      expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none', segments: [] });
    });

    it('the same with an IOMMU, and for a CPU importer: no dma-buf is made at all', () => {
      const iommu = model(machine({ iommu: 'vtd' }), 'buffer big from heap { size 16T }', share('big', 'nic0', ''), 'share big -> cpu');
      const a = analyzeText(iommu);
      expect(a.findings.map((f) => [f.code, f.severity, f.share])).toEqual([
        ['invalid-value', 'error', 'big->nic0'],
        ['invalid-value', 'error', 'big->cpu'],
      ]);
      for (const f of a.findings) expect(f.message).toContain('system_heap_allocate');
    });

    it('with as much RAM, the heap could allocate it: the refusal is the sg_table bound of this model', () => {
      const text = model(machine({ memory: ['memory high 0x1_0000_0000 size 32T'] }), 'buffer big from heap { size 16T }', share('big', 'nic0', ''));
      const f = expectOne(text, analyzeText(text), 'invalid-value', {
        severity: 'error',
        at: 'share big -> nic0',
        names: ['sg_alloc_table', 'UINT_MAX', '4097 entries', 'more than the 4096 this model maps'],
      });
      expectNamesKernel(f);
    });

    it('a 16 TiB BAR export: dma_buf_phys_vec_to_sgt would cut it into more entries of UINT_MAX bytes than the model maps', () => {
      const hb1 = ['host_bridge hb1 id 8086:2030 {', '    window 0x1000_0000_0000 size 32T', '    root_port rp1 80:01.0 { nic nic9 81:00.0 { bar 0 0x1000_0000_0000 size 32T } }', '  }'].join('\n');
      const text = model(machine({ extra: [hb1] }), 'buffer wide from nic9 driver vfio-pci { size 16T }', share('wide', 'nic9'));
      const a = analyzeText(text);
      const f = expectOne(text, a, 'invalid-value', { severity: 'error', at: 'share wide -> nic9', names: ['dma_buf_phys_vec_to_sgt', 'fill_sg_entry', '4097 sg entries'] });
      expectNamesKernel(f);
      expect(codes(a)).toEqual(['invalid-value']);
    });

    it('near miss: 16 TiB less 4 KiB fits the model\'s 4096 entries of UINT_MAX bytes and maps', () => {
      const a = analyzeText(model(machine({ memory: ['memory high 0x1_0000_0000 size 32T'] }), `buffer big from heap { size ${0x1000_0000_0000n - 0x1000n} }`, share('big', 'nic0', '')));
      expect(codes(a)).toEqual([]);
      expect(a.shares[0]).toMatchObject({ ok: true, addressKind: 'phys' });
    });

    it('a share of a refused buffer fails at its head, related to the buffer', () => {
      const text = model(machine(), 'buffer pages from heap { size 0 }', share('pages', 'nic0', ''));
      const a = analyzeText(text);
      expect(findingsOf(a, 'invalid-value').map((f) => f.share)).toEqual([undefined, 'pages->nic0']);
      const f = a.findings[1]!;
      expect(f).toMatchObject({ code: 'invalid-value', severity: 'error', phase: 'engine' });
      expect(f.message).toBe('pages->nic0 fails: buffer pages was refused by the model (see its invalid-value diagnostic): not mapped. Correct the buffer first.');
      expect(f.related.map((r) => r.message)).toEqual(['buffer pages is refused (invalid-value)']);
      expect(a.shares[0]!.ok).toBe(false);
    });

    it('a value wider than 64 bits that stops the engine: the share fails where it is declared', () => {
      const text = model(machine({ iommu: 'vtd' }), 'buffer far from heap { size 4K at 0x1_0000_0000_0000_0000_0000 }', share('far', 'nic0', ''));
      const a = analyzeText(text);
      expect(findingsOf(a, 'invalid-value').map((f) => [f.share, f.message])).toEqual([
        [undefined, '0x1_0000_0000_0000_0000_0000 does not fit in 64 bits'],
        ['far->nic0', expect.stringContaining('far->nic0 fails: cannot be mapped: phys 1208925819614629174706176 is outside 0..2^64-1')],
      ]);
      expect(a.shares[0]!.ok).toBe(false);
    });
  });
});
