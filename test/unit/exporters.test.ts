// Each exporter module (server/src/engine/exporters/) through the engine: what its
// dma_buf_ops decide for a share, as the share's result and the refusal's reason. Each
// test is named after the kernel function the module follows.
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';
import type { ShareOutcome } from '../../server/src/engine/run';
import { exporterFor } from '../../server/src/engine/exporters';
import { DYNAMIC, GPU_VRAM, HEAP, NIC_VFIO, TWO_GPUS, WHITELISTED, machine, model, share, withItems } from '../rules/models';

/** The model's only share, as the engine left it, and the codes of its findings. */
function only(text: string): ShareOutcome & { codes: string[] } {
  const a = analyzeText(text);
  const shares = a.engine?.shares ?? [];
  expect(shares).toHaveLength(1);
  return { ...shares[0]!, codes: a.findings.filter((f) => f.share === shares[0]!.share.name).map((f) => f.code) };
}

describe('the exporter registry (exporters/index.ts)', () => {
  it('has a module for every driver, dynamic where ops->pin exists (dma_buf_is_dynamic), revocable for vfio-pci (vfio_pci_dma_buf_move)', () => {
    const props = (['amdgpu', 'vfio-pci', 'p2pmem', 'heap'] as const).map((d) => {
      const e = exporterFor(d);
      return [e.driver, e.isDynamic, e.revocation !== undefined, e.physVecSgt];
    });
    expect(props).toEqual([
      ['amdgpu', true, false, false],
      ['vfio-pci', true, true, true],
      ['p2pmem', false, false, true],
      ['heap', false, false, false],
    ]);
  });
});

describe('amdgpu (amdgpu_dma_buf.c)', () => {
  it('amdgpu_dma_buf_attach clears peer2peer when pci_p2pdma_distance() < 0, and amdgpu_dma_buf_map moves the BO to GTT', () => {
    const o = only(model(machine({ tree: 'root-ports' }), GPU_VRAM, share('frame', 'nic0')));
    expect([o.attach?.peer2peer, o.attach?.peer2peerOff]).toEqual([false, { kind: 'p2p-distance', mapType: 'NOT_SUPPORTED' }]);
    expect([o.result.placement, o.mapping.fallback, o.result.ok]).toEqual(['system', 'p2p', true]);
    expect(o.codes).toContain('p2p-fallback-system');
  });

  it('amdgpu_dma_buf_attach clears peer2peer for an importer with no PCI device (find_parent_pci_dev)', () => {
    const o = only(model(machine({ tree: 'root-ports', extra: ['platform_device dsp { dma_mask 64 }'] }), GPU_VRAM, share('frame', 'dsp')));
    expect(o.attach?.peer2peerOff).toEqual({ kind: 'no-pci-device' });
    expect(o.result.placement).toBe('system');
  });

  it('amdgpu_dma_buf_attach keeps peer2peer for an XGMI peer, and amdgpu_dma_buf_map maps no address over XGMI', () => {
    const o = only(model(machine({ tree: TWO_GPUS, extra: ['link xgmi gpu0, gpu1'] }), GPU_VRAM, share('frame', 'gpu1')));
    expect([o.attach?.xgmiPeer, o.attach?.peer2peer]).toEqual([true, true]);
    expect([o.result.mapType, o.result.addressKind, o.result.segments]).toEqual(['PRIVATE', 'none', []]);
  });

  it('dma_buf_pin_on_map pins a static attachment and amdgpu_dma_buf_pin removes VRAM', () => {
    const o = only(model(machine(), GPU_VRAM, share('frame', 'nic0', '')));
    expect(o.attach?.pinOnMap).toBe('static');
    expect([o.result.placement, o.mapping.fallback, o.result.ok]).toEqual(['system', 'pinned', true]);
    expect(o.codes).toContain('pinned-on-map');
  });

  it('amdgpu_vram_mgr_alloc_sgt maps VRAM with dma_map_resource in blocks of at most 2 GiB, through the IOMMU even when BUS_ADDR is possible', () => {
    const o = only(model(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), 'buffer frame from gpu0 driver amdgpu { size 5G }', share('frame', 'nic0')));
    expect([o.result.mapType, o.result.addressKind, o.mapping.viaIommuDespiteBusAddr]).toEqual(['BUS_ADDR', 'iova', true]);
    expect(o.result.segments.map((s) => s.length)).toEqual([0x8000_0000n, 0x8000_0000n, 0x4000_0000n]);
    expect(o.codes).toContain('p2p-via-iommu');
  });
});

