// p2p-fallback-system: P2P impossible (or not allowed for this attachment) and amdgpu migrates
// the buffer to system memory (amdgpu_dma_buf_attach, pci_p2pdma_distance, amdgpu_dma_buf_map).
import { describe, expect, it } from 'vitest';
import { analyzeText, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { GPU_VRAM, TRIGGERS, WHITELISTED, machine, model, share } from './models';

const HEAD = 'share frame -> nic0';
const BUFFER = { find: 'frame', in: 'buffer frame' };

describe('p2p-fallback-system', () => {
  it('amdgpu clears peer2peer when pci_p2pdma_distance() is negative and maps GTT (amdgpu_dma_buf_attach)', () => {
    const { text } = TRIGGERS['p2p-fallback-system']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'p2p-fallback-system', {
      severity: 'warning',
      at: HEAD,
      share: 'frame->nic0',
      names: ['pci_p2pdma_distance', 'amdgpu_dma_buf_attach', 'amdgpu_dma_buf_map'],
      related: [BUFFER],
    });
    expectNamesKernel(f);
    // §7: the P2P map type is kept, the placement says system.
    expect(a.shares[0]).toMatchObject({ mapType: 'NOT_SUPPORTED', placement: 'system', addressKind: 'phys', ok: true });
    expect(findings(a, 'p2p-not-supported')).toEqual([]);
  });

  it('near miss: a whitelisted host bridge keeps the buffer in VRAM', () => {
    const a = analyzeText(model(machine({ tree: 'root-ports', hostBridgeId: WHITELISTED }), GPU_VRAM, share('frame', 'nic0')));
    expectNone(a, 'p2p-fallback-system');
    expect(a.shares[0]).toMatchObject({ placement: 'vram', mapType: 'THRU_HOST_BRIDGE' });
  });

  it('an attachment without allow_peer2peer is mapped from GTT (amdgpu_dma_buf_map); with peer2peer it stays in VRAM', () => {
    const text = model(machine(), GPU_VRAM, share('frame', 'nic0', 'attach dynamic move_notify'));
    const f = expectOne(text, analyzeText(text), 'p2p-fallback-system', { severity: 'warning', at: HEAD, names: ['does not allow peer2peer', 'peer2peer'] });
    expectNamesKernel(f);
    const fixed = analyzeText(model(machine(), GPU_VRAM, share('frame', 'nic0')));
    expectNone(fixed, 'p2p-fallback-system');
    expect(fixed.shares[0]).toMatchObject({ placement: 'vram', mapType: 'BUS_ADDR' });
  });

  it('a platform device without a PCI parent has no device for pci_p2pdma_distance (find_parent_pci_dev); with one it does', () => {
    const text = model(machine({ extra: ['platform_device dsp { dma_mask 64 }'] }), GPU_VRAM, share('frame', 'dsp'));
    expectOne(text, analyzeText(text), 'p2p-fallback-system', { severity: 'warning', at: 'share frame -> dsp', names: ['no PCI device', 'pci_p2pdma_distance'] });
    const parented = analyzeText(model(machine({ extra: ['platform_device dsp { dma_mask 64 parent nic0 }'] }), GPU_VRAM, share('frame', 'dsp')));
    expectNone(parented, 'p2p-fallback-system');
    expect(parented.shares[0]).toMatchObject({ placement: 'vram' });
  });

  it('one share without P2P moves the buffer for every share, but only that share is reported', () => {
    const text = model(machine({ tree: 'root-ports' }), GPU_VRAM, 'share frame -> gpu0 { attach dynamic move_notify peer2peer }', share('frame', 'nic0'));
    const a = analyzeText(text);
    expectOne(text, a, 'p2p-fallback-system', { severity: 'warning', at: HEAD });
    expect(a.shares.map((s) => s.placement)).toEqual(['system', 'system']);
  });

  it('a static attachment is pinned instead: pinned-on-map, not p2p-fallback-system', () => {
    const a = analyzeText(model(machine({ tree: 'root-ports' }), GPU_VRAM, share('frame', 'nic0', '')));
    expectNone(a, 'p2p-fallback-system');
    expect(findings(a, 'pinned-on-map')).toHaveLength(1);
  });
});
