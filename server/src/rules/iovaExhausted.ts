import { failureRule } from './rule';

export default failureRule(
  'iova-exhausted',
  'iommu_dma_alloc_iova, __alloc_and_insert_iova_range',
  'The IOVA domain has no room for the mapping.',
  () => 'Widen the importer\'s DMA mask or the IOMMU aperture, or map less.',
);
