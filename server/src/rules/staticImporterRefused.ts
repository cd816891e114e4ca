import { failureRule } from './rule';

export default failureRule(
  'static-importer-refused',
  'vfio_pci_dma_buf_attach, dma_buf_dynamic_attach',
  'A vfio-pci buffer attached static or without peer2peer.',
  () => 'Attach with `attach dynamic`, `move_notify` and `peer2peer`.',
);
