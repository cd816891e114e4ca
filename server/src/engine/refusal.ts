// Why a share cannot be mapped, decided once by the engine phase that meets it, as data:
// the kernel's cause (`reason`), the diagnostic code it reports and the engine's one
// sentence for it. Rules read the reason and word it; they never re-derive it.

import type { DiagnosticCode } from '../ground/codes';
import { formatSize, hex } from '../ground/format';
import type { MapType } from './types';
import { type FeatureId, featureOf, featureReleaseText } from './releases';
import { type KernelRelease, releaseText } from '../ground/release';

/** is_swiotlb_force_bounce(): why every RAM mapping of dma-direct bounces. */
export type ForceBounce = 'cc-guest' | 'swiotlb=force';

/** Why a RAM mapping goes to swiotlb (dma_direct_map_phys, dev_use_swiotlb). */
export type BounceCause =
  /** dev_use_swiotlb(): an untrusted device and a buffer that is not granule-aligned. */
  | { readonly kind: 'untrusted-unaligned' }
  /** is_swiotlb_force_bounce(). */
  | { readonly kind: 'force-bounce'; readonly force: ForceBounce }
  /** translate_phys_to_dma() returns DMA_MAPPING_ERROR. */
  | { readonly kind: 'outside-dma-ranges'; readonly paddr: bigint }
  /** dma_capable() fails: the end lies above min_not_zero(mask, bus_dma_limit). */
  | { readonly kind: 'above-dma-limit'; readonly dma: bigint; readonly size: bigint; readonly limit: bigint };

/** Why attach->peer2peer is false (dma_buf_dynamic_attach and the exporter's attach op). */
export type Peer2peerOff =
  /** dma_buf_attach(): a static importer never has peer2peer. */
  | { readonly kind: 'static' }
  /** importer_ops->allow_peer2peer is not set. */
  | { readonly kind: 'not-allowed' }
  /** The exporter's attach cleared it: pci_p2pdma_distance() < 0 on this route. */
  | { readonly kind: 'p2p-distance'; readonly mapType: MapType }
  /** The exporter's attach cleared it: no PCI device to measure a distance to (find_parent_pci_dev). */
  | { readonly kind: 'no-pci-device' }
  /** amdgpu_dma_buf_attach cleared it: a GFX12 DCC-compressed BO cannot go over P2P. */
  | { readonly kind: 'compressed' };

/** Why dma_buf_pin_on_map() pins an attachment of a dynamic exporter. */
export type PinCause = 'static' | 'move-notify-off';

