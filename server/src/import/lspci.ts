// The output of `lspci -tv` / `lspci -tvnn` (the tree) and of `lspci -vvv` /
// `lspci -vvvnn` (the details: class, BARs, ACS, NUMA node, IOMMU group), as pciutils
// prints them. Either may come alone: the tree gives the shape, -vvv gives everything
// else and, through its `Bus:` lines (or the paths of `lspci -PP`), a shape too.

import { bdfText, hexPad } from '../ground/format';
import {
  allFunctions,
  ImportError,
  newFunction,
  type ImportedBar,
  type ImportedFunction,
  type ImportedHostBridge,
  type ImportedMachine,
  type PciAddress,
  type PortType,
} from './types';
import { acsBits, classFromName, HOST_BRIDGE_CLASS, parseLspciSize, PCI_BRIDGE_CLASS } from './pci';
import { finishMachine } from './finish';
import { deviceForm, isDeviceLine, splitPaste, type GroupListing } from './paste';
import type { AcsBit } from '../syntax/ast';

interface LspciInputs {
  /** `lspci -tv` or `lspci -tvnn`. */
  readonly tree?: string;
  /** `lspci -vvv` or `lspci -vvvnn` (as root for the capabilities), or any other device listing. */
  readonly verbose?: string;
  /** An IOMMU group listing (`find /sys/kernel/iommu_groups -type l`, the usual loops). */
  readonly groups?: string;
}

// ---------------------------------------------------------------------------- the tree

interface TreeNode {
  readonly dev: number;
  readonly fn: number;
  secondary: number | undefined;
  subordinate: number | undefined;
  name: string | undefined;
  vendor: number | undefined;
  device: number | undefined;
  readonly children: TreeNode[];
  readonly line: number;
}

interface TreeRoot {
  readonly segment: number;
  readonly bus: number;
  readonly children: TreeNode[];
}

interface TreeToken {
  readonly col: number;
  readonly bus?: { segment: number; bus: number };
  readonly node?: TreeNode;
}

const CONNECTORS = new Set([' ', '|', '+', '\\', '-', '`']);
const ROOT_RE = /^\[(?:([0-9a-fA-F]{4,8}):)?([0-9a-fA-F]{2})\]/;
const DEV_RE = /^([0-9a-fA-F]{2})\.([0-7])(?![0-9A-Za-z])/;
const RANGE_RE = /^-\[([0-9a-fA-F]{2})(?:-([0-9a-fA-F]{2}))?\]/;
const IDS_RE = /\s*\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\]\s*$/;

/** The node tokens of one line of `lspci -t`, left to right, with their columns. */
function treeTokens(line: string, lineNo: number): TreeToken[] {
  const out: TreeToken[] = [];
  let pos = 0;
  while (pos < line.length) {
    while (pos < line.length && CONNECTORS.has(line[pos]!)) pos++;
    if (pos >= line.length) break;
    const rest = line.slice(pos);
    const root = ROOT_RE.exec(rest);
    if (root && (out.length === 0 || out[out.length - 1]!.bus !== undefined)) {
      out.push({ col: pos, bus: { segment: root[1] ? parseInt(root[1], 16) : 0, bus: parseInt(root[2]!, 16) } });
      pos += root[0].length;
      continue;
    }
    const dev = DEV_RE.exec(rest);
    if (!dev) break;
    const node: TreeNode = {
      dev: parseInt(dev[1]!, 16),
      fn: Number(dev[2]),
      secondary: undefined,
      subordinate: undefined,
      name: undefined,
      vendor: undefined,
      device: undefined,
      children: [],
      line: lineNo,
    };
    out.push({ col: pos, node });
    pos += dev[0].length;
    const range = RANGE_RE.exec(line.slice(pos));
    if (range) {
      node.secondary = parseInt(range[1]!, 16);
      node.subordinate = range[2] ? parseInt(range[2], 16) : node.secondary;
      pos += range[0].length;
    }
    const after = line.slice(pos);
    if (/^\s+\S/.test(after)) {
      let name = after.trim();
      const ids = IDS_RE.exec(name);
      if (ids) {
        node.vendor = parseInt(ids[1]!, 16);
        node.device = parseInt(ids[2]!, 16);
        name = name.slice(0, ids.index).trim();
      }
      node.name = name.length > 0 ? name : undefined;
      break;
    }
  }
  return out;
}

