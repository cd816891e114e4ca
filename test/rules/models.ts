// Small models shared by the rule tests (test/rules/*.test.ts): one machine with a
// configurable CPU, kernel, IOMMU and PCIe tree, and the shares on it. Every builder
// returns plain text; findings are located in it with `rangeOf` (test/rules/expect.ts).

/** Endpoint bodies used everywhere: a GPU with 16 GiB of VRAM, a NIC with an 8 GiB BAR. */
const GPU_BAR = '{ bar 0 0x40_0000_0000 size 16G prefetchable }';
const NIC_BAR = '{ bar 0 0x60_0000_0000 size 8G }';

/** A Skylake-SP root device: on the P2PDMA whitelist without REQ_SAME_HOST_BRIDGE. */
export const WHITELISTED = '8086:2030';
/** An Intel client root device: not on the P2PDMA whitelist. */
const NOT_WHITELISTED = '8086:a700';

type TreeKind =
  /** rp0 (acs) → switch sw0 (acs, implicit downstream ports) → gpu0, nic0. */
  | 'switch'
  /** The same switch, no ACS capability anywhere. */
  | 'switch-no-acs'
  /** rp0 → switch sw0 → explicit ports dp0 02:00.0 (acs) → gpu0, dp1 02:01.0 (acs) → nic0. */
  | 'ports'
  /** rp0 00:01.0 (acs) → gpu0, rp1 00:1c.0 (acs) → nic0: no common upstream bridge. */
  | 'root-ports';

export function tree(kind: TreeKind): string {
  switch (kind) {
    case 'switch':
    case 'switch-no-acs': {
      const acs = kind === 'switch' ? ' acs' : '';
      return [
        `    root_port rp0 00:01.0${acs} {`,
        `      switch sw0 01:00.0${acs} {`,
        `        gpu gpu0 03:00.0 ${GPU_BAR}`,
        `        nic nic0 04:00.0 ${NIC_BAR}`,
        '      }',
        '    }',
      ].join('\n');
    }
    case 'ports':
      return [
        '    root_port rp0 00:01.0 acs {',
        '      switch sw0 01:00.0 {',
        `        port dp0 02:00.0 acs { gpu gpu0 03:00.0 ${GPU_BAR} }`,
        `        port dp1 02:01.0 acs { nic nic0 04:00.0 ${NIC_BAR} }`,
        '      }',
        '    }',
      ].join('\n');
    case 'root-ports':
      return [`    root_port rp0 00:01.0 acs { gpu gpu0 01:00.0 ${GPU_BAR} }`, `    root_port rp1 00:1c.0 acs { nic nic0 02:00.0 ${NIC_BAR} }`].join('\n');
  }
}

interface MachineOptions {
  /** The `cpu` statement's operands, e.g. `intel`, `amd family 0x19`. Default `intel`. */
  readonly cpu?: string;
  /** Kernel flags, e.g. `move_notify`, `disable_acs_redir 02:00.0, 02:01.0`. Default: `move_notify`. */
  readonly kernel?: readonly string[];
  /** The `iommu` statement's operands, e.g. `vtd`, `vtd mode identity`. Default: no IOMMU. */
  readonly iommu?: string;
  /** The host bridge's root device id; null for none. Default: NOT_WHITELISTED. */
  readonly hostBridgeId?: string | null;
  /** The PCIe tree below hb0: a TreeKind or literal text. Default `switch`. */
  readonly tree?: TreeKind | string;
  /** The `node` of hb0, if any. */
  readonly hostBridgeNode?: number;
  /** Lines of RAM; default one 64 GiB region at 4 GiB (node 0). */
  readonly memory?: readonly string[];
  /** More platform items: platform_device, iommufd, kvm, link… */
  readonly extra?: readonly string[];
}

const TREE_KINDS: readonly string[] = ['switch', 'switch-no-acs', 'ports', 'root-ports'];

/** One platform block, `platform lab { … }`, laid out one statement per line. */
export function machine(o: MachineOptions = {}): string {
  const lines = ['platform lab {', `  cpu ${o.cpu ?? 'intel'}`];
  const kernel = o.kernel ?? ['move_notify'];
  if (kernel.length > 0) lines.push(`  kernel { ${kernel.join(' ')} }`);
  if (o.iommu) lines.push(`  iommu ${o.iommu}`);
  lines.push(...(o.memory ?? ['memory high 0x1_0000_0000 size 64G node 0']).map((m) => `  ${m}`));
  const id = o.hostBridgeId === null ? '' : ` id ${o.hostBridgeId ?? NOT_WHITELISTED}`;
  const node = o.hostBridgeNode === undefined ? '' : ` node ${o.hostBridgeNode}`;
  lines.push(`  host_bridge hb0${id}${node} {`);
  lines.push('    window 0x8000_0000 .. 0xfbff_ffff');
  lines.push('    window 0x40_0000_0000 .. 0x7f_ffff_ffff');
  const t = o.tree ?? 'switch';
  lines.push(TREE_KINDS.includes(t) ? tree(t as TreeKind) : t);
  lines.push('  }');
  lines.push(...(o.extra ?? []).map((e) => `  ${e}`));
  lines.push('}');
  return lines.join('\n');
}

