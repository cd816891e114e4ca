// NVIDIA's open kernel modules as a dma-buf exporter (NVIDIA/open-gpu-kernel-modules,
// kernel-open/nvidia/nv-dmabuf.c, nv-pci.c, nv-dma.c; read at 515.43.04, 535.43.02,
// 570.86.15, 580.65.06 and 595.45.04). nv_dma_buf_ops has no pin op, so the exporter is
// static and never invalidates. From 580 nv_dma_buf_attach decides reachability by the
// driver's own policy (nv_grdma_pci_topology_supported: coherent platforms, passthrough,
// the unsupported-chipset flag that wants a common PCI bridge), never by
// pci_p2pdma_distance(), and refuses a dynamic importer without peer2peer when GPU
// memory has no struct pages. nv_dma_buf_map hands out BAR1 through dma_map_resource()
// (nv_dma_buf_map_pfns → nv_dma_map_peer), the C2C pages of a coherent platform through
// dma_map_sg() (nv_dma_buf_map_pages), or, for the FORCE_PCIE mapping type, BAR1's CPU
// physical address with the IOMMU skipped (skip_iommu).

import type { Buffer, PciFunction } from '../../model/types';
import { type MapOutcome, mapped, splitSegments } from '../dmaMapping';
import { importerPci } from '../importer';
import type { P2pRoute } from '../p2pdma';
import { type Failure, refusal } from '../refusal';
import {
  type AttachRequest,
  type Exporter,
  type ExporterAttach,
  type MapRequest,
  type TopologyPolicy,
  mapSystemPages,
  neverMigrates,
  noPhysRanges,
  noPinFailure,
} from './exporter';
import { dmaMapResourceBlocks } from './mapResource';

/** The newest branch read; `driver nvidia` without a version models it. */
export const NV_NEWEST = 595;
/** 535.43.02: coherent platforms map C2C pages (nv_dma_buf_map_pages); the map-time P2P check spares them. */
const NV_COHERENT_PAGES = 535;
/** 570.86.15: the FORCE_PCIE mapping type (NV_DMABUF_EXPORT_MAPPING_TYPE_FORCE_PCIE). */
export const NV_FORCE_PCIE = 570;
/** 580.65.06: nv_dma_buf_attach, with the topology policy and the struct-page check moved from map to attach. */
const NV_ATTACH_OP = 580;

/** nv_dma_buf_get_sg_count(): dma_get_max_seg_size() aligned down to a page; the model takes the largest an entry holds. */
const NV_MAX_SEG = 0xffff_f000n;

/** What nv_state_t and the export's private data say about this buffer. */
interface NvExport {
  readonly version: number;
  /** nv->coherent: GPU memory reached over C2C (Grace); it has struct pages (mem_has_struct_page). */
  readonly coherent: boolean;
  readonly forcePcie: boolean;
  readonly passthru: boolean;
  readonly unsupportedChipset: boolean;
}

function nvExport(buf: Buffer): NvExport {
  const version = buf.driverVersion ?? NV_NEWEST;
  return {
    version,
    coherent: buf.exportFlags.has('coherent'),
    forcePcie: version >= NV_FORCE_PCIE && buf.exportFlags.has('force_pcie'),
    passthru: buf.exportFlags.has('passthru'),
    unsupportedChipset: buf.exportFlags.has('p2p_unsupported_chipset'),
  };
}

/** nv_grdma_pci_topology_supported() (nv-pci.c, 580+): the driver's own answer, whatever pci_p2pdma_distance() says. */
function nvGrdmaPciTopologySupported(nv: NvExport, route: P2pRoute | undefined): { allowed: boolean; why: string } {
  if (nv.coherent) return { allowed: true, why: 'a coherent platform: the importer maps over C2C and the PCIe topology does not matter' };
  if (nv.passthru) return { allowed: true, why: 'a passthrough VM (NV_FLAG_PASSTHRU): allowed by default' };
  if (nv.unsupportedChipset) {
    const common = route?.commonAncestor;
    return common
      ? { allowed: true, why: `the chipset cannot do PCIe P2P (NV_FLAG_PCI_P2P_UNSUPPORTED_CHIPSET), but ${common.name} is upstream of both (nv_pci_has_common_pci_switch)` }
      : { allowed: false, why: 'the chipset cannot do PCIe P2P (NV_FLAG_PCI_P2P_UNSUPPORTED_CHIPSET: Grace, Ampere Altra, AmpereOne) and no PCI bridge is upstream of both (nv_pci_has_common_pci_switch)' };
  }
  return { allowed: true, why: 'no flag restricts it: the driver allows every PCIe topology' };
}

