// habanalabs (Gaudi) as a dma-buf exporter (drivers/accel/habanalabs/common/memory.c):
// no pin op, so static and never invalidated; hl_dmabuf_attach clears peer2peer when
// pci_p2pdma_distance() < 0; hl_map_dmabuf fails with -EPERM without peer2peer ("p2p
// is disabled") and alloc_sgt_from_device_pages maps each chunk of device memory's BAR
// with dma_map_resource(), never asking pci_p2pdma_map_type().

import { type MapOutcome, refused } from '../dmaMapping';
import { type AttachRequest, type Exporter, type ExporterAttach, type MapRequest, neverMigrates, noAttachOp, noPhysRanges, noPinFailure } from './exporter';
import { dmaMapResourceBlocks } from './mapResource';
import { clearPeer2peerByDistance } from './p2pDistance';

/** alloc_sgt_from_device_pages(): chunks of at most dma_max_seg_size; the model takes the largest an entry holds. */
const HL_MAX_SEG = 0xffff_f000n;

function hlDmabufAttach(req: AttachRequest): ExporterAttach {
  if (!req.share.buffer.exporter) return noAttachOp(req);
  const { peer2peerOff, distanceRoute } = clearPeer2peerByDistance(req, 'hl_dmabuf_attach');
  return { peer2peerOff, distanceRoute, xgmiPeer: false, refusal: undefined };
}

function hlMapDmabuf(req: MapRequest): MapOutcome {
  const off = req.attach?.peer2peerOff;
  if (off) return refused({ kind: 'p2p-required', op: 'hl_map_dmabuf', errno: '-EPERM', driver: 'habanalabs', off, why: 'device memory is exported only peer-to-peer ("p2p is disabled")' });
  req.steps.push('alloc_sgt_from_device_pages: each chunk of the DRAM BAR through dma_map_resource(); pci_p2pdma_map_type() is never asked');
  return dmaMapResourceBlocks(req, HL_MAX_SEG);
}

export const habanalabs: Exporter = {
  driver: 'habanalabs',
  isDynamic: false,
  revocation: undefined,
  physVecSgt: false,
  attach: hlDmabufAttach,
  pin: noPinFailure,
  placement: neverMigrates,
  physRanges: noPhysRanges,
  map: hlMapDmabuf,
};
