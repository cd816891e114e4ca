// Walking the PCIe tree the way drivers/pci does.

import type { PciFunction } from '../model/types';

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

