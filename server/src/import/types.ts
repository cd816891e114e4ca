// The machine as an import source describes it, before it is written as a `platform`
// block (emit.ts). Plain data: every field is what the source said, or absent when the
// source does not say it. Nothing here is guessed; emit.ts turns each absence into a
// comment that says what to add.

import type { AcsBit } from '../syntax/ast';

export type ImportKind = 'lspci' | 'sysfs' | 'hwloc';

export interface PciAddress {
  readonly segment: number;
  readonly bus: number;
  readonly device: number;
  readonly fn: number;
}

/** The PCI Express port type from the Express capability (`lspci -vvv`), when known. */
export type PortType =
  | 'root_port'
  | 'upstream'
  | 'downstream'
  | 'pcie_to_pci'
  | 'pci_to_pcie'
  | 'endpoint'
  | 'legacy_endpoint'
  | 'rc_endpoint'
  | 'rc_event_collector';

export interface ImportedBar {
  readonly index: number;
  /** CPU physical address; undefined when the source says the BAR is unassigned. */
  readonly address: bigint | undefined;
  /** Bytes; undefined when unknown. */
  readonly size: bigint | undefined;
  readonly io: boolean;
  readonly prefetchable: boolean;
  /** The source marks the BAR `[disabled]` (memory decoding off) or `<ignored>`. */
  readonly disabled: boolean;
}

interface ImportedAcs {
  /** ACSCap bits that are `+`, when the source shows ACSCap. */
  readonly cap: ReadonlySet<AcsBit> | undefined;
  /** ACSCtl bits that are `+`, when the source shows ACSCtl. */
  readonly ctl: ReadonlySet<AcsBit> | undefined;
}

export interface ImportedFunction {
  readonly address: PciAddress;
  /** Class code as class<<8 | subclass (0x0300 VGA, 0x0604 PCI bridge), when known. */
  classCode: number | undefined;
  vendor: number | undefined;
  device: number | undefined;
  /** What the source calls it (lspci's name, hwloc's PCIDevice info), for a comment. */
  description: string | undefined;
  /** A PCI-to-PCI bridge: it has a secondary bus (class 0604, or `-[bb]` in lspci -t). */
  isBridge: boolean;
  secondaryBus: number | undefined;
  subordinateBus: number | undefined;
  portType: PortType | undefined;
  /** A bridge's forwarding windows (`Memory behind bridge`), for the host bridge's window hint. */
  windowsBehind: { first: bigint; last: bigint }[];
  bars: ImportedBar[];
  /** BAR lines the source shows but that cannot be modelled (I/O ports, unassigned…), in words. */
  barNotes: string[];
  /** undefined: the source cannot show ACS for this function (no capability list). */
  acs: ImportedAcs | undefined;
  /** The source lists this function's capabilities (so a missing ACS capability means none). */
  capabilitiesKnown: boolean;
  /** lspci -vvv (or the snapshot's copy of it) has a block for this function. */
  detailsKnown: boolean;
  numaNode: number | undefined;
  iommuGroup: number | undefined;
  parent: ImportedFunction | undefined;
  children: ImportedFunction[];
}

export interface ImportedHostBridge {
  readonly segment: number;
  /** The root bus number. */
  readonly bus: number;
  /** Functions on the root bus, in address order. */
  functions: ImportedFunction[];
  node: number | undefined;
  /** CPU-physical MMIO windows, when the source has them (/proc/iomem `PCI Bus` lines). */
  windows: { first: bigint; last: bigint }[];
  /** Why the source may be wrong that this is a root bus (a cut-off listing), for a TODO. */
  doubt?: string;
}

export interface ImportedCpu {
  readonly vendor: 'intel' | 'amd' | 'hygon' | 'arm' | 'other';
  readonly family: number | undefined;
  /** Where it came from, in words (`/proc/cpuinfo vendor_id GenuineIntel, cpu family 6`). */
  readonly evidence: string;
}

export interface ImportedIommu {
  /** Whether an IOMMU translates DMA: true when the kernel formed IOMMU groups. */
  readonly present: boolean;
  readonly type: 'vtd' | 'amd-vi' | 'smmu' | undefined;
  readonly mode: 'dma' | 'lazy' | 'identity' | undefined;
  readonly evidence: string;
}

export interface ImportedMemory {
  readonly node: number;
  readonly bytes: bigint;
}

/** The kernel as a snapshot shows it: release, command line, configuration. */
export interface ImportedKernel {
  /** `uname -r`. */
  readonly release: string | undefined;
  /** `kernel` options of the language (docs/language.md §4.1), each with where it came from. */
  readonly options: { readonly text: string; readonly evidence: string }[];
  /** What the command line and config say that the language has no statement for. */
  readonly remarks: string[];
}

export interface ImportedMachine {
  readonly kind: ImportKind;
  /** What was read, in words, for the header comment. */
  readonly sourceText: string;
  hostBridges: ImportedHostBridge[];
  cpu: ImportedCpu | undefined;
  iommu: ImportedIommu | undefined;
  /** NUMA nodes and their memory sizes, when the source has them (hwloc). */
  memory: ImportedMemory[];
  /** System RAM ranges, CPU physical, when the source has them (/proc/iomem as root). */
  ram: { first: bigint; last: bigint }[];
  /** The real IOMMU groups were read (sysfs, or `IOMMU group:` lines of lspci -vvv). */
  groupsKnown: boolean;
  /** What the source says about an IOMMU when it cannot say whether it is on. */
  iommuHint?: string;
  /** The kernel's release, command line and config (a snapshot). */
  kernel?: ImportedKernel;
  /** Whether the source can show ACS at all. */
  acsSource: 'lspci-vvv' | 'none';
  /** Findings about the input: lines not understood, functions skipped, limits of the source. */
  notes: string[];
}

export function newFunction(address: PciAddress): ImportedFunction {
  return {
    address,
    classCode: undefined,
    vendor: undefined,
    device: undefined,
    description: undefined,
    isBridge: false,
    secondaryBus: undefined,
    subordinateBus: undefined,
    portType: undefined,
    windowsBehind: [],
    bars: [],
    barNotes: [],
    acs: undefined,
    capabilitiesKnown: false,
    detailsKnown: false,
    numaNode: undefined,
    iommuGroup: undefined,
    parent: undefined,
    children: [],
  };
}

/** Every function of the machine, depth first in address order. */
export function allFunctions(m: ImportedMachine): ImportedFunction[] {
  const out: ImportedFunction[] = [];
  const walk = (f: ImportedFunction) => {
    out.push(f);
    for (const c of f.children) walk(c);
  };
  for (const hb of m.hostBridges) for (const f of hb.functions) walk(f);
  return out;
}

function compareAddress(a: PciAddress, b: PciAddress): number {
  return a.segment - b.segment || a.bus - b.bus || a.device - b.device || a.fn - b.fn;
}

/** Sorts every child list and root bus by address (sources list them in any order). */
export function sortMachine(m: ImportedMachine): void {
  const sortList = (l: ImportedFunction[]) => {
    l.sort((x, y) => compareAddress(x.address, y.address));
    for (const f of l) sortList(f.children);
  };
  m.hostBridges.sort((x, y) => x.segment - y.segment || x.bus - y.bus);
  for (const hb of m.hostBridges) sortList(hb.functions);
}

/** Thrown when an input cannot be imported at all (nothing recognisable in it). */
export class ImportError extends Error {}
