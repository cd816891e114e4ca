// An imported machine written as a `platform` block of the language (docs/language.md §3),
// in the formatter's layout. Only what the source shows is written; every gap is a
// `TODO` comment that says what to add and where to find it. Each PCI node carries a
// trailing comment with what the source calls it.

import { bdfText, formatSize, hexPad } from '../ground/format';
import { format } from '../syntax/format';
import { isKeyword } from '../syntax/lexer';
import { ACS_ORDER, endpointKeyword, HOST_BRIDGE_CLASS } from './pci';
import { allFunctions, type ImportedFunction, type ImportedHostBridge, type ImportedMachine } from './types';
import type { AcsBit } from '../syntax/ast';

export interface EmitOptions {
  /** The platform's name (default `imported`). */
  readonly name?: string;
}

export interface EmitResult {
  readonly text: string;
  /** The name given to each function that was written, by its address (`0000:01:00.0`). */
  readonly names: ReadonlyMap<string, string>;
  /** Functions left out of the model, by address, with why. */
  readonly skipped: ReadonlyMap<string, string>;
}

const SOURCE_NAMES: Record<ImportedMachine['kind'], string> = {
  lspci: 'lspci',
  sysfs: 'the dmabuf-snapshot of /sys and /proc',
  hwloc: 'the hwloc XML (lstopo --of xml)',
};

/** A platform name the language accepts. */
export function validPlatformName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !isKeyword(name);
}

function hexAddress(v: bigint): string {
  const digits = v.toString(16);
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  return `0x${groups.join('_')}`;
}

function comment(text: string): string {
  return `// ${text.replace(/[\r\n]+/g, ' ').trim()}`;
}

function shortBdf(f: ImportedFunction): string {
  const t = bdfText(f.address);
  return f.address.segment === 0 ? t.slice(5) : t;
}

type BridgeKeyword = 'root_port' | 'switch' | 'port';

class Namer {
  private readonly counters = new Map<string, number>();
  next(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return `${prefix}${n}`;
  }
}

