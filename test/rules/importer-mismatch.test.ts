// importer-mismatch: a written share item that contradicts the importer kind's driver
// (the item wins), or a kind on an importer it cannot be.
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNone, expectOne } from './expect';
import { GPU_VRAM, TRIGGERS, machine, model, share } from './models';

describe('importer-mismatch', () => {
  it('`attach dynamic` on a v4l2 share (vb2_dc_attach_dmabuf attaches static) is reported at the item', () => {
    const { text } = TRIGGERS['importer-mismatch']!;
    const a = analyzeText(text);
    expectOne(text, a, 'importer-mismatch', { severity: 'warning', at: 'attach dynamic', share: 'frame->nic0', names: ['vb2_dc_attach_dmabuf', 'static'] });
  });

  it('the written item wins: the v4l2 share attaches dynamic and keeps VRAM (no pin at map)', () => {
    const a = analyzeText(TRIGGERS['importer-mismatch']!.text);
    expectNone(a, 'pinned-on-map');
    expect(a.shares[0]).toMatchObject({ ok: true });
  });

  it('near miss: items that agree with the kind are no contradiction', () => {
    expectNone(analyzeText(model(machine(), GPU_VRAM, share('frame', 'nic0', 'importer rdma-odp attach dynamic move_notify peer2peer'))), 'importer-mismatch');
  });

  it('`importer iommufd` on a PCI function does not fit and is ignored', () => {
    const text = model(machine(), GPU_VRAM, share('frame', 'nic0', 'importer iommufd'));
    expectOne(text, analyzeText(text), 'importer-mismatch', { severity: 'warning', at: 'importer iommufd', share: 'frame->nic0', names: ['iopt_map_dmabuf'] });
  });
});
