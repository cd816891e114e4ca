// What every exporter is to the dma-buf core: its dma_buf_ops as far as this model needs
// them (attach, pin, map_dma_buf, and the private interconnect that hands iommufd CPU
// physical ranges), its placement policy across attachments, and a few fixed
// properties. One module per driver implements it (exporters/<driver>.ts); the registry
// (exporters/index.ts) names them. A new driver is one new module and one registry line.

import type { Buffer, ExporterDriver, PciFunction, Platform, Share } from '../../model/types';
import type { DeviceDma } from '../dma';
import { type CpuRange, type MapOutcome, dmaMapPages, refused } from '../dmaMapping';
import type { P2pCache, P2pRoute } from '../p2pdma';
import type { Failure, Peer2peerOff, PinCause } from '../refusal';
import type { Groups } from '../groups';
import type { MapType, Step } from '../types';
import type { FeatureId } from '../releases';

/** The attachment as dma_buf_dynamic_attach() and the exporter's attach op leave it. */
export interface AttachState {
  /** attach->peer2peer after the exporter's attach op. */
  readonly peer2peer: boolean;
  /** Why attach->peer2peer is false; undefined when it is true. */
  readonly peer2peerOff: Peer2peerOff | undefined;
  /** dma_buf_pin_on_map(): why the exporter's pin op runs at map; undefined when it does not. */
  readonly pinOnMap: PinCause | undefined;
  /** The importer calls dma_buf_pin() itself right after attaching (a pinned RDMA MR, iommufd from 7.1). */
  readonly importerPin: boolean;
  /** The route used by pci_p2pdma_distance() (parent walk for non-PCI children). */
  readonly distanceRoute: P2pRoute | undefined;
  readonly xgmiPeer: boolean;
  /** The refusal of dma_buf_dynamic_attach() or of the exporter's attach op. */
  readonly refusal: Failure | undefined;
  /** The exporter decided reachability by its own policy, not by pci_p2pdma_map_type() (NVIDIA). */
  readonly policy: TopologyPolicy | undefined;
  readonly steps: readonly Step[];
}

/** An exporter's own topology policy, and whether the kernel's map type agrees with it. */
export interface TopologyPolicy {
  /** The function that decides it, e.g. nv_grdma_pci_topology_supported. */
  readonly check: string;
  readonly allowed: boolean;
  /** Why, in the driver's terms (coherent platform, passthrough, chipset flag, …). */
  readonly why: string;
  /** pci_p2pdma_map_type() for the same pair; undefined when the importer is not PCI. */
  readonly kernelMapType: MapType | undefined;
  /** The policy allows what the kernel calls NOT_SUPPORTED, or refuses what it allows. */
  readonly disagrees: boolean;
}

/** The exporter's attach op is called with attach->peer2peer as the core set it. */
export interface AttachRequest {
  readonly share: Share;
  readonly platform: Platform;
  readonly p2p: P2pCache;
  /** The IOMMU groups (NVIDIA's FORCE_PCIE mapping needs exporter and importer in one). */
  readonly groups: Groups | undefined;
  /** Why the core left peer2peer false (a static importer, no allow_peer2peer). */
  readonly peer2peerOff: Peer2peerOff | undefined;
  readonly steps: Step[];
}

/** What the exporter's attach op did to the attachment. */
export interface ExporterAttach {
  /** Why peer2peer is false after the op: the core's reason, or the op's own. */
  readonly peer2peerOff: Peer2peerOff | undefined;
  readonly distanceRoute: P2pRoute | undefined;
  readonly xgmiPeer: boolean;
  /** The op returned an error: dma_buf_dynamic_attach() fails with it. */
  readonly refusal: Failure | undefined;
  readonly policy?: TopologyPolicy;
}

/** One share on its way through dma_buf_map_attachment(): what every phase reads. */
export interface ShareRequest {
  readonly share: Share;
  readonly buf: Buffer;
  readonly platform: Platform;
  readonly attach: AttachState | undefined;
  readonly placement: 'vram' | 'system';
  /** The importer's DMA setup; undefined for importers without a struct device that maps. */
  readonly importerDma: DeviceDma | undefined;
  readonly importerPci: PciFunction | undefined;
  /** pci_p2pdma_map_type() between exporter and importer, for a buffer declared in VRAM. */
  readonly route: P2pRoute | undefined;
  /** The CPU physical ranges the buffer occupies as mapped. */
  readonly cpuRanges: readonly CpuRange[];
  readonly steps: Step[];
}

