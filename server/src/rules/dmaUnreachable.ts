import { failureRule } from './rule';

export default failureRule(
  'dma-unreachable',
  'dma_direct_map_phys, dma_capable, translate_phys_to_dma',
  'The importer cannot reach the buffer and nothing can bounce it.',
  () => 'Give the importer an IOMMU domain, widen its DMA mask, or place the buffer where it can reach it.',
);
