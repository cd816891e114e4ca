// Values as the model reads them from literals, with the defaults the kernel would use
// when a written value is out of range (the range checks are in checks/).

import type * as A from '../syntax/ast';

/** Inclusive end of `A .. B` or `A size S`. */
export function rangeLast(r: A.AddrRange): bigint {
  if (r.lastLit) return r.lastLit.value;
  if (r.sizeLit) return r.first.value + r.sizeLit.value - 1n;
  return r.first.value;
}

/** An empty range: an end before its start (`A size 0` ends at A − 1). */
export function isEmptyRange(r: A.AddrRange): boolean {
  return rangeLast(r) < r.first.value;
}

/** `dma_mask N` takes N in 12–64 (checks/dma.ts); anything else leaves the device at 64 bits. */
export function dmaMaskBits(bits: A.IntLit): number {
  const v = Number(bits.value);
  return validMaskBits(v) ? v : 64;
}

export const validMaskBits = (v: number): boolean => v >= 12 && v <= 64;

/** `aperture N`: an IOMMU input address width of 32–64 bits. */
export const validApertureBits = (v: number): boolean => v >= 32 && v <= 64;
