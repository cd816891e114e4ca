// The model's value checks (server/src/model/checks/), one test per check, each named
// after the kernel function the check mirrors: the finding the user sees (code,
// message, range). The checks test/rules/invalid-value.test.ts covers (BDF function,
// BAR windows and overlaps, buffer fit, size 0, dma_mask) are not repeated here.
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNone, expectOne, findings } from '../rules/expect';
import { machine, model, withItems } from '../rules/models';

const NIC_VFIO = (body: string) => `buffer db from nic0 driver vfio-pci { ${body} }`;

describe('model checks: literals and the PCIe tree', () => {
  it('kstrtoull: a literal wider than 64 bits is reported at the literal', () => {
    const text = model(machine(), 'buffer pages from heap { size 99999999999999999999999 }');
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '99999999999999999999999', names: ['99999999999999999999999 does not fit in 64 bits'] });
  });

  it('PCI_DEVFN: a device number above 1f is reported at the BDF', () => {
    const text = model(machine().replace('04:00.0', '04:20.0'));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '04:20.0', names: ['device 0x20 in 04:20.0: a PCI device number is 00–1f'] });
  });

  it('pci_read_bases: BAR 6 is reported at its index (a function has BARs 0–5)', () => {
    const text = model(withItems(machine(), 'nic0', 'bar 6 0x70_0000_0000 size 1M'));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: '6', in: 'bar 6' }, names: ['BAR 6: a function has BARs 0–5'] });
  });

  it('__pci_read_base: a BAR of size 0 is reported at its range', () => {
    const text = model(withItems(machine(), 'nic0', 'bar 2 0x70_0000_0000 size 0'));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '0x70_0000_0000 size 0', names: ['an empty BAR (size 0 or an end before its start)'] });
  });

  it('pci_add_resource_offset: a host bridge window that ends before it starts is reported at the window', () => {
    const text = model(machine().replace('window 0x8000_0000 .. 0xfbff_ffff', 'window 0xfbff_ffff .. 0x8000_0000'));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '0xfbff_ffff .. 0x8000_0000', names: ['the window ends before it starts'] });
  });
});

describe('model checks: the platform', () => {
  it('__iommu_probe_device: a second iommu statement is reported at its type', () => {
    const text = model(machine({ iommu: 'vtd', extra: ['iommu amd-vi'] }));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'amd-vi', in: 'iommu amd-vi' }, names: ['a platform has one iommu statement'] });
  });

  it('iommu_alloc_resv_region: a reserved range that ends before it starts is reported at the range', () => {
    const text = model(machine({ iommu: 'vtd { reserve 0x2000 .. 0x1000 }' }));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '0x2000 .. 0x1000', names: ['the reserved range ends before it starts'] });
  });

  it('iommu_dma_init_domain: an aperture outside 32–64 bits is reported at the value', () => {
    const text = model(machine({ iommu: 'vtd { aperture 30 }' }));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: '30', in: 'aperture 30' }, names: ['aperture 30 is outside 32–64 bits'] });
  });

  it('memblock_add: a RAM region of size 0 is reported at its range', () => {
    const text = model(machine({ memory: ['memory high 0x1_0000_0000 size 64G node 0', 'memory hole 0x2000_0000 size 0'] }));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: '0x2000_0000 size 0', names: ['the range ends before it starts'] });
  });

  it('translate_phys_to_dma: a dma_range of size 0 is reported at its size', () => {
    const text = model(machine({ extra: ['platform_device dsp { dma_range 0x0 -> 0x1_0000_0000 size 0 }'] }));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: '0', in: 'size 0 }' }, names: ['size 0'] });
  });

  describe('dma_map_direct: an IOMMU override on a platform without an IOMMU', () => {
    it('is reported at the mode of an endpoint', () => {
      const text = model(withItems(machine(), 'nic0', 'iommu dma'));
      expectOne(text, analyzeText(text), 'invalid-value', {
        severity: 'error',
        at: { find: 'dma', in: 'iommu dma' },
        names: ["'iommu dma' needs an IOMMU: this platform declares none, so every device uses dma-direct"],
      });
    });
    it('and of a platform device', () => {
      const text = model(machine({ extra: ['platform_device dsp { iommu private }'] }));
      expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'private', in: 'iommu private' }, names: ["'iommu private' needs an IOMMU"] });
    });
    it('near miss: identity is what a device without an IOMMU gets anyway', () => {
      expectNone(analyzeText(model(withItems(machine(), 'nic0', 'iommu identity'))), 'invalid-value');
    });
  });
});

