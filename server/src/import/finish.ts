// What every source does last: order the tree by address, give each host bridge the
// NUMA node its functions report (the kernel takes a device's node from its root bus),
// note whether the real IOMMU groups were read.

import { bdfText } from '../ground/format';
import { allFunctions, sortMachine, type ImportedFunction, type ImportedMachine } from './types';

export function finishMachine(m: ImportedMachine): void {
  sortMachine(m);
  for (const hb of m.hostBridges) {
    if (hb.node !== undefined) continue;
    const nodes = new Set<number>();
    const walk = (f: ImportedFunction) => {
      if (f.numaNode !== undefined) nodes.add(f.numaNode);
      f.children.forEach(walk);
    };
    hb.functions.forEach(walk);
    if (nodes.size === 1) hb.node = [...nodes][0];
    else if (nodes.size > 1) {
      const at = bdfText({ segment: hb.segment, bus: hb.bus, device: 0, fn: 0 }).slice(0, 7);
      m.notes.push(`the functions below host bridge ${at} report NUMA nodes ${[...nodes].sort().join(', ')}: no node is written for it`);
    }
  }
  m.groupsKnown = allFunctions(m).some((f) => f.iommuGroup !== undefined);
  noteDuplicates(m);
}

/** One address in two places of the tree: the source is wrong (or two listings were joined); said, not repaired. */
function noteDuplicates(m: ImportedMachine): void {
  const where = new Map<string, string[]>();
  const walk = (f: ImportedFunction, above: string) => {
    const k = bdfText(f.address);
    where.set(k, [...(where.get(k) ?? []), above]);
    f.children.forEach((c) => walk(c, `below ${bdfText(f.address)}`));
  };
  for (const hb of m.hostBridges) hb.functions.forEach((f) => walk(f, `on root bus ${bdfText({ segment: hb.segment, bus: hb.bus, device: 0, fn: 0 }).slice(0, 7)}`));
  for (const [k, places] of where) {
    if (places.length > 1) m.notes.push(`warning: ${k} appears ${places.length} times in the source (${places.join('; ')}): a PCI address names one function; both are written, fix the model by hand`);
  }
}
