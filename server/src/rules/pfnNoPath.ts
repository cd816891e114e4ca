import { failureRule } from './rule';

export default failureRule(
  'pfn-no-path',
  'vfio_pci_dma_buf_iommufd_map; dma_buf_get_pfn_unlocked (unmerged RFC)',
  'An iommufd, kvm or via pfn importer where no mainline path exists.',
  () => 'Only a vfio-pci buffer with exactly one range reaches iommufd through the private interconnect; export one range, or map through the DMA API (via sgt).',
);
