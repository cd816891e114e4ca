// What the engine computes for a share: the kernel's map type, the addresses the
// importer sees and the steps that led there. Plain data; no LSP, no JSON.

import type { Location } from '../ground/findings';
import type { LinkType } from '../syntax/ast';

export type MapType = 'BUS_ADDR' | 'THRU_HOST_BRIDGE' | 'NOT_SUPPORTED' | 'NONE' | 'PRIVATE';
export type AddressKind = 'bus' | 'iova' | 'phys' | 'swiotlb' | 'none';

export interface Segment {
  readonly dma: bigint;
  readonly length: bigint;
}

/**
 * One step of a share's `explain` view: its words, or a function that writes them.
 * Only hover, `explain` and the CLI read the steps, so the engine defers the ones that
 * format numbers (most of its allocations were these strings: docs/performance.md).
 * A deferred step reads only values that no longer change.
 */
export type Step = string | (() => string);

/** The words of some steps. */
export function stepTexts(steps: readonly Step[]): string[] {
  return steps.map((s) => (typeof s === 'string' ? s : s()));
}

/** One share as §7 of docs/language.md reports it, plus what hover and rules need. */
export interface ShareResult {
  readonly name: string;
  readonly buffer: string;
  readonly exporter: string | null;
  readonly importer: string;
  readonly mapType: MapType;
  readonly distance: number | null;
  readonly path: readonly string[];
  /**
   * The nodes the share's TLPs traverse, from where the buffer is (exporter or RAM
   * region) to the importer; empty when the map fails or no TLP is sent (route.ts).
   * Unlike `path`, it goes up to the root complex whenever the traffic does.
   */
  readonly route: readonly string[];
  /** The private link the route takes instead of PCIe (an exporter and importer on one `link`). */
  readonly link: LinkType | undefined;
  readonly placement: 'vram' | 'system';
  readonly addressKind: AddressKind;
  readonly ok: boolean;
  readonly segments: readonly Segment[];
  /** The IOMMU group (IOVA domain) of the importer, when it has a translated domain. */
  readonly iommuGroup: number | null;
  /** The kernel's steps, in order (the `explain` view; `stepTexts` writes them). */
  readonly explain: readonly Step[];
  /** Where the share is declared. */
  readonly location: Location;
}
