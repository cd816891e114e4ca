// Where a share's TLPs really go: the nodes the importer's memory requests (and the
// completions that answer them) traverse, listed from where the buffer is (the
// exporter, or the RAM region of a system buffer) to the importer. docs/language.md §7
// `path` is the chain through the lowest common ancestor, which is where the traffic
// turns only for BUS_ADDR; this is the route (docs/language.md, extensions: `route`).
// Read-only over the model and the mapping the engine already made.

import type { Memory, Platform, PciFunction, Share } from '../model/types';
import type { ShareMapping } from './share';
import { cpuAccess, importerPci, takesPfns } from './importer';
import { upstreamChain } from './topology';

const FOUR_G = 1n << 32n;

/**
 * The route of one share:
 * - the map fails: none (no TLP is ever sent);
 * - CPU physical ranges handed over (iommufd, kvm, `via pfn`): none in the share itself
 *   (the traffic comes later, from whatever device uses the IO page table);
 * - VRAM over a `link` (PRIVATE, XGMI; the mapping's `link`): exporter, importer (no PCIe);
 * - VRAM, BUS_ADDR with a bus address (or an IOVA the importer translates with ATS): the
 *   `path`: the switch routes by address and the TLPs turn at the common bridge;
 * - VRAM otherwise (THRU_HOST_BRIDGE; BUS_ADDR but an untranslated IOVA, as amdgpu's
 *   dma_map_resource through dma-iommu gives, which iova_reserve_pci_windows keeps out
 *   of every bridge window, so the switch forwards it upstream to the IOMMU): up from the
 *   exporter through every upstream bridge to its host bridge (the root complex), across
 *   to the importer's host bridge when it differs, and down to the importer;
 * - system memory: the RAM region, the importer's host bridge, down to the importer (the
 *   RAM region of the buffer, or, for a swiotlb bounce, the low region that holds the
 *   default swiotlb pool: swiotlb_init_remap allocates it with memblock_alloc_low);
 * - CPU access: from the buffer to the CPU (through the exporter's host bridge for VRAM).
 * A platform device with a PCI parent reaches memory through its parent's link.
 */
export function shareRoute(share: Share, m: ShareMapping, platform: Platform, systemAddress: bigint | undefined): readonly string[] {
  if (!m.ok) return [];
  const exporter = share.buffer.exporter;
  if (cpuAccess(share)) {
    if (m.placement === 'vram' && exporter) return [...up(exporter), 'cpu'];
    return [...memoryNames(platform, systemAddress, false), 'cpu'];
  }
  if (takesPfns(share)) return [];
  const pci = importerPci(share);
  const parent = share.importer.kind === 'platform' ? share.importer.dev.parent : undefined;
  const client = pci ?? parent;
  const tail = pci ? [] : [share.importerName];
  if (m.placement === 'vram' && exporter) {
    if (m.link) return [exporter.name, share.importerName];
    if (!client) return [...up(exporter), share.importerName];
    const translatedHere = m.addressKind === 'iova' && !share.ats;
    if (m.mapType === 'BUS_ADDR' && m.route && !translatedHere) return [...m.route.path, ...tail];
    return [...up(exporter), ...down(client, exporter), ...tail];
  }
  const mem = memoryNames(platform, systemAddress, m.addressKind === 'swiotlb');
  if (!client) return [...mem, share.importerName];
  return [...mem, ...down(client, undefined), ...tail];
}

/** The function, its upstream bridges and its host bridge (the root complex). */
function up(fn: PciFunction): string[] {
  return [...upstreamChain(fn).map((f) => f.name), fn.hostBridge.name];
}

/** The importer's host bridge (after the exporter's, when it differs) and down to the importer. */
function down(fn: PciFunction, from: PciFunction | undefined): string[] {
  const hb = from && from.hostBridge === fn.hostBridge ? [] : [fn.hostBridge.name];
  return [...hb, ...upstreamChain(fn).reverse().map((f) => f.name)];
}

/** The RAM region the importer's DMA reaches: the buffer's, or the swiotlb pool's (below 4 GiB). */
function memoryNames(platform: Platform, addr: bigint | undefined, swiotlb: boolean): string[] {
  const mems = platform.memories;
  let m: Memory | undefined;
  if (swiotlb) m = mems.find((x) => x.first < FOUR_G);
  else if (addr !== undefined) m = mems.find((x) => addr >= x.first && addr <= x.last);
  m ??= mems[0];
  return m ? [m.name] : [];
}
