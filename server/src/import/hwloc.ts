// The XML of hwloc's `lstopo --of xml` (hwloc 1.x and 2.x formats): host bridges
// (Bridge objects of type 0-1), PCI bridges (1-1) and PCI devices with their bus ids,
// class and vendor:device, NUMA locality from the nodeset of the object they hang below,
// and the CPU vendor and family of the first package. hwloc records no BARs, ACS or
// IOMMU groups; lstopo keeps only the "important" PCI objects unless --whole-io is given.

import { XMLParser } from 'fast-xml-parser';
import { finishMachine } from './finish';
import { PCI_BRIDGE_CLASS } from './pci';
import {
  ImportError,
  newFunction,
  type ImportedCpu,
  type ImportedFunction,
  type ImportedHostBridge,
  type ImportedMachine,
  type ImportedMemory,
  type PciAddress,
} from './types';

interface XmlObject {
  readonly type?: string;
  readonly bridge_type?: string;
  readonly bridge_pci?: string;
  readonly pci_busid?: string;
  readonly pci_type?: string;
  readonly nodeset?: string;
  readonly os_index?: string;
  readonly local_memory?: string;
  readonly name?: string;
  readonly subtype?: string;
  readonly info?: readonly { name?: string; value?: string }[];
  readonly object?: readonly XmlObject[];
}

