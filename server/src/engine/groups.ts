// IOMMU groups as drivers/iommu/iommu.c pci_device_group() forms them (docs/language.md §4.2):
// walking up from a function, the highest downstream or root port without ACS
// isolation puts everything below it in one group; functions of one multi-function
// device without ACS share a group; otherwise a function has a group of its own.
// One group is one IOVA domain (dma-iommu.c iommu_dma_init_domain).

import type { PciFunction, Platform } from '../model/types';
import { isAcsIsolated } from './acs';
import { upstreamBridge } from './topology';

export interface IommuGroup {
  readonly id: number;
  readonly members: PciFunction[];
  /** Why the members share it, in words. */
  readonly reason: string;
}

export interface Groups {
  readonly groupOf: ReadonlyMap<PciFunction, IommuGroup>;
  readonly all: readonly IommuGroup[];
}

function isGroupingPort(fn: PciFunction): boolean {
  // Switch upstream ports do not count (pci_acs_path_enabled walks downstream and root ports).
  return fn.kind === 'root_port' || fn.kind === 'port';
}

/**
 * The device a function belongs to, for the multi-function rule: a VF counts as part of
 * its PF's device; functions with one parent, bus and device number are one device.
 */
function deviceKey(fn: PciFunction): string {
  const head = fn.kind === 'vf' && fn.pf ? fn.pf : fn;
  if (!head.bdf) return `fn:${head.index}`;
  return `${head.parent?.index ?? 'root'}:${head.hostBridge.name}:${head.bdf.bus}:${head.bdf.device}`;
}

export function computeGroups(functions: readonly PciFunction[], platform: Platform): Groups {
  const byKey = new Map<string, IommuGroup>();
  const groupOf = new Map<PciFunction, IommuGroup>();
  const all: IommuGroup[] = [];
  const endpoints = functions.filter((f) => f.kind === 'endpoint' || f.kind === 'vf');
  // Functions per device, so the multi-function rule needs no scan per function.
  const devices = new Map<string, PciFunction[]>();
  for (const fn of endpoints) {
    const k = deviceKey(fn);
    const list = devices.get(k);
    if (list) list.push(fn);
    else devices.set(k, [fn]);
  }
  for (const fn of endpoints) {
    let top: PciFunction | undefined;
    for (let a = upstreamBridge(fn); a; a = upstreamBridge(a)) if (isGroupingPort(a) && !isAcsIsolated(a, platform)) top = a;
    let key: string;
    let reason: string;
    const siblings = devices.get(deviceKey(fn))!;
    if (top) {
      key = `below:${top.name}`;
      reason = `every function below ${top.name}, which lacks ACS isolation (SV RR CR UF)`;
    } else if (siblings.length > 1 && !isAcsIsolated(fn, platform)) {
      key = `device:${deviceKey(fn)}`;
      reason = 'functions of one multi-function device without ACS';
    } else {
      key = `fn:${fn.name}`;
      reason = 'isolated by ACS on its path';
    }
    let g = byKey.get(key);
    if (!g) {
      g = { id: all.length, members: [], reason };
      byKey.set(key, g);
      all.push(g);
    }
    g.members.push(fn);
    groupOf.set(fn, g);
  }
  return { groupOf, all };
}
