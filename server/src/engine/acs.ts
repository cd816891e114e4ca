// ACS Control bits as the kernel leaves them (drivers/pci/pci.c), and what counts as
// a redirect for P2P (drivers/pci/p2pdma.c pci_bridge_has_acs_redir).

import type { AcsBit } from '../syntax/ast';
import type { PciFunction, Platform } from '../model/types';

export type AcsCtl = ReadonlySet<AcsBit>;

const NONE: AcsCtl = new Set();

/** REQ_ACS_FLAGS of drivers/iommu/iommu.c: source validation, request and completion redirect, upstream forwarding. */
const REQ_ACS_FLAGS: readonly AcsBit[] = ['sv', 'rr', 'cr', 'uf'];

/**
 * The effective ACS Control register of a function.
 * - `acs_ctl …` states it as read from lspci and wins.
 * - Otherwise, only with an IOMMU: the IOMMU driver calls pci_request_acs(), and
 *   pci_std_enable_acs() sets SV, RR, CR and UF on every ACS-capable function, limited
 *   to what its capability register advertises (`acs_cap`, else all of them).
 * - `pci=disable_acs_redir=` then clears RR, CR and EC on the listed functions
 *   (pci_disable_acs_redir()).
 */
function effectiveAcs(fn: PciFunction, platform: Platform): AcsCtl {
  if (fn.acsCtlExplicit) return fn.acsCtlExplicit;
  if (!fn.acsCap || !platform.iommu) return NONE;
  const bits = new Set<AcsBit>(REQ_ACS_FLAGS.filter((b) => !fn.acsCapExplicit || fn.acsCapExplicit.has(b)));
  if (isAcsRedirDisabled(fn, platform)) {
    bits.delete('rr');
    bits.delete('cr');
    bits.delete('ec');
  }
  return bits;
}

function isAcsRedirDisabled(fn: PciFunction, platform: Platform): boolean {
  const b = fn.bdf;
  if (!b) return false;
  return platform.kernel.disableAcsRedir.some((d) => d.segment === b.segment && d.bus === b.bus && d.device === b.device && d.fn === b.fn);
}

/** pci_bridge_has_acs_redir(): RR, CR or EC set. SV, TB, UF and DT do not matter here. */
export function hasAcsRedir(fn: PciFunction, platform: Platform): boolean {
  const ctl = effectiveAcs(fn, platform);
  return ctl.has('rr') || ctl.has('cr') || ctl.has('ec');
}

/**
 * pci_acs_enabled(fn, REQ_ACS_FLAGS), the isolation IOMMU groups need
 * (pci_acs_flags_enabled): a function without an ACS capability is not isolated; a
 * feature its capability register does not advertise counts as hard-wired on ("either
 * required or only required if controllable"), so only the advertised ones of SV, RR,
 * CR and UF must be set.
 */
export function isAcsIsolated(fn: PciFunction, platform: Platform): boolean {
  if (!fn.acsCap) return false;
  const ctl = effectiveAcs(fn, platform);
  return REQ_ACS_FLAGS.every((b) => (fn.acsCapExplicit && !fn.acsCapExplicit.has(b)) || ctl.has(b));
}
