// The engine's results as the JSON of docs/language.md §7: the one place where the
// analysis becomes wire data (bigints as lower-case hex strings).

import type { ShareResult } from '../engine/types';
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
    placement: s.placement,
    addressKind: s.addressKind,
    ok: s.ok,
    segments: s.segments.map((g) => ({ dma: hex(g.dma), length: hex(g.length) })),
  };
}
