// missing-notifier: `attach dynamic` without move_notify (dma_buf_dynamic_attach refuses it), a
// pfn importer without one, or any importer of a revocable exporter (vfio_pci_dma_buf_move)
// that cannot be notified.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { DYNAMIC, GPU_VRAM, HEAP, NIC_VFIO, TRIGGERS, machine, model, share } from './models';

const HEAD = 'share db -> gpu0';

describe('missing-notifier', () => {
  it('dma_buf_dynamic_attach refuses importer_ops without move_notify (-EINVAL)', () => {
    const { text } = TRIGGERS['missing-notifier']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'missing-notifier', { severity: 'error', at: HEAD, share: 'db->gpu0', names: ['dma_buf_dynamic_attach', 'move_notify'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('near miss: the same dynamic importer with move_notify attaches and maps', () => {
    const a = analyzeText(model(machine(), NIC_VFIO, share('db', 'gpu0', DYNAMIC)));
    expectNone(a, 'missing-notifier');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]).toMatchObject({ ok: true });
  });

  it('a static importer of a vfio-pci buffer cannot be told about a revoke (vfio_pci_dma_buf_move), related to the buffer', () => {
    const text = model(machine(), NIC_VFIO, share('db', 'gpu0', ''));
    const a = analyzeText(text);
    expectOne(text, a, 'missing-notifier', { severity: 'error', at: HEAD, names: ['vfio_pci_dma_buf_move', 'revokes'], related: [{ find: 'db', in: 'buffer db' }] });
    // vfio-pci refuses the attachment as well.
    expect(findings(a, 'static-importer-refused')).toHaveLength(1);
  });

  it('a pfn importer without an invalidation callback (dma_buf_move_notify)', () => {
    const text = model(machine(), HEAP, share('pages', 'nic0', 'via pfn'));
    expectOne(text, analyzeText(text), 'missing-notifier', { severity: 'error', at: 'share pages -> nic0', names: ['CPU physical', 'dma_buf_move_notify'] });
  });

  it('an iommufd that attaches dynamic without move_notify is refused like any dynamic importer', () => {
    const text = model(machine({ extra: ['iommufd ioas'] }), NIC_VFIO, share('db', 'ioas', 'attach dynamic peer2peer'));
    expectOne(text, analyzeText(text), 'missing-notifier', { severity: 'error', at: 'share db -> ioas', names: ['dma_buf_dynamic_attach'] });
  });

  it('near miss: iommufd attaches with its own revoke callback by default', () => {
    const a = analyzeText(model(machine({ extra: ['iommufd ioas'] }), NIC_VFIO, share('db', 'ioas', '')));
    expectNone(a, 'missing-notifier');
    expect(a.shares[0]).toMatchObject({ ok: true, mapType: 'PRIVATE', addressKind: 'phys' });
  });

  it('near miss: a static importer of a buffer that is never revoked (amdgpu, heap) needs no notifier', () => {
    expectNone(analyzeText(model(machine(), HEAP, share('pages', 'nic0', ''))), 'missing-notifier');
    expectNone(analyzeText(model(machine(), GPU_VRAM, share('frame', 'nic0', ''))), 'missing-notifier');
  });

  it('CPU access goes through the exporter\'s mmap: no attachment, nothing to notify', () => {
    expectNone(analyzeText(model(machine(), NIC_VFIO, share('db', 'cpu', ''))), 'missing-notifier');
  });
});
