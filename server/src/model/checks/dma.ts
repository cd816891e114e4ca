// How devices address memory: DMA masks, platform dma-ranges, IOMMU overrides.

import type { Check } from './context';
import { validMaskBits } from '../values';
import type * as A from '../../syntax/ast';
import type { Gathered } from '../gather';

/**
 * `dma_mask N` is a DMA_BIT_MASK(N) given to dma_set_mask (kernel/dma/mapping.c): at
 * most 64 bits, and at least a page (12 bits). Out of range, the device keeps 64 bits.
 */
export const checkDmaMask: Check = (g, c) => {
  for (const { uri, bits } of writtenMasks(g)) {
    if (!validMaskBits(Number(bits.value))) c.invalid(`dma_mask ${bits.text} is outside 12–64 bits`, { uri, span: bits.span });
  }
};

function* writtenMasks(g: Gathered): Generator<{ uri: string; bits: A.IntLit }> {
  for (const { uri, items } of g.tree.declared) for (const it of items) if (it.kind === 'DmaMask') yield { uri, bits: it.bits };
  for (const { uri, decl } of g.platform?.platformDevices ?? []) for (const it of decl.items) if (it.kind === 'DmaMask') yield { uri, bits: it.bits };
}

/**
 * A `dma_range` of size 0 translates nothing: translate_phys_to_dma
 * (include/linux/dma-direct.h) matches an address to a bus_dma_region by its size.
 */
export const checkDmaRangeSize: Check = (g, c) => {
  for (const { uri, decl } of g.platform?.platformDevices ?? []) {
    for (const it of decl.items) if (it.kind === 'DmaRange' && it.size.value === 0n) c.invalid('size 0', { uri, span: it.size.span });
  }
};

/**
 * `iommu dma` or `iommu private` on a device of a platform without an IOMMU has no
 * domain to give: with no iommu_group the device's DMA goes through dma-direct
 * (dma_map_direct, kernel/dma/mapping.c). `identity` (and `off`) are what it gets anyway.
 */
export const checkIommuOverride: Check = (g, c) => {
  if (!g.platformDecl || g.platform?.platform.iommu) return;
  const { decl, uri } = g.platformDecl;
  const report = (mode: A.Word) => c.invalid(`'iommu ${mode.value}' needs an IOMMU: this platform declares none, so every device uses dma-direct`, { uri, span: mode.span });
  const visitItems = (items: readonly A.EpItem[]) => {
    for (const it of items) {
      if (it.kind === 'IommuOverride' && it.mode.value !== 'identity') report(it.mode);
      else if (it.kind === 'Vf') visitItems(it.items);
    }
  };
  const visitNode = (n: A.PciNode) => {
    if (n.kind === 'Endpoint') visitItems(n.items);
    else for (const child of n.children) visitNode(child);
  };
  for (const item of decl.items) {
    if (item.kind === 'HostBridge') item.children.forEach(visitNode);
    else if (item.kind === 'PlatformDevice') {
      for (const it of item.items) if (it.kind === 'IommuOverride' && (it.mode.value === 'dma' || it.mode.value === 'private')) report(it.mode);
    }
  }
};
