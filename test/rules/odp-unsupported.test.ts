// odp-unsupported: mlx5 registers a dma-buf MR through ODP only (reg_user_mr_dmabuf →
// ib_umem_dmabuf_get); without IB_ODP_SUPPORT mlx5r_odp_create_eq() returns -EOPNOTSUPP.
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne } from './expect';
import { GPU_VRAM, TRIGGERS, machine, model, share, withItems } from './models';

describe('odp-unsupported', () => {
  it('an rdma-odp importer on a device with no_odp fails its registration (mlx5r_odp_create_eq)', () => {
    const { text } = TRIGGERS['odp-unsupported']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'odp-unsupported', { severity: 'error', at: 'share frame -> nic0', share: 'frame->nic0', names: ['ibv_reg_dmabuf_mr', 'EOPNOTSUPP', 'mlx5r_odp_create_eq'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('near miss: the same NIC with ODP registers (ib_umem_dmabuf_get, dynamic with P2P)', () => {
    const a = analyzeText(model(withItems(machine(), 'nic0', 'importer rdma-odp'), GPU_VRAM, share('frame', 'nic0', '')));
    expectNone(a, 'odp-unsupported');
    expect(a.shares[0]).toMatchObject({ ok: true, placement: 'vram' });
  });

  it('a pinned importer does not need ODP (ib_umem_dmabuf_get_pinned)', () => {
    const a = analyzeText(model(withItems(machine(), 'nic0', 'importer rdma-pinned no_odp'), GPU_VRAM, share('frame', 'nic0', '')));
    expectNone(a, 'odp-unsupported');
    expect(a.shares[0]).toMatchObject({ ok: true });
  });
});