/** The exporter's map op runs for an importer that has a DMA device. */
export interface MapRequest extends ShareRequest {
  readonly dev: DeviceDma;
}

export type FallbackReason = 'p2p' | 'pinned' | 'other-share';

export interface Placement {
  readonly placement: 'vram' | 'system';
  /** Why a VRAM buffer moved to system memory, per share. */
  readonly reasonFor: (share: Share) => FallbackReason | undefined;
  readonly steps: readonly Step[];
}

/** When an exporter revokes its buffers, and the function that does it. */
export interface Revocation {
  /** The events, in the kernel's words (e.g. reset, D3). */
  readonly on: readonly string[];
  readonly op: string;
}

/** The functions that move a buffer to system memory, for the words of a fallback (rules). */
export interface MigrationOps {
  /** The attach op that clears peer2peer (or migrates), e.g. amdgpu_dma_buf_attach. */
  readonly attach: string;
  /** What the map op does for an attachment without peer2peer. */
  readonly map: string;
  /** The pin op that removes VRAM. */
  readonly pin: string;
  /** The system-memory placement in the driver's words (GTT, XE_PL_TT, GART, SMEM). */
  readonly memory: string;
}

export interface Exporter {
  readonly driver: ExporterDriver;
  /** How the driver moves VRAM to system memory; undefined when it never does. */
  readonly migration?: MigrationOps;
  /** The release-table feature without which the driver exports no such dma-buf (releases.ts); absent: every modelled release. */
  readonly since?: FeatureId;
  /** ops->pin exists, so dma_buf_is_dynamic(): dma_buf_pin_on_map() pins static attachments. */
  readonly isDynamic: boolean;
  /** The exporter revokes its buffers (move_notify) whatever the importer does; undefined when it never does. */
  readonly revocation: Revocation | undefined;
  /** VRAM is a BAR range mapped by dma_buf_phys_vec_to_sgt(): sg entries split at UINT_MAX. */
  readonly physVecSgt: boolean;
  /** ops->attach. */
  attach(req: AttachRequest): ExporterAttach;
  /** ops->pin, when dma_buf_pin_on_map() calls it at map; a refusal when it fails. */
  pin(req: ShareRequest): Failure | undefined;
  /** ops->pin when the importer calls dma_buf_pin() itself; absent: as `pin`. */
  readonly importerPin?: (req: ShareRequest) => Failure | undefined;
  /** Where a buffer declared in VRAM ends up once every attachment is known. */
  placement(buf: Buffer, shares: readonly Share[], attach: ReadonlyMap<Share, AttachState>, platform: Platform): Placement;
  /** CPU physical ranges for an importer that takes PFNs (iommufd's private interconnect). */
  physRanges(req: ShareRequest): MapOutcome;
  /** ops->map_dma_buf. */
  map(req: MapRequest): MapOutcome;
}

// ---------------------------------------------------------------- defaults for ops a driver lacks

/** No attach op: the attachment stays as the core made it. */
export function noAttachOp(req: AttachRequest): ExporterAttach {
  return { peer2peerOff: req.peer2peerOff, distanceRoute: undefined, xgmiPeer: false, refusal: undefined };
}

/** No pin op (or one that cannot fail at map). */
export function noPinFailure(): undefined {
  return undefined;
}

export const noReason = (): undefined => undefined;
export const STAYS_SYSTEM: Placement = { placement: 'system', reasonFor: noReason, steps: [] };
export const STAYS_VRAM: Placement = { placement: 'vram', reasonFor: noReason, steps: [] };

/** The exporter never migrates a buffer: it stays in the VRAM (BAR) it was declared in. */
export function neverMigrates(): Placement {
  return STAYS_VRAM;
}

/** No private interconnect: nothing hands this exporter's CPU physical ranges to a PFN importer. */
export function noPhysRanges(req: ShareRequest): MapOutcome {
  return refused({ kind: 'pfn-exporter-unsupported', importer: req.share.importerName, driver: req.buf.driver });
}

/** A buffer in system memory: its pages through dma_map_sgtable() (drm_prime_pages_to_sg, GTT, TT, SMEM, GART). */
export function mapSystemPages(req: MapRequest): MapOutcome {
  return dmaMapPages(req.dev, req.cpuRanges[0]!.first, req.buf.size, req.platform, req.steps);
}
