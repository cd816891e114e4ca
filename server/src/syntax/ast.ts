// The typed syntax tree of a .dmabuf file (docs/language.md §3). A tree is a plain,
// immutable value: every node carries its exact source range, every name its own
// range. Values are converted once: integers, sizes and addresses to bigint, BDFs to
// their parts. Nothing here knows LSP, the file system or the engine.

export type { Pos, Span } from '../ground/span';
import type { Span } from '../ground/span';

/** A name as written: a declaration or a reference. */
export interface Name {
  readonly text: string;
  readonly span: Span;
}

/** A keyword chosen among alternatives (`vtd`, `amd-vi`, `static`…). */
export interface Word<T extends string = string> {
  readonly value: T;
  readonly span: Span;
}

export interface IntLit {
  readonly value: bigint;
  readonly text: string;
  readonly span: Span;
}

/** `4K`, `64M`, or a plain integer (bytes) where a size is expected. */
export type SizeLit = IntLit;

export interface BdfLit {
  /** undefined: the host bridge's segment. */
  readonly segment: number | undefined;
  readonly bus: number;
  readonly device: number;
  readonly fn: number;
  readonly text: string;
  readonly span: Span;
}

export interface PciIdLit {
  readonly vendor: number;
  readonly device: number;
  readonly text: string;
  readonly span: Span;
}

export interface StringLit {
  readonly value: string;
  readonly span: Span;
}

/** `A .. B` (inclusive) or `A size S`. `last` is computed (A + S − 1 for a size). */
export interface AddrRange {
  readonly kind: 'AddrRange';
  readonly first: IntLit;
  readonly lastLit: IntLit | undefined;
  readonly sizeLit: SizeLit | undefined;
  readonly span: Span;
}

interface NodeBase {
  readonly span: Span;
}

// ---------------------------------------------------------------------------- top

export interface Model {
  readonly kind: 'Model';
  readonly items: readonly TopItem[];
  readonly span: Span;
}

export type TopItem = UseDecl | PlatformDecl | BufferDecl | ShareDecl;

export interface UseDecl extends NodeBase {
  readonly kind: 'Use';
  readonly path: StringLit;
}

// ---------------------------------------------------------------------------- platform

export interface PlatformDecl extends NodeBase {
  readonly kind: 'Platform';
  readonly name: Name;
  readonly items: readonly PlatformItem[];
}

export type PlatformItem =
  | CpuDecl
  | KernelDecl
  | IommuDecl
  | MemoryDecl
  | HostBridgeDecl
  | LinkDecl
  | PlatformDeviceDecl
  | IommufdDecl
  | KvmDecl;

export type CpuVendor = 'intel' | 'amd' | 'hygon' | 'arm' | 'other';

export interface CpuDecl extends NodeBase {
  readonly kind: 'Cpu';
  readonly vendor: Word<CpuVendor>;
  readonly family: IntLit | undefined;
}

export type KernelFlag = 'move_notify' | 'forcedac' | 'swiotlb_off' | 'swiotlb_force' | 'cc_guest';

export type KernelOpt =
  | { readonly kind: 'KernelFlag'; readonly flag: Word<KernelFlag>; readonly span: Span }
  | { readonly kind: 'DisableAcsRedir'; readonly bdfs: readonly BdfLit[]; readonly span: Span }
  /** `version 6.8` / `version ubuntu-24.04` (an extension of version 1); `value` is undefined when the release is missing. */
  | { readonly kind: 'KernelVersion'; readonly value: { readonly text: string; readonly span: Span } | undefined; readonly span: Span };

export interface KernelDecl extends NodeBase {
  readonly kind: 'Kernel';
  readonly options: readonly KernelOpt[];
}

export type IommuType = 'vtd' | 'amd-vi' | 'smmu';
export type IommuMode = 'dma' | 'lazy' | 'identity';

export interface IommuDecl extends NodeBase {
  readonly kind: 'Iommu';
  readonly type: Word<IommuType>;
  readonly mode: Word<IommuMode> | undefined;
  readonly reserves: readonly AddrRange[];
  readonly apertures: readonly IntLit[];
}

export interface MemoryDecl extends NodeBase {
  readonly kind: 'Memory';
  readonly name: Name;
  readonly range: AddrRange;
  readonly node: IntLit | undefined;
}

export interface WindowDecl extends NodeBase {
  readonly kind: 'Window';
  readonly range: AddrRange;
  readonly offset: IntLit | undefined;
}

