// pinned-importer-refused: vfio-pci refuses a pinned importer that cannot be revoked:
// 6.19 in vfio_pci_dma_buf_pin (-EOPNOTSUPP), 7.1 in vfio_pci_dma_buf_attach
// (dma_buf_attach_revocable() false, -EOPNOTSUPP).
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne } from './expect';
import { TRIGGERS, machine, model, share } from './models';

const VFIO = 'buffer db from gpu0 driver vfio-pci { size 64K }';

describe('pinned-importer-refused', () => {
  it('rdma-pinned of a vfio-pci buffer is refused at attach on the newest release (dma_buf_attach_revocable, 7.1)', () => {
    const { text } = TRIGGERS['pinned-importer-refused']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'pinned-importer-refused', { severity: 'error', at: 'share db -> nic0', share: 'db->nic0', names: ['ibv_reg_dmabuf_mr', 'dma_buf_attach_revocable', 'rdma-pinned-revocable'] });
    expectNamesKernel(f);
    expectNone(a, 'missing-notifier');
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('near miss: rdma-pinned-revocable (7.1, ib_umem_dmabuf_get_pinned_revocable_and_lock) is accepted', () => {
    const a = analyzeText(model(machine(), VFIO, share('db', 'nic0', 'importer rdma-pinned-revocable')));
    expectNone(a, 'pinned-importer-refused');
    expect(a.shares[0]).toMatchObject({ ok: true });
  });

  it('near miss: rdma-odp is dynamic and revocable, so vfio-pci accepts it', () => {
    const a = analyzeText(model(machine(), VFIO, share('db', 'nic0', 'importer rdma-odp')));
    expectNone(a, 'pinned-importer-refused');
    expect(a.shares[0]).toMatchObject({ ok: true });
  });
});