export function looksLikeTree(text: string): boolean {
  return text.split(/\r?\n/).some((l) => /^[\s|+\\`-]*-?\[(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}\]-/.test(l) || /^-?\[(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}\]-/.test(l.trim()));
}

export function parseTree(text: string, notes: string[]): TreeRoot[] {
  const roots: TreeRoot[] = [];
  const stack: { col: number; root?: TreeRoot; node?: TreeNode; bus?: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const tokens = treeTokens(line, i + 1);
    for (const t of tokens) {
      while (stack.length > 0 && stack[stack.length - 1]!.col >= t.col) stack.pop();
      if (t.bus) {
        stack.length = 0;
        if (t.bus.segment > 0xffff) {
          notes.push(`line ${i + 1}: PCI domain ${t.bus.segment.toString(16)} (a VMD or similar domain above ffff) cannot be written as a BDF: its devices are left out`);
          stack.push({ col: t.col });
          continue;
        }
        const root: TreeRoot = { segment: t.bus.segment, bus: t.bus.bus, children: [] };
        roots.push(root);
        stack.push({ col: t.col, root, bus: t.bus.bus });
        continue;
      }
      const node = t.node!;
      const top = stack[stack.length - 1];
      if (!top) {
        notes.push(`line ${i + 1}: device ${hexPad(node.dev, 2)}.${node.fn} is not under any bus: left out`);
        continue;
      }
      if (!top.root && !top.node) {
        stack.push({ col: t.col }); // below a domain that is left out
        continue;
      }
      const parentBus = top.root ? top.bus : top.node!.secondary;
      if (parentBus === undefined) {
        notes.push(`line ${i + 1}: device ${hexPad(node.dev, 2)}.${node.fn} hangs below ${hexPad(top.node!.dev, 2)}.${top.node!.fn}, which shows no secondary bus: left out`);
        stack.push({ col: t.col });
        continue;
      }
      if (top.root) top.root.children.push(node);
      else top.node!.children.push(node);
      stack.push({ col: t.col, node, bus: parentBus });
    }
  }
  return roots;
}

// ---------------------------------------------------------------------------- -vvv

interface PathPart {
  readonly bus: number | undefined;
  readonly dev: number;
  readonly fn: number;
}

interface VerboseFn {
  segment: number | undefined;
  /** From the root bus down to the function itself (`lspci -P`/`-PP` print paths). */
  readonly path: PathPart[];
  classCode: number | undefined;
  vendor: number | undefined;
  device: number | undefined;
  description: string | undefined;
  secondary: number | undefined;
  subordinate: number | undefined;
  portType: PortType | undefined;
  bars: ImportedBar[];
  barNotes: string[];
  acsCap: Set<AcsBit> | undefined;
  acsCtl: Set<AcsBit> | undefined;
  hasCapabilities: boolean;
  capabilitiesDenied: boolean;
  numaNode: number | undefined;
  iommuGroup: number | undefined;
  windowsBehind: { first: bigint; last: bigint }[];
  /** `Kernel driver in use:` (lspci -k). */
  driver: string | undefined;
  /** Detail lines beyond the -k ones (Subsystem, Kernel driver, modules): a -v block. */
  detailLines: number;
  readonly line: number;
}

const PART_RE = /^(?:([0-9a-fA-F]{2}):)?([0-9a-fA-F]{2})\.([0-7])$/;

/** The address and text of a device header line of `lspci -v…` ("00:01.0 PCI bridge [0604]: …"). */
function headerOf(line: string): { segment: number | undefined; path: PathPart[]; rest: string } | undefined {
  const m = /^((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7](?:\/(?:[0-9a-fA-F]{2}:)?[0-9a-fA-F]{2}\.[0-7])*) (.+: .*)$/.exec(line);
  if (!m) return undefined;
  let addr = m[1]!;
  let segment: number | undefined;
  const seg = /^([0-9a-fA-F]{4,8}):(?=[0-9a-fA-F]{2}:)/.exec(addr);
  if (seg) {
    segment = parseInt(seg[1]!, 16);
    addr = addr.slice(seg[0].length);
  }
  const path: PathPart[] = [];
  for (const part of addr.split('/')) {
    const p = PART_RE.exec(part);
    if (!p) return undefined;
    path.push({ bus: p[1] ? parseInt(p[1], 16) : undefined, dev: parseInt(p[2]!, 16), fn: Number(p[3]) });
  }
  if (path[0]!.bus === undefined) return undefined;
  return { segment, path, rest: m[2]! };
}

export function looksLikeVerbose(text: string): boolean {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i + 1 < lines.length; i++) {
    if (headerOf(lines[i]!) && /^\s+\S/.test(lines[i + 1]!)) return true;
  }
  return false;
}

function indentOf(line: string): number {
  let n = 0;
  for (const c of line) {
    if (c === ' ') n++;
    else if (c === '\t') n = (Math.floor(n / 8) + 1) * 8;
    else break;
  }
  return n;
}

const PORT_TYPES: readonly [RegExp, PortType][] = [
  [/^Root Port/, 'root_port'],
  [/^Upstream Port/, 'upstream'],
  [/^Downstream Port/, 'downstream'],
  [/^PCI-Express to PCI\/PCI-X Bridge/, 'pcie_to_pci'],
  [/^PCI\/PCI-X to PCI-Express Bridge/, 'pci_to_pcie'],
  [/^Legacy Endpoint/, 'legacy_endpoint'],
  [/^Root Complex Integrated Endpoint/, 'rc_endpoint'],
  [/^Root Complex Event Collector/, 'rc_event_collector'],
  [/^Endpoint/, 'endpoint'],
];

function parseHeaderText(v: VerboseFn, rest: string): void {
  // "VGA compatible controller [0300]: Advanced Micro … [1002:7340] (rev 47) (prog-if 00 [VGA controller])"
  const colon = rest.indexOf(': ');
  let cls = rest.slice(0, colon);
  let text = rest.slice(colon + 2);
  const code = /\s*\[([0-9a-fA-F]{4})\]$/.exec(cls);
  const numeric = /^Class ([0-9a-fA-F]{4})$/.exec(cls.trim());
  if (code) {
    v.classCode = parseInt(code[1]!, 16);
    cls = cls.slice(0, code.index);
  } else if (numeric) {
    v.classCode = parseInt(numeric[1]!, 16); // lspci without pci.ids: `Class 0604: Device 8086:1e10`
  } else {
    v.classCode = classFromName(cls);
  }
  text = text.replace(/\s*\(prog-if [^)]*(?:\[[^\]]*\])?\)\s*$/, '').replace(/\s*\(rev [0-9a-fA-F]+\)\s*$/, '');
  const ids = IDS_RE.exec(text) ?? /^Device ([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$/.exec(text.trim());
  if (ids) {
    v.vendor = parseInt(ids[1]!, 16);
    v.device = parseInt(ids[2]!, 16);
    text = ids.index > 0 ? text.slice(0, ids.index) : '';
  }
  v.description = text.trim() || undefined;
}

function parseRegion(v: VerboseFn, body: string): void {
  const m = /^Region (\d+): (Memory|I\/O ports) at (\S+)(.*)$/.exec(body);
  if (!m) return;
  const index = Number(m[1]);
  const io = m[2] !== 'Memory';
  const where = m[3]!;
  const tail = m[4]!;
  const sizeM = /\[size=([0-9]+[KMGTP]?)\]/.exec(tail);
  const size = sizeM ? parseLspciSize(sizeM[1]!) : undefined;
  const disabled = /\[disabled\]/.test(tail) || where === '<ignored>';
  const prefetchable = /[(,\s]prefetchable\)/.test(tail) && !/non-prefetchable/.test(tail);
  const address = /^[0-9a-fA-F]+$/.test(where) ? BigInt(`0x${where}`) : undefined;
  if (io) {
    v.barNotes.push(`BAR ${index}: I/O ports at 0x${where}${sizeM ? ` size ${sizeM[1]}` : ''} (port I/O is not modelled)`);
    return;
  }
  if (address === undefined || size === undefined) {
    v.barNotes.push(`BAR ${index}: memory at ${where}${sizeM ? ` size ${sizeM[1]}` : ''} has no address: not written`);
    return;
  }
  v.bars.push({ index, address, size, io, prefetchable, disabled });
}

/** The `lspci -vvv` blocks, by the order they appear. */
export function parseVerbose(text: string, notes: string[]): VerboseFn[] {
  const out: VerboseFn[] = [];
  const lines = text.split(/\r?\n/);
  let cur: VerboseFn | undefined;
  let blockIndent = -1;
  let inAcs = false;
  let bareMemory = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    if (line.length === 0) continue;
    const head = /^\S/.test(line) ? headerOf(line) : undefined;
    if (head) {
      cur = {
        segment: head.segment,
        path: head.path,
        classCode: undefined,
        vendor: undefined,
        device: undefined,
        description: undefined,
        secondary: undefined,
        subordinate: undefined,
        portType: undefined,
        bars: [],
        barNotes: [],
        acsCap: undefined,
        acsCtl: undefined,
        hasCapabilities: false,
        capabilitiesDenied: false,
        numaNode: undefined,
        iommuGroup: undefined,
        windowsBehind: [],
        driver: undefined,
        detailLines: 0,
        line: i + 1,
      };
      parseHeaderText(cur, head.rest);
      out.push(cur);
      blockIndent = -1;
      inAcs = false;
      continue;
    }
    if (/^\S/.test(line)) {
      cur = undefined; // anything else at column 0 ends the block (a prompt, a fence)
      continue;
    }
    if (!cur) continue;
    const indent = indentOf(line);
    if (blockIndent < 0) blockIndent = indent;
    const body = line.trim();
    if (indent <= blockIndent) {
      inAcs = false;
      let m: RegExpExecArray | null;
      if ((m = /^Kernel driver in use: (\S+)/.exec(body))) cur.driver = m[1];
      else if (!/^(?:Subsystem|Kernel modules|DeviceName|Physical Slot):/.test(body)) cur.detailLines++;
      if ((m = /^Bus: primary=([0-9a-fA-F]+), secondary=([0-9a-fA-F]+), subordinate=([0-9a-fA-F]+)/.exec(body))) {
        cur.secondary = parseInt(m[2]!, 16);
        cur.subordinate = parseInt(m[3]!, 16);
      } else if ((m = /^NUMA node: (-?\d+)/.exec(body))) {
        const n = Number(m[1]);
        if (n >= 0) cur.numaNode = n;
      } else if ((m = /^IOMMU group: (\d+)/.exec(body)) || (m = /^Flags: .*\bIOMMU group (\d+)/.exec(body))) {
        cur.iommuGroup = Number(m[1]);
      } else if (body.startsWith('Region ')) {
        parseRegion(cur, body);
      } else if (/^Memory at /.test(body)) {
        bareMemory++;
      } else if ((m = /^(?:Prefetchable memory|Memory) behind bridge: ([0-9a-fA-F]+)-([0-9a-fA-F]+)(.*)$/.exec(body))) {
        const first = BigInt(`0x${m[1]}`);
        const last = BigInt(`0x${m[2]}`);
        if (last > first && !/\[disabled\]/.test(m[3]!)) cur.windowsBehind.push({ first, last });
      } else if (body.startsWith('Capabilities: <access denied>')) {
        cur.capabilitiesDenied = true;
      } else if ((m = /^Capabilities: \[[0-9a-fA-F]+(?: v\d+)?\] (.*)$/.exec(body))) {
        cur.hasCapabilities = true;
        const cap = m[1]!;
        const express = /^Express(?: \(v\d+\))? (.*)$/.exec(cap);
        if (express) {
          for (const [re, t] of PORT_TYPES) if (re.test(express[1]!)) cur.portType = t;
        }
        inAcs = cap.startsWith('Access Control Services');
      }
      continue;
    }
    if (inAcs) {
      const m = /^(ACSCap|ACSCtl):\s*(.*)$/.exec(body);
      if (m) {
        if (m[1] === 'ACSCap') cur.acsCap = acsBits(m[2]!);
        else cur.acsCtl = acsBits(m[2]!);
      }
    }
  }
  if (bareMemory > 0) notes.push(`${bareMemory} BAR line${bareMemory === 1 ? '' : 's'} without a region number ("Memory at …", the format of lspci -v): their BARs are not written; give lspci -vvv`);
  return out;
}

// ---------------------------------------------------------------------------- the machine

function key(a: PciAddress): string {
  return bdfText(a);
}

/** Resolves the bus numbers of `lspci -P` paths (device numbers only below the root). */
function resolvePaths(fns: VerboseFn[], notes: string[]): Map<VerboseFn, PciAddress> {
  const out = new Map<VerboseFn, PciAddress>();
  const byPath = new Map<string, VerboseFn>();
  const pathKey = (segment: number | undefined, parts: readonly PathPart[]) =>
    `${segment ?? 0}|${parts.map((p) => `${p.bus ?? '?'}:${p.dev}.${p.fn}`).join('/')}`;
  for (const f of fns) byPath.set(pathKey(f.segment, f.path), f);
  for (const f of fns) {
    let bus = f.path[0]!.bus!;
    for (let i = 1; i < f.path.length; i++) {
      const part = f.path[i]!;
      if (part.bus !== undefined) {
        bus = part.bus;
        continue;
      }
      const parent = byPath.get(pathKey(f.segment, f.path.slice(0, i)));
      if (parent?.secondary === undefined) {
        notes.push(`line ${f.line}: the bus of ${f.path.map((p) => `${p.bus !== undefined ? `${hexPad(p.bus, 2)}:` : ''}${hexPad(p.dev, 2)}.${p.fn}`).join('/')} is not shown: left out`);
        bus = -1;
        break;
      }
      bus = parent.secondary;
    }
    if (bus < 0) continue;
    const last = f.path[f.path.length - 1]!;
    out.set(f, { segment: f.segment ?? 0, bus, device: last.dev, fn: last.fn });
  }
  return out;
}

/** What a device line alone says (plain lspci, -nn, -k): class, ids, name, driver. */
function applyHeader(fn: ImportedFunction, v: VerboseFn): void {
  if (v.classCode !== undefined) fn.classCode ??= v.classCode;
  fn.vendor ??= v.vendor;
  fn.device ??= v.device;
  fn.description ??= v.description;
  if (v.driver && v.driver !== 'pcieport' && !(fn.description ?? '').includes(`driver ${v.driver}`)) fn.description = fn.description ? `${fn.description}; driver ${v.driver}` : `driver ${v.driver}`;
  if (fn.classCode === PCI_BRIDGE_CLASS) fn.isBridge = true;
}

function applyVerbose(fn: ImportedFunction, v: VerboseFn): void {
  if (v.classCode !== undefined) fn.classCode = v.classCode;
  applyHeader(fn, v);
  // A block of -k or of plain lspci has no details: what it does not show stays unknown.
  if (v.detailLines === 0) return;
  if (v.secondary !== undefined) {
    fn.secondaryBus = v.secondary;
    fn.subordinateBus = v.subordinate;
    fn.isBridge = true;
  }
  fn.portType = v.portType ?? fn.portType;
  fn.bars = v.bars;
  fn.barNotes = v.barNotes;
  fn.windowsBehind = v.windowsBehind;
  fn.capabilitiesKnown = v.hasCapabilities && !v.capabilitiesDenied;
  fn.detailsKnown = true;
  if (v.acsCap !== undefined || v.acsCtl !== undefined) fn.acs = { cap: v.acsCap, ctl: v.acsCtl };
  else if (fn.capabilitiesKnown) fn.acs = { cap: undefined, ctl: undefined };
  fn.numaNode = v.numaNode;
  fn.iommuGroup = v.iommuGroup;
}

function fromTree(roots: readonly TreeRoot[], notes: string[]): ImportedHostBridge[] {
  const hbs: ImportedHostBridge[] = [];
  const seen = new Map<string, number>();
  const build = (n: TreeNode, segment: number, bus: number, parent: ImportedFunction | undefined): ImportedFunction | undefined => {
    const address = { segment, bus, device: n.dev, fn: n.fn };
    const first = seen.get(key(address));
    if (first !== undefined) {
      // Two listings pasted one after the other, or two trees of different machines.
      notes.push(`warning: the tree shows ${key(address)} twice (lines ${first} and ${n.line}): two listings in one input? the second is left out`);
      return undefined;
    }
    seen.set(key(address), n.line);
    const f = newFunction(address);
    f.vendor = n.vendor;
    f.device = n.device;
    f.description = n.name;
    f.parent = parent;
    if (n.secondary !== undefined) {
      f.isBridge = true;
      f.secondaryBus = n.secondary;
      f.subordinateBus = n.subordinate;
    }
    for (const c of n.children) {
      const child = build(c, segment, n.secondary!, f);
      if (child) f.children.push(child);
    }
    return f;
  };
  for (const r of roots) {
    let hb = hbs.find((h) => h.segment === r.segment && h.bus === r.bus);
    if (!hb) {
      hb = { segment: r.segment, bus: r.bus, functions: [], node: undefined, windows: [] };
      hbs.push(hb);
    }
    for (const c of r.children) {
      const f = build(c, r.segment, r.bus, undefined);
      if (f) hb.functions.push(f);
    }
  }
  return hbs;
}

function fromVerbose(fns: readonly VerboseFn[], addrs: ReadonlyMap<VerboseFn, PciAddress>, notes: string[]): ImportedHostBridge[] {
  const made = new Map<string, ImportedFunction>();
  const vOf = new Map<ImportedFunction, VerboseFn>();
  for (const v of fns) {
    const a = addrs.get(v);
    if (!a) continue;
    if (made.has(key(a))) {
      notes.push(`warning: line ${v.line}: ${key(a)} is listed twice: the first is kept`);
      continue;
    }
    const f = newFunction(a);
    applyVerbose(f, v);
    made.set(key(a), f);
    vOf.set(f, v);
  }
  const hbs: ImportedHostBridge[] = [];
  const bridges = [...made.values()].filter((f) => f.secondaryBus !== undefined);
  for (const f of made.values()) {
    const v = vOf.get(f)!;
    let parent: ImportedFunction | undefined;
    if (v.path.length > 1) {
      const up = v.path[v.path.length - 2]!;
      const upBus = up.bus ?? [...made.values()].find((b) => b.secondaryBus === f.address.bus && b.address.device === up.dev && b.address.fn === up.fn)?.address.bus;
      parent = upBus === undefined ? undefined : made.get(key({ segment: f.address.segment, bus: upBus, device: up.dev, fn: up.fn }));
    }
    parent ??= bridges.find((b) => b !== f && b.address.segment === f.address.segment && b.secondaryBus === f.address.bus);
    if (parent) {
      f.parent = parent;
      parent.children.push(f);
      continue;
    }
    let hb = hbs.find((h) => h.segment === f.address.segment && h.bus === f.address.bus);
    if (!hb) {
      hb = { segment: f.address.segment, bus: f.address.bus, functions: [], node: undefined, windows: [] };
      hbs.push(hb);
    }
    hb.functions.push(f);
  }
  return hbs;
}

/**
 * Adds what `lspci -vvv` shows (ACS, port types, classes and ids the other source lacks)
 * to a machine read from another source (the lspci output a dmabuf-snapshot holds).
 * BARs, NUMA nodes and IOMMU groups stay as the other source says.
 */
export function addVerboseDetails(m: ImportedMachine, verbose: string, label: string): void {
  if (!looksLikeVerbose(verbose)) {
    m.notes.push(`${label} is not lspci -vvv output: not used`);
    return;
  }
  const vfns = parseVerbose(verbose, m.notes);
  const addrs = resolvePaths(vfns, m.notes);
  const index = new Map<string, ImportedFunction>();
  const walk = (f: ImportedFunction) => {
    index.set(key(f.address), f);
    f.children.forEach(walk);
  };
  m.hostBridges.forEach((h) => h.functions.forEach(walk));
  let denied = 0;
  for (const v of vfns) {
    const a = addrs.get(v);
    const f = a && index.get(key(a));
    if (!f) continue;
    if (v.classCode !== undefined) f.classCode ??= v.classCode;
    f.vendor ??= v.vendor;
    f.device ??= v.device;
    f.description ??= v.description;
    f.portType = v.portType ?? f.portType;
    f.capabilitiesKnown = v.hasCapabilities && !v.capabilitiesDenied;
    f.detailsKnown = true;
    if (v.capabilitiesDenied) denied++;
    if (v.acsCap !== undefined || v.acsCtl !== undefined) f.acs = { cap: v.acsCap, ctl: v.acsCtl };
    else if (f.capabilitiesKnown) f.acs = { cap: undefined, ctl: undefined };
  }
  if (vfns.length > 0 && denied === vfns.length) m.notes.push(`${label} was taken without root (Capabilities: <access denied>): it shows no ACS`);
  else m.acsSource = 'lspci-vvv';
}


/** The IOMMU groups of a listing (the usual shell loops, find, ls -l) set on the machine's functions. */
export function applyGroupListing(m: ImportedMachine, listing: GroupListing, label: string): void {
  if (listing.groupOf.size === 0) return;
  const index = new Map<string, ImportedFunction>();
  for (const f of allFunctions(m)) index.set(key(f.address), f);
  const flat = listing.headers.length > 0 ? parseVerbose(listing.headers.join('\n\n'), []) : [];
  const headerOf = new Map(flat.map((v) => [key({ segment: v.segment ?? 0, bus: v.path[0]!.bus!, device: v.path[0]!.dev, fn: v.path[0]!.fn }), v]));
  const missing: string[] = [];
  let differ = 0;
  for (const [written, group] of listing.groupOf) {
    const full = written.length === 7 ? `0000:${written}` : written;
    const f = index.get(full.toLowerCase());
    if (!f) {
      missing.push(written);
      continue;
    }
    if (f.iommuGroup !== undefined && f.iommuGroup !== group) {
      differ++;
      m.notes.push(`${full}: lspci -vvv says IOMMU group ${f.iommuGroup}, ${label} says ${group}: ${label} is used`);
    }
    f.iommuGroup = group;
    const v = headerOf.get(full.toLowerCase());
    if (v) applyHeader(f, v);
  }
  if (missing.length > 0) m.notes.push(`${label} lists ${missing.length} function${missing.length === 1 ? '' : 's'} the tree does not show (${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', …' : ''}): not compared; is the tree from the same machine, or cut off?`);
  const unlisted = allFunctions(m).filter((f) => f.iommuGroup === undefined).length;
  if (unlisted > 0 && differ === 0) m.notes.push(`${label}: ${unlisted} function${unlisted === 1 ? ' of the tree is' : 's of the tree are'} in no group it lists`);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function inputNames(forms: readonly string[]): string {
  return [...new Set(forms)].join(' and ');
}

/**
 * A flat device list (plain lspci, -nn, -k, -nnk, an IOMMU group listing) shows which
 * bus each function is on but not the bridge above the bus: refused as a tree, unless
 * every function sits on one bus with no bridge (a machine with a root bus only).
 */
function refuseFlat(fns: readonly VerboseFn[], addrs: ReadonlyMap<VerboseFn, PciAddress>, form: string): void {
  const buses = new Set([...addrs.values()].map((a) => `${a.segment}:${a.bus}`));
  const bridges = fns.filter((v) => v.classCode === PCI_BRIDGE_CLASS).length;
  // Bus 00 of domain 0000 is a root bus on every PC; any other bus may hang below a bridge.
  if (bridges === 0 && [...buses].every((b) => b === '0:0')) return;
  throw new ImportError(
    `this is the output of ${form}: a flat list (${plural(fns.length, 'function')} on ${plural(buses.size, 'bus', 'buses')}${bridges > 0 ? `, ${plural(bridges, 'PCI bridge')}` : ''}) without the \`Bus:\` lines of lspci -v, so it does not show which bridge each bus is below, and the tree is not guessed. Give the tree beside it (lspci -tvnn: dmabuf-lint import --lspci tree.txt --verbose this.txt), or give sudo lspci -vvvnn instead`,
  );
}

/**
 * A bus the -v blocks place no bridge above is taken as a root bus. It is one for sure
 * when it is bus 00, or when it holds the root complex's own functions (host-bridge
 * class 0600) or root ports; otherwise the bridge above it may be cut off or filtered
 * (lspci -s, -d): said, as a warning and on the host bridge.
 */
function noteOrphanBuses(hbs: ImportedHostBridge[], fns: readonly ImportedFunction[], notes: string[]): void {
  for (const hb of hbs) {
    const inside = fns.find((b) => b.isBridge && b.address.segment === hb.segment && b.secondaryBus !== undefined && b.subordinateBus !== undefined && hb.bus > b.secondaryBus && hb.bus <= b.subordinateBus);
    const rootLike = (hb.segment === 0 && hb.bus === 0) || hb.functions.some((f) => f.classCode === HOST_BRIDGE_CLASS || f.portType === 'root_port');
    if (!inside && rootLike) continue;
    const why = inside
      ? `bus ${hexPad(hb.bus, 2)} lies below ${key(inside.address)} (buses ${hexPad(inside.secondaryBus!, 2)}-${hexPad(inside.subordinateBus!, 2)}), but no bridge listed leads to it`
      : `no bridge listed leads to bus ${hexPad(hb.bus, 2)}, and it shows no root-complex function or root port`;
    hb.doubt = `TODO root bus? ${why}: the input looks cut off or filtered (lspci -s, -d); give the whole lspci -vvv or lspci -tv`;
    notes.push(`warning: ${why}: the input looks cut off or filtered (lspci -s, -d); its functions are written below a host bridge of their own, marked TODO`);
  }
}

/** Builds the machine from the lspci outputs given (the tree, device blocks, a group listing: any of them, in any slot). */
export function importLspci(inputs: LspciInputs): ImportedMachine {
  const notes: string[] = [];
  const given = [inputs.tree, inputs.verbose, inputs.groups].filter((t): t is string => t !== undefined);
  if (given.length === 0) throw new ImportError('give the output of lspci -tvnn, of lspci -vvvnn, or both');
  const parts = given.map(splitPaste);
  for (const p of parts) notes.push(...p.notes);
  const trees = parts.filter((p) => p.tree.length > 0);
  if (trees.length > 1) notes.push('warning: more than one lspci -t tree given: the first is used');
  const treeText = trees[0]?.tree.join('\n');
  const deviceLines = parts.flatMap((p) => (p.devices.length > 0 ? [...p.devices, ''] : []));
  const listing: GroupListing = { groupOf: new Map(), headers: [], lineOf: new Map() };
  for (const p of parts) {
    for (const [b, g] of p.groups.groupOf) if (!listing.groupOf.has(b)) listing.groupOf.set(b, g);
    listing.headers.push(...p.groups.headers);
  }
  const hasDevices = deviceLines.some(isDeviceLine);
  if (treeText === undefined && !hasDevices && listing.groupOf.size === 0) {
    throw new ImportError('nothing in the input is lspci output: no tree line such as "-[0000:00]-+-00.0" (lspci -t), no device line such as "00:01.0 PCI bridge: …" (lspci, lspci -vvv), no IOMMU group listing');
  }
  const form = deviceForm(deviceLines);
  const vfns = hasDevices ? parseVerbose(deviceLines.join('\n'), notes) : [];
  const addrs = resolvePaths(vfns, notes);
  const forms: string[] = [];
  let hostBridges: ImportedHostBridge[];
  if (treeText !== undefined) {
    forms.push('lspci -t');
    const roots = parseTree(treeText, notes);
    if (roots.length === 0) throw new ImportError('no PCI bus found in the lspci -t output');
    hostBridges = fromTree(roots, notes);
    const index = new Map<string, ImportedFunction>();
    const walk = (f: ImportedFunction) => {
      index.set(key(f.address), f);
      f.children.forEach(walk);
    };
    hostBridges.forEach((h) => h.functions.forEach(walk));
    const multiSegment = new Set(hostBridges.map((h) => h.segment)).size > 1;
    const applied = new Map<string, number>();
    const absent: string[] = [];
    for (const v of vfns) {
      const a = addrs.get(v);
      if (!a) continue;
      if (v.segment === undefined && multiSegment) notes.push(`line ${v.line}: lspci -vvv shows no PCI domain (use lspci -D) and the tree has several: ${key(a)} is taken as domain 0000`);
      const f = index.get(key(a));
      if (!f) {
        absent.push(key(a));
        continue;
      }
      const before = applied.get(key(a));
      if (before !== undefined) {
        notes.push(`warning: ${key(a)} has two device blocks (lines ${before} and ${v.line}): two listings in one input? the first is kept`);
        continue;
      }
      applied.set(key(a), v.line);
      applyVerbose(f, v);
    }
    if (absent.length > 0) notes.push(`${form.name} lists ${absent.length} function${absent.length === 1 ? '' : 's'} the tree does not show (${absent.slice(0, 6).join(', ')}${absent.length > 6 ? ', …' : ''}): left out; is the tree from the same machine, or cut off?`);
  } else if (hasDevices) {
    if (vfns.length === 0) throw new ImportError('no PCI function found in the lspci output');
    if (!form.busLines) refuseFlat(vfns, addrs, form.name);
    hostBridges = fromVerbose(vfns, addrs, notes);
    noteOrphanBuses(hostBridges, allFunctionsOf(hostBridges), notes);
  } else {
    const flat = parseVerbose(listing.headers.join('\n\n'), []);
    refuseFlat(flat, resolvePaths(flat, []), 'an IOMMU group listing');
    hostBridges = fromVerbose(flat, resolvePaths(flat, []), notes);
  }
  if (hasDevices) forms.push(form.name);
  const lastBlock = vfns[vfns.length - 1];
  if (form.details && lastBlock && lastBlock.detailLines === 0 && vfns.filter((v) => v.detailLines > 0).length > 1) notes.push(`warning: the last device block (${key(addrs.get(lastBlock) ?? { segment: 0, bus: 0, device: 0, fn: 0 })}, line ${lastBlock.line}) has no details while the others have: the input looks cut off`);

  const machine: ImportedMachine = {
    kind: 'lspci',
    sourceText: inputNames([...(forms.length > 0 ? forms : []), ...(listing.groupOf.size > 0 ? ['an IOMMU group listing'] : [])]),
    hostBridges,
    cpu: undefined,
    iommu: undefined,
    memory: [],
    ram: [],
    groupsKnown: false,
    acsSource: form.details && vfns.some((v) => v.detailLines > 0) ? 'lspci-vvv' : 'none',
    notes,
  };
  if (listing.groupOf.size > 0) {
    applyGroupListing(machine, listing, 'the IOMMU group listing');
  }
  finishMachine(machine);
  // An AMD IOMMU is a PCI function (class 0806); Intel's VT-d units are not.
  const amdIommu = allFunctions(machine).find((f) => f.classCode === 0x0806 && f.vendor === 0x1022);
  if (machine.groupsKnown) {
    const shows = listing.groupOf.size > 0 ? 'the IOMMU group listing shows IOMMU groups' : 'lspci -vvv shows IOMMU groups';
    machine.iommu = amdIommu
      ? { present: true, type: 'amd-vi', mode: undefined, evidence: `${shows}, and the IOMMU is AMD's (${bdfText(amdIommu.address).slice(5)}, class 0806)` }
      : { present: true, type: undefined, mode: undefined, evidence: listing.groupOf.size > 0 ? 'the IOMMU group listing shows groups' : 'lspci -vvv shows an IOMMU group for the functions' };
  } else {
    const named = amdIommu ?? allFunctions(machine).find((f) => f.classCode === 0x0806 || /\bIOMMU\b|I\/O Memory Management Unit/.test(f.description ?? ''));
    if (named) machine.iommuHint = `${bdfText(named.address).slice(5)} is an IOMMU (${named.description ?? 'class 0806'}): if the kernel enables it (groups in /sys/kernel/iommu_groups), add \`iommu amd-vi\`${named.vendor === 0x1022 || /AMD|Advanced Micro/.test(named.description ?? '') ? '' : ' or the type it is'}`;
  }
  return machine;
}

function allFunctionsOf(hbs: readonly ImportedHostBridge[]): ImportedFunction[] {
  const out: ImportedFunction[] = [];
  const walk = (f: ImportedFunction) => {
    out.push(f);
    f.children.forEach(walk);
  };
  hbs.forEach((h) => h.functions.forEach(walk));
  return out;
}
