// pinned-on-map: an amdgpu buffer is pinned at map (dma_buf_pin_on_map: a static attachment,
// or CONFIG_DMABUF_MOVE_NOTIFY off) and amdgpu_dma_buf_pin removes VRAM: it lands in GTT.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { DYNAMIC, GPU_VRAM, NIC_VFIO, TRIGGERS, machine, model, share } from './models';

const HEAD = 'share frame -> nic0';

describe('pinned-on-map', () => {
  it('a static attachment of an amdgpu buffer is pinned in GTT (dma_buf_pin_on_map, amdgpu_dma_buf_pin)', () => {
    const { text } = TRIGGERS['pinned-on-map']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'pinned-on-map', { severity: 'warning', at: HEAD, share: 'frame->nic0', names: ['dma_buf_pin_on_map', 'amdgpu_dma_buf_pin', 'static attachment'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ placement: 'system', mapType: 'BUS_ADDR', ok: true });
  });

  it('near miss: a dynamic attachment with move_notify and peer2peer keeps VRAM (MOVE_NOTIFY on)', () => {
    const a = analyzeText(model(machine(), GPU_VRAM, share('frame', 'nic0', DYNAMIC)));
    expectNone(a, 'pinned-on-map');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]).toMatchObject({ placement: 'vram' });
  });

  it('with CONFIG_DMABUF_MOVE_NOTIFY off even a dynamic importer is pinned (kernel.md example 27)', () => {
    const text = model(machine({ kernel: [] }), GPU_VRAM, share('frame', 'nic0', DYNAMIC));
    const a = analyzeText(text);
    expectOne(text, a, 'pinned-on-map', { severity: 'warning', at: HEAD, names: ['CONFIG_DMABUF_MOVE_NOTIFY is off', 'dma_buf_pin_on_map'] });
    expect(a.shares[0]).toMatchObject({ placement: 'system' });
  });

  it('vfio-pci cannot be pinned at all: pin-unsupported, not pinned-on-map', () => {
    const a = analyzeText(model(machine({ kernel: [] }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'pinned-on-map');
    expect(findings(a, 'pin-unsupported')).toHaveLength(1);
  });

  it('one static share pins the buffer for all: only the static share is reported', () => {
    const text = model(machine(), GPU_VRAM, share('frame', 'nic0', ''), 'share frame -> gpu0 { attach dynamic move_notify peer2peer }');
    const a = analyzeText(text);
    expectOne(text, a, 'pinned-on-map', { severity: 'warning', at: HEAD });
    expect(a.shares.map((s) => s.placement)).toEqual(['system', 'system']);
  });
});