export interface HostBridgeDecl extends NodeBase {
  readonly kind: 'HostBridge';
  readonly name: Name;
  readonly id: PciIdLit | undefined;
  readonly node: IntLit | undefined;
  readonly windows: readonly WindowDecl[];
  readonly children: readonly PciNode[];
}

export type LinkType = 'xgmi' | 'nvlink';

export interface LinkDecl extends NodeBase {
  readonly kind: 'Link';
  readonly type: Word<LinkType>;
  readonly members: readonly Name[];
}

export type PdevIommu = 'dma' | 'identity' | 'off' | 'private';

export type PdevItem =
  | { readonly kind: 'DmaMask'; readonly bits: IntLit; readonly span: Span }
  | { readonly kind: 'DmaRange'; readonly bus: IntLit; readonly cpu: IntLit; readonly size: SizeLit; readonly span: Span }
  | { readonly kind: 'IommuOverride'; readonly mode: Word<PdevIommu>; readonly span: Span }
  | { readonly kind: 'Parent'; readonly parent: Name; readonly span: Span };

export interface PlatformDeviceDecl extends NodeBase {
  readonly kind: 'PlatformDevice';
  readonly name: Name;
  readonly items: readonly PdevItem[];
}

export interface IommufdDecl extends NodeBase {
  readonly kind: 'Iommufd';
  readonly name: Name;
}

export interface KvmDecl extends NodeBase {
  readonly kind: 'Kvm';
  readonly name: Name;
}

// ---------------------------------------------------------------------------- PCIe tree

export type AcsBit = 'sv' | 'tb' | 'rr' | 'cr' | 'uf' | 'ec' | 'dt';

/**
 * `acs`: an ACS capability (RR and CR advertised); the control bits are the kernel's
 * doing. `acs_ctl …`: the control bits as read from lspci, overriding that derivation.
 * `acs_cap …` (an extension): the capability bits as read from lspci (ACSCap).
 */
export interface AcsDecl extends NodeBase {
  readonly kind: 'Acs';
  readonly ctl: readonly Word<AcsBit>[] | undefined;
  readonly cap: readonly Word<AcsBit>[] | undefined;
}

export type PciNode = RootPortDecl | SwitchDecl | PortDecl | EndpointDecl;

export interface RootPortDecl extends NodeBase {
  readonly kind: 'RootPort';
  readonly name: Name;
  readonly bdf: BdfLit | undefined;
  readonly acs: AcsDecl | undefined;
  readonly children: readonly PciNode[];
}

export interface SwitchDecl extends NodeBase {
  readonly kind: 'Switch';
  readonly name: Name;
  readonly bdf: BdfLit | undefined;
  readonly acs: AcsDecl | undefined;
  readonly children: readonly PciNode[];
}

export interface PortDecl extends NodeBase {
  readonly kind: 'Port';
  readonly name: Name;
  readonly bdf: BdfLit | undefined;
  readonly acs: AcsDecl | undefined;
  readonly children: readonly PciNode[];
}

export type EndpointClass = 'gpu' | 'nic' | 'nvme' | 'accel' | 'fpga' | 'endpoint';
export type EpIommu = 'dma' | 'identity' | 'private';

export interface BarDecl extends NodeBase {
  readonly kind: 'Bar';
  readonly index: IntLit;
  readonly range: AddrRange;
  readonly prefetchable: boolean;
}

export interface VfDecl extends NodeBase {
  readonly kind: 'Vf';
  readonly name: Name;
  readonly bdf: BdfLit | undefined;
  readonly items: readonly EpItem[];
}

export type EpItem =
  | BarDecl
  | { readonly kind: 'DmaMask'; readonly bits: IntLit; readonly span: Span }
  | { readonly kind: 'BusDmaLimit'; readonly limit: IntLit; readonly span: Span }
  | { readonly kind: 'EpFlag'; readonly flag: Word<'ats' | 'tph' | 'untrusted'>; readonly span: Span }
  | AcsDecl
  | { readonly kind: 'IommuOverride'; readonly mode: Word<EpIommu>; readonly span: Span }
  | ImporterItem
  | { readonly kind: 'NoOdp'; readonly span: Span }
  | VfDecl;

export interface EndpointDecl extends NodeBase {
  readonly kind: 'Endpoint';
  readonly cls: Word<EndpointClass>;
  readonly name: Name;
  readonly bdf: BdfLit | undefined;
  readonly id: PciIdLit | undefined;
  readonly items: readonly EpItem[];
}

// ---------------------------------------------------------------------------- buffers