describe('vfio-pci (vfio_pci_dmabuf.c)', () => {
  it('vfio_pci_dma_buf_attach refuses a static importer (-EOPNOTSUPP)', () => {
    const o = only(model(machine(), NIC_VFIO, share('db', 'gpu0', '')));
    expect(o.mapping.failure?.reason).toEqual({ kind: 'attach-needs-peer2peer', op: 'vfio_pci_dma_buf_attach', attach: 'static' });
    expect(o.mapping.failure?.message).toBe('vfio_pci_dma_buf_attach() refuses a static attachment: peer2peer is false (-EOPNOTSUPP)');
    expect(o.codes).toContain('static-importer-refused');
  });

  it('vfio_pci_dma_buf_attach refuses a dynamic importer without allow_peer2peer', () => {
    const o = only(model(machine(), NIC_VFIO, share('db', 'gpu0', 'attach dynamic move_notify')));
    expect(o.attach?.peer2peerOff).toEqual({ kind: 'not-allowed' });
    expect(o.mapping.failure?.reason).toEqual({ kind: 'attach-needs-peer2peer', op: 'vfio_pci_dma_buf_attach', attach: 'dynamic' });
  });

  it('dma_buf_dynamic_attach refuses importer_ops without move_notify before the exporter is asked', () => {
    const o = only(model(machine(), NIC_VFIO, share('db', 'gpu0', 'attach dynamic')));
    expect([o.mapping.failure?.code, o.mapping.failure?.reason]).toEqual(['missing-notifier', { kind: 'no-move-notify' }]);
  });

  it('vfio_pci_dma_buf_pin always fails, so dma_buf_pin_on_map fails the map when CONFIG_DMABUF_MOVE_NOTIFY is off', () => {
    const o = only(model(machine({ kernel: [] }), NIC_VFIO, share('db', 'gpu0')));
    expect(o.attach?.pinOnMap).toBe('move-notify-off');
    expect(o.mapping.failure?.reason).toEqual({ kind: 'pin-unsupported', driver: 'vfio-pci' });
    expect(o.codes).toContain('pin-unsupported');
  });

  it('vfio_pci_dma_buf_iommufd_map hands iommufd its single CPU physical range', () => {
    const o = only(model(machine({ extra: ['iommufd ioas'] }), NIC_VFIO, share('db', 'ioas', DYNAMIC)));
    expect([o.result.ok, o.result.mapType, o.result.addressKind, o.result.segments]).toEqual([true, 'PRIVATE', 'phys', [{ dma: 0x60_0000_0000n, length: 0x1_0000n }]]);
  });

  it('vfio_pci_dma_buf_iommufd_map takes a single range', () => {
    const o = only(model(machine({ extra: ['iommufd ioas'] }), 'buffer db from nic0 driver vfio-pci { range offset 0 size 64K range offset 1M size 64K }', share('db', 'ioas', DYNAMIC)));
    expect(o.mapping.failure?.reason).toEqual({ kind: 'pfn-single-range', ranges: 2 });
    expect(o.codes).toContain('pfn-no-path');
  });

  it('dma_buf_phys_vec_to_sgt fails for NOT_SUPPORTED: a BAR cannot move', () => {
    const o = only(model(machine({ tree: 'root-ports' }), NIC_VFIO, share('db', 'gpu0')));
    expect(o.mapping.failure?.reason).toEqual({ kind: 'p2p-not-supported', exporter: 'nic0', importer: 'gpu0', driver: 'vfio-pci' });
  });

  it('dma_buf_phys_vec_to_sgt gives one IOVA range for THRU_HOST_BRIDGE through dma-iommu (dma_iova_try_alloc)', () => {
    const o = only(model(machine({ iommu: 'vtd', tree: 'root-ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0')));
    expect([o.result.mapType, o.result.addressKind, o.result.segments.length]).toEqual(['THRU_HOST_BRIDGE', 'iova', 1]);
  });
});

describe('p2pmem (drivers/pci/p2pdma.c)', () => {
  const P2PMEM = 'buffer cmb from nic0 driver p2pmem { size 1M }';

  it('has no pin op: a static attachment maps its BAR with pci_p2pdma_bus_addr_map', () => {
    const o = only(model(machine(), P2PMEM, share('cmb', 'gpu0', '')));
    expect(o.attach?.pinOnMap).toBeUndefined();
    expect([o.result.ok, o.result.mapType, o.result.addressKind, o.result.segments[0]?.dma]).toEqual([true, 'BUS_ADDR', 'bus', 0x60_0000_0000n]);
  });

  it('pci_p2pdma_map_type refuses a client that is not a PCI device (dev_is_pci)', () => {
    const o = only(model(machine({ extra: ['platform_device dsp { dma_mask 64 parent gpu0 }'] }), P2PMEM, share('cmb', 'dsp')));
    expect(o.mapping.failure?.reason).toEqual({ kind: 'not-pci-client', importer: 'dsp' });
    expect(o.codes).toContain('not-pci-importer');
  });

  it('has no private interconnect to iommufd (vfio_pci_dma_buf_iommufd_map is vfio-pci only)', () => {
    const o = only(model(machine({ extra: ['iommufd ioas'] }), P2PMEM, share('cmb', 'ioas', DYNAMIC)));
    expect(o.mapping.failure?.reason).toEqual({ kind: 'pfn-exporter-unsupported', importer: 'ioas', driver: 'p2pmem' });
  });
});

describe('heap (drivers/dma-buf/heaps/system_heap.c)', () => {
  it('system_heap_map_dma_buf maps the pages with dma_map_sgtable: the CPU address through dma-direct', () => {
    const o = only(model(machine(), HEAP, share('pages', 'nic0', '')));
    expect([o.result.ok, o.result.placement, o.result.addressKind, o.result.segments[0]?.dma]).toEqual([true, 'system', 'phys', 0x1_0000_0000n]);
  });

  it('dma_direct_map_phys bounces pages above the DMA mask through swiotlb (dma_capable)', () => {
    const o = only(model(withItems(machine(), 'nic0', 'dma_mask 32'), HEAP, share('pages', 'nic0', '')));
    expect(o.mapping.bounce).toEqual({ kind: 'above-dma-limit', dma: 0x1_0000_0000n, size: 0x1_0000n, limit: 0xffff_ffffn });
    expect(o.result.addressKind).toBe('swiotlb');
    expect(o.codes).toContain('swiotlb-bounce');
  });

  it('swiotlb_max_mapping_size refuses a bounce larger than 256 KiB', () => {
    const o = only(model(withItems(machine(), 'nic0', 'dma_mask 32'), 'buffer pages from heap { size 1M }', share('pages', 'nic0', '')));
    expect(o.mapping.failure?.reason).toEqual({
      kind: 'swiotlb-too-large',
      bounce: { kind: 'above-dma-limit', dma: 0x1_0000_0000n, size: 0x10_0000n, limit: 0xffff_ffffn },
      size: 0x10_0000n,
      max: 0x4_0000n,
    });
    expect(o.codes).toContain('dma-unreachable');
  });

  it('dev_use_swiotlb bounces an untrusted device\'s unaligned buffer, which still takes an IOVA (iommu_dma_map_phys)', () => {
    const o = only(model(withItems(machine({ iommu: 'vtd' }), 'nic0', 'untrusted'), 'buffer pages from heap { size 6K }', share('pages', 'nic0', '')));
    expect([o.mapping.bounce, o.result.addressKind]).toEqual([{ kind: 'untrusted-unaligned' }, 'swiotlb']);
  });
});
