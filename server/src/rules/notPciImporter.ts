import { failureRule } from './rule';

export default failureRule(
  'not-pci-importer',
  'pci_p2pdma_map_type (dev_is_pci)',
  'A vfio-pci or p2pmem buffer mapped by an importer that is not a PCI function.',
  () => 'Attach with the PCI function itself (e.g. the NIC, not its ib_device child).',
);
