// The PCIe tree: BDFs, BARs and their placement in the host bridge windows.

import type * as A from '../../syntax/ast';
import type { Bar, HostBridge, PciFunction } from '../types';
import type { Gathered } from '../gather';
import type { Check } from './context';
import { hex } from '../../ground/format';
import { isEmptyRange, rangeLast } from '../values';

/**
 * A BDF names a device 00–1f and a function 0–7: PCI_DEVFN (include/uapi/linux/pci.h)
 * packs them in 5 and 3 bits. Checked in `disable_acs_redir` and on every declared function.
 */
export const checkBdf: Check = (g, c) => {
  for (const { uri, bdf } of writtenBdfs(g)) {
    if (bdf.fn > 7) c.invalid(`function ${bdf.fn} in ${bdf.text}: a PCI function number is 0–7`, { uri, span: bdf.span });
    else if (bdf.device > 0x1f) c.invalid(`device ${hex(BigInt(bdf.device))} in ${bdf.text}: a PCI device number is 00–1f`, { uri, span: bdf.span });
  }
};

/**
 * One address names one function: pci_scan_single_device (drivers/pci/probe.c) finds at
 * most one device per bus and devfn of a domain. A BDF written twice is reported on the second.
 */
export const checkDuplicateBdf: Check = (g, c) => {
  const seen = new Map<string, { name: string; place: { uri: string; span: A.BdfLit['span'] } }>();
  for (const { fn, uri, bdf } of g.tree.declared) {
    if (!bdf || !fn.bdf) continue;
    const k = `${fn.bdf.segment}:${fn.bdf.bus}:${fn.bdf.device}.${fn.bdf.fn}`;
    const prev = seen.get(k);
    if (prev) c.invalid(`${bdf.text} is already the address of '${prev.name}': one PCI address names one function`, { uri, span: bdf.span }, [{ ...prev.place, message: `'${prev.name}' is at ${bdf.text}` }]);
    else seen.set(k, { name: fn.name, place: { uri, span: bdf.span } });
  }
};

function* writtenBdfs(g: Gathered): Generator<{ uri: string; bdf: A.BdfLit }> {
  if (g.platformDecl) {
    const { decl, uri } = g.platformDecl;
    for (const item of decl.items) {
      if (item.kind !== 'Kernel') continue;
      for (const o of item.options) if (o.kind === 'DisableAcsRedir') for (const bdf of o.bdfs) yield { uri, bdf };
    }
  }
  for (const { uri, bdf } of g.tree.declared) if (bdf) yield { uri, bdf };
}

/** The BARs written on declared functions, with the function. */
function* writtenBars(g: Gathered): Generator<{ fn: PciFunction; uri: string; bar: A.BarDecl }> {
  for (const { fn, uri, items } of g.tree.declared) for (const bar of items) if (bar.kind === 'Bar') yield { fn, uri, bar };
}

/** A type 0 header has six BARs: pci_read_bases (drivers/pci/probe.c) reads PCI_STD_NUM_BARS of them. */
export const checkBarIndex: Check = (g, c) => {
  for (const { uri, bar } of writtenBars(g)) {
    if (Number(bar.index.value) > 5) c.invalid(`BAR ${bar.index.text}: a function has BARs 0–5`, { uri, span: bar.index.span });
  }
};

/** A BAR of size 0 is not implemented: __pci_read_base (drivers/pci/probe.c) gives it no resource. */
export const checkEmptyBar: Check = (g, c) => {
  for (const { uri, bar } of writtenBars(g)) {
    if (isEmptyRange(bar.range)) c.invalid('an empty BAR (size 0 or an end before its start)', { uri, span: bar.range.span });
  }
};

/**
 * A BAR must lie inside a window of its host bridge: pci_claim_resource and
 * pci_assign_resource (drivers/pci/setup-res.c) find no parent resource for it otherwise
 * ("no compatible bridge window").
 */
export const checkBarInWindows: Check = (g, c) => {
  for (const { fn, uri, bar } of writtenBars(g)) {
    if (isEmptyRange(bar.range)) continue; // checkEmptyBar
    const first = bar.range.first.value;
    const last = rangeLast(bar.range);
    const hb = fn.hostBridge;
    if (hb.windows.some((w) => first >= w.first && last <= w.last)) continue;
    c.invalid(
      `BAR ${Number(bar.index.value)} (${hex(first)} .. ${hex(last)}) lies outside every window of host bridge '${hb.name}': the kernel could not assign it`,
      { uri, span: bar.range.span },
      [{ uri: hb.place.uri, span: hb.place.span, message: `host bridge '${hb.name}' and its windows` }],
    );
  }
};

/**
 * Two BARs cannot share an address: pci_claim_resource (drivers/pci/setup-res.c) gets an
 * "address conflict" from request_resource_conflict. The later BAR (by address) is reported.
 */
export const checkBarOverlap: Check = (g, c) => {
  const all = allBars(g.platform?.platform.hostBridges ?? []);
  all.sort((x, y) => (x.bar.first < y.bar.first ? -1 : x.bar.first > y.bar.first ? 1 : 0));
  for (let i = 1; i < all.length; i++) {
    const prev = all[i - 1]!;
    const cur = all[i]!;
    if (cur.bar.first > prev.bar.last) continue;
    c.invalid(`BAR ${cur.bar.index} of '${cur.owner}' overlaps BAR ${prev.bar.index} of '${prev.owner}'`, cur.bar.place, [
      { uri: prev.bar.place.uri, span: prev.bar.place.span, message: `BAR ${prev.bar.index} of '${prev.owner}'` },
    ]);
  }
};

/** Every BAR below the host bridges, in the depth-first order of the tree. */
function allBars(hbs: readonly HostBridge[]): { bar: Bar; owner: string }[] {
  const all: { bar: Bar; owner: string }[] = [];
  const collect = (fn: PciFunction) => {
    for (const bar of fn.bars) all.push({ bar, owner: fn.name });
    for (const child of fn.children) collect(child);
  };
  for (const hb of hbs) for (const fn of hb.rootBus) collect(fn);
  return all;
}
