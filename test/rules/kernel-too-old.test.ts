// kernel-too-old: a share that needs a feature of a later release than `version`
// (engine/releases.ts): vfio-pci dma-buf export and iommufd dma-buf import are 6.19.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { NIC_VFIO, TRIGGERS, machine, model, share } from './models';

describe('kernel-too-old', () => {
  it('vfio-pci dma-buf export needs 6.19: on 6.8 the share fails and says so (vfio_pci_core_feature_dma_buf)', () => {
    const { text } = TRIGGERS['kernel-too-old']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'kernel-too-old', { severity: 'error', at: 'share db -> gpu0', share: 'db->gpu0', names: ['vfio-pci dma-buf export needs 6.19', '6.8'] });
    expectNamesKernel(f);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
  });

  it('near miss: version 6.19 maps it (VFIO updates for v6.19-rc1)', () => {
    const a = analyzeText(model(machine({ kernel: ['version 6.19', 'move_notify'] }), NIC_VFIO, share('db', 'gpu0')));
    expectNone(a, 'kernel-too-old');
    expect(codes(a)).toEqual([]);
    expect(a.shares[0]).toMatchObject({ ok: true, addressKind: 'bus' });
  });

  it('iommufd dma-buf import (IOMMU_IOAS_MAP_FILE) is 6.19 too; a heap buffer to a device is not gated', () => {
    const a = analyzeText(model(machine({ kernel: ['version 6.12', 'move_notify'], extra: ['iommufd ioas'] }), 'buffer pages from heap { size 64K }', share('pages', 'nic0', '')));
    expectNone(a, 'kernel-too-old');
  });
});
