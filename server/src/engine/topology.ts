// Walking the PCIe tree the way drivers/pci does.

import type { Bdf, PciFunction } from '../model/types';

/**
 * pci_upstream_bridge(): a VF is replaced by its PF first; a device on a root bus has
 * none; otherwise the bridge above it. Switch upstream ports and implicit downstream
 * ports are bridges like any other.
 */
export function upstreamBridge(fn: PciFunction): PciFunction | undefined {
  let dev = fn;
  while (dev.kind === 'vf' && dev.pf) dev = dev.pf; // pci_physfn()
  return dev.parent;
}

/** The chain fn, upstreamBridge(fn), … up to the device on the root bus. */
export function upstreamChain(fn: PciFunction): PciFunction[] {
  const chain: PciFunction[] = [];
  for (let a: PciFunction | undefined = fn; a; a = upstreamBridge(a)) chain.push(a);
  return chain;
}

export function bdfText(b: Bdf | undefined): string {
  if (!b) return '';
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${h(b.segment, 4)}:${h(b.bus, 2)}:${h(b.device, 2)}.${b.fn}`;
}

/** Short form for messages: `03:00.0` on segment 0. */
export function bdfShort(b: Bdf | undefined): string {
  if (!b) return '';
  const t = bdfText(b);
  return b.segment === 0 ? t.slice(5) : t;
}
