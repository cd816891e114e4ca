// The machine as the kernel sees it, built from the syntax tree: names resolved, the
// PCIe tree as a graph (implicit switch ports included), defaults applied. Plain data,
// no LSP, no engine.

import type {
  AcsBit,
  BufferDecl,
  Caching,
  CpuVendor,
  DriverName,
  EndpointClass,
  ExpectItem,
  ExportFlag,
  ImporterKindName,
  IommuMode,
  IommuType,
  KernelFlag,
  LinkType,
  Name,
  ShareDecl,
} from '../syntax/ast';
import type { ParseResult, UseDecl } from '../syntax/ast';
import type { Finding, Location } from '../ground/findings';
import type { KernelRelease } from '../ground/release';

/** A release chosen by `version` or `--kernel`: its text as written, the distribution alias, where. */
export interface KernelVersionChoice {
  readonly text: string;
  readonly distro: string | undefined;
  /** The `version` statement; undefined for a `--kernel` override. */
  readonly place: Place | undefined;
}

/** A place in a file of the model (a declaration, a value). */
export type Place = Location;

/** A file of the model and the place it was pulled in from. */
export interface ModelFile {
  readonly uri: string;
  readonly text: string;
  readonly parse: ParseResult;
  readonly usedFrom: { readonly uri: string; readonly decl: UseDecl } | undefined;
}

export type PciKind = 'root_port' | 'switch' | 'port' | 'endpoint' | 'vf';

export interface Bar {
  readonly index: number;
  /** CPU physical, inclusive. */
  readonly first: bigint;
  readonly last: bigint;
  readonly prefetchable: boolean;
  readonly place: Place;
}

export interface Bdf {
  readonly segment: number;
  readonly bus: number;
  readonly device: number;
  readonly fn: number;
}

export interface PciFunction {
  readonly name: string;
  readonly kind: PciKind;
  /** Endpoint class; a VF has its PF's. */
  readonly cls: EndpointClass | undefined;
  /** Where the name is declared; for an implicit switch port, the child's declaration. */
  readonly place: Place;
  readonly declPlace: Place;
  readonly implicit: boolean;
  readonly hostBridge: HostBridge;
  /** Parent in the written tree (a VF's parent is its PF; a root-bus device's is undefined). */
  readonly parent: PciFunction | undefined;
  readonly children: PciFunction[];
  readonly bdf: Bdf | undefined;
  readonly id: { vendor: number; device: number } | undefined;
  /** Has an ACS capability (advertises RR and CR). */
  readonly acsCap: boolean;
  /** ACS Control bits stated with `acs_ctl`, overriding the kernel's derivation. */
  readonly acsCtlExplicit: ReadonlySet<AcsBit> | undefined;
  /** ACS Capability bits stated with `acs_cap`; undefined: every feature is controllable. */
  readonly acsCapExplicit: ReadonlySet<AcsBit> | undefined;
  readonly bars: Bar[];
  readonly dmaMaskBits: number;
  readonly busDmaLimit: bigint | undefined;
  readonly ats: boolean;
  readonly tph: boolean;
  readonly untrusted: boolean;
  readonly iommuOverride: 'dma' | 'identity' | 'private' | undefined;
  /** Extension: `importer K` on the device, inherited by every share to it (and by its VFs). */
  readonly importerKind: ImporterKindRef | undefined;
  /** Extension: `no_odp`, the RDMA device does not report IB_ODP_SUPPORT. */
  readonly noOdp: boolean;
  readonly pf: PciFunction | undefined;
  readonly vfs: PciFunction[];
  /** Position in a depth-first walk of the tree; stable identity for caches and sorting. */
  readonly index: number;
}

export interface Window {
  readonly first: bigint;
  readonly last: bigint;
  /** CPU-to-bus offset: bus address = CPU address − offset (§1.6). */
  readonly offset: bigint;
  readonly place: Place;
}

export interface HostBridge {
  readonly name: string;
  readonly place: Place;
  readonly id: { vendor: number; device: number } | undefined;
  readonly node: number | undefined;
  readonly segment: number;
  readonly windows: Window[];
  /** Devices on the root bus: root ports and RCiEPs. */
  readonly rootBus: PciFunction[];
}

export interface Memory {
  readonly name: string;
  readonly first: bigint;
  readonly last: bigint;
  readonly node: number | undefined;
  readonly place: Place;
}

export interface PlatformDevice {
  readonly name: string;
  readonly place: Place;
  readonly dmaMaskBits: number;
  readonly dmaRanges: readonly { bus: bigint; cpu: bigint; size: bigint }[];
  readonly iommuOverride: 'dma' | 'identity' | 'off' | 'private' | undefined;
  readonly parent: PciFunction | undefined;
  readonly index: number;
}

export interface Link {
  readonly type: LinkType;
  readonly members: readonly string[];
  readonly place: Place;
}

