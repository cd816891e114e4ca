// cpu-mapping: CPU access must use the exporter's memory type (dma_buf_mmap), and MMIO is never
// cached (DMA_ATTR_MMIO: IOMMU_MMIO, no cache maintenance).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectNone, expectOne, findings } from './expect';
import { DYNAMIC, HEAP, NIC_VFIO, TRIGGERS, machine, model, share } from './models';

const WC_HEAP = 'buffer pages from heap { size 1M caching wc }';

describe('cpu-mapping', () => {
  it('cached CPU access to a BAR (dma_buf_mmap of MMIO, DMA_ATTR_MMIO)', () => {
    const { text } = TRIGGERS['cpu-mapping']!;
    const f = expectOne(text, analyzeText(text), 'cpu-mapping', { severity: 'warning', at: 'share db -> cpu', share: 'db->cpu', names: ['MMIO', 'uncached or write-combined'] });
    expectNamesKernel(f);
  });

  it('near miss: write-combined access to the BAR', () => {
    const a = analyzeText(model(machine(), NIC_VFIO, share('db', 'cpu', 'caching wc')));
    expectNone(a, 'cpu-mapping');
    expect(codes(a)).toEqual([]);
  });

  it('an mmap with another caching than the exporter\'s (dma_buf_mmap)', () => {
    const text = model(machine(), WC_HEAP, share('pages', 'cpu', 'caching cached'));
    expectOne(text, analyzeText(text), 'cpu-mapping', { severity: 'warning', at: 'share pages -> cpu', names: ['dma_buf_mmap', 'cached', 'wc'] });
    const dev = model(machine(), WC_HEAP, share('pages', 'nic0', 'via mmap caching cached'));
    expectOne(dev, analyzeText(dev), 'cpu-mapping', { severity: 'warning', at: 'share pages -> nic0' });
  });

  it('near miss: the exporter\'s own caching', () => {
    expectNone(analyzeText(model(machine(), WC_HEAP, share('pages', 'cpu', 'caching wc'))), 'cpu-mapping');
  });

  it('a DMA importer relying on cached access to a BAR (docs/language.md §5 "cached access to MMIO"; DMA_ATTR_MMIO)', () => {
    const text = model(machine(), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} caching cached`));
    expectOne(text, analyzeText(text), 'cpu-mapping', { severity: 'warning', at: 'share db -> gpu0', names: ['DMA_ATTR_MMIO'] });
  });

  it('near miss: a DMA importer with cached access to system memory', () => {
    expect(findings(analyzeText(model(machine(), HEAP, share('pages', 'nic0', 'caching cached'))), 'cpu-mapping')).toEqual([]);
  });
});
