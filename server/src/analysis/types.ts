// The plain-data contract between the analysis (syntax → model → engine → rules) and
// its front ends (the language server, and through it the CLI). No LSP types here.

import type { Span } from '../syntax/ast';

export type Severity = 'error' | 'warning' | 'info';

/** Every diagnostic code of LANGUAGE.md §5. */
export const DIAGNOSTIC_CODES = [
  'syntax-error',
  'unknown-name',
  'duplicate-name',
  'invalid-value',
  'missing-platform',
  'use-not-found',
  'p2p-not-supported',
  'p2p-fallback-system',
  'p2p-host-bridge',
  'acs-redirect',
  'p2p-via-iommu',
  'missing-notifier',
  'static-importer-refused',
  'pin-unsupported',
  'pinned-on-map',
  'not-pci-importer',
  'pfn-no-path',
  'swiotlb-bounce',
  'dma-unreachable',
  'iova-exhausted',
  'private-domain',
  'shared-iommu-group',
  'multipath',
  'ats-p2p',
  'tph-target',
  'private-address-space',
  'sg-split-4g',
  'cpu-mapping',
  'expect-mismatch',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** A place in a file of the model. `uri` is whatever the host used to name the file. */
export interface Location {
  readonly uri: string;
  readonly span: Span;
}

export interface RelatedInfo extends Location {
  readonly message: string;
}

export interface Finding {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly uri: string;
  readonly span: Span;
  readonly related: readonly RelatedInfo[];
  /** The share the finding is about, if any (its §7 name). */
  readonly share?: string;
  /** Machine-readable detail for quick fixes (e.g. the BDFs to add to disable_acs_redir). */
  readonly data?: Readonly<Record<string, unknown>>;
}

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

/** One share as §7 of LANGUAGE.md reports it, plus what hover and rules need. */
export interface ShareResult {
  readonly name: string;
  readonly buffer: string;
  readonly exporter: string | null;
  readonly importer: string;
  readonly mapType: MapType;
  readonly distance: number | null;
  readonly path: readonly string[];
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

/** The JSON form of one share (§7): bigints as lower-case hex strings. */
export function shareToJson(s: ShareResult): Record<string, unknown> {
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
    segments: s.segments.map((g) => ({ dma: '0x' + g.dma.toString(16), length: '0x' + g.length.toString(16) })),
  };
}
