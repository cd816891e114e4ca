// The shape of blocks in docs/language.md §3, as token-level readers need it (the formatter
// and completion both read blocks from tokens, since the text they see may not parse):
// which keywords begin a statement in each kind of block, and which kind of block a
// `{` opens, by the keyword that began its statement.

export type BlockKind = 'top' | 'platform' | 'kernel' | 'iommu' | 'hostBridge' | 'bridge' | 'endpoint' | 'pdev' | 'buffer' | 'share';

export const ENDPOINT_CLASSES: readonly string[] = ['gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint'];
const PCI_NODES: readonly string[] = ['root_port', 'switch', 'port', ...ENDPOINT_CLASSES];

/** The keywords that begin a statement in each kind of block. */
export const STATEMENT_STARTERS: Readonly<Record<BlockKind, readonly string[]>> = {
  top: ['use', 'platform', 'buffer', 'share'],
  platform: ['cpu', 'kernel', 'iommu', 'memory', 'host_bridge', 'link', 'platform_device', 'iommufd', 'kvm'],
  kernel: ['version', 'move_notify', 'forcedac', 'swiotlb_off', 'swiotlb_force', 'cc_guest', 'disable_acs_redir'],
  iommu: ['reserve', 'aperture'],
  hostBridge: ['window', ...PCI_NODES],
  bridge: PCI_NODES,
  endpoint: ['bar', 'dma_mask', 'bus_dma_limit', 'ats', 'tph', 'untrusted', 'acs', 'acs_ctl', 'acs_cap', 'iommu', 'vf'],
  pdev: ['dma_mask', 'dma_range', 'iommu', 'parent'],
  buffer: ['size', 'placement', 'bar', 'range', 'at', 'fallback', 'caching', 'force_pcie', 'coherent', 'passthru', 'p2p_unsupported_chipset', 'dcc'],
  share: ['attach', 'move_notify', 'peer2peer', 'via', 'devices', 'ats', 'tph', 'caching', 'expect'],
};

/** The kind of block a `{` opens, by the keyword that began its statement. */
export const BLOCK_OPENED_BY: Readonly<Record<string, BlockKind>> = {
  platform: 'platform',
  kernel: 'kernel',
  iommu: 'iommu',
  host_bridge: 'hostBridge',
  root_port: 'bridge',
  switch: 'bridge',
  port: 'bridge',
  ...Object.fromEntries(ENDPOINT_CLASSES.map((c) => [c, 'endpoint' as const])),
  vf: 'endpoint',
  platform_device: 'pdev',
  buffer: 'buffer',
  share: 'share',
};
