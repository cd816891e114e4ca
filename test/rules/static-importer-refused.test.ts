// static-importer-refused: vfio_pci_dma_buf_attach refuses an attachment without peer2peer,
// and a static attachment (dma_buf_attach) never has it (-EOPNOTSUPP).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { DYNAMIC, GPU_VRAM, NIC_VFIO, TRIGGERS, machine, model, share, tree } from './models';

const HEAD = 'share db -> gpu0';

describe('static-importer-refused', () => {
  it('vfio-pci refuses a dynamic importer without allow_peer2peer (vfio_pci_dma_buf_attach)', () => {
    const { text } = TRIGGERS['static-importer-refused']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'static-importer-refused', { severity: 'error', at: HEAD, share: 'db->gpu0', names: ['vfio_pci_dma_buf_attach', 'allow_peer2peer', '-EOPNOTSUPP'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('vfio-pci refuses a static importer (vfio_pci_dma_buf_attach: peer2peer is false)', () => {
    const text = model(machine(), NIC_VFIO, share('db', 'gpu0', ''));
    expectOne(text, analyzeText(text), 'static-importer-refused', { severity: 'error', at: HEAD, names: ['static attachment', 'vfio_pci_dma_buf_attach'] });
  });

  it('near miss: attach dynamic with move_notify and peer2peer', () => {
    const a = analyzeText(model(machine(), NIC_VFIO, share('db', 'gpu0', DYNAMIC)));
    expectNone(a, 'static-importer-refused');
    expect(codes(a)).toEqual([]);
  });

  it('amdgpu accepts static importers (and pins the buffer instead)', () => {
    const a = analyzeText(model(machine(), GPU_VRAM, share('frame', 'nic0', '')));
    expectNone(a, 'static-importer-refused');
    expect(findings(a, 'pinned-on-map')).toHaveLength(1);
  });

  it('p2pmem is a static exporter: a static importer is fine', () => {
    const t = tree('switch').replace('nic nic0 04:00.0', 'nvme ssd0 04:00.0');
    const a = analyzeText(model(machine({ tree: t }), 'buffer cmb from ssd0 driver p2pmem { size 1M }', share('cmb', 'gpu0', '')));
    expectNone(a, 'static-importer-refused');
    expect(a.shares[0]).toMatchObject({ ok: true, mapType: 'BUS_ADDR' });
  });
});
