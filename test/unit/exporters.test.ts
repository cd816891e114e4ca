// Each exporter module (server/src/engine/exporters/) through the engine: what its
// dma_buf_ops decide for a share, as the share's result and the refusal's reason. Each
// test is named after the kernel function the module follows.
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';
import type { ShareOutcome } from '../../server/src/engine/run';
import { exporterFor } from '../../server/src/engine/exporters';
import { DYNAMIC, GPU_VRAM, HEAP, NIC_VFIO, NV_VRAM, TWO_GPUS, WHITELISTED, machine, model, share, withItems } from '../rules/models';
import { runEngine } from '../../server/src/engine/run';

/** The model's only share, as the engine left it, and the codes of its findings. */
function only(text: string): ShareOutcome & { codes: string[] } {
  const a = analyzeText(text);
  const shares = a.engine?.shares ?? [];
  expect(shares).toHaveLength(1);
  return { ...shares[0]!, codes: a.findings.filter((f) => f.share === shares[0]!.share.name).map((f) => f.code) };
}

describe('the exporter registry (exporters/index.ts)', () => {
  it('has a module for every driver, dynamic where ops->pin exists (dma_buf_is_dynamic), revocable for vfio-pci (vfio_pci_dma_buf_move)', () => {
    const props = (['amdgpu', 'vfio-pci', 'p2pmem', 'heap', 'nvidia', 'xe', 'i915', 'nouveau', 'habanalabs', 'rdma'] as const).map((d) => {
      const e = exporterFor(d);
      return [e.driver, e.isDynamic, e.revocation !== undefined, e.physVecSgt];
    });
    expect(props).toEqual([
      ['amdgpu', true, false, false],
      ['vfio-pci', true, true, true],
      ['p2pmem', false, false, true],
      ['heap', false, false, false],
      // nv_dma_buf_ops and habanalabs_dmabuf_ops have no pin op; i915_dmabuf_ops neither;
      // nouveau goes through the generic PRIME ops; xe_dmabuf_ops and uverbs_dmabuf_ops pin.
      ['nvidia', false, false, false],
      ['xe', true, false, false],
      ['i915', false, false, false],
      ['nouveau', false, false, false],
      ['habanalabs', false, false, false],
      ['rdma', true, true, true],
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

/** The only share of a model whose kernel release is `major.minor` (until `kernel { version }` exists). */
function onRelease(text: string, major: number, minor: number): ShareOutcome {
  const m = analyzeText(text).model;
  const platform = { ...m.platform!, kernel: { ...m.platform!.kernel, release: { major, minor } } };
  return runEngine({ ...m, platform }).shares[0]!;
}

describe('nvidia (open-gpu-kernel-modules kernel-open/nvidia/nv-dmabuf.c, nv-pci.c)', () => {
  const nv = (items: string) => `buffer kv from gpu0 driver nvidia { size 1G ${items} }`;

  it('nv_dma_buf_map_pfns maps BAR1 with dma_map_resource (nv_dma_map_peer): the CPU physical address under dma-direct, an IOVA through the IOMMU', () => {
    const direct = only(model(machine(), NV_VRAM, share('kv', 'nic0')));
    expect([direct.result.mapType, direct.result.placement, direct.result.addressKind, direct.result.segments[0]?.dma]).toEqual(['BUS_ADDR', 'vram', 'phys', 0x40_0000_0000n]);
    const iommu = only(model(machine({ iommu: 'vtd' }), NV_VRAM, share('kv', 'nic0')));
    expect(iommu.result.addressKind).toBe('iova');
    // No pin op: dma_buf_pin_on_map never pins, a static importer gets the same BAR1 addresses.
    const stat = only(model(machine(), NV_VRAM, share('kv', 'nic0', '')));
    expect([stat.attach?.pinOnMap, stat.result.ok, stat.result.placement]).toEqual([undefined, true, 'vram']);
  });

  it('nv_grdma_pci_topology_supported allows what pci_p2pdma_map_type calls NOT_SUPPORTED (580+): the policy says so', () => {
    const o = only(model(machine({ tree: 'root-ports' }), NV_VRAM, share('kv', 'nic0')));
    expect([o.result.mapType, o.result.ok]).toEqual(['NOT_SUPPORTED', true]);
    expect(o.attach?.policy).toMatchObject({ check: 'nv_grdma_pci_topology_supported', allowed: true, kernelMapType: 'NOT_SUPPORTED', disagrees: true });
    expect(o.codes).toEqual(['exporter-topology-policy']);
  });

  it('nv_grdma_pci_topology_supported: the unsupported-chipset flag wants a common bridge (nv_pci_has_common_pci_switch); passthrough allows all', () => {
    const refused = only(model(machine({ tree: 'root-ports' }), nv('p2p_unsupported_chipset'), share('kv', 'nic0')));
    expect(refused.mapping.failure?.reason).toMatchObject({ kind: 'exporter-topology', op: 'nv_dma_buf_attach', check: 'nv_grdma_pci_topology_supported' });
    const sameSwitch = only(model(machine(), nv('p2p_unsupported_chipset'), share('kv', 'nic0')));
    expect(sameSwitch.result.ok).toBe(true);
    const passthru = only(model(machine({ tree: 'root-ports' }), nv('p2p_unsupported_chipset passthru'), share('kv', 'nic0')));
    expect(passthru.result.ok).toBe(true);
  });

  it('nv_dma_buf_attach refuses a dynamic importer without peer2peer for memory without struct pages, not a static one (580+)', () => {
    const dyn = only(model(machine(), NV_VRAM, share('kv', 'nic0', 'attach dynamic move_notify')));
    expect(dyn.mapping.failure?.reason).toMatchObject({ kind: 'p2p-required', op: 'nv_dma_buf_attach', errno: '-ENOTSUPP' });
    const coherent = only(model(machine(), nv('coherent'), share('kv', 'nic0', 'attach dynamic move_notify')));
    expect(coherent.result.ok).toBe(true);
  });

  it('before 580 there is no attach op: nv_dma_buf_map refuses the same importer (a NULL sg_table, -ENOMEM), and 515-534 even on coherent platforms', () => {
    const v570 = only(model(machine(), 'buffer kv from gpu0 driver nvidia 570 { size 1G }', share('kv', 'nic0', 'attach dynamic move_notify')));
    expect(v570.mapping.failure?.reason).toMatchObject({ kind: 'p2p-required', op: 'nv_dma_buf_map' });
    expect(v570.attach?.refusal).toBeUndefined();
    const coherent535 = only(model(machine(), 'buffer kv from gpu0 driver nvidia 535 { size 1G coherent }', share('kv', 'nic0', 'attach dynamic move_notify')));
    expect(coherent535.result.ok).toBe(true);
    const coherent525 = only(model(machine(), 'buffer kv from gpu0 driver nvidia 525 { size 1G coherent }', share('kv', 'nic0', 'attach dynamic move_notify')));
    expect(coherent525.result.ok).toBe(false);
    // And no topology check: the chipset flag refuses nothing before 580.
    const old = only(model(machine({ tree: 'root-ports' }), 'buffer kv from gpu0 driver nvidia 570 { size 1G p2p_unsupported_chipset }', share('kv', 'nic0')));
    expect(old.result.ok).toBe(true);
  });

  it('nv_dma_buf_map_pages: a coherent platform (C2C) maps pages with dma_map_sg, through the IOMMU like RAM', () => {
    const o = only(model(machine({ iommu: 'vtd', tree: 'root-ports' }), nv('coherent'), share('kv', 'nic0')));
    expect([o.result.ok, o.result.addressKind, o.attach?.policy?.disagrees]).toEqual([true, 'iova', false]);
  });

  it('FORCE_PCIE (570+) needs a coherent platform and one IOMMU group (nv_pci_is_valid_topology_for_direct_pci), then skip_iommu hands out BAR1 CPU addresses', () => {
    const notCoherent = only(model(machine({ iommu: 'vtd' }), nv('force_pcie'), share('kv', 'nic0')));
    expect(notCoherent.mapping.failure?.reason).toMatchObject({ kind: 'exporter-topology', check: 'nv_pci_is_valid_topology_for_direct_pci' });
    const sameGroup = only(model(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), nv('coherent force_pcie'), share('kv', 'nic0')));
    expect([sameGroup.result.ok, sameGroup.result.addressKind, sameGroup.result.segments[0]?.dma]).toEqual([true, 'phys', 0x40_0000_0000n]);
    const otherGroups = only(model(machine({ iommu: 'vtd', tree: 'ports' }), nv('coherent force_pcie'), share('kv', 'nic0')));
    expect(otherGroups.result.ok).toBe(false);
  });
});

describe('xe (drivers/gpu/drm/xe/xe_dma_buf.c)', () => {
  const XE = (items = '') => `buffer t from gpu0 driver xe { size 256M ${items} }`;

  it('xe_dma_buf_attach clears peer2peer by pci_p2pdma_distance and xe_dma_buf_map migrates to XE_PL_TT when the BO may', () => {
    const o = only(model(machine({ tree: 'root-ports' }), XE('fallback system'), share('t', 'nic0')));
    expect(o.attach?.peer2peerOff).toEqual({ kind: 'p2p-distance', mapType: 'NOT_SUPPORTED' });
    expect([o.result.placement, o.mapping.fallback, o.result.ok]).toEqual(['system', 'p2p', true]);
    expect(o.codes).toEqual(['p2p-fallback-system']);
  });

  it('xe_dma_buf_attach: -EOPNOTSUPP without peer2peer for a BO that cannot migrate (xe_bo_can_migrate)', () => {
    const o = only(model(machine({ tree: 'root-ports' }), XE(), share('t', 'nic0')));
    expect(o.mapping.failure?.reason).toMatchObject({ kind: 'p2p-required', op: 'xe_dma_buf_attach', errno: '-EOPNOTSUPP' });
  });

  it('xe_ttm_vram_mgr_alloc_sgt maps VRAM in blocks of at most 2 GiB with dma_map_resource', () => {
    const o = only(model(machine(), 'buffer t from gpu0 driver xe { size 5G }', share('t', 'nic0')));
    expect(o.result.segments.map((x) => x.length)).toEqual([0x8000_0000n, 0x8000_0000n, 0x4000_0000n]);
  });

  it('xe_dma_buf_pin pins in TT before 6.19 and keeps VRAM from 6.19 when every attachment has peer2peer (CONFIG_DMABUF_MOVE_NOTIFY)', () => {
    const text = model(machine({ kernel: [] }), XE('fallback system'), share('t', 'nic0'));
    expect(onRelease(text, 6, 18).result.placement).toBe('system');
    const noMoveNotify = onRelease(text, 6, 19);
    expect([noMoveNotify.result.placement, noMoveNotify.attach?.pinOnMap]).toEqual(['system', 'move-notify-off']);
    expect(onRelease(model(machine(), XE('fallback system'), share('t', 'nic0', '')), 6, 19).result.placement).toBe('system');
    // With move_notify a dynamic P2P attachment is never pinned: VRAM.
    expect(onRelease(model(machine(), XE(), share('t', 'nic0')), 6, 18).result.placement).toBe('vram');
  });

  it('xe_dma_buf_pin: a VRAM-only BO cannot migrate to TT for a pin (-EINVAL)', () => {
    const o = only(model(machine({ kernel: [] }), XE(), share('t', 'nic0')));
    expect(o.mapping.failure?.reason).toMatchObject({ kind: 'cannot-migrate', op: 'xe_dma_buf_pin' });
  });
});

describe('i915, nouveau, habanalabs, rdma', () => {
  it('i915_gem_dmabuf_attach migrates the object to system memory (INTEL_REGION_SMEM) for every importer, even a P2P one', () => {
    const o = only(model(machine(), 'buffer t from gpu0 driver i915 { size 64M fallback system }', share('t', 'nic0')));
    expect([o.result.placement, o.result.ok, o.result.addressKind]).toEqual(['system', true, 'phys']);
  });

  it('nouveau_gem_prime_pin pins the export in GART (system memory)', () => {
    const o = only(model(machine(), 'buffer t from gpu0 driver nouveau { size 64M }', share('t', 'nic0', '')));
    expect([o.result.placement, o.mapping.fallback, o.result.ok]).toEqual(['system', 'pinned', true]);
  });

  it('alloc_sgt_from_device_pages maps the DRAM BAR with dma_map_resource: an IOVA through the IOMMU although BUS_ADDR is possible', () => {
    const o = only(model(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), 'buffer act from gpu0 driver habanalabs { size 1G }', share('act', 'nic0')));
    expect([o.result.mapType, o.result.addressKind, o.result.ok]).toEqual(['BUS_ADDR', 'iova', true]);
  });

  it('uverbs_dmabuf_map goes through dma_buf_phys_vec_to_sgt (bus address for BUS_ADDR); uverbs_dmabuf_attach needs peer2peer; uverbs_dmabuf_pin fails', () => {
    const ok = only(model(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), 'buffer mr from nic0 driver rdma { size 1M }', share('mr', 'gpu0')));
    expect([ok.result.mapType, ok.result.addressKind]).toEqual(['BUS_ADDR', 'bus']);
    const noP2p = only(model(machine(), 'buffer mr from nic0 driver rdma { size 1M }', share('mr', 'gpu0', 'attach dynamic move_notify')));
    expect(noP2p.mapping.failure?.reason).toMatchObject({ kind: 'p2p-required', op: 'uverbs_dmabuf_attach' });
    const pinned = only(model(machine({ kernel: [] }), 'buffer mr from nic0 driver rdma { size 1M }', share('mr', 'gpu0')));
    expect(pinned.mapping.failure?.reason).toEqual({ kind: 'pin-unsupported', driver: 'rdma' });
  });
});

describe('amdgpu brought up to date (amdgpu_dma_buf_attach)', () => {
  it('clears peer2peer for a GFX12 DCC buffer, so the BO moves to GTT', () => {
    const o = only(model(machine(), 'buffer frame from gpu0 driver amdgpu { size 256M dcc }', share('frame', 'nic0')));
    expect([o.attach?.peer2peerOff, o.result.placement]).toEqual([{ kind: 'compressed' }, 'system']);
  });

  it('XGMI reachability overrides a failed PCI distance', () => {
    const t = TWO_GPUS.replace('switch sw0 01:00.0 {', 'switch sw0 01:00.0 acs {');
    const o = only(model(machine({ iommu: 'vtd', tree: t, extra: ['link xgmi gpu0, gpu1'] }), GPU_VRAM, share('frame', 'gpu1')));
    expect([o.attach?.distanceRoute?.mapType, o.attach?.xgmiPeer, o.attach?.peer2peer, o.result.placement]).toEqual(['NOT_SUPPORTED', true, true, 'vram']);
  });
});
