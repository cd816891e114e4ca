// The kernel release → feature table (server/src/engine/releases.ts, docs/kernel.md §20):
// every entry's release boundary, and the behaviour it gates on both sides of it, each
// test named for the release and the commit or pull the entry cites.
import { describe, expect, it } from 'vitest';
import { KERNEL_FEATURES, type FeatureId, releaseHas } from '../../server/src/engine/releases';
import { IovaDomain, type IovaRange } from '../../server/src/engine/iova';
import { DISTRO_RELEASES, NEWEST_RELEASE, OLDEST_RELEASE, parseKernelVersion } from '../../server/src/ground/release';
import { analyzeText } from '../helpers/analyzeFile';
import { GPU_VRAM, HEAP, NIC_VFIO, machine, model, share, twoHostBridges } from '../rules/models';

const rel = (major: number, minor: number) => ({ major, minor });
const codes = (text: string) => analyzeText(text).findings.map((f) => f.code);
const firstShare = (text: string) => analyzeText(text).shares[0]!;

/** gpu0's VRAM (amdgpu) shared with nic0 under a second host bridge whose root device is `id`: the P2P map type on `version`. */
function acrossBridges(id: string, version: string, cpu = 'intel'): string {
  const two = twoHostBridges(id);
  return firstShare(model(machine({ cpu, kernel: [`version ${version}`, 'move_notify'], hostBridgeId: id, tree: two.tree, extra: two.extra }), GPU_VRAM, share('frame', 'nic0'))).mapType;
}

/** The same on one host bridge with gpu0 and nic0 under two root ports (no common upstream bridge). */
function acrossRootPorts(id: string, version: string): string {
  return firstShare(model(machine({ kernel: [`version ${version}`, 'move_notify'], hostBridgeId: id, tree: 'root-ports' }), GPU_VRAM, share('frame', 'nic0'))).mapType;
}

/** Each entry's boundary: absent the release before `since`, present from it, gone from `until`. */
function expectBoundary(id: FeatureId): void {
  const f = KERNEL_FEATURES[id] as { since?: { major: number; minor: number }; until?: { major: number; minor: number } };
  expect(f.since).toBeDefined();
  const since = f.since!;
  const before = since.minor > 0 ? rel(since.major, since.minor - 1) : rel(since.major - 1, 19);
  expect(releaseHas(before, id)).toBe(false);
  expect(releaseHas(since, id)).toBe(true);
  if (f.until) expect(releaseHas(f.until, id)).toBe(false);
}