export function emitPlatform(m: ImportedMachine, options: EmitOptions = {}): EmitResult {
  const name = options.name ?? 'imported';
  if (!validPlatformName(name)) throw new Error(`'${name}' is not a name the language accepts`);
  const names = new Map<string, string>();
  const skipped = new Map<string, string>();
  const namer = new Namer();
  const out: string[] = [];
  const line = (depth: number, text: string) => out.push(`${'  '.repeat(depth)}${text}`);

  line(0, comment(`Imported by dmabuf-lint import from ${m.kind === 'lspci' ? m.sourceText : SOURCE_NAMES[m.kind]}.`));
  line(0, comment('Every value below is what the source shows. Each TODO says what the source cannot tell and where to find it.'));
  line(0, `platform ${name} {`);

  // ------------------------------------------------------------------ cpu, iommu, memory
  if (m.cpu) {
    const fam = m.cpu.family !== undefined ? ` family 0x${m.cpu.family.toString(16)}` : '';
    line(1, `cpu ${m.cpu.vendor}${fam} ${comment(m.cpu.evidence)}`);
  } else {
    line(1, comment(`TODO cpu: not in ${m.kind === 'hwloc' ? 'this XML' : 'this source'}: add \`cpu intel|amd|hygon|arm family N\` from /proc/cpuinfo (vendor_id, cpu family); without it the engine assumes intel family 6`));
  }
  emitKernel(m, (t) => line(1, t));
  const io = m.iommu;
  if (io?.present && io.type) {
    line(1, `iommu ${io.type}${io.mode ? ` mode ${io.mode}` : ''} ${comment(io.evidence)}`);
    if (!io.mode) line(1, comment('TODO iommu mode: not shown: `mode identity` if /sys/kernel/iommu_groups/*/type says identity (iommu=pt), `lazy` for DMA-FQ'));
  } else if (io?.present) {
    line(1, comment(`TODO iommu: ${io.evidence}, so an IOMMU is on, but the source does not say which: add \`iommu vtd\` (Intel, /sys/class/iommu/dmar*), \`iommu amd-vi\` (AMD, ivhd*) or \`iommu smmu\`${io.mode ? ` with \`mode ${io.mode}\`` : ''}`));
  } else if (io && !io.present) {
    line(1, comment(`no iommu statement: ${io.evidence}`));
  } else {
    line(1, comment('TODO iommu: not in this source: add `iommu vtd|amd-vi|smmu [mode dma|lazy|identity]` if /sys/kernel/iommu_groups has entries; leave it out if it is empty'));
    if (m.iommuHint) line(1, comment(m.iommuHint));
  }
  if (m.ram.length > 0) {
    m.ram.forEach((r, i) => line(1, `memory ram${i} ${hexAddress(r.first)} .. ${hexAddress(r.last)} ${comment('System RAM in /proc/iomem')}`));
  } else if (m.memory.length > 0) {
    const sizes = m.memory.map((r) => `node ${r.node} ${(Number(r.bytes) / 2 ** 30).toFixed(1)} GiB`).join(', ');
    line(1, comment(`TODO memory: the source gives sizes only (${sizes}): add \`memory NAME A .. B node N\` from the System RAM lines of /proc/iomem (as root)`));
  } else {
    line(1, comment('TODO memory: not in this source: add `memory NAME A .. B` for the System RAM lines of /proc/iomem (as root); system buffers are placed in the first region at or above 4 GiB'));
  }

  const classless = allFunctions(m).filter((f) => !f.isBridge && f.classCode === undefined).length;
  if (classless > 0) {
    line(1, comment(`TODO class: ${classless} function${classless === 1 ? '' : 's'} show${classless === 1 ? 's' : ''} no class code (lspci -t names no classes): ${classless === 1 ? 'it is' : 'they are'} written as \`endpoint\`; give lspci -vvvnn too, or change the keyword to gpu, nic, nvme or accel`));
  }
  if (m.acsSource === 'none') {
    line(1, comment('TODO acs: this source does not show ACS: give each root port and switch port marked `ACS?` its `acs_ctl BITS` from the ACSCtl line of `sudo lspci -vvv -s BDF` (`acs` when only ACSCap is known); without them no port has ACS'));
  }

  // ------------------------------------------------------------------ host bridges
  const derivedWindows = deriveWindows(m.hostBridges);
  for (const hb of m.hostBridges) emitHostBridge(hb, 1);

  line(0, '}');

  const raw = `${out.join('\n')}\n`;
  const formatted = format(raw);
  if (!formatted.ok) throw new Error(`internal error: the imported model does not format (${formatted.reason})`);
  return { text: formatted.text, names, skipped };

  // ------------------------------------------------------------------ helpers

  function emitHostBridge(hb: ImportedHostBridge, depth: number): void {
    const hbName = namer.next('hb');
    // On a bus the source may have cut from its bridge, 00.0 is not known to be a root device.
    const root = hb.doubt ? undefined : hb.functions.find((f) => f.address.device === 0 && f.address.fn === 0);
    const bus = `${hexPad(hb.segment, 4)}:${hb.bus.toString(16).padStart(2, '0')}`;
    const notes: string[] = [];
    let id = root?.vendor !== undefined && root.device !== undefined ? `${hexPad(root.vendor, 4)}:${hexPad(root.device, 4)}` : undefined;
    if (!root) {
      // Not a kernel fact: the source (hwloc without --whole-io, a filtered lspci) did not list it.
      const proposal = proposeRootDevice(hb);
      notes.push(`TODO id: ${hb.doubt ? 'this bus may not be a root bus, so its root device is not known' : `this source does not list ${bus}:00.0`}, the root device the P2P whitelist checks (pci_host_bridge_dev): check it with \`lspci -nn -s ${bus}:00.0\`${proposal ? '' : ' and add `id VVVV:DDDD`; without an id the bridge is taken as not whitelisted'}`);
      if (proposal) {
        id = proposal.id;
        notes.push(`TODO id ${proposal.id} is proposed, not read: ${proposal.why}`);
      }
    } else if (!id) {
      notes.push(`TODO id: the root device ${bus}:00.0 has no vendor:device id in this source: add \`id VVVV:DDDD\` from \`lspci -nn -s ${bus}:00.0\` (the P2P whitelist checks it)`);
    }
    let head = `host_bridge ${hbName}`;
    if (id) head += ` id ${id}`;
    if (hb.node !== undefined) head += ` node ${hb.node}`;
    line(depth, `${head} { ${comment(`PCI bus ${bus}${root?.description ? `, root device ${root.description}` : ''}`)}`);
    if (hb.doubt) notes.unshift(hb.doubt);
    for (const n of notes) line(depth + 1, comment(n));
    if (hb.windows.length > 0) {
      for (const w of hb.windows) line(depth + 1, `window ${hexAddress(w.first)} .. ${hexAddress(w.last)}`);
    } else {
      const derived = derivedWindows.get(hb) ?? [];
      if (derived.length > 0) {
        line(depth + 1, comment(`TODO window: not in this source; derived from the BARs and bridge windows below (a guess): replace with the \`PCI Bus ${bus}\` lines of /proc/iomem (read it as root)`));
        for (const w of derived) line(depth + 1, `window ${hexAddress(w.first)} .. ${hexAddress(w.last)}`);
      } else {
        line(depth + 1, comment(`TODO window: not in this source, and it shows no BARs below this bridge: add \`window A .. B\` for each \`PCI Bus ${bus}\` line of /proc/iomem (read it as root)`));
      }
    }
    const skippedHere: string[] = [];
    for (const f of hb.functions) {
      const why = skipReason(f, true);
      if (why) {
        skipped.set(bdfText(f.address), why);
        skippedHere.push(`${shortBdf(f)} (${why})`);
      }
    }
    if (skippedHere.length > 0) line(depth + 1, comment(`not modelled: ${skippedHere.join(', ')}`));
    for (const f of hb.functions) if (!skipReason(f, true)) emitNode(f, depth + 1, undefined);
    line(depth, '}');
  }

  function skipReason(f: ImportedFunction, onRootBus: boolean): string | undefined {
    if (f.isBridge) return undefined;
    if (f.classCode === HOST_BRIDGE_CLASS) return onRootBus && f.address.device === 0 && f.address.fn === 0 ? 'the root device, see id' : 'host bridge class 0600';
    if (onRootBus && f.classCode === undefined && f.address.device === 0 && f.address.fn === 0) return 'the root device, see id';
    return undefined;
  }

  function bridgeKeyword(f: ImportedFunction, parent: BridgeKeyword | undefined): BridgeKeyword {
    if (!f.parent) return 'root_port';
    if (f.portType === 'upstream') return 'switch';
    if (f.portType === 'downstream' || f.portType === 'pcie_to_pci' || f.portType === 'root_port') return 'port';
    if (parent === 'switch') return 'port';
    return f.children.some((c) => c.isBridge) ? 'switch' : 'port';
  }

  function acsWords(f: ImportedFunction): { words: string; note: string | undefined } {
    if (m.acsSource === 'none') return { words: '', note: 'ACS?' };
    if (!f.detailsKnown) return { words: '', note: f.isBridge ? 'ACS? (not in the lspci -vvv given)' : undefined };
    const a = f.acs;
    if (!a) return { words: '', note: f.capabilitiesKnown ? undefined : 'ACS? capabilities not shown (run lspci -vvv as root)' };
    if (a.cap === undefined && a.ctl === undefined) return { words: '', note: f.isBridge ? 'no ACS capability' : undefined };
    // Both registers as lspci shows them (acs_cap is the docs/language.md extension): the
    // capability matters to the kernel's isolation test, pci_acs_flags_enabled().
    const capBits = a.cap ? ACS_ORDER.filter((b) => a.cap!.has(b)) : [];
    const cap = capBits.length > 0 ? ` acs_cap ${capBits.join(' ')}` : '';
    if (a.ctl !== undefined) {
      const bits = ACS_ORDER.filter((b) => a.ctl!.has(b));
      if (bits.length > 0) return { words: `${cap} acs_ctl ${bits.join(' ')}`, note: undefined };
      return { words: '', note: a.cap && a.cap.size > 0 ? `ACSCtl all clear (ACSCap ${bitText(a.cap)})` : undefined };
    }
    if (a.cap !== undefined) {
      if (capBits.length > 0) return { words: cap, note: 'ACSCap only: the kernel sets the control bits it advertises' };
      return { words: '', note: 'ACSCap all clear; ACSCtl not shown' };
    }
    return { words: '', note: undefined };
  }

  function emitNode(f: ImportedFunction, depth: number, parent: BridgeKeyword | undefined): void {
    const bdf = shortBdf(f);
    const desc = f.description;
    if (f.isBridge) {
      const kw = bridgeKeyword(f, parent);
      const nm = namer.next(kw === 'root_port' ? 'rp' : kw === 'switch' ? 'sw' : f.portType === 'pcie_to_pci' ? 'br' : 'dp');
      names.set(bdfText(f.address), nm);
      const acs = kw === 'switch' ? { words: '', note: undefined } : acsWords(f);
      const ownBars = f.bars.filter((b) => b.address !== undefined && b.size !== undefined).map((b) => `BAR ${b.index} ${hexAddress(b.address!)} size ${formatSize(b.size!)} of the bridge itself not modelled`);
      const what = [desc, f.portType === 'pcie_to_pci' ? 'PCIe-to-PCI bridge' : undefined, acs.note, ...ownBars].filter(Boolean).join('; ');
      const kids = f.children.filter((c) => !skipReason(c, false));
      for (const c of f.children) if (skipReason(c, false)) skipped.set(bdfText(c.address), skipReason(c, false)!);
      if (kw === 'switch' && kids.length === 0) {
        // A switch needs a body; an upstream port with nothing below is written as a port.
        line(depth, `port ${nm} ${bdf}${acs.words}${what ? ` ${comment(what)}` : ''}`);
        return;
      }
      if (kids.length === 0) {
        line(depth, `${kw} ${nm} ${bdf}${acs.words}${what ? ` ${comment(what)}` : ''}`);
        return;
      }
      line(depth, `${kw} ${nm} ${bdf}${acs.words} {${what ? ` ${comment(what)}` : ''}`);
      if (kw === 'switch') {
        const direct = kids.filter((c) => !c.isBridge);
        if (direct.length > 0) line(depth + 1, comment(`${direct.map(shortBdf).join(', ')} sit${direct.length === 1 ? 's' : ''} on the switch's internal bus: the language gives each a downstream port of its own`));
      }
      for (const c of kids) emitNode(c, depth + 1, kw);
      line(depth, '}');
      return;
    }
    const kw = endpointKeyword(f.classCode);
    const nm = namer.next(kw);
    names.set(bdfText(f.address), nm);
    const id = f.vendor !== undefined && f.device !== undefined ? ` id ${hexPad(f.vendor, 4)}:${hexPad(f.device, 4)}` : '';
    const acs = acsWords(f);
    const body: string[] = [];
    for (const b of [...f.bars].sort((x, y) => x.index - y.index)) {
      if (b.address === undefined || b.size === undefined || b.io) continue;
      body.push(`bar ${b.index} ${hexAddress(b.address)} size ${formatSize(b.size)}${b.prefetchable ? ' prefetchable' : ''}${b.disabled ? ` ${comment('memory decoding disabled ([disabled] in lspci)')}` : ''}`);
    }
    for (const n of f.barNotes) body.push(comment(n));
    if (acs.words) body.push(acs.words.trim());
    const noteParts = [desc, acs.note && !acs.note.startsWith('ACS?') ? acs.note : undefined].filter(Boolean);
    const what = noteParts.join('; ');
    if (body.length === 0) {
      line(depth, `${kw} ${nm} ${bdf}${id}${what ? ` ${comment(what)}` : ''}`);
      return;
    }
    line(depth, `${kw} ${nm} ${bdf}${id} {${what ? ` ${comment(what)}` : ''}`);
    for (const b of body) line(depth + 1, b);
    line(depth, '}');
  }
}