export type RefusalReason =
  | { readonly kind: 'buffer-refused'; readonly buffer: string }
  /**
   * More sg entries of at most UINT_MAX bytes than this model maps; `physVec` when
   * dma_buf_phys_vec_to_sgt() builds the table (calc_sg_nents, fill_sg_entry).
   */
  | { readonly kind: 'sg-table-too-large'; readonly size: bigint; readonly entries: bigint; readonly max: bigint; readonly physVec: boolean }
  /** system_heap_allocate() cannot get the pages: more than the platform's RAM (-ENOMEM, no dma-buf). */
  | { readonly kind: 'heap-alloc-fails'; readonly size: bigint; readonly ram: bigint }
  /** KVM or a device driver that wants PFNs: no mainline importer path. */
  | { readonly kind: 'pfn-importer-unsupported'; readonly importer: string }
  /** iommufd, but the exporter has no private interconnect for it. */
  | { readonly kind: 'pfn-exporter-unsupported'; readonly importer: string; readonly driver: string }
  /** vfio_pci_dma_buf_iommufd_map(): one range only. */
  | { readonly kind: 'pfn-single-range'; readonly ranges: number }
  /** dma_buf_dynamic_attach(): importer_ops without move_notify. */
  | { readonly kind: 'no-move-notify' }
  /** The exporter's attach op refuses an attachment without peer2peer. */
  | { readonly kind: 'attach-needs-peer2peer'; readonly op: string; readonly attach: 'static' | 'dynamic' }
  /**
   * A P2P-only exporter meets an attachment without peer2peer: its attach or map op
   * fails with `errno` (habanalabs -EPERM, NVIDIA -ENOTSUPP for MMIO without struct
   * pages, xe -EOPNOTSUPP for a BO that cannot migrate, uverbs -EOPNOTSUPP).
   */
  | { readonly kind: 'p2p-required'; readonly op: string; readonly errno: string; readonly driver: string; readonly off: Peer2peerOff; readonly why: string }
  /** i915_gem_dmabuf_attach(): the object cannot migrate to system memory, and i915 never exports local memory. */
  | { readonly kind: 'cannot-migrate'; readonly op: string; readonly driver: string; readonly errno: string; readonly note: string }
  /** The exporter's own topology policy refuses the importer (NVIDIA nv_grdma_pci_topology_supported). */
  | { readonly kind: 'exporter-topology'; readonly op: string; readonly check: string; readonly exporter: string; readonly importer: string; readonly why: string }
  /** dma_buf_pin_on_map() calls a pin op that always fails. */
  | { readonly kind: 'pin-unsupported'; readonly driver: string }
  /** The importer has no struct device to map for. */
  | { readonly kind: 'no-dma-device'; readonly importer: string }
  /** pci_p2pdma_map_type(): dev_is_pci() fails for the client. */
  | { readonly kind: 'not-pci-client'; readonly importer: string }
  /** pci_p2pdma_map_type() is NOT_SUPPORTED and the exporter's BAR cannot move. */
  | { readonly kind: 'p2p-not-supported'; readonly exporter: string; readonly importer: string; readonly driver: string }
  /** iommu_dma_alloc_iova() finds no room (below `limit`, when the message names it). */
  | { readonly kind: 'iova-exhausted'; readonly size: bigint; readonly group: number | undefined; readonly limit: bigint | undefined }
  /** dma_direct_map_phys(DMA_ATTR_MMIO) under force-bounce: MMIO is never bounced. */
  | { readonly kind: 'mmio-force-bounce'; readonly paddr: bigint; readonly force: ForceBounce }
  /** dma_capable() fails for MMIO, which is never bounced. */
  | { readonly kind: 'mmio-above-limit'; readonly paddr: bigint; readonly limit: bigint }
  /** A bounce is needed and swiotlb is off. */
  | { readonly kind: 'swiotlb-off'; readonly bounce: BounceCause }
  /** A bounce is needed and the segment exceeds swiotlb_max_mapping_size(). */
  | { readonly kind: 'swiotlb-too-large'; readonly bounce: BounceCause; readonly size: bigint; readonly max: bigint }
  /** mlx5_ib_reg_user_mr_dmabuf / mlx5r_odp_create_eq: a dma-buf MR needs ODP (-EOPNOTSUPP). */
  | { readonly kind: 'odp-unsupported'; readonly importer: string }
  /**
   * A pinned importer that cannot be revoked, refused by a revocable exporter: by its pin
   * op (`at` pin: vfio_pci_dma_buf_pin, 6.19) or its attach op (`at` attach:
   * dma_buf_attach_revocable() in vfio_pci_dma_buf_attach, 7.1).
   */
  | { readonly kind: 'pinned-importer-refused'; readonly importer: string; readonly importerFn: string; readonly driver: string; readonly at: 'pin' | 'attach' }
  /** The model's kernel release lacks a feature the share needs (releases.ts): `subject` needs it. */
  | { readonly kind: 'kernel-too-old'; readonly feature: FeatureId; readonly subject: string; readonly release: KernelRelease }
  /** A value the model already reported made the engine throw. */
  | { readonly kind: 'model-error'; readonly text: string };

export interface Failure {
  readonly code: DiagnosticCode;
  readonly reason: RefusalReason;
  readonly message: string;
}

export function forceBounceText(f: ForceBounce): string {
  return f === 'cc-guest' ? 'confidential-computing guest' : 'swiotlb=force';
}

/** Why attach->peer2peer is false, in the kernel's words. */
export function peer2peerOffText(off: Peer2peerOff): string {
  switch (off.kind) {
    case 'static':
      return 'a static attachment never has it';
    case 'not-allowed':
      return 'the importer does not set allow_peer2peer';
    case 'p2p-distance':
      return `the exporter's pci_p2pdma_distance() check cleared it (${off.mapType})`;
    case 'no-pci-device':
      return 'the importer has no PCI device to measure a distance to';
    case 'compressed':
      return 'a DCC-compressed buffer cannot go over P2P';
  }
}