const BUSID_RE = /^([0-9a-fA-F]{4,8}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;
const BRIDGE_PCI_RE = /^([0-9a-fA-F]{4,8}):\[([0-9a-fA-F]{2})-([0-9a-fA-F]{2})\]$/;
const PCI_TYPE_RE = /^([0-9a-fA-F]{4}) \[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\]/;

function infoOf(o: XmlObject, name: string): string | undefined {
  return o.info?.find((i) => i.name === name)?.value;
}

/** The NUMA node of a hwloc nodeset ("0x00000002", or comma-separated 32-bit words), when it is one node. */
export function singleNode(nodeset: string | undefined): number | undefined {
  if (!nodeset) return undefined;
  const words = nodeset.split(',').map((w) => w.trim().replace(/^0x/i, ''));
  if (words.some((w) => !/^[0-9a-fA-F]+$/.test(w))) return undefined;
  let value = 0n;
  for (const w of words) value = (value << 32n) | BigInt(`0x${w}`);
  if (value === 0n || (value & (value - 1n)) !== 0n) return undefined;
  let n = 0;
  while (value > 1n) {
    value >>= 1n;
    n++;
  }
  return n;
}

function describe(o: XmlObject): string | undefined {
  const vendor = infoOf(o, 'PCIVendor');
  const device = infoOf(o, 'PCIDevice');
  const parts: string[] = [];
  if (vendor || device) parts.push([vendor, device].filter(Boolean).join(' '));
  for (const c of o.object ?? []) {
    if (c.type !== 'OSDev' || !c.name) continue;
    const model = infoOf(c, 'GPUModel');
    parts.push(model ? `${c.name}: ${model}` : c.name);
  }
  if (o.subtype) parts.push(o.subtype);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export function importHwloc(xml: string): ImportedMachine {
  const notes: string[] = [];
  let doc: { topology?: { object?: XmlObject[] } };
  try {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => name === 'object' || name === 'info',
      parseAttributeValue: false,
      parseTagValue: false,
      processEntities: true,
    });
    doc = parser.parse(xml, true) as typeof doc;
  } catch (e) {
    throw new ImportError(`the file is not well-formed XML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const top = doc.topology?.object;
  if (!top || top.length === 0) throw new ImportError('no <topology> with objects: this is not the XML of lstopo --of xml');

  const hbs: ImportedHostBridge[] = [];
  const memory: ImportedMemory[] = [];
  let cpu: ImportedCpu | undefined;
  let pciCount = 0;

  const makeFunction = (o: XmlObject, parent: ImportedFunction | undefined): ImportedFunction | undefined => {
    const m = BUSID_RE.exec(o.pci_busid ?? '');
    if (!m) {
      notes.push(`a ${o.type} object without a pci_busid: left out`);
      return undefined;
    }
    const address: PciAddress = { segment: parseInt(m[1]!, 16), bus: parseInt(m[2]!, 16), device: parseInt(m[3]!, 16), fn: Number(m[4]) };
    const f = newFunction(address);
    f.parent = parent;
    const t = PCI_TYPE_RE.exec(o.pci_type ?? '');
    // Vendor 0000 is what hwloc writes when it could not read the function's header.
    if (t && parseInt(t[2]!, 16) !== 0) {
      f.classCode = parseInt(t[1]!, 16);
      f.vendor = parseInt(t[2]!, 16);
      f.device = parseInt(t[3]!, 16);
    } else if (t) {
      notes.push(`${o.pci_busid}: hwloc read no class or ids (pci_type "${o.pci_type}")`);
    }
    f.description = describe(o);
    if (o.type === 'Bridge' || f.classCode === PCI_BRIDGE_CLASS) {
      f.isBridge = true;
      const r = BRIDGE_PCI_RE.exec(o.bridge_pci ?? '');
      if (r) {
        f.secondaryBus = parseInt(r[2]!, 16);
        f.subordinateBus = parseInt(r[3]!, 16);
      }
    }
    pciCount++;
    return f;
  };

  const walkIo = (o: XmlObject, parent: ImportedFunction, node: number | undefined) => {
    for (const c of o.object ?? []) {
      if (c.type !== 'Bridge' && c.type !== 'PCIDev') continue;
      const f = makeFunction(c, parent);
      if (!f) continue;
      f.numaNode = node;
      parent.children.push(f);
      walkIo(c, f, node);
    }
  };

  const hostBridgeFor = (segment: number, bus: number): ImportedHostBridge => {
    let hb = hbs.find((h) => h.segment === segment && h.bus === bus);
    if (!hb) {
      hb = { segment, bus, functions: [], node: undefined, windows: [] };
      hbs.push(hb);
    }
    return hb;
  };

  const walk = (o: XmlObject, node: number | undefined) => {
    const here = o.nodeset !== undefined ? singleNode(o.nodeset) : node;
    if (o.type === 'Package' && !cpu) {
      const vendorId = infoOf(o, 'CPUVendor');
      const family = infoOf(o, 'CPUFamilyNumber');
      if (vendorId) {
        const vendor = vendorId === 'GenuineIntel' ? 'intel' : vendorId === 'AuthenticAMD' ? 'amd' : vendorId === 'HygonGenuine' ? 'hygon' : 'other';
        const fam = family !== undefined && /^\d+$/.test(family) ? Number(family) : undefined;
        cpu = { vendor, family: fam, evidence: `hwloc Package info: CPUVendor ${vendorId}${fam !== undefined ? `, CPUFamilyNumber ${fam}` : ''}` };
      }
    }
    if (o.type === 'NUMANode' && o.local_memory !== undefined && /^\d+$/.test(o.local_memory)) {
      const n = o.os_index !== undefined ? Number(o.os_index) : singleNode(o.nodeset);
      if (n !== undefined) memory.push({ node: n, bytes: BigInt(o.local_memory) });
    }
    for (const c of o.object ?? []) {
      if (c.type === 'Bridge' && (c.bridge_type?.startsWith('0-') ?? false)) {
        const r = BRIDGE_PCI_RE.exec(c.bridge_pci ?? '');
        if (!r) {
          notes.push('a host bridge object without bridge_pci: left out');
          continue;
        }
        const hb = hostBridgeFor(parseInt(r[1]!, 16), parseInt(r[2]!, 16));
        if (here !== undefined) hb.node = here;
        for (const d of c.object ?? []) {
          if (d.type !== 'Bridge' && d.type !== 'PCIDev') continue;
          const f = makeFunction(d, undefined);
          if (!f) continue;
          f.numaNode = here;
          hb.functions.push(f);
          walkIo(d, f, here);
        }
        continue;
      }
      if (c.type === 'Bridge' || c.type === 'PCIDev') {
        // An I/O object hanging straight below a CPU-side object: a device on a root bus.
        const f = makeFunction(c, undefined);
        if (!f) continue;
        f.numaNode = here;
        hostBridgeFor(f.address.segment, f.address.bus).functions.push(f);
        walkIo(c, f, here);
        continue;
      }
      walk(c, here);
    }
  };
  for (const o of top) walk(o, undefined);

  if (pciCount === 0) throw new ImportError('the XML has no PCI objects: run lstopo with I/O enabled (lstopo --of xml, without --no-io)');
  notes.push('hwloc records no BARs, no ACS and no IOMMU groups; lstopo keeps only the PCI objects it finds important unless run with --whole-io');

  const machine: ImportedMachine = {
    kind: 'hwloc',
    sourceText: 'hwloc XML',
    hostBridges: hbs,
    cpu,
    iommu: undefined,
    memory,
    ram: [],
    groupsKnown: false,
    acsSource: 'none',
    notes,
  };
  finishMachine(machine);
  return machine;
}