export type DriverName = 'amdgpu' | 'vfio-pci' | 'p2pmem' | 'nvidia' | 'xe' | 'i915' | 'nouveau' | 'habanalabs' | 'rdma';
/** Exporter state a driver reads (extension, docs/language.md "Exporter drivers"). */
export type ExportFlag = 'force_pcie' | 'coherent' | 'passthru' | 'p2p_unsupported_chipset' | 'dcc';
export type Caching = 'cached' | 'wc' | 'uncached';

export type BufItem =
  | { readonly kind: 'BufSize'; readonly size: SizeLit; readonly span: Span }
  | { readonly kind: 'Placement'; readonly placement: Word<'vram' | 'system'>; readonly span: Span }
  | { readonly kind: 'BufBar'; readonly index: IntLit; readonly offset: SizeLit | undefined; readonly span: Span }
  | { readonly kind: 'BufRange'; readonly offset: SizeLit; readonly size: SizeLit; readonly span: Span }
  | { readonly kind: 'At'; readonly address: IntLit; readonly span: Span }
  | { readonly kind: 'Fallback'; readonly span: Span }
  | { readonly kind: 'BufCaching'; readonly caching: Word<Caching>; readonly span: Span }
  | { readonly kind: 'ExportFlag'; readonly flag: Word<ExportFlag>; readonly span: Span };

export interface BufferDecl extends NodeBase {
  readonly kind: 'Buffer';
  readonly name: Name;
  /** The exporting device, or undefined for `from heap`. */
  readonly exporter: Name | undefined;
  /** The `heap` keyword when the buffer is `from heap`. */
  readonly heap: Word<'heap'> | undefined;
  readonly driver: Word<DriverName> | undefined;
  /** `driver nvidia 580`: the driver's release branch (extension). */
  readonly driverVersion: IntLit | undefined;
  readonly items: readonly BufItem[];
}

// ---------------------------------------------------------------------------- shares

export type Expectation =
  | 'bus_addr'
  | 'thru_host_bridge'
  | 'not_supported'
  | 'fails'
  | 'vram'
  | 'system'
  | 'bus'
  | 'iova'
  | 'phys'
  | 'swiotlb';

export type ExpectItem =
  | { readonly kind: 'ExpectWord'; readonly what: Word<Expectation>; readonly span: Span }
  | { readonly kind: 'ExpectAddress'; readonly address: IntLit; readonly span: Span };

/** Extension: what the importing driver does (docs/language.md, "importer"). */
export type ImporterKindName =
  | 'rdma-odp'
  | 'rdma-pinned'
  | 'rdma-pinned-revocable'
  | 'amdgpu'
  | 'xe'
  | 'v4l2'
  | 'drm-prime'
  | 'devmem-tcp'
  | 'io-uring-zcrx'
  | 'iommufd';

/** `importer K`, in a share or on a device (every share to it inherits it). */
export interface ImporterItem {
  readonly kind: 'Importer';
  readonly importer: Word<ImporterKindName>;
  readonly span: Span;
}

export type ShareItem =
  | ImporterItem
  | { readonly kind: 'Attach'; readonly mode: Word<'static' | 'dynamic'>; readonly span: Span }
  | { readonly kind: 'ShareFlag'; readonly flag: Word<'move_notify' | 'peer2peer' | 'ats' | 'tph'>; readonly span: Span }
  | { readonly kind: 'Via'; readonly via: Word<'sgt' | 'pfn' | 'mmap'>; readonly span: Span }
  | { readonly kind: 'Devices'; readonly devices: readonly Name[]; readonly span: Span }
  | { readonly kind: 'ShareCaching'; readonly caching: Word<Caching>; readonly span: Span }
  | { readonly kind: 'Expect'; readonly items: readonly ExpectItem[]; readonly span: Span };

export interface ShareDecl extends NodeBase {
  readonly kind: 'Share';
  readonly buffer: Name;
  /** The importer, or undefined for `-> cpu`. */
  readonly importer: Name | undefined;
  readonly cpu: Word<'cpu'> | undefined;
  readonly alias: Name | undefined;
  readonly items: readonly ShareItem[];
}

// ---------------------------------------------------------------------------- results

export interface SyntaxError {
  readonly message: string;
  readonly span: Span;
  /** A quick fix: the text that replaces `span` ("did you mean", a name without '-'). */
  readonly replace?: string;
}

export interface ParseResult {
  readonly model: Model;
  readonly errors: readonly SyntaxError[];
  /** Comments in source order (kept for the formatter). */
  readonly comments: readonly { readonly text: string; readonly span: Span }[];
  /** Integer and size literals whose value does not fit in 64 bits. */
  readonly wideLiterals: readonly IntLit[];
}