/** The engine's words for why a mapping bounces (its steps and its refusals). */
export function bounceText(b: BounceCause): string {
  switch (b.kind) {
    case 'untrusted-unaligned':
      return 'untrusted device and a buffer that is not granule-aligned (dev_use_swiotlb)';
    case 'force-bounce':
      return `is_swiotlb_force_bounce(): every RAM mapping bounces (${forceBounceText(b.force)})`;
    case 'outside-dma-ranges':
      return `${hex(b.paddr)} lies outside every dma-range of the importer (translate_phys_to_dma)`;
    case 'above-dma-limit':
      return `${hex(b.dma)} + ${hex(b.size)} is above the importer's DMA limit ${hex(b.limit)} (dma_capable)`;
  }
}

function codeOf(r: RefusalReason): DiagnosticCode {
  switch (r.kind) {
    case 'buffer-refused':
    case 'sg-table-too-large':
    case 'heap-alloc-fails':
    case 'model-error':
      return 'invalid-value';
    case 'kernel-too-old':
      return 'kernel-too-old';
    case 'pfn-importer-unsupported':
    case 'pfn-exporter-unsupported':
    case 'pfn-single-range':
      return 'pfn-no-path';
    case 'no-move-notify':
      return 'missing-notifier';
    case 'attach-needs-peer2peer':
      return 'static-importer-refused';
    case 'p2p-required':
    case 'cannot-migrate':
      return 'p2p-required';
    case 'exporter-topology':
      return 'p2p-not-supported';
    case 'pin-unsupported':
      return 'pin-unsupported';
    case 'odp-unsupported':
      return 'odp-unsupported';
    case 'pinned-importer-refused':
      return 'pinned-importer-refused';
    case 'no-dma-device':
    case 'not-pci-client':
      return 'not-pci-importer';
    case 'p2p-not-supported':
      return 'p2p-not-supported';
    case 'iova-exhausted':
      return 'iova-exhausted';
    case 'mmio-force-bounce':
    case 'mmio-above-limit':
    case 'swiotlb-off':
    case 'swiotlb-too-large':
      return 'dma-unreachable';
  }
}