function bitText(bits: ReadonlySet<AcsBit>): string {
  const on = ACS_ORDER.filter((b) => bits.has(b));
  return on.length > 0 ? on.join(' ') : 'none';
}

/** The `kernel` block (docs/language.md §4.1) and what the snapshot says of the kernel. */
function emitKernel(m: ImportedMachine, line: (text: string) => void): void {
  const k = m.kernel;
  if (!k) return;
  // TODO(#19): `kernel { version X }` once the language has it; until then a comment.
  if (k.release) line(comment(`kernel release ${k.release} (uname -r): the engine follows the newest release; TODO version: state ${k.release} once the language has \`kernel { version }\``));
  for (const r of k.remarks) line(comment(r));
  if (k.options.length === 0) return;
  line('kernel {');
  for (const o of k.options) line(`  ${o.text} ${comment(o.evidence)}`);
  line('}');
}

type Range = { first: bigint; last: bigint };

/** Every BAR and bridge window below a host bridge, sorted. */
function rangesBelow(hb: ImportedHostBridge): Range[] {
  const out: Range[] = [];
  const walk = (f: ImportedFunction) => {
    for (const b of f.bars) if (b.address !== undefined && b.size !== undefined && b.size > 0n && !b.io) out.push({ first: b.address, last: b.address + b.size - 1n });
    for (const w of f.windowsBehind) out.push({ first: w.first, last: w.last });
    f.children.forEach(walk);
  };
  hb.functions.forEach(walk);
  return out.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
}

