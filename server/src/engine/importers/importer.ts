// What every importing driver hands the dma-buf core: its dma_buf_attach_ops as far as
// this model needs them (allow_peer2peer, the invalidation callback), whether it attaches
// dynamically, pins (dma_buf_pin) and when it maps, and a refusal of its own. One module
// per importer family implements it (importers/<family>.ts); the registry
// (importers/index.ts) names them. A share with an `importer K` item, or to a device
// that has one, takes these instead of the §4.4 defaults (docs/language.md, "importer").

import type { Platform, Share } from '../../model/types';
import type { ImporterKindName } from '../../syntax/ast';
import type { Failure } from '../refusal';
import { kernelHas } from '../releases';

export interface ImporterOps {
  /** The importer's own function that calls dma_buf_attach / dma_buf_dynamic_attach. */
  readonly attachFn: string;
  readonly attach: 'static' | 'dynamic';
  /** importer_ops->invalidate_mappings (move_notify before 7.1); undefined when there is none. */
  readonly invalidate: string | undefined;
  /** importer_ops->allow_peer2peer. */
  readonly allowPeer2peer: boolean;
  /** The importer calls dma_buf_pin() right after attaching. */
  readonly pins: boolean;
  /**
   * dma_buf_attach_revocable() (7.1): the invalidation callback really stops the DMA, even
   * while pinned. The pinned RDMA stub that only warns does not count.
   */
  readonly revocable: boolean;
  /** `sgt`: dma_buf_map_attachment(); `pfn`: iommufd's private interconnect. */
  readonly via: 'sgt' | 'pfn';
  /** When the importer maps, in the kernel's words (for `explain`). */
  readonly mapsAt: string;
}

/** The importers a kind can be: a device that maps sg_tables (PCI function or platform device), or iommufd. */
export type ImporterTarget = 'device' | 'iommufd';

export interface ImporterDriver {
  readonly kind: ImporterKindName;
  readonly target: ImporterTarget;
  /** The ops on the model's kernel release. */
  ops(platform: Platform): ImporterOps;
  /** A refusal of the importer's own after the attachment (mlx5 without ODP); undefined when none. */
  refuse(share: Share, platform: Platform): Failure | undefined;
}

/** The importer refuses nothing of its own. */
export function noImporterRefusal(): undefined {
  return undefined;
}

/**
 * 7.1, Leon Romanovsky's revoke series (drm-misc-next for v7.1): "dma-buf: Make
 * .invalidate_mapping() truly optional", "dma-buf: Add dma_buf_attach_revocable()",
 * "vfio: Permit VFIO to work with pinned importers", "iommufd: Add dma_buf_pin()". The
 * release comes from the release table (releases.ts, `dma-buf-revoke`), like every gate.
 */
export function hasRevokeSeries(platform: Platform): boolean {
  return kernelHas(platform, 'dma-buf-revoke');
}