function messageOf(r: RefusalReason): string {
  switch (r.kind) {
    case 'buffer-refused':
      return `buffer ${r.buffer} was refused by the model (see its invalid-value diagnostic): not mapped`;
    case 'sg-table-too-large':
      return r.physVec
        ? `dma_buf_phys_vec_to_sgt() would cut ${formatSize(r.size)} into ${r.entries} sg entries: an entry's length is an unsigned int, at most UINT_MAX bytes each (calc_sg_nents, fill_sg_entry): more than the ${r.max} this model maps (just under 16T), so it gives no addresses`
        : `an sg_table for ${formatSize(r.size)} needs at least ${r.entries} entries: a scatterlist entry's length is an unsigned int, at most UINT_MAX bytes each (sg_alloc_table, sg_set_page): more than the ${r.max} this model maps (just under 16T), so it gives no addresses`;
    case 'heap-alloc-fails':
      return `system_heap_allocate() cannot get ${formatSize(r.size)} of pages on a platform ${r.ram === 0n ? 'that declares no RAM' : `with ${formatSize(r.ram)} of RAM`}: mainline puts no cap on a heap buffer's size, so it takes pages until none are left and fails with -ENOMEM (dma_heap_buffer_alloc), and no dma-buf is made`;
    case 'kernel-too-old':
      return `${r.subject} needs ${featureReleaseText(r.feature)}, and this kernel is ${releaseText(r.release)}: ${featureOf(r.feature).what} came with ${featureOf(r.feature).source}`;
    case 'model-error':
      return `cannot be mapped: ${r.text} (a value outside what the kernel accepts; see the invalid-value diagnostics)`;
    case 'pfn-importer-unsupported':
      return `no mainline path hands ${r.importer} CPU physical ranges: vfio_pci_dma_buf_iommufd_map() serves iommufd only, and dma_buf_get_pfn_unlocked() is an unmerged RFC`;
    case 'pfn-exporter-unsupported':
      return `no mainline path hands ${r.importer} CPU physical ranges of a ${r.driver} buffer (dma_buf_get_pfn_unlocked is an unmerged RFC)`;
    case 'pfn-single-range':
      return `vfio_pci_dma_buf_iommufd_map() takes a single range; this buffer has ${r.ranges} (-EOPNOTSUPP)`;
    case 'no-move-notify':
      return 'dma_buf_dynamic_attach() refuses importer_ops without move_notify (-EINVAL)';
    case 'attach-needs-peer2peer':
      return r.attach === 'static'
        ? `${r.op}() refuses a static attachment: peer2peer is false (-EOPNOTSUPP)`
        : `${r.op}() refuses an attachment without allow_peer2peer (-EOPNOTSUPP)`;
    case 'p2p-required':
      return `${r.op}() serves only peer-to-peer attachments and this one has no peer2peer (${peer2peerOffText(r.off)}): ${r.why} (${r.errno})`;
    case 'cannot-migrate':
      return `${r.op}() fails (${r.errno}): the object cannot migrate to system memory (no system placement)${r.note}`;
    case 'exporter-topology':
      return `${r.op}() refuses ${r.importer} (-ENOTSUPP): ${r.check}() says the topology between ${r.exporter} and ${r.importer} is not supported: ${r.why}`;
    case 'pin-unsupported':
      return `dma_buf_pin_on_map() calls ${r.driver}'s pin op, which always fails (-EOPNOTSUPP): CONFIG_DMABUF_MOVE_NOTIFY is off`;
    case 'odp-unsupported':
      return `${r.importer} registers a dma-buf MR through ODP (ib_umem_dmabuf_get with mlx5_ib_dmabuf_attach_ops) and has no IB_ODP_SUPPORT: mlx5r_odp_create_eq() returns -EOPNOTSUPP, so ibv_reg_dmabuf_mr() fails with EOPNOTSUPP`;
    case 'pinned-importer-refused':
      return r.at === 'pin'
        ? `${r.importerFn}() pins the buffer and cannot be revoked: ${r.driver}'s pin op refuses pinned importers (vfio_pci_dma_buf_pin, -EOPNOTSUPP), so ibv_reg_dmabuf_mr() fails with EOPNOTSUPP`
        : `${r.importerFn}() gives importer_ops that cannot revoke the mapping: ${r.driver}'s attach op refuses it (dma_buf_attach_revocable() is false in vfio_pci_dma_buf_attach, -EOPNOTSUPP), so ibv_reg_dmabuf_mr() fails with EOPNOTSUPP`;
    case 'no-dma-device':
      return `${r.importer} cannot map this buffer`;
    case 'not-pci-client':
      return `pci_p2pdma_map_type(): ${r.importer} is not a PCI device (dev_is_pci fails, no parent walk), so NOT_SUPPORTED (-EINVAL)`;
    case 'p2p-not-supported':
      return `pci_p2pdma_map_type() is NOT_SUPPORTED between ${r.exporter} and ${r.importer}: dma_buf_phys_vec_to_sgt() fails (-EINVAL) and a ${r.driver} BAR cannot move`;
    case 'iova-exhausted':
      return `no room for ${hex(r.size)} bytes in IOMMU group ${r.group}'s IOVA domain${r.limit === undefined ? '' : ` below ${hex(r.limit)}`} (iommu_dma_alloc_iova)`;
    case 'mmio-force-bounce':
      return `MMIO at ${hex(r.paddr)} cannot be mapped: swiotlb force-bounce is active (${forceBounceText(r.force)}) and MMIO is never bounced (dma_direct_map_phys)`;
    case 'mmio-above-limit':
      return `MMIO at ${hex(r.paddr)} is above the importer's DMA limit ${hex(r.limit)} and MMIO is never bounced (dma_capable)`;
    case 'swiotlb-off':
      return `${bounceText(r.bounce)}, and swiotlb is off: nothing can bounce it`;
    case 'swiotlb-too-large':
      return `${bounceText(r.bounce)}, but one swiotlb mapping holds at most 256 KiB (IO_TLB_SEGSIZE × IO_TLB_SIZE, swiotlb_max_mapping_size) and this segment is ${hex(r.size)} bytes`;
  }
}

/** A refusal: its code and sentence follow from the reason, here and nowhere else. */
export function refusal(reason: RefusalReason): Failure {
  return { code: codeOf(reason), reason, message: messageOf(reason) };
}
