// The platform's own statements: IOMMU, RAM, host bridge windows.

import type { Check } from './context';
import { isEmptyRange, validApertureBits } from '../values';
import type * as A from '../../syntax/ast';
import type { Gathered } from '../gather';
import { DISTRO_RELEASES, NEWEST_RELEASE, OLDEST_RELEASE, modelledRelease, parseKernelVersion, releaseText } from '../../ground/release';

function* iommuStatements(g: Gathered): Generator<A.IommuDecl> {
  for (const item of g.platformDecl?.decl.items ?? []) if (item.kind === 'Iommu') yield item;
}

/** One IOMMU translates a platform's devices: __iommu_probe_device (drivers/iommu/iommu.c) gives a device one iommu_ops. The last statement is used. */
export const checkOneIommu: Check = (g, c) => {
  let seen = false;
  for (const item of iommuStatements(g)) {
    if (seen) c.invalid('a platform has one iommu statement', { uri: g.platformDecl!.uri, span: item.type.span });
    seen = true;
  }
};

/** A reserved region is a start and a length (iommu_alloc_resv_region, drivers/iommu/iommu.c): an end before the start has none. */
export const checkIommuReserve: Check = (g, c) => {
  for (const item of iommuStatements(g)) {
    for (const r of item.reserves) if (isEmptyRange(r)) c.invalid('the reserved range ends before it starts', { uri: g.platformDecl!.uri, span: r.span });
  }
};

/**
 * `aperture N`: the IOVA width of the domain's geometry, which iommu_dma_init_domain
 * (drivers/iommu/dma-iommu.c) takes as the top of the IOVA space; 32–64 bits. Out of
 * range, the last valid one (or 48) is used.
 */
export const checkAperture: Check = (g, c) => {
  for (const item of iommuStatements(g)) {
    for (const a of item.apertures) if (!validApertureBits(Number(a.value))) c.invalid(`aperture ${a.text} is outside 32–64 bits`, { uri: g.platformDecl!.uri, span: a.span });
  }
};

/** A RAM region is a base and a size (memblock_add, mm/memblock.c): not empty (`size 0` ends before its start). */
export const checkMemoryRange: Check = (g, c) => {
  for (const { decl, uri } of g.platform?.memories ?? []) {
    if (isEmptyRange(decl.range)) c.invalid('the range ends before it starts', { uri, span: decl.range.span });
  }
};

/** A host bridge window is a struct resource, start ≤ end (pci_add_resource_offset, drivers/pci/bus.c). */
export const checkWindowRange: Check = (g, c) => {
  for (const hb of g.platform?.platform.hostBridges ?? []) for (const w of hb.windows) if (w.last < w.first) c.invalid('the window ends before it starts', w.place);
};

function* kernelVersions(g: Gathered): Generator<Extract<A.KernelOpt, { kind: 'KernelVersion' }>> {
  for (const item of g.platformDecl?.decl.items ?? []) if (item.kind === 'Kernel') for (const o of item.options) if (o.kind === 'KernelVersion') yield o;
}

/**
 * `version R`: a mainline release the engine models (OLDEST_RELEASE … NEWEST_RELEASE,
 * ground/release.ts) or a distribution alias of DISTRO_RELEASES. Anything else is
 * reported and the model keeps the version-1 kernel.
 */
export const checkKernelVersion: Check = (g, c) => {
  for (const o of kernelVersions(g)) {
    if (!o.value) continue; // the parser reported the missing release
    const place = { uri: g.platformDecl!.uri, span: o.value.span };
    const v = parseKernelVersion(o.value.text);
    if (!v) {
      c.invalid(`'${o.value.text}' is not a kernel release: write a mainline release such as 6.8 or one of ${Object.keys(DISTRO_RELEASES).join(', ')}`, place);
    } else if (!modelledRelease(v.release)) {
      c.invalid(`the engine models releases ${releaseText(OLDEST_RELEASE)} to ${releaseText(NEWEST_RELEASE)}, not ${releaseText(v.release)}`, place);
    } else if (v.distro) {
      c.report(
        'distro-kernel',
        `${v.distro} is evaluated as mainline ${releaseText(v.release)}, its base release: the distribution's backports may differ (check its kernel's source or config)`,
        place,
        [],
        undefined,
        'info',
      );
    }
  }
};
