// Which PCI functions a view shows: a big machine (hundreds of functions, most of them
// the CPU's own uncore devices) drawn whole is unreadable. A filter keeps endpoints of
// the classes asked (gpu, nic, nvme…), below the host bridges or NUMA nodes asked, and
// the bridges above them; what it leaves out is counted, per host bridge, so the
// picture says so. No engine, no drawing.

import type { HostBridge, PciFunction, ResolvedModel } from '../model/types';

export interface ViewFilter {
  /** Endpoint classes to show (`gpu`, `nic`, `nvme`, `accel`, `fpga`, `endpoint`). */
  readonly only?: readonly string[];
  /** Host bridges to show, by name. */
  readonly hostBridges?: readonly string[];
  /** NUMA nodes to show: the host bridges with that `node`. */
  readonly nodes?: readonly number[];
}

export const FILTER_CLASSES = ['gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint'] as const;

/** Above this many PCI functions, generic endpoints on a root bus (uncore, chipset) are collapsed. */
export const COLLAPSE_ABOVE = 150;

export interface FilterResult {
  /** The functions shown. */
  readonly kept: ReadonlySet<PciFunction>;
  readonly hostBridges: readonly HostBridge[];
  /** Functions left out, by host bridge name. */
  readonly hidden: ReadonlyMap<string, number>;
  /** Why they are left out, in words (`--only gpu,nic`). */
  readonly why: string;
}

export function isEmptyFilter(f: ViewFilter | undefined): boolean {
  return !f || ((f.only?.length ?? 0) === 0 && (f.hostBridges?.length ?? 0) === 0 && (f.nodes?.length ?? 0) === 0);
}

function endpointClass(fn: PciFunction): string {
  return fn.cls ?? 'endpoint';
}

/**
 * The functions a view shows. Without a filter: all of them, except, on a machine of
 * more than COLLAPSE_ABOVE functions, the generic endpoints on root buses that no
 * share names (`pinned` keeps those a share uses).
 */
export function applyFilter(model: ResolvedModel, filter: ViewFilter | undefined, pinned: ReadonlySet<string> = new Set()): FilterResult {
  const hbs = (model.platform?.hostBridges ?? []).filter(
    (hb) => (!filter?.hostBridges?.length || filter.hostBridges.includes(hb.name)) && (!filter?.nodes?.length || (hb.node !== undefined && filter.nodes.includes(hb.node))),
  );
  const only = filter?.only?.length ? new Set(filter.only) : undefined;
  const collapse = !only && model.functions.length > COLLAPSE_ABOVE;
  const kept = new Set<PciFunction>();
  const hidden = new Map<string, number>();
  const shows = (fn: PciFunction): boolean => {
    if (pinned.has(fn.name)) return true;
    if (fn.kind === 'endpoint' || fn.kind === 'vf') {
      if (only) return only.has(endpointClass(fn));
      return !(collapse && fn.kind === 'endpoint' && fn.parent === undefined && (fn.cls === undefined || fn.cls === 'endpoint'));
    }
    return false;
  };
  const visit = (fn: PciFunction, hb: HostBridge): boolean => {
    let any = false;
    for (const c of [...fn.children, ...fn.vfs.filter((v) => !fn.children.includes(v))]) if (visit(c, hb)) any = true;
    const keep = shows(fn) || any || (!only && !collapse && fn.kind !== 'endpoint' && fn.kind !== 'vf') || (collapse && fn.kind !== 'endpoint' && fn.kind !== 'vf');
    if (keep) kept.add(fn);
    else hidden.set(hb.name, (hidden.get(hb.name) ?? 0) + 1);
    return keep;
  };
  for (const hb of hbs) for (const fn of hb.rootBus) visit(fn, hb);
  const words: string[] = [];
  if (only) words.push(`--only ${[...only].join(',')}`);
  if (filter?.hostBridges?.length) words.push(`--host-bridge ${filter.hostBridges.join(',')}`);
  if (filter?.nodes?.length) words.push(`--node ${filter.nodes.join(',')}`);
  if (collapse) words.push(`generic root-bus functions collapsed (over ${COLLAPSE_ABOVE} functions)`);
  return { kept, hostBridges: hbs, hidden, why: words.join(' ') };
}
