// A snapshot made by bin/dmabuf-snapshot (docs/import.md): the files of
// /sys/bus/pci/devices/*, /sys/kernel/iommu_groups, /sys/class/iommu, /proc/cpuinfo,
// /proc/cmdline, /proc/iomem and, when lspci is installed, its output. The files come
// as a map from their path inside the snapshot to their text.

import { bdfText } from '../ground/format';
import { addVerboseDetails, importLspci } from './lspci';
import { finishMachine } from './finish';
import { PCI_BRIDGE_CLASS } from './pci';
import {
  ImportError,
  newFunction,
  type ImportedBar,
  type ImportedCpu,
  type ImportedFunction,
  type ImportedHostBridge,
  type ImportedIommu,
  type ImportedKernel,
  type ImportedMachine,
  type PciAddress,
} from './types';

export type SnapshotFiles = Readonly<Record<string, string>>;

const BDF_RE = /^([0-9a-fA-F]{4,8}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;
const ROOT_RE = /^pci([0-9a-fA-F]{4,8}):([0-9a-fA-F]{2})$/;

// include/linux/ioport.h
const IORESOURCE_IO = 0x100n;
const IORESOURCE_MEM = 0x200n;
const IORESOURCE_PREFETCH = 0x2000n;
const IORESOURCE_DISABLED = 0x10000000n;
const IORESOURCE_UNSET = 0x20000000n;
/** PCI_BRIDGE_RESOURCES: a bridge's windows are lines 13–16 of `resource`. */
const BRIDGE_WINDOW_LINES = [13, 14, 15, 16];

function parseBdf(text: string): PciAddress | undefined {
  const m = BDF_RE.exec(text.trim());
  if (!m) return undefined;
  return { segment: parseInt(m[1]!, 16), bus: parseInt(m[2]!, 16), device: parseInt(m[3]!, 16), fn: Number(m[4]) };
}

function hexValue(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*0x([0-9a-fA-F]+)\s*$/.exec(text);
  return m ? parseInt(m[1]!, 16) : undefined;
}

/** The lines of a sysfs `resource` file: start, end, flags. */
function resourceLines(text: string): { start: bigint; end: bigint; flags: bigint }[] {
  const out: { start: bigint; end: bigint; flags: bigint }[] = [];
  for (const l of text.split(/\r?\n/)) {
    const m = /^\s*(0x[0-9a-fA-F]+)\s+(0x[0-9a-fA-F]+)\s+(0x[0-9a-fA-F]+)\s*$/.exec(l);
    if (!m) continue;
    out.push({ start: BigInt(m[1]!), end: BigInt(m[2]!), flags: BigInt(m[3]!) });
  }
  return out;
}

function barsOf(f: ImportedFunction, text: string): void {
  const lines = resourceLines(text);
  for (let i = 0; i < Math.min(6, lines.length); i++) {
    const r = lines[i]!;
    if (r.start === 0n && r.end === 0n && r.flags === 0n) continue;
    const io = (r.flags & IORESOURCE_IO) !== 0n;
    const mem = (r.flags & IORESOURCE_MEM) !== 0n;
    if (!io && !mem) continue;
    const size = r.end >= r.start ? r.end - r.start + 1n : 0n;
    if (io) {
      f.barNotes.push(`BAR ${i}: I/O ports at 0x${r.start.toString(16)} size ${size} (port I/O is not modelled)`);
      continue;
    }
    if ((r.flags & IORESOURCE_UNSET) !== 0n || r.start === 0n || size === 0n) {
      f.barNotes.push(`BAR ${i}: memory of ${size} bytes not assigned an address: not written`);
      continue;
    }
    const bar: ImportedBar = {
      index: i,
      address: r.start,
      size,
      io: false,
      prefetchable: (r.flags & IORESOURCE_PREFETCH) !== 0n,
      disabled: (r.flags & IORESOURCE_DISABLED) !== 0n,
    };
    f.bars.push(bar);
  }
  for (const i of BRIDGE_WINDOW_LINES) {
    const r = lines[i];
    if (!r || r.end <= r.start || (r.flags & IORESOURCE_MEM) === 0n) continue;
    f.windowsBehind.push({ first: r.start, last: r.end });
  }
}

function cpuOf(text: string): ImportedCpu | undefined {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const vendorId = field('vendor_id');
  const family = field('cpu family');
  if (vendorId) {
    const vendor = vendorId === 'GenuineIntel' ? 'intel' : vendorId === 'AuthenticAMD' ? 'amd' : vendorId === 'HygonGenuine' ? 'hygon' : 'other';
    const fam = family !== undefined && /^\d+$/.test(family) ? Number(family) : undefined;
    return { vendor, family: fam, evidence: `/proc/cpuinfo: vendor_id ${vendorId}${fam !== undefined ? `, cpu family ${fam}` : ''}` };
  }
  const implementer = field('CPU implementer');
  if (implementer) return { vendor: 'arm', family: undefined, evidence: `/proc/cpuinfo: CPU implementer ${implementer}` };
  return undefined;
}

interface IomemEntry {
  readonly depth: number;
  readonly first: bigint;
  readonly last: bigint;
  readonly name: string;
}

function iomemEntries(text: string): IomemEntry[] {
  const out: IomemEntry[] = [];
  for (const l of text.split(/\r?\n/)) {
    const m = /^(\s*)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$/.exec(l);
    if (!m) continue;
    out.push({ depth: m[1]!.length, first: BigInt(`0x${m[2]}`), last: BigInt(`0x${m[3]}`), name: m[4]!.trim() });
  }
  return out;
}

const CMDLINE_IOMMU_RE = /^(?:iommu|intel_iommu|amd_iommu|iommu\.[a-z_]+|pci|swiotlb)=/;

/**
 * The kernel block from the snapshot's `kernel` (uname -r), `cmdline` and `config`:
 * `forcedac` from iommu.forcedac=1 (drivers/iommu/dma-iommu.c, iommu_dma_forcedac_setup),
 * `disable_acs_redir` from pci=disable_acs_redir= (drivers/pci/pci.c,
 * pci_disable_acs_redir), `move_notify` from CONFIG_DMABUF_MOVE_NOTIFY=y.
 */
export function kernelOf(release: string | undefined, cmdline: string | undefined, config: string | undefined, configSource: string | undefined): ImportedKernel | undefined {
  if (release === undefined && cmdline === undefined && config === undefined) return undefined;
  const options: ImportedKernel['options'] = [];
  const remarks: string[] = [];
  const words = (cmdline ?? '').split(/\s+/).filter((w) => CMDLINE_IOMMU_RE.test(w));
  for (const w of words) {
    if (/^iommu\.forcedac=(1|y|Y|on)$/.test(w)) options.push({ text: 'forcedac', evidence: `/proc/cmdline ${w}` });
    else if (w.startsWith('pci=')) {
      for (const opt of w.slice(4).split(',')) {
        const m = /^disable_acs_redir=(.*)$/.exec(opt);
        if (!m) continue;
        const bdfs: string[] = [];
        for (const d of m[1]!.split(';').filter(Boolean)) {
          const b = /^(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/.exec(d.trim());
          if (b) bdfs.push(b[0].length > 7 && b[0].startsWith('0000:') ? b[0].slice(5) : b[0]);
          else remarks.push(`TODO disable_acs_redir: /proc/cmdline names ${d} (a path or pci:vendor:device form): add its BDF to \`disable_acs_redir\``);
        }
        if (bdfs.length > 0) options.push({ text: `disable_acs_redir ${bdfs.join(', ')}`, evidence: `/proc/cmdline pci=${opt}` });
      }
    } else remarks.push(`/proc/cmdline ${w}`);
  }
  if (config !== undefined) {
    const set = (name: string) => new RegExp(`^CONFIG_${name}=([ym])`, 'm').exec(config)?.[1];
    const from = configSource ?? 'the kernel config';
    if (set('DMABUF_MOVE_NOTIFY')) options.push({ text: 'move_notify', evidence: `${from}: CONFIG_DMABUF_MOVE_NOTIFY=y` });
    if (!set('PCI_P2PDMA')) remarks.push(`${from}: CONFIG_PCI_P2PDMA is not set: this kernel has no PCI P2PDMA, every P2P share falls back or fails (the model assumes it is built in)`);
    const def = /^CONFIG_IOMMU_DEFAULT_(PASSTHROUGH|DMA_LAZY|DMA_STRICT)=y/m.exec(config)?.[1];
    if (def) remarks.push(`${from}: CONFIG_IOMMU_DEFAULT_${def}=y`);
  }
  return { release, options, remarks };
}

export function importSysfs(files: SnapshotFiles): ImportedMachine {
  const notes: string[] = [];
  const norm = new Map<string, string>();
  for (const [p, text] of Object.entries(files)) norm.set(p.replace(/\\/g, '/').replace(/^\.?\/+/, ''), text);
  const file = (p: string) => norm.get(p);

  // ------------------------------------------------------------------ functions
  const byDevice = new Map<string, Map<string, string>>();
  for (const [p, text] of norm) {
    const m = /^pci\/([^/]+)\/([^/]+)$/.exec(p);
    if (!m) continue;
    let entry = byDevice.get(m[1]!);
    if (!entry) byDevice.set(m[1]!, (entry = new Map()));
    entry.set(m[2]!, text);
  }
  if (byDevice.size === 0) {
    // A directory that holds only lspci output (no sysfs): import that instead.
    const tree = file('lspci-tvnn.txt');
    const vvv = file('lspci-vvvnn.txt');
    if (tree !== undefined || vvv !== undefined) return importLspci({ tree, verbose: vvv });
    throw new ImportError('no pci/DOMAIN:BUS:DEV.FN/ entries: this is not a dmabuf-snapshot directory (docs/import.md)');
  }

  const fns = new Map<string, ImportedFunction>();
  const vmd: string[] = [];
  const drivers = new Map<ImportedFunction, string>();
  const pathOf = new Map<ImportedFunction, string[]>();
  for (const [dir, entry] of byDevice) {
    const a = parseBdf(dir);
    if (!a) {
      notes.push(`pci/${dir}: not a PCI address: left out`);
      continue;
    }
    if (a.segment > 0xffff) {
      // Intel VMD and the like: a domain of 32 bits, which a BDF of the language cannot hold.
      vmd.push(dir);
      continue;
    }
    const f = newFunction(a);
    const cls = hexValue(entry.get('class'));
    if (cls !== undefined) f.classCode = cls >> 8;
    f.vendor = hexValue(entry.get('vendor'));
    f.device = hexValue(entry.get('device'));
    const res = entry.get('resource');
    if (res !== undefined) barsOf(f, res);
    const node = entry.get('numa_node')?.trim();
    if (node !== undefined && /^\d+$/.test(node)) f.numaNode = Number(node);
    const group = entry.get('iommu_group')?.trim();
    if (group !== undefined && /^\d+$/.test(group)) f.iommuGroup = Number(group);
    if (f.classCode === PCI_BRIDGE_CLASS) f.isBridge = true;
    const driver = entry.get('driver')?.trim();
    if (driver) drivers.set(f, driver);
    const path = entry.get('path')?.trim();
    pathOf.set(f, path ? path.split('/').filter(Boolean) : []);
    fns.set(bdfText(a), f);
  }

  if (vmd.length > 0) notes.push(`${vmd.length} function${vmd.length === 1 ? ' is' : 's are'} in a PCI domain above ffff (Intel VMD or similar: ${vmd.slice(0, 3).join(', ')}${vmd.length > 3 ? ', …' : ''}), which a BDF cannot hold: left out`);

  // Groups listed under iommu_groups/N/devices, for functions whose own link was not read.
  let groupCount = 0;
  const groupTypes = new Map<string, number>();
  for (const [p, text] of norm) {
    const m = /^iommu_groups\/(\d+)\/devices$/.exec(p);
    if (m) {
      groupCount++;
      for (const name of text.split(/\s+/).filter(Boolean)) {
        const f = fns.get(name);
        if (f && f.iommuGroup === undefined) f.iommuGroup = Number(m[1]);
        else if (f && f.iommuGroup !== Number(m[1])) notes.push(`${name}: its iommu_group link says ${f.iommuGroup}, iommu_groups/${m[1]} lists it too`);
      }
      continue;
    }
    const t = /^iommu_groups\/(\d+)\/type$/.exec(p);
    if (t) groupTypes.set(text.trim(), (groupTypes.get(text.trim()) ?? 0) + 1);
  }

  // ------------------------------------------------------------------ the tree
  const hbs: ImportedHostBridge[] = [];
  const hostBridge = (segment: number, bus: number) => {
    let hb = hbs.find((h) => h.segment === segment && h.bus === bus);
    if (!hb) {
      hb = { segment, bus, functions: [], node: undefined, windows: [] };
      hbs.push(hb);
    }
    return hb;
  };
  for (const f of fns.values()) {
    const parts = pathOf.get(f)!;
    const rootAt = parts.findIndex((p) => ROOT_RE.test(p));
    if (rootAt < 0) {
      notes.push(`pci/${bdfText(f.address)}: no path below /sys/devices/pciDOMAIN:BUS: placed on bus ${f.address.bus.toString(16)} as a root-bus device`);
      hostBridge(f.address.segment, f.address.bus).functions.push(f);
      continue;
    }
    const chain = parts.slice(rootAt + 1).filter((p) => BDF_RE.test(p));
    const up = chain.length >= 2 ? fns.get(chain[chain.length - 2]!) : undefined;
    if (up) {
      f.parent = up;
      up.children.push(f);
      up.isBridge = true;
      if (up.secondaryBus === undefined) up.secondaryBus = f.address.bus;
      continue;
    }
    const r = ROOT_RE.exec(parts[rootAt]!)!;
    hostBridge(parseInt(r[1]!, 16), parseInt(r[2]!, 16)).functions.push(f);
  }

  // ------------------------------------------------------------------ platform
  const cpuinfo = file('cpuinfo');
  const cpu = cpuinfo !== undefined ? cpuOf(cpuinfo) : undefined;
  if (cpuinfo !== undefined && !cpu) notes.push('cpuinfo names no vendor_id or CPU implementer');

  // Only the IOMMU options of the command line matter here.
  const cmdline = (file('cmdline') ?? '')
    .split(/\s+/)
    .filter((w) => /iommu|dmar/i.test(w))
    .join(' ');
  const iommuClass = (file('iommu_class') ?? '').split(/\s+/).filter(Boolean);
  const countText = file('iommu_groups/count')?.trim();
  let iommu: ImportedIommu | undefined;
  const type = iommuClass.some((n) => n.startsWith('dmar'))
    ? 'vtd'
    : iommuClass.some((n) => n.startsWith('ivhd'))
      ? 'amd-vi'
      : iommuClass.some((n) => /smmu/.test(n))
        ? 'smmu'
        : undefined;
  if (groupCount > 0 || (countText !== undefined && Number(countText) > 0)) {
    let mode: ImportedIommu['mode'];
    const sorted = [...groupTypes].sort((a, b) => b[1] - a[1]);
    const top = sorted[0]?.[0];
    if (top === 'DMA') mode = 'dma';
    else if (top === 'DMA-FQ') mode = 'lazy';
    else if (top === 'identity') mode = 'identity';
    if (sorted.length > 1) notes.push(`IOMMU group types differ (${sorted.map(([t, n]) => `${n} ${t}`).join(', ')}): the mode of the most is written`);
    const evidence = [
      `${groupCount || countText} IOMMU groups in /sys/kernel/iommu_groups`,
      type ? `/sys/class/iommu: ${iommuClass.join(' ')}` : undefined,
      top ? `group type ${top}` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    iommu = { present: true, type, mode, evidence };
  } else if (countText !== undefined) {
    iommu = { present: false, type: undefined, mode: undefined, evidence: `/sys/kernel/iommu_groups is empty: no IOMMU translates DMA${cmdline ? ` (kernel command line: ${cmdline})` : ''}` };
  }

  const machine: ImportedMachine = {
    kind: 'sysfs',
    sourceText: 'dmabuf-snapshot',
    hostBridges: hbs,
    cpu,
    iommu,
    memory: [],
    ram: [],
    groupsKnown: false,
    acsSource: 'none',
    notes,
    kernel: kernelOf(file('kernel')?.trim() || undefined, file('cmdline'), file('config'), file('config_source')?.trim()),
  };

  const iomem = file('iomem');
  if (iomem !== undefined) {
    const entries = iomemEntries(iomem);
    if (entries.length > 0 && entries.every((e) => e.first === 0n && e.last === 0n)) {
      notes.push('iomem was read without root (every address is 0): no windows or memory from it');
    } else {
      const minDepth = Math.min(...entries.map((e) => e.depth));
      for (const e of entries) {
        if (e.depth === minDepth && e.name === 'System RAM') machine.ram.push({ first: e.first, last: e.last });
        const pb = /^PCI Bus ([0-9a-fA-F]{4,8}):([0-9a-fA-F]{2})$/.exec(e.name);
        if (pb) {
          const hb = hbs.find((h) => h.segment === parseInt(pb[1]!, 16) && h.bus === parseInt(pb[2]!, 16));
          if (hb && !hb.windows.some((w) => w.first <= e.first && e.last <= w.last)) hb.windows.push({ first: e.first, last: e.last });
        }
      }
    }
  }

  const vvv = file('lspci-vvvnn.txt');
  if (vvv !== undefined) addVerboseDetails(machine, vvv, 'lspci-vvvnn.txt');
  for (const [f, driver] of drivers) f.description = f.description ? `${f.description}; driver ${driver}` : `driver ${driver}`;
  for (const n of (file('notes') ?? '').split(/\r?\n/).filter((l) => l.trim())) notes.push(`snapshot: ${n.trim()}`);
  finishMachine(machine);
  return machine;
}
