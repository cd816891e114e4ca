// The value checks of docs/language.md §5, run over the gathered model in this fixed order.
// Each is one decision the kernel makes, named after it; most report `invalid-value`.
// The order matters only where two findings share a place and a code (a wide literal
// before the check of its value, an out-of-window BAR before its overlap, a buffer's
// missing size before its fit): analysis/analyze.ts keeps such ties in this order.

import type { Buffer } from '../types';
import type { Report } from '../names';
import type { Gathered } from '../gather';
import type { Check, CheckContext } from './context';
import { checkLiteralWidth } from './literals';
import { checkBarIndex, checkBarInWindows, checkBarOverlap, checkBdf, checkDuplicateBdf, checkEmptyBar } from './pci';
import { checkDmaMask, checkDmaRangeSize, checkIommuOverride } from './dma';
import { checkAperture, checkIommuReserve, checkKernelVersion, checkMemoryRange, checkOneIommu, checkWindowRange } from './platform';
import {
  checkBarExists,
  checkBufferFitsBar,
  checkBufferHasSize,
  checkBufferSizeZero,
  checkDriverVersion,
  checkExportFlags,
  checkExporterHasBar,
  checkExporterKind,
  checkFallback,
  checkHeapDriver,
  checkHeapPlacement,
  checkRangeSizeZero,
  checkRangesNeedVfio,
  checkSizeWithinRanges,
} from './buffers';
import { checkPlatformPresent } from './platformPresent';

const CHECKS: readonly Check[] = [
  checkLiteralWidth,
  checkPlatformPresent,
  // platform
  checkKernelVersion,
  checkOneIommu,
  checkIommuReserve,
  checkAperture,
  checkMemoryRange,
  checkWindowRange,
  // the PCIe tree
  checkBdf,
  checkDuplicateBdf,
  checkBarIndex,
  checkEmptyBar,
  checkBarInWindows,
  checkBarOverlap,
  checkDmaMask,
  checkDmaRangeSize,
  checkIommuOverride,
  // buffers
  checkExporterKind,
  checkHeapDriver,
  checkBufferSizeZero,
  checkRangeSizeZero,
  checkFallback,
  checkExportFlags,
  checkDriverVersion,
  checkHeapPlacement,
  checkBufferHasSize,
  checkExporterHasBar,
  checkBarExists,
  checkBufferFitsBar,
  checkSizeWithinRanges,
  checkRangesNeedVfio,
];

/** Runs every check; returns the buffers the checks refused. */
export function runChecks(g: Gathered, report: Report): ReadonlySet<Buffer> {
  const refused = new Set<Buffer>();
  const c: CheckContext = {
    report,
    invalid: (message, place, related) => report('invalid-value', message, place, related),
    refuse: (buffer, message, place, related) => {
      refused.add(buffer);
      report('invalid-value', message, place, related);
    },
  };
  for (const check of CHECKS) check(g, c);
  return refused;
}
