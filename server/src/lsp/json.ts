// The engine's results as the JSON of docs/language.md §7: the one place where the
// analysis becomes wire data (bigints as lower-case hex strings).

import type { ShareResult } from '../engine/types';
import type { Platform } from '../model/types';
import { hex } from '../ground/format';
import type { ShareJson } from './protocol';

/** One share as §7 prints it. */
export function shareToJson(s: ShareResult): ShareJson {
  return {
    name: s.name,
    buffer: s.buffer,
    exporter: s.exporter,
    importer: s.importer,
    mapType: s.mapType,
    distance: s.distance,
    path: [...s.path],
    route: [...s.route],
    placement: s.placement,
    addressKind: s.addressKind,
    ok: s.ok,
    segments: s.segments.map((g) => ({ dma: hex(g.dma), length: hex(g.length) })),
  };
}

/**
 * The route of a share's TLPs in words, for hover and `explain`:
 * `nic0 → sw0.nic0 → sw0 → rp0 → hb0 (root complex) → rp0 → sw0 → sw0.gpu0 → gpu0`.
 */
export function routeText(s: ShareResult, platform: Platform | undefined): string {
  if (s.route.length === 0) {
    return s.ok ? 'none in this share: the importer is handed CPU physical ranges, not DMA addresses' : 'none: the map fails, no TLP is sent';
  }
  const hostBridges = new Set(platform?.hostBridges.map((h) => h.name));
  const memories = new Set(platform?.memories.map((m) => m.name));
  const nonPci = new Set([...(platform?.platformDevices.map((d) => d.name) ?? []), 'cpu']);
  const words = s.route.map((n) => (hostBridges.has(n) ? `${n} (root complex)` : memories.has(n) ? `${n} (RAM)` : n)).join(' \u2192 ');
  if (s.link) return `${words}, over the ${s.link} link (no PCIe)`;
  const last = s.route[s.route.length - 1]!;
  if (nonPci.has(last) && s.route.length === 2 && memories.has(s.route[0]!)) return `${words} (no PCIe)`;
  return words;
}
