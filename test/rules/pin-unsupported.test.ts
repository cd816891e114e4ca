// pin-unsupported: with CONFIG_DMABUF_MOVE_NOTIFY off, dma_buf_pin_on_map() pins every
// attachment, and vfio-pci's pin op always fails (vfio_pci_dma_buf_pin, -EOPNOTSUPP).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { NIC_VFIO, TRIGGERS, machine, model, share } from './models';

describe('pin-unsupported', () => {
  it('a vfio-pci buffer mapped via sgt fails at pin while MOVE_NOTIFY is off (dma_buf_pin_on_map)', () => {
    const { text } = TRIGGERS['pin-unsupported']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'pin-unsupported', { severity: 'error', at: 'share db -> gpu0', share: 'db->gpu0', names: ['dma_buf_pin_on_map', 'CONFIG_DMABUF_MOVE_NOTIFY'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none', mapType: 'BUS_ADDR' });
  });

  it('near miss: kernel { move_notify } (CONFIG_DMABUF_MOVE_NOTIFY=y) maps it', () => {
    const a = analyzeText(model(machine({ kernel: ['move_notify'] }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'pin-unsupported');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]).toMatchObject({ ok: true, addressKind: 'bus' });
  });

  it('the iommufd private path does not pin: it still works with MOVE_NOTIFY off (vfio_pci_dma_buf_iommufd_map)', () => {
    const a = analyzeText(model(machine({ kernel: [], extra: ['iommufd ioas'] }), NIC_VFIO, share('db', 'ioas', '')));
    expectNone(a, 'pin-unsupported');
    expect(a.shares[0]).toMatchObject({ ok: true, mapType: 'PRIVATE' });
  });

  it('CPU access through the exporter does not attach, so nothing is pinned', () => {
    expectNone(analyzeText(model(machine({ kernel: [] }), NIC_VFIO, share('db', 'cpu', ''))), 'pin-unsupported');
  });
});
