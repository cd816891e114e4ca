// The diagnostic codes of docs/language.md §5 and their severities: the vocabulary
// every layer speaks. The ground layer: it imports nothing of the project.

export type Severity = 'error' | 'warning' | 'info';

/** Every diagnostic code of docs/language.md §5. */
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
  'p2p-required',
  'exporter-topology-policy',
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
  // Extension: importer kinds (docs/language.md, "importer").
  'odp-unsupported',
  'pinned-importer-refused',
  'importer-mismatch',
  'kernel-too-old',
  'kernel-option-absent',
  'distro-kernel',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];