const FOUR_GIB = 1n << 32n;

/**
 * Windows for host bridges the source gives none for (no /proc/iomem): each bridge's
 * BARs and bridge windows merged into as few ranges as keep clear of every other
 * bridge's, below and above 4 GiB apart (the kernel's 32-bit and 64-bit windows,
 * pci_acpi_root_add_resources). A guess, written with a TODO: the real windows are wider.
 */
export function deriveWindows(hbs: readonly ImportedHostBridge[]): Map<ImportedHostBridge, Range[]> {
  const all = hbs.map((hb) => ({ hb, ranges: hb.windows.length > 0 ? [] : rangesBelow(hb) }));
  const others = (hb: ImportedHostBridge) => all.filter((x) => x.hb !== hb).flatMap((x) => [...x.ranges, ...x.hb.windows]);
  const out = new Map<ImportedHostBridge, Range[]>();
  for (const { hb, ranges } of all) {
    if (ranges.length === 0) continue;
    const foreign = others(hb);
    const merged: Range[] = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      const sameSide = last !== undefined && last.first < FOUR_GIB === r.first < FOUR_GIB;
      const gapFree = last !== undefined && !foreign.some((o) => o.last > last.last && o.first < r.first);
      if (last && sameSide && (r.first <= last.last + 1n || gapFree)) {
        if (r.last > last.last) merged[merged.length - 1] = { first: last.first, last: r.last };
      } else merged.push({ ...r });
    }
    out.set(hb, merged);
  }
  return out;
}

