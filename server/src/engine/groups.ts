// IOMMU groups as drivers/iommu/iommu.c pci_device_group() forms them (LANGUAGE.md §4.2):
// walking up from a function, the highest downstream or root port without ACS
// isolation puts everything below it in one group; functions of one multi-function
// device without ACS share a group; otherwise a function has a group of its own.
// One group is one IOVA domain (dma-iommu.c iommu_dma_init_domain).

import type { PciFunction, Platform } from '../model/types';
import { isAcsIsolated } from './acs';
import { upstreamBridge, sameDevice } from './topology';

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

export function computeGroups(functions: readonly PciFunction[], platform: Platform): Groups {
  const byKey = new Map<string, IommuGroup>();
  const groupOf = new Map<PciFunction, IommuGroup>();
  const all: IommuGroup[] = [];
  const endpoints = functions.filter((f) => f.kind === 'endpoint' || f.kind === 'vf');
  for (const fn of endpoints) {
    let top: PciFunction | undefined;
    for (let a = upstreamBridge(fn); a; a = upstreamBridge(a)) if (isGroupingPort(a) && !isAcsIsolated(a, platform)) top = a;
    let key: string;
    let reason: string;
    if (top) {
      key = `below:${top.name}`;
      reason = `every function below ${top.name}, which lacks ACS isolation (SV RR CR UF)`;
    } else {
      const peer = endpoints.find((o) => o !== fn && sameDevice(o, fn) && !(isAcsIsolated(o, platform) && isAcsIsolated(fn, platform)));
      if (peer && !isAcsIsolated(fn, platform)) {
        const head = fn.kind === 'vf' && fn.pf ? fn.pf : fn;
        const first = endpoints.find((o) => sameDevice(o, head)) ?? head;
        key = `device:${first.name}`;
        reason = `functions of one multi-function device without ACS`;
      } else {
        key = `fn:${fn.name}`;
        reason = 'isolated by ACS on its path';
      }
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