/** The share items of a well-behaved dynamic P2P importer (mlx5-like). */
export const DYNAMIC = 'attach dynamic move_notify peer2peer';

/** `share B -> I { items }` on one line; its head is `share B -> I`. */
export function share(buffer: string, importer: string, items: string = DYNAMIC): string {
  return `share ${buffer} -> ${importer}${items ? ` { ${items} }` : ''}`;
}

/** A vfio-pci export of nic0's BAR: 64 KiB of doorbells, one range. */
export const NIC_VFIO = 'buffer db from nic0 driver vfio-pci { size 64K }';
/** 256 MiB of gpu0's VRAM exported by amdgpu. */
export const GPU_VRAM = 'buffer frame from gpu0 driver amdgpu { size 256M }';
/** 1 GiB of gpu0's BAR exported by NVIDIA's driver (nv-dmabuf.c). */
export const NV_VRAM = 'buffer kv from gpu0 driver nvidia { size 1G }';
/** 64 KiB of system memory from a dma-heap: small enough for one swiotlb mapping (at most 256 KiB). */
export const HEAP = 'buffer pages from heap { size 64K }';

/** A whole model: a machine and its buffers and shares, one per line. */
export function model(platform: string, ...decls: string[]): string {
  return [platform, ...decls].join('\n') + '\n';
}

// ---------------------------------------------------------------------------- more trees

/** Two functions of one NIC, 01:00.0 and 01:00.1, under rp0; `acs` gives each function an ACS capability. */
export function multiFunction(acs: boolean): string {
  const a = acs ? 'acs ' : '';
  return [
    '    root_port rp0 00:01.0 acs {',
    `      nic nic0 01:00.0 { ${a}bar 0 0x60_0000_0000 size 8G }`,
    `      nic nic1 01:00.1 { ${a}bar 0 0x62_0000_0000 size 8G }`,
    '    }',
  ].join('\n');
}

/** multiFunction(false) plus nic2 under a second root port rp1. */
export const THREE_NICS = [multiFunction(false), '    root_port rp1 00:1c.0 acs { nic nic2 02:00.0 { bar 0 0x64_0000_0000 size 8G } }'].join('\n');

/** Two GPUs and a NIC under one switch without ACS: gpu0 and gpu1 can be linked by XGMI. */
export const TWO_GPUS = [
  '    root_port rp0 00:01.0 acs {',
  '      switch sw0 01:00.0 {',
  `        gpu gpu0 03:00.0 ${GPU_BAR}`,
  '        gpu gpu1 05:00.0 { bar 0 0x50_0000_0000 size 16G prefetchable }',
  `        nic nic0 04:00.0 ${NIC_BAR}`,
  '      }',
  '    }',
].join('\n');

/** gpu0 alone under hb0 (rp0) and nic0 under a second host bridge hb1 (rp1): pass as `tree` and `extra`. */
export function twoHostBridges(id1: string): { tree: string; extra: string[] } {
  return {
    tree: `    root_port rp0 00:01.0 acs { gpu gpu0 01:00.0 ${GPU_BAR} }`,
    extra: [
      [
        `host_bridge hb1 id ${id1} {`,
        '    window 0x80_0000_0000 .. 0xbf_ffff_ffff',
        '    root_port rp1 80:01.0 acs { nic nic0 81:00.0 { bar 0 0x80_0000_0000 size 8G } }',
        '  }',
      ].join('\n'),
    ],
  };
}

/** Adds endpoint items (e.g. `dma_mask 32`, `untrusted`, `iommu private`) to nic0 or gpu0. */
export function withItems(text: string, device: 'nic0' | 'gpu0', items: string): string {
  const re = new RegExp(`(${device} [0-9a-f:.]+ \\{ )`);
  if (!re.test(text)) throw new Error(`${device} is not in the model`);
  return text.replace(re, `$1${items} `);
}

// ---------------------------------------------------------------------------- one trigger per code

