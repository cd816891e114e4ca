// Each importer module (server/src/engine/importers/) through the engine: what the
// importing driver hands the dma-buf core (attach kind, allow_peer2peer, invalidation,
// pin) and what the exporter does with it. Each test names the function it follows.
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';
import { runEngine, type ShareOutcome } from '../../server/src/engine/run';
import { GPU_VRAM, machine, model, share, withItems } from '../rules/models';
import type { ResolvedModel } from '../../server/src/model/types';

const VFIO_GPU = 'buffer db from gpu0 driver vfio-pci { size 64K }';

/** The model's only share on a given release (ground/release.ts), as the engine left it. */
function only(text: string, release?: { major: number; minor: number }): ShareOutcome {
  const a = analyzeText(text);
  let m: ResolvedModel = a.model!;
  if (release) m = { ...m, platform: { ...m.platform!, kernel: { ...m.platform!.kernel, release } } };
  const shares = runEngine(m).shares;
  expect(shares).toHaveLength(1);
  return shares[0]!;
}

const R6_19 = { major: 6, minor: 19 };
const R7_1 = { major: 7, minor: 1 };

describe('rdma importers (drivers/infiniband/core/umem_dmabuf.c)', () => {
  it('rdma-odp: ib_umem_dmabuf_get attaches dynamic with allow_peer2peer and mlx5_ib_dmabuf_invalidate_cb, no pin: amdgpu VRAM stays VRAM', () => {
    const o = only(model(machine(), GPU_VRAM, share('frame', 'nic0', 'importer rdma-odp')));
    expect(o.share).toMatchObject({ attach: 'dynamic', moveNotify: true, peer2peer: true, via: 'sgt' });
    expect(o.attach).toMatchObject({ importerPin: false, pinOnMap: undefined });
    expect(o.result).toMatchObject({ ok: true, placement: 'vram' });
  });

  it('rdma-odp without ODP: mlx5r_odp_create_eq refuses (-EOPNOTSUPP)', () => {
    const o = only(model(withItems(machine(), 'nic0', 'importer rdma-odp no_odp'), GPU_VRAM, share('frame', 'nic0', '')));
    expect(o.mapping.failure?.reason.kind).toBe('odp-unsupported');
  });

  it('rdma-pinned: ib_umem_dmabuf_get_pinned calls dma_buf_pin; amdgpu_dma_buf_pin keeps VRAM when every attachment has P2P', () => {
    const o = only(model(machine(), GPU_VRAM, share('frame', 'nic0', 'importer rdma-pinned')));
    expect(o.attach).toMatchObject({ importerPin: true, peer2peer: true });
    expect(o.result).toMatchObject({ ok: true, placement: 'vram' });
  });

  it('rdma-pinned next to a static importer: amdgpu_dma_buf_pin drops VRAM, the pinned MR gets GTT', () => {
    const a = analyzeText(model(machine(), GPU_VRAM, share('frame', 'nic0', 'importer rdma-pinned'), share('frame', 'gpu0', 'importer v4l2')));
    expect(a.shares.map((s) => s.placement)).toEqual(['system', 'system']);
    expect(a.findings.filter((f) => f.code === 'pinned-on-map').map((f) => f.share)).toContain('frame->nic0');
  });

  it('rdma-pinned of vfio-pci on 6.19: vfio_pci_dma_buf_pin refuses the pin (-EOPNOTSUPP)', () => {
    const o = only(model(machine(), VFIO_GPU, share('db', 'nic0', 'importer rdma-pinned')), R6_19);
    expect(o.mapping.failure?.reason).toMatchObject({ kind: 'pinned-importer-refused', at: 'pin', importerFn: 'ib_umem_dmabuf_get_pinned' });
  });

  it('rdma-pinned of vfio-pci on 7.1: vfio_pci_dma_buf_attach refuses it (dma_buf_attach_revocable false)', () => {
    const o = only(model(machine(), VFIO_GPU, share('db', 'nic0', 'importer rdma-pinned')), R7_1);
    expect(o.mapping.failure?.reason).toMatchObject({ kind: 'pinned-importer-refused', at: 'attach' });
    // 7.1 removed the stub callback ("dma-buf: Make .invalidate_mapping() truly optional").
    expect(o.share.moveNotify).toBe(false);
  });

  it('rdma-pinned-revocable: on 7.1 ib_umem_dmabuf_get_pinned_revocable_and_lock is revocable and vfio-pci accepts it; on 6.19 it registers pinned and is refused', () => {
    const text = model(machine(), VFIO_GPU, share('db', 'nic0', 'importer rdma-pinned-revocable'));
    expect(only(text, R7_1).result.ok).toBe(true);
    expect(only(text, R6_19).mapping.failure?.reason.kind).toBe('pinned-importer-refused');
  });

  it('the importer kind on the device is inherited by every share to it, and by its VFs', () => {
    const text = model(withItems(machine(), 'nic0', 'importer rdma-pinned vf nic0v 04:00.1'), VFIO_GPU, share('db', 'nic0v', ''));
    expect(only(text).mapping.failure?.reason.kind).toBe('pinned-importer-refused');
  });
});

describe('gpu importers', () => {
  it('amdgpu and xe: amdgpu_gem_prime_import / xe_gem_prime_import attach dynamic with P2P and a move_notify, so vfio-pci accepts them', () => {
    for (const k of ['amdgpu', 'xe']) {
      const o = only(model(machine(), VFIO_GPU, share('db', 'nic0', `importer ${k}`)));
      expect(o.share).toMatchObject({ attach: 'dynamic', moveNotify: true, peer2peer: true });
      expect(o.result.ok).toBe(true);
    }
  });
});

describe('static importers: v4l2 (vb2_dc_attach_dmabuf), drm-prime (drm_gem_prime_import_dev), devmem-tcp (net_devmem_bind_dmabuf), io-uring-zcrx (io_import_dmabuf)', () => {
  it('each attaches static without P2P: an amdgpu buffer is pinned at map (dma_buf_pin_on_map) into GTT', () => {
    for (const k of ['v4l2', 'drm-prime', 'devmem-tcp', 'io-uring-zcrx']) {
      const o = only(model(machine(), GPU_VRAM, share('frame', 'nic0', `importer ${k}`)));
      expect(o.share).toMatchObject({ attach: 'static', moveNotify: false, peer2peer: false });
      expect(o.attach?.pinOnMap).toBe('static');
      expect(o.result).toMatchObject({ ok: true, placement: 'system' });
    }
  });

  it('each is refused by vfio-pci (vfio_pci_dma_buf_attach: no peer2peer)', () => {
    const o = only(model(machine(), VFIO_GPU, share('db', 'nic0', 'importer devmem-tcp')));
    expect(o.mapping.failure?.reason.kind).toBe('attach-needs-peer2peer');
  });
});

describe('iommufd (drivers/iommu/iommufd/pages.c iopt_map_dmabuf)', () => {
  it('attaches dynamic with iopt_revoke_notify and takes the range; pins from 7.1 ("iommufd: Add dma_buf_pin()"), which vfio-pci accepts', () => {
    const text = model(machine({ extra: ['iommufd ioas'] }), VFIO_GPU, share('db', 'ioas', 'importer iommufd'));
    const old = only(text, R6_19);
    const now = only(text, R7_1);
    expect([old.attach?.importerPin, now.attach?.importerPin]).toEqual([false, true]);
    expect([old.result.ok, now.result.ok]).toEqual([true, true]);
    expect(now.result.mapType).toBe('PRIVATE');
  });
});
