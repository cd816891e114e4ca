// An RDMA device's memory exported through uverbs (drivers/infiniband/core/
// uverbs_std_types_dmabuf.c, "RDMA/uverbs: Add DMABUF object type and operations",
// 7.0; mlx5 implements mmap_get_pfns): uverbs_dmabuf_attach fails with -EOPNOTSUPP
// without peer2peer, uverbs_dmabuf_pin always fails, uverbs_dmabuf_map builds the table
// with dma_buf_phys_vec_to_sgt() over the single phys_vec, and the buffer is revoked
// (dma_buf_move_notify) when its uobject is destroyed.

import { type Failure, refusal } from '../refusal';
import { type AttachRequest, type Exporter, type ExporterAttach, neverMigrates, noPhysRanges } from './exporter';
import { mapBarRanges } from './physVec';

function uverbsDmabufAttach(req: AttachRequest): ExporterAttach {
  const off = req.peer2peerOff;
  const failure = off ? refusal({ kind: 'p2p-required', op: 'uverbs_dmabuf_attach', errno: '-EOPNOTSUPP', driver: 'rdma', off, why: 'device memory is exported only peer-to-peer' }) : undefined;
  return { peer2peerOff: off, distanceRoute: undefined, xgmiPeer: false, refusal: failure };
}

function uverbsDmabufPin(): Failure {
  return refusal({ kind: 'pin-unsupported', driver: 'rdma' });
}

export const rdma: Exporter = {
  driver: 'rdma',
  isDynamic: true,
  revocation: { on: ['uobject destroy', 'device removal'], op: 'uverbs_dmabuf_fd_destroy_uobj' },
  physVecSgt: true,
  attach: uverbsDmabufAttach,
  pin: uverbsDmabufPin,
  placement: neverMigrates,
  physRanges: noPhysRanges,
  map: mapBarRanges,
};