interface Trigger {
  /** The model. */
  readonly text: string;
  /** Other files for `use`. */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * For every code of docs/language.md §5, one small model that produces it (once). The
 * per-code tests start from these; the settings test runs all of them.
 */
export const TRIGGERS: Readonly<Record<string, Trigger>> = {
  'syntax-error': { text: model(machine({ cpu: 'sparc' }), HEAP) },
  'unknown-name': { text: model(machine(), HEAP, share('pages', 'nic9', '')) },
  'duplicate-name': { text: model(machine(), HEAP, 'buffer pages from heap { size 2M }') },
  'invalid-value': { text: model(machine().replace('04:00.0', '04:00.8')) },
  'missing-platform': { text: model(HEAP, share('pages', 'cpu', '')) },
  'use-not-found': { text: model('use "platform.dmabuf"', HEAP, share('pages', 'cpu', '')) },
  'p2p-not-supported': { text: model(machine({ tree: 'root-ports' }), NIC_VFIO, share('db', 'gpu0')) },
  'p2p-fallback-system': { text: model(machine({ tree: 'root-ports' }), GPU_VRAM, share('frame', 'nic0')) },
  'p2p-host-bridge': { text: model(machine({ tree: 'root-ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0')) },
  'acs-redirect': { text: model(machine({ iommu: 'vtd', tree: 'ports', hostBridgeId: WHITELISTED }), NIC_VFIO, share('db', 'gpu0')) },
  'p2p-via-iommu': { text: model(machine({ iommu: 'vtd', tree: 'switch-no-acs' }), GPU_VRAM, share('frame', 'nic0')) },
  'missing-notifier': { text: model(machine(), NIC_VFIO, share('db', 'gpu0', 'attach dynamic peer2peer')) },
  'static-importer-refused': { text: model(machine(), NIC_VFIO, share('db', 'gpu0', 'attach dynamic move_notify')) },
  'p2p-required': { text: model(machine(), 'buffer act from gpu0 driver habanalabs { size 1G }', share('act', 'nic0', 'attach dynamic move_notify')) },
  'exporter-topology-policy': { text: model(machine({ tree: 'root-ports' }), NV_VRAM, share('kv', 'nic0')) },
  'pin-unsupported': { text: model(machine({ kernel: [] }), NIC_VFIO, share('db', 'gpu0')) },
  'pinned-on-map': { text: model(machine(), GPU_VRAM, share('frame', 'nic0', '')) },
  'not-pci-importer': { text: model(machine({ extra: ['platform_device dsp { dma_mask 64 parent gpu0 }'] }), NIC_VFIO, share('db', 'dsp')) },
  'pfn-no-path': {
    text: model(machine({ extra: ['iommufd ioas'] }), 'buffer db from nic0 driver vfio-pci { range offset 0 size 64K range offset 1M size 64K }', share('db', 'ioas', '')),
  },
  'swiotlb-bounce': { text: model(withItems(machine(), 'nic0', 'dma_mask 32'), HEAP, share('pages', 'nic0', '')) },
  'dma-unreachable': { text: model(withItems(machine({ kernel: ['swiotlb_off'] }), 'nic0', 'dma_mask 32'), HEAP, share('pages', 'nic0', '')) },
  'iova-exhausted': { text: model(machine({ iommu: 'vtd { aperture 32 }' }), 'buffer big from heap { size 4G }', share('big', 'nic0', '')) },
  'private-domain': { text: model(withItems(machine({ iommu: 'vtd' }), 'nic0', 'iommu private'), HEAP, share('pages', 'nic0', '')) },
  'shared-iommu-group': {
    text: model(machine({ iommu: 'vtd', tree: multiFunction(false), hostBridgeId: WHITELISTED }), 'buffer db from nic1 driver vfio-pci { size 64K }', share('db', 'nic0')),
  },
  multipath: { text: model(machine({ tree: THREE_NICS }), HEAP, share('pages', 'nic0', 'devices nic2')) },
  'ats-p2p': { text: model(machine(), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} ats`)) },
  'tph-target': { text: model(machine(), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} tph`)) },
  'private-address-space': { text: model(machine({ tree: TWO_GPUS, extra: ['link xgmi gpu0, gpu1'] }), GPU_VRAM, share('frame', 'nic0')) },
  'sg-split-4g': { text: model(machine(), 'buffer big from nic0 driver vfio-pci { size 4G }', share('big', 'gpu0')) },
  'cpu-mapping': { text: model(machine(), NIC_VFIO, share('db', 'cpu', 'caching cached')) },
  'expect-mismatch': { text: model(machine(), NIC_VFIO, share('db', 'gpu0', `${DYNAMIC} expect thru_host_bridge`)) },
  'odp-unsupported': { text: model(withItems(machine(), 'nic0', 'importer rdma-odp no_odp'), GPU_VRAM, share('frame', 'nic0', '')) },
  'pinned-importer-refused': { text: model(machine(), 'buffer db from gpu0 driver vfio-pci { size 64K }', share('db', 'nic0', 'importer rdma-pinned')) },
  'importer-mismatch': { text: model(machine(), GPU_VRAM, share('frame', 'nic0', 'importer v4l2 attach dynamic')) },
  'kernel-too-old': { text: model(machine({ kernel: ['version 6.8', 'move_notify'] }), NIC_VFIO, share('db', 'gpu0')) },
  'kernel-option-absent': { text: model(machine({ kernel: ['version 7.1', 'move_notify'] }), HEAP, share('pages', 'nic0', '')) },
  'distro-kernel': { text: model(machine({ kernel: ['version ubuntu-24.04', 'move_notify'] }), HEAP, share('pages', 'nic0', '')) },
};