export interface Platform {
  readonly name: string;
  readonly place: Place;
  readonly cpu: { vendor: CpuVendor; family: number };
  readonly kernel: {
    /** The release whose behaviour the engine follows (ground/release.ts; NEWEST_RELEASE unless written). */
    readonly release: KernelRelease;
    /**
     * How the release was chosen: a `version` statement (`place`) or `--kernel` (no
     * place). Undefined when neither: the version-1 kernel of docs/language.md, the newest
     * release with CONFIG_DMABUF_MOVE_NOTIFY as the `move_notify` flag says.
     */
    readonly version: KernelVersionChoice | undefined;
    /** The kernel flags as written, for the findings about a flag the release lacks. */
    readonly flags: readonly { readonly flag: KernelFlag; readonly place: Place }[];
    readonly moveNotify: boolean;
    readonly forcedac: boolean;
    readonly swiotlbOff: boolean;
    readonly swiotlbForce: boolean;
    readonly ccGuest: boolean;
    readonly disableAcsRedir: readonly (Bdf & { place: Place })[];
  };
  readonly iommu: {
    readonly type: IommuType;
    readonly mode: IommuMode;
    readonly reserves: readonly { first: bigint; last: bigint }[];
    readonly apertureBits: number;
    readonly place: Place;
  } | undefined;
  readonly memories: readonly Memory[];
  readonly hostBridges: readonly HostBridge[];
  readonly links: readonly Link[];
  readonly platformDevices: readonly PlatformDevice[];
  readonly iommufds: readonly { name: string; place: Place }[];
  readonly kvms: readonly { name: string; place: Place }[];
}

export type ExporterDriver = DriverName | 'heap';

export interface Buffer {
  readonly name: string;
  readonly decl: BufferDecl;
  readonly uri: string;
  readonly place: Place;
  /** undefined for `from heap`. */
  readonly exporter: PciFunction | undefined;
  readonly driver: ExporterDriver;
  readonly size: bigint;
  readonly declaredPlacement: 'vram' | 'system';
  /** BAR placement (vram), with the CPU physical address of the buffer's first byte. */
  readonly bar: Bar | undefined;
  readonly barOffset: bigint;
  /** VFIO export ranges, as offsets into the BAR. */
  readonly ranges: readonly { offset: bigint; size: bigint; place: Place | undefined }[];
  /** `at`: the CPU physical address of a system buffer, when written. */
  readonly at: bigint | undefined;
  readonly fallback: boolean;
  readonly caching: Caching | undefined;
  /** `driver nvidia 580`: the driver's release branch; undefined: the newest the engine models. */
  readonly driverVersion: number | undefined;
  /** Export state the driver reads (force_pcie, coherent, passthru, p2p_unsupported_chipset, dcc). */
  readonly exportFlags: ReadonlySet<ExportFlag>;
  readonly index: number;
  /** The model refused the buffer (an invalid-value at it): its shares are not mapped. */
  readonly invalid: boolean;
}

export type Importer =
  | { readonly kind: 'pci'; readonly fn: PciFunction }
  | { readonly kind: 'platform'; readonly dev: PlatformDevice }
  | { readonly kind: 'iommufd'; readonly name: string }
  | { readonly kind: 'kvm'; readonly name: string }
  | { readonly kind: 'cpu' };

/** An `importer K` item: the kind and where it is written. */
export interface ImporterKindRef {
  readonly kind: ImporterKindName;
  readonly place: Place;
}

/** What the share's body writes itself, before any default (the importer kind's or the §4.4 ones). */
export interface WrittenAttachment {
  readonly attach: 'static' | 'dynamic' | undefined;
  readonly moveNotify: boolean;
  readonly peer2peer: boolean;
  readonly via: 'sgt' | 'pfn' | 'mmap' | undefined;
}

export interface Share {
  readonly name: string;
  readonly decl: ShareDecl;
  readonly uri: string;
  readonly buffer: Buffer;
  readonly importer: Importer;
  readonly importerName: string;
  readonly attach: 'static' | 'dynamic';
  readonly moveNotify: boolean;
  readonly peer2peer: boolean;
  readonly via: 'sgt' | 'pfn' | 'mmap';
  readonly devices: readonly PciFunction[];
  readonly ats: boolean;
  readonly tph: boolean;
  readonly caching: Caching | undefined;
  readonly expects: readonly ExpectItem[];
  readonly index: number;
  /** Extension: the importer kind, from the share's `importer` item or else its importer device's. */
  readonly importerKind: ImporterKindRef | undefined;
  readonly written: WrittenAttachment;
}

export type SymbolKind =
  | 'platform'
  | 'memory'
  | 'host_bridge'
  | 'pci'
  | 'platform_device'
  | 'iommufd'
  | 'kvm'
  | 'buffer'
  | 'share';

export interface SymbolInfo {
  readonly name: string;
  readonly kind: SymbolKind;
  readonly place: Place;
  /** The whole declaration. */
  readonly declPlace: Place;
}

export interface Reference {
  readonly name: Name;
  readonly uri: string;
  /** undefined when unresolved. */
  readonly symbol: SymbolInfo | undefined;
}

export interface ResolvedModel {
  readonly platform: Platform | undefined;
  readonly functions: readonly PciFunction[];
  readonly buffers: readonly Buffer[];
  /** Shares in share order (a used file's shares at the point of its use). */
  readonly shares: readonly Share[];
  readonly symbols: ReadonlyMap<string, SymbolInfo>;
  readonly references: readonly Reference[];
  readonly findings: readonly Finding[];
}