describe('the release table (engine/releases.ts)', () => {
  it('every entry has a release (or none, for pci/next) and names the commit or pull it came from', () => {
    for (const [id, f] of Object.entries(KERNEL_FEATURES)) {
      expect(f.source.length, id).toBeGreaterThan(20);
      expect(f.source, id).toMatch(/[0-9a-f]{12}|pull|pci\/next|merge|release|inferred|mainline|Robin Murphy/);
      if (f.since) expectBoundary(id as FeatureId);
    }
  });

  it('whitelist-intel-e5, 5.2 (494d63b0d5d0): Xeon E5 8086:3c00 whitelists one host bridge on the oldest modelled release, not two (REQ_SAME_HOST_BRIDGE)', () => {
    expectBoundary('whitelist-intel-e5');
    expect(acrossRootPorts('8086:3c00', '5.14')).toBe('THRU_HOST_BRIDGE');
    expect(acrossBridges('8086:3c00', '5.14')).toBe('NOT_SUPPORTED');
  });

  it('whitelist-skylake-e, 5.7 (bc123a515cb7, 7b94b53db34f): Skylake-E 8086:2030 across host bridges on 5.14', () => {
    expectBoundary('whitelist-skylake-e');
    expect(acrossBridges('8086:2030', '5.14')).toBe('THRU_HOST_BRIDGE');
  });

  it('cpu-amd-zen, 5.9 (dea286bb71ba): an AMD family 0x19 CPU allows any host-bridge path on 5.14 (cpu_supports_p2pdma)', () => {
    expectBoundary('cpu-amd-zen');
    expect(acrossBridges('1022:1480', '5.14', 'amd family 0x19')).toBe('THRU_HOST_BRIDGE');
    expect(acrossBridges('1022:1480', '5.14', 'amd family 0x15')).toBe('NOT_SUPPORTED');
  });

  it('whitelist-ice-lake, 5.18 (feaea1fe8b36, "applied … to pci/p2pdma for v5.18"): 8086:09a2 is NOT_SUPPORTED on 5.15, THRU_HOST_BRIDGE on 6.1', () => {
    expectBoundary('whitelist-ice-lake');
    expect(acrossBridges('8086:09a2', '5.15')).toBe('NOT_SUPPORTED');
    expect(acrossBridges('8086:09a2', 'ubuntu-22.04')).toBe('NOT_SUPPORTED');
    expect(acrossBridges('8086:09a2', '6.1')).toBe('THRU_HOST_BRIDGE');
    const steps = analyzeText(model(machine({ kernel: ['version 5.15', 'move_notify'], hostBridgeId: '8086:09a2', tree: 'root-ports' }), GPU_VRAM, share('frame', 'nic0'))).shares[0]!.explain;
    expect(steps.map((s) => (typeof s === 'string' ? s : s()))).toContain(
      "host bridge hb0 (8086:09a2, Intel Ice Lake-SP and later) is not in 5.15's P2PDMA whitelist: its entry landed in 5.18 (__host_bridge_whitelist)",
    );
  });

  it('host-bridge-any-devfn, 5.19 (1af7c26c59eb): in the table; the model has no devfn for a host bridge\'s root device, so nothing reads it yet', () => {
    expectBoundary('host-bridge-any-devfn');
  });

  it('whitelist-google, 7.1 (70cf146a674c, 1a1f96e3e2a8): Google 1ae0:any across host bridges on 7.1, not on 7.0', () => {
    expectBoundary('whitelist-google');
    expect(acrossBridges('1ae0:0001', '7.0')).toBe('NOT_SUPPORTED');
    expect(acrossBridges('1ae0:0001', '7.1')).toBe('THRU_HOST_BRIDGE');
  });

  it('whitelist-intel-accelerators, 7.2 (0ba76b19fd4c, 7.1.y stable review): a DSA root device 8086:0b25 on 7.2, not 7.1', () => {
    expectBoundary('whitelist-intel-accelerators');
    expect(acrossBridges('8086:0b25', '7.1')).toBe('NOT_SUPPORTED');
    expect(acrossBridges('8086:0b25', '7.2')).toBe('THRU_HOST_BRIDGE');
  });

  it('whitelist-nvidia-vera, 7.3 (894a78088fc3): NVIDIA Vera 10de:2f95 on 7.3, not 7.2', () => {
    expectBoundary('whitelist-nvidia-vera');
    expect(acrossBridges('10de:2f95', '7.2')).toBe('NOT_SUPPORTED');
    expect(acrossBridges('10de:2f95', '7.3')).toBe('THRU_HOST_BRIDGE');
  });

  it('whitelist-zhaoxin, pci/next only (f7c220404700): in no release, but in the version-1 kernel (kernel.md §3.3)', () => {
    expect(KERNEL_FEATURES['whitelist-zhaoxin'].since).toBeUndefined();
    expect(releaseHas(NEWEST_RELEASE, 'whitelist-zhaoxin')).toBe(false);
    expect(acrossBridges('1d17:1008', '7.3')).toBe('NOT_SUPPORTED');
    const two = twoHostBridges('1d17:1008');
    const v1 = firstShare(model(machine({ hostBridgeId: '1d17:1008', tree: two.tree, extra: two.extra }), GPU_VRAM, share('frame', 'nic0')));
    expect(v1.mapType).toBe('THRU_HOST_BRIDGE');
  });

  it('dynamic-dma-buf, 5.7 (bb42df4662a4) and allow-peer2peer, 5.8: below the oldest modelled release, so every release attaches dynamically with peer2peer', () => {
    expectBoundary('dynamic-dma-buf');
    expectBoundary('allow-peer2peer');
    expect(firstShare(model(machine({ kernel: ['version 5.14', 'move_notify'], tree: 'switch-no-acs' }), GPU_VRAM, share('frame', 'nic0')))).toMatchObject({ placement: 'vram', ok: true });
  });

  it('dmabuf-move-notify-kconfig, 5.7 until 7.1 ("dma-buf: Always enable move_notify", drm-misc-next for 7.1): on 7.0 without the flag a vfio-pci map fails at pin; on 7.1 it maps', () => {
    expectBoundary('dmabuf-move-notify-kconfig');
    const on = (v: string) => codes(model(machine({ kernel: [`version ${v}`] }), NIC_VFIO, share('db', 'gpu0')));
    expect(on('7.0')).toEqual(['pin-unsupported']);
    expect(on('7.1')).toEqual([]);
    // The flag itself is gone on 7.1: an error at the flag (kernel-option-absent).
    expect(codes(model(machine({ kernel: ['version 7.1', 'move_notify'] }), HEAP, share('pages', 'nic0', '')))).toEqual(['kernel-option-absent']);
  });

  it('amdgpu-vram-export, 5.8: amdgpu VRAM reaches a P2P importer on the oldest modelled release', () => {
    expectBoundary('amdgpu-vram-export');
    expect(firstShare(model(machine({ kernel: ['version 5.14', 'move_notify'], tree: 'switch-no-acs' }), GPU_VRAM, share('frame', 'nic0'))).placement).toBe('vram');
  });

  it('amdgpu-vram-pin, 6.15 (f5e7fabd1f5c): a pinned BO goes to GTT before 6.15 whatever the importers; from 6.15 only because CONFIG_DMABUF_MOVE_NOTIFY is off (amdgpu_dma_buf_pin)', () => {
    expectBoundary('amdgpu-vram-pin');
    // Without the flag every dynamic attachment is pinned at map (dma_buf_pin_on_map): the
    // placement is GTT on both releases, and the step says why on each.
    const steps = (v: string) => {
      const s = firstShare(model(machine({ kernel: [`version ${v}`], tree: 'switch-no-acs' }), GPU_VRAM, share('frame', 'nic0')));
      expect(s.placement).toBe('system');
      return s.explain.map((x) => (typeof x === 'string' ? x : x()));
    };
    expect(steps('6.14')).toContain('amdgpu_dma_buf_pin: before 6.15 a pinned BO always goes to GTT (system memory)');
    expect(steps('6.15')).toContain('amdgpu_dma_buf_pin: CONFIG_DMABUF_MOVE_NOTIFY is off, VRAM is removed: pinned in GTT (system memory)');
    // 7.1: the option is gone (always on), nothing is pinned, the BO stays in VRAM.
    expect(firstShare(model(machine({ kernel: ['version 7.1'], tree: 'switch-no-acs' }), GPU_VRAM, share('frame', 'nic0'))).placement).toBe('vram');
  });

  it('rdma-dma-buf-import, 5.12, and rdma-dma-buf-pinned, 5.16 (1e4df4a21c5a): in the table for every modelled release', () => {
    expectBoundary('rdma-dma-buf-import');
    expectBoundary('rdma-dma-buf-pinned');
    expect(releaseHas(OLDEST_RELEASE, 'rdma-dma-buf-import')).toBe(true);
  });

  it('vfio-pci-dma-buf, 6.19 ("VFIO updates for v6.19-rc1"): a vfio-pci buffer is kernel-too-old on 6.18, maps on 6.19', () => {
    expectBoundary('vfio-pci-dma-buf');
    expect(codes(model(machine({ kernel: ['version 6.18', 'move_notify'] }), NIC_VFIO, share('db', 'gpu0')))).toEqual(['kernel-too-old']);
    expect(firstShare(model(machine({ kernel: ['version 6.19', 'move_notify'] }), NIC_VFIO, share('db', 'gpu0')))).toMatchObject({ ok: true, addressKind: 'bus' });
  });

  it('vfio-pci-pin-refused, 6.19 until 7.1 (61ceaf236115): its pin fails with the option off on 6.19; 7.1 has no such op', () => {
    expectBoundary('vfio-pci-pin-refused');
    expect(codes(model(machine({ kernel: ['version 6.19'] }), NIC_VFIO, share('db', 'gpu0')))).toEqual(['pin-unsupported']);
  });

  it('dma-buf-revoke, 7.1 (revoke series v7, drm-misc-next for 7.1): vfio-pci refuses an unrevocable pinned RDMA importer at pin on 7.0, at attach (dma_buf_attach_revocable) on 7.1', () => {
    expectBoundary('dma-buf-revoke');
    const pinned = (version: string) =>
      analyzeText(model(machine({ kernel: [`version ${version}`] }), 'buffer db from gpu0 driver vfio-pci { size 64K }', share('db', 'nic0', 'importer rdma-pinned'))).findings.find((f) => f.code === 'pinned-importer-refused')?.message;
    expect(pinned('7.0')).toMatch(/pin op refuses pinned importers \(vfio_pci_dma_buf_pin/);
    expect(pinned('7.1')).toMatch(/dma_buf_attach_revocable\(\) is false in vfio_pci_dma_buf_attach/);
  });

  it('xe-vram-pin, 6.19 ("drm/xe/dma-buf: Allow pinning of p2p dma-buf"): xe_dma_buf_pin keeps a P2P-only BO in VRAM on 6.19, migrates it to XE_PL_TT on 6.18', () => {
    expectBoundary('xe-vram-pin');
    const placement = (version: string) =>
      firstShare(model(machine({ kernel: [`version ${version}`, 'move_notify'] }), 'buffer frame from gpu0 driver xe { size 2M fallback system }', share('frame', 'nic0', 'importer rdma-pinned'))).placement;
    expect(placement('6.18')).toBe('system');
    expect(placement('6.19')).toBe('vram');
  });

  it('iommufd-dma-buf, 6.19 (IOMMUFD 6.19 pull, iopt_alloc_dmabuf_pages): IOMMU_IOAS_MAP_FILE of a dma-buf', () => {
    expectBoundary('iommufd-dma-buf');
    const on = (v: string) => firstShare(model(machine({ kernel: [`version ${v}`, 'move_notify'], extra: ['iommufd ioas'] }), NIC_VFIO, share('db', 'ioas', '')));
    expect(on('6.12')).toMatchObject({ ok: false });
    expect(on('6.19')).toMatchObject({ ok: true, mapType: 'PRIVATE', addressKind: 'phys' });
  });

  it('iommu-forcedac, 5.13 (iommu.forcedac, Robin Murphy: "a 5.13 or newer kernel"): every modelled release has the option', () => {
    expectBoundary('iommu-forcedac');
    expect(releaseHas(OLDEST_RELEASE, 'iommu-forcedac')).toBe(true);
  });

  it('sac-per-device, 6.6 (791c2b17fb40 "iommu: Optimise PCI SAC address trick"): before 6.6 a PCI device tries below 4 GiB at every allocation (iommu_dma_alloc_iova)', () => {
    expectBoundary('sac-per-device');
    const reserved: IovaRange[] = [{ first: 0x8000_0000n, last: 0xfbff_ffffn }];
    const MASK64 = (1n << 64n) - 1n;
    for (const sacPerDevice of [true, false]) {
      const domain = new IovaDomain({ reserved });
      const dev = { pci32bitWorkaround: true, sacPerDevice };
      const big = domain.alloc(dev, 4n << 30n, MASK64);
      expect(big.triedBelow4G).toBe(true);
      const next = domain.alloc(dev, 4096n, MASK64);
      // 6.6 on: the flag is cleared, the next map goes 64-bit; before: it tries (and gets) a 32-bit IOVA.
      expect(next.triedBelow4G).toBe(!sacPerDevice);
      expect(next.iova! < 1n << 32n).toBe(!sacPerDevice);
    }
  });

  it('dma-iova-api, 6.16, dma-attr-mmio, 6.18, dma-buf-phys-vec-to-sgt, 6.19: in the table; only vfio-pci (6.19) maps through them', () => {
    expectBoundary('dma-iova-api');
    expectBoundary('dma-attr-mmio');
    expectBoundary('dma-buf-phys-vec-to-sgt');
    expect(releaseHas(rel(6, 19), 'dma-iova-api') && releaseHas(rel(6, 19), 'dma-attr-mmio')).toBe(true);
  });
});

describe('`version` and distribution aliases (ground/release.ts)', () => {
  it('each alias resolves to its base release; mainline forms parse', () => {
    expect(DISTRO_RELEASES['ubuntu-22.04']).toEqual(rel(5, 15));
    expect(DISTRO_RELEASES['ubuntu-24.04']).toEqual(rel(6, 8));
    expect(DISTRO_RELEASES['rhel-9']).toEqual(rel(5, 14));
    expect(DISTRO_RELEASES['debian-12']).toEqual(rel(6, 1));
    expect(DISTRO_RELEASES['debian-13']).toEqual(rel(6, 12));
    expect(parseKernelVersion('v7.3')).toEqual({ release: rel(7, 3), distro: undefined });
    expect(parseKernelVersion('5.15.0')).toEqual({ release: rel(5, 15), distro: undefined });
    expect(parseKernelVersion('fedora-40')).toBeUndefined();
  });

  it('a release outside 5.14–7.3 or an unknown alias is an invalid-value at the release, and the model keeps the version-1 kernel', () => {
    for (const v of ['4.19', '7.4', 'ubuntu-20.04']) {
      const a = analyzeText(model(machine({ kernel: [`version ${v}`, 'move_notify'] }), HEAP, share('pages', 'nic0', '')));
      expect(a.findings.map((f) => f.code), v).toEqual(['invalid-value']);
      expect(a.model.platform!.kernel.version).toBeUndefined();
    }
  });

  it('`version` is not reserved: a version-1 file may name a device `version`', () => {
    const text = model(machine({ tree: 'root-ports' }).replace('nic nic0', 'nic version'), HEAP, share('pages', 'version', ''));
    expect(codes(text)).toEqual([]);
  });

  it('the --kernel override (AnalysisOptions.kernel) replaces the written version', () => {
    const text = model(machine({ kernel: ['version 6.8', 'move_notify'] }), NIC_VFIO, share('db', 'gpu0'));
    const a = analyzeText(text, {}, { kernel: { text: '7.3', version: parseKernelVersion('7.3')! } });
    expect(a.model.platform!.kernel.release).toEqual(rel(7, 3));
    expect(a.shares[0]).toMatchObject({ ok: true });
    expect(a.findings.map((f) => f.code)).toEqual(['kernel-option-absent']);
  });
});