/** nv_pci_is_valid_topology_for_direct_pci(): FORCE_PCIE needs a coherent platform and one IOMMU group. */
function nvValidTopologyForDirectPci(nv: NvExport, req: { groups: AttachRequest['groups'] }, gpu: PciFunction, peer: PciFunction | undefined): { allowed: boolean; why: string } {
  if (!nv.coherent) return { allowed: false, why: 'FORCE_PCIE needs a coherent platform (nv->coherent)' };
  const g = req.groups?.groupOf;
  const same = peer !== undefined && g !== undefined && g.get(gpu) !== undefined && g.get(gpu) === g.get(peer);
  return same ? { allowed: true, why: 'a coherent platform, and both devices in one IOMMU group' } : { allowed: false, why: `${peer?.name ?? 'the importer'} is not in ${gpu.name}'s IOMMU group` };
}

function policyOf(check: string, verdict: { allowed: boolean; why: string }, route: P2pRoute | undefined, pagesOverC2c: boolean): TopologyPolicy {
  const kernelMapType = route?.mapType;
  const disagrees = !pagesOverC2c && kernelMapType !== undefined && (verdict.allowed ? kernelMapType === 'NOT_SUPPORTED' : kernelMapType !== 'NOT_SUPPORTED');
  return { check, ...verdict, kernelMapType, disagrees };
}

/**
 * nv_dma_buf_attach() (580+): FORCE_PCIE checks nv_pci_is_valid_topology_for_direct_pci,
 * anything else nv_grdma_pci_topology_supported (-ENOTSUPP when false); then a dynamic
 * importer (importer_ops) without peer2peer is refused unless GPU memory has struct pages.
 * Before 580 there is no attach op and no topology check: BAR1 goes to any importer.
 */
function nvDmaBufAttach(req: AttachRequest): ExporterAttach {
  const buf = req.share.buffer;
  const none: ExporterAttach = { peer2peerOff: req.peer2peerOff, distanceRoute: undefined, xgmiPeer: false, refusal: undefined };
  if (!buf.exporter || buf.declaredPlacement !== 'vram') return none;
  const nv = nvExport(buf);
  const pci = importerPci(req.share);
  const route = pci ? req.p2p.mapType(buf.exporter, pci) : undefined;
  const pagesOverC2c = nv.coherent && !nv.forcePcie;
  if (nv.version < NV_ATTACH_OP) {
    req.steps.push(`NVIDIA ${nv.version}: no dma-buf attach op, so no topology check: pci_p2pdma_map_type() is never asked`);
    const legacy = nv.forcePcie ? nvValidTopologyForDirectPci(nv, req, buf.exporter, pci) : { allowed: true, why: `NVIDIA ${nv.version} has no topology check for dma-buf (nv_grdma_pci_topology_supported arrives in 580)` };
    return { ...none, policy: policyOf(nv.forcePcie ? 'nv_pci_is_valid_topology_for_direct_pci' : 'nv_dma_buf_map', legacy, route, pagesOverC2c) };
  }
  const check = nv.forcePcie ? 'nv_pci_is_valid_topology_for_direct_pci' : 'nv_grdma_pci_topology_supported';
  const verdict = nv.forcePcie ? nvValidTopologyForDirectPci(nv, req, buf.exporter, pci) : nvGrdmaPciTopologySupported(nv, route);
  const policy = policyOf(check, verdict, route, pagesOverC2c);
  req.steps.push(`nv_dma_buf_attach: ${check}() ${verdict.allowed ? 'allows' : 'refuses'} ${req.share.importerName}: ${verdict.why}`);
  if (!verdict.allowed) {
    return { ...none, policy, refusal: refusal({ kind: 'exporter-topology', op: 'nv_dma_buf_attach', check, exporter: buf.exporter.name, importer: req.share.importerName, why: verdict.why }) };
  }
  return { ...none, policy, refusal: req.share.attach === 'dynamic' ? noStructPageRefusal(req, nv, 'nv_dma_buf_attach', '-ENOTSUPP') : undefined };
}

