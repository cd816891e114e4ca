import { failureRule } from './rule';

export default failureRule(
  'pin-unsupported',
  'dma_buf_pin_on_map, vfio_pci_dma_buf_pin',
  'A vfio-pci buffer mapped via sgt while CONFIG_DMABUF_MOVE_NOTIFY is off.',
  () => 'Build the kernel with CONFIG_DMABUF_MOVE_NOTIFY=y (`kernel { move_notify }`), or import through iommufd.',
);