/**
 * Root devices that the root ports of a bus identify (the device ids of the Intel
 * datasheets' IIO functions: 00.0 is the DMI root port of the family, 01.0–03.3 its
 * PCIe root ports), for sources that leave 00.0 out (hwloc without --whole-io).
 */
const ROOT_DEVICE_FAMILIES: readonly { vendor: number; ports: readonly [number, number]; root: number; name: string }[] = [
  { vendor: 0x8086, ports: [0x3c02, 0x3c0b], root: 0x3c00, name: 'Xeon E5 / Core i7 (Sandy Bridge-EP) IIO' },
  { vendor: 0x8086, ports: [0x0e02, 0x0e0b], root: 0x0e00, name: 'Xeon E5 v2 (Ivy Bridge-EP) IIO' },
  { vendor: 0x8086, ports: [0x2f02, 0x2f0b], root: 0x2f00, name: 'Xeon E5 v3 (Haswell-EP) IIO' },
  { vendor: 0x8086, ports: [0x6f02, 0x6f0b], root: 0x6f00, name: 'Xeon E5 v4 (Broadwell-EP) IIO' },
];

function proposeRootDevice(hb: ImportedHostBridge): { id: string; why: string } | undefined {
  const ports = hb.functions.filter((f) => f.isBridge && f.vendor !== undefined && f.device !== undefined);
  for (const fam of ROOT_DEVICE_FAMILIES) {
    const match = ports.filter((p) => p.vendor === fam.vendor && p.device! >= fam.ports[0] && p.device! <= fam.ports[1]);
    if (match.length === 0) continue;
    const seen = [...new Set(match.map((p) => `${hexPad(p.vendor!, 4)}:${hexPad(p.device!, 4)}`))].join(', ');
    const id = `${hexPad(fam.vendor, 4)}:${hexPad(fam.root, 4)}`;
    return { id, why: `the root ports (${seen}) are ${fam.name} root ports, whose 00.0 is ${id}` };
  }
  return undefined;
}