/** A dynamic importer without peer2peer cannot take MMIO without struct pages (mem_has_struct_page). */
function noStructPageRefusal(req: { share: AttachRequest['share']; peer2peerOff: AttachRequest['peer2peerOff'] }, nv: NvExport, op: string, errno: string): Failure | undefined {
  if (!req.peer2peerOff || nv.coherent) return undefined;
  return refusal({ kind: 'p2p-required', op, errno, driver: 'nvidia', off: req.peer2peerOff, why: 'BAR1 is MMIO without struct pages, which a dynamic importer must accept through peer2peer' });
}

/**
 * nv_dma_buf_map(): before 580 it refuses a dynamic attachment without peer2peer (all
 * memory until 535, then unless the platform is coherent and the mapping DEFAULT) and
 * checks FORCE_PCIE's topology; then C2C pages (coherent, DEFAULT), or BAR1 PFNs.
 */
function nvDmaBufMap(req: MapRequest): MapOutcome {
  const buf = req.buf;
  if (req.placement !== 'vram') return mapSystemPages(req);
  const nv = nvExport(buf);
  if (nv.version < NV_ATTACH_OP) {
    const failure = legacyMapRefusal(req, nv);
    if (failure) return { ok: false, failure };
  }
  if (nv.coherent && !nv.forcePcie) {
    req.steps.push('nv_dma_buf_map_pages: GPU memory on a coherent platform has struct pages (C2C): dma_map_sg() maps them like RAM');
    return mapSystemPages(req);
  }
  if (nv.forcePcie) {
    req.steps.push('nv_dma_buf_map_pfns: FORCE_PCIE sets skip_iommu: the importer gets BAR1 CPU physical addresses, the IOMMU is bypassed');
    return mapped('phys', req.cpuRanges.flatMap((r) => splitSegments(r.first, r.size, NV_MAX_SEG)));
  }
  req.steps.push('nv_dma_buf_map_pfns → nv_dma_map_peer: each BAR1 chunk through dma_map_resource(); pci_p2pdma_map_type() is never asked');
  return dmaMapResourceBlocks(req, NV_MAX_SEG);
}

function legacyMapRefusal(req: MapRequest, nv: NvExport): Failure | undefined {
  const attach = req.attach;
  const pagesSpared = nv.version >= NV_COHERENT_PAGES && nv.coherent && !nv.forcePcie;
  if (req.share.attach === 'dynamic' && attach && !pagesSpared) {
    // nv_dma_buf_map returns NULL, which dma_buf_map_attachment() turns into -ENOMEM.
    const failure = noStructPageRefusal({ share: req.share, peer2peerOff: attach.peer2peerOff }, { ...nv, coherent: false }, 'nv_dma_buf_map', 'a NULL sg_table: -ENOMEM');
    if (failure) return failure;
  }
  const policy = attach?.policy;
  if (nv.forcePcie && policy && !policy.allowed) {
    return refusal({ kind: 'exporter-topology', op: 'nv_dma_buf_map', check: policy.check, exporter: req.buf.exporter!.name, importer: req.share.importerName, why: policy.why });
  }
  return undefined;
}

export const nvidia: Exporter = {
  driver: 'nvidia',
  isDynamic: false,
  revocation: undefined,
  physVecSgt: false,
  attach: nvDmaBufAttach,
  pin: noPinFailure,
  placement: neverMigrates,
  physRanges: noPhysRanges,
  map: nvDmaBufMap,
};