describe('model checks: buffers', () => {
  it('vfio_pci_probe: a switch does not export buffers', () => {
    const text = model(machine(), 'buffer db from sw0 { size 64K }');
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'sw0', in: 'from sw0' }, names: ["'sw0' is a switch: only endpoints and VFs export buffers"] });
  });

  it('dma_heap_ioctl_allocate: a heap buffer names no exporting driver', () => {
    const text = model(machine(), 'buffer pages from heap driver amdgpu { size 64K }');
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'amdgpu', in: 'driver amdgpu' }, names: ["a heap buffer has no exporting driver: remove 'driver amdgpu'"] });
  });

  it('system_heap_allocate: a heap buffer cannot be placed in VRAM', () => {
    const text = model(machine(), 'buffer pages from heap { size 64K placement vram }');
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'heap', in: 'from heap' }, names: ['a heap buffer lives in system memory'] });
  });

  it('amdgpu_dma_buf_pin: a vfio-pci buffer cannot fall back to system memory', () => {
    const text = model(machine(), NIC_VFIO('size 64K fallback system'));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: 'fallback system', names: ['a vfio-pci buffer is a BAR: it cannot migrate to system memory'] });
  });

  it('nv_dma_buf_map: an NVIDIA export is device memory its driver never migrates', () => {
    const text = model(machine(), 'buffer kv from gpu0 driver nvidia { size 1G fallback system }');
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: 'fallback system', names: ['nvidia', 'never migrates'] });
  });

  it('nv-dmabuf.c (515.43.04): a driver version is NVIDIA\'s only, and dma-buf export starts at 515', () => {
    const amd = model(machine(), 'buffer f from gpu0 driver amdgpu 580 { size 1M }');
    expectOne(amd, analyzeText(amd), 'invalid-value', { severity: 'error', at: '580', names: ['only for nvidia'] });
    const old = model(machine(), 'buffer f from gpu0 driver nvidia 510 { size 1M }');
    expectOne(old, analyzeText(old), 'invalid-value', { severity: 'error', at: '510', names: ['515'] });
    expectNone(analyzeText(model(machine(), 'buffer f from gpu0 driver nvidia 580 { size 1M }')), 'invalid-value');
  });

  it('nv_dma_buf_create: export state is read by its driver only (force_pcie on amdgpu is refused); FORCE_PCIE exists from 570', () => {
    const text = model(machine(), 'buffer f from gpu0 driver amdgpu { size 1M force_pcie }');
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: 'force_pcie', names: ['state of a nvidia export'] });
    const old = model(machine(), 'buffer f from gpu0 driver nvidia 565 { size 1M force_pcie }');
    expectOne(old, analyzeText(old), 'invalid-value', { severity: 'error', at: 'force_pcie', names: ['570'] });
  });

  it('dma_buf_export: a buffer without size or ranges is reported at its name', () => {
    const text = model(machine(), NIC_VFIO('bar 0'));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'db', in: 'buffer db' }, names: ["buffer 'db' has no size: add 'size' (e.g. size 64M)"] });
  });

  it('pci_p2pdma_add_resource: an exporter without a BAR is reported at the exporter', () => {
    const text = model(machine({ tree: '    root_port rp0 00:01.0 acs { nic nic0 01:00.0 { dma_mask 64 } }' }), NIC_VFIO('size 64K'));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: 'nic0', in: 'from nic0' }, names: ["'nic0' declares no BAR to hold buffer 'db'"] });
  });

  it('pci_p2pdma_add_resource: `bar N` must name a BAR of the exporter', () => {
    const text = model(machine(), NIC_VFIO('size 64K bar 3'));
    expectOne(text, analyzeText(text), 'invalid-value', { severity: 'error', at: { find: '3', in: 'bar 3' }, names: ["'nic0' has no BAR 3"] });
  });

  it('vfio_pci_core_feature_dma_buf: ranges are for vfio-pci exports only', () => {
    const text = model(machine(), 'buffer frame from gpu0 driver amdgpu { range offset 0 size 64K }');
    expectOne(text, analyzeText(text), 'invalid-value', {
      severity: 'error',
      at: 'range offset 0 size 64K',
      names: ["'range' describes vfio-pci export ranges; this buffer is not exported by vfio-pci"],
    });
  });

  const SHARE = 'share db -> gpu0 { attach dynamic move_notify peer2peer }';
  const refusal = 'fails: buffer db was refused by the model (see its invalid-value diagnostic): not mapped';
  const steps = (a: ReturnType<typeof analyzeText>) => a.shares[0]!.explain.map((x) => (typeof x === 'string' ? x : x()));

  it('a buffer a check refuses is not mapped: its share fails with the refusal, said at the share too', () => {
    const a = analyzeText(model(machine(), NIC_VFIO('size 64K bar 3'), SHARE));
    expect(findings(a, 'invalid-value').map((f) => [f.message, f.share])).toEqual([
      ["'nic0' has no BAR 3", undefined],
      ['db->gpu0 fails: buffer db was refused by the model (see its invalid-value diagnostic): not mapped. Correct the buffer first.', 'db->gpu0'],
    ]);
    expect(a.shares[0]!.ok).toBe(false);
    expect(steps(a)).toContain(refusal);
  });

  it('near miss: a wide literal elsewhere does not refuse a buffer', () => {
    const memory = ['memory high 0x1_0000_0000 size 64G node 0', 'memory far 0x1_0000_0000_0000_0000_0000 size 4K'];
    const a = analyzeText(model(machine({ memory }), NIC_VFIO('size 64K'), SHARE));
    expect(findings(a, 'invalid-value').map((f) => f.message)).toEqual(['0x1_0000_0000_0000_0000_0000 does not fit in 64 bits']);
    expect(steps(a)).not.toContain(refusal);
  });
});
