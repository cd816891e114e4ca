// ats-p2p: the share relies on ATS, but the dma_addr_t from dma_buf_map_attachment does not say
// whether it is P2P (BUS_ADDR or through the host bridge) or host memory.
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne } from './expect';
import { DYNAMIC, HEAP, NIC_VFIO, TRIGGERS, WHITELISTED, machine, model, share } from './models';

describe('ats-p2p', () => {
  it('an ATS importer of a BAR cannot tell P2P from host memory (dma_buf_map_attachment)', () => {
    const { text } = TRIGGERS['ats-p2p']!;
    const f = expectOne(text, analyzeText(text), 'ats-p2p', { severity: 'info', at: 'share db -> gpu0', share: 'db->gpu0', names: ['dma_buf_map_attachment', 'ATS', 'BUS_ADDR'] });
    expectNamesKernel(f);
  });

  it('near miss: the same share without `ats`', () => {
    const a = analyzeText(model(machine(), NIC_VFIO, share('db', 'gpu0', DYNAMIC)));
    expectNone(a, 'ats-p2p');
    expect(codes(a)).toEqual([]);
  });

  it('THRU_HOST_BRIDGE with an IOVA is P2P too', () => {
    const text = model(machine({ iommu: 'vtd', tree: 'root-ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} ats`));
    expectOne(text, analyzeText(text), 'ats-p2p', { severity: 'info', at: 'share db -> gpu0', names: ['THRU_HOST_BRIDGE'] });
  });

  it('near miss: THRU_HOST_BRIDGE through dma-direct (no IOMMU) hands over the CPU physical address: not flagged (J3)', () => {
    const a = analyzeText(model(machine({ tree: 'root-ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} ats`)));
    expectNone(a, 'ats-p2p');
    expect(a.shares[0]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', addressKind: 'phys' });
  });

  it('near miss: ATS on a system-memory buffer is ordinary host memory', () => {
    expectNone(analyzeText(model(machine(), HEAP, share('pages', 'gpu0', 'ats'))), 'ats-p2p');
  });

  it('a map that fails gives no address to worry about', () => {
    expectNone(analyzeText(model(machine({ kernel: [] }), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} ats`))), 'ats-p2p');
  });
});
