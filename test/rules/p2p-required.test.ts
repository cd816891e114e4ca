// p2p-required: exporters that serve device memory only peer-to-peer refuse an
// attachment without peer2peer (hl_map_dmabuf -EPERM, nv_dma_buf_attach -ENOTSUPP,
// xe_dma_buf_attach / uverbs_dmabuf_attach -EOPNOTSUPP), and i915_gem_dmabuf_attach
// refuses an object that cannot migrate to system memory.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { DYNAMIC, NV_VRAM, TRIGGERS, machine, model, share } from './models';

const HL = 'buffer act from gpu0 driver habanalabs { size 1G }';

describe('p2p-required', () => {
  it('habanalabs refuses an importer without allow_peer2peer at map (hl_map_dmabuf: -EPERM)', () => {
    const { text } = TRIGGERS['p2p-required']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'p2p-required', { severity: 'error', at: 'share act -> nic0', share: 'act->nic0', names: ['hl_map_dmabuf', '-EPERM', 'allow_peer2peer'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('habanalabs: a distance check that fails clears peer2peer first (hl_dmabuf_attach, pci_p2pdma_distance)', () => {
    const text = model(machine({ tree: 'root-ports' }), HL, share('act', 'nic0'));
    expectOne(text, analyzeText(text), 'p2p-required', { severity: 'error', at: 'share act -> nic0', names: ['pci_p2pdma_distance', 'NOT_SUPPORTED'] });
  });

  it('NVIDIA 580+ refuses a dynamic importer without peer2peer at attach (nv_dma_buf_attach: -ENOTSUPP)', () => {
    const text = model(machine(), NV_VRAM, share('kv', 'nic0', 'attach dynamic move_notify'));
    expectOne(text, analyzeText(text), 'p2p-required', { severity: 'error', at: 'share kv -> nic0', names: ['nv_dma_buf_attach', '-ENOTSUPP', 'struct pages'] });
  });

  it('xe refuses a VRAM-only BO to an importer without peer2peer (xe_dma_buf_attach: -EOPNOTSUPP)', () => {
    const text = model(machine({ tree: 'root-ports' }), 'buffer t from gpu0 driver xe { size 256M }', share('t', 'nic0'));
    expectOne(text, analyzeText(text), 'p2p-required', { severity: 'error', at: 'share t -> nic0', names: ['xe_dma_buf_attach', '-EOPNOTSUPP', 'XE_PL_TT'] });
  });

  it('i915 refuses an object that cannot migrate to system memory (i915_gem_dmabuf_attach)', () => {
    const text = model(machine(), 'buffer t from gpu0 driver i915 { size 256M }', share('t', 'nic0'));
    expectOne(text, analyzeText(text), 'p2p-required', { severity: 'error', at: 'share t -> nic0', names: ['i915_gem_dmabuf_attach', 'never exports local memory'] });
  });

  it('near miss: the same exporters with a dynamic P2P importer under one switch map the BAR', () => {
    for (const buf of [HL, NV_VRAM.replace('kv', 'act'), 'buffer act from gpu0 driver xe { size 256M }']) {
      const a = analyzeText(model(machine(), buf, share('act', 'nic0', DYNAMIC)));
      expectNone(a, 'p2p-required');
      expect(codes(a)).toEqual([]);
      expect(a.shares[0]).toMatchObject({ ok: true, placement: 'vram' });
    }
  });
});
