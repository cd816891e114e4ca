// vfio-pci as a dma-buf exporter (drivers/vfio/pci/vfio_pci_dmabuf.c): a BAR's ranges,
// exported only to importers that allow peer2peer (vfio_pci_dma_buf_attach), never
// pinnable (vfio_pci_dma_buf_pin fails), revoked on reset, D3, memory disable or close
// (vfio_pci_dma_buf_move), mapped by dma_buf_phys_vec_to_sgt() and handed to iommufd
// as its single CPU physical range (vfio_pci_dma_buf_iommufd_map).

import { type MapOutcome, physRanges, refused } from '../dmaMapping';
import { type Failure, refusal } from '../refusal';
import { type AttachRequest, type Exporter, type ExporterAttach, type ShareRequest, noPhysRanges, neverMigrates } from './exporter';
import { mapBarRanges } from './physVec';
import { attachRevocable, hasRevokeSeries, importerOps } from '../importers';
import { kernelHas } from '../releases';

/**
 * vfio_pci_dma_buf_attach(): -EOPNOTSUPP unless attach->peer2peer; from 7.1 ("vfio:
 * Permit VFIO to work with pinned importers") also unless dma_buf_attach_revocable().
 */
function vfioPciDmaBufAttach(req: AttachRequest): ExporterAttach {
  const { share, platform } = req;
  const failure = req.peer2peerOff
    ? refusal({ kind: 'attach-needs-peer2peer', op: 'vfio_pci_dma_buf_attach', attach: share.attach })
    : hasRevokeSeries(platform) && !attachRevocable(share, platform)
      ? refusal({ kind: 'pinned-importer-refused', importer: share.importerName, importerFn: importerOps(share, platform)?.attachFn ?? 'the importer', driver: 'vfio-pci', at: 'attach' })
      : undefined;
  return { peer2peerOff: req.peer2peerOff, distanceRoute: undefined, xgmiPeer: false, refusal: failure };
}

/**
 * dma_buf_pin() from the importer: 6.19 final (61ceaf236115 "vfio: Prevent from pinned
 * DMABUF importers to attach to VFIO DMABUF") has vfio_pci_dma_buf_pin return
 * -EOPNOTSUPP; 7.1 removes the pin op (the attach op decides), so the pin succeeds.
 */
function vfioPciImporterPin(req: ShareRequest): Failure | undefined {
  if (hasRevokeSeries(req.platform)) return undefined;
  return refusal({ kind: 'pinned-importer-refused', importer: req.share.importerName, importerFn: importerOps(req.share, req.platform)?.attachFn ?? 'the importer', driver: 'vfio-pci', at: 'pin' });
}

/**
 * vfio_pci_dma_buf_pin(): always -EOPNOTSUPP, so dma_buf_pin_on_map() fails the map (6.19;
 * 7.1 drops the op, "vfio: Permit VFIO to work with pinned importers", when
 * move_notify is always on and only static attachments, refused at attach, are pinned).
 */
function vfioPciDmaBufPin(req: ShareRequest): Failure | undefined {
  return kernelHas(req.platform, 'vfio-pci-pin-refused') ? refusal({ kind: 'pin-unsupported', driver: 'vfio-pci' }) : undefined;
}

/** vfio_pci_dma_buf_iommufd_map(): the single CPU physical range, the map type not consulted. */
function vfioPciDmaBufIommufdMap(req: ShareRequest): MapOutcome {
  const buf = req.buf;
  if (buf.declaredPlacement !== 'vram' || buf.exporter === undefined) return noPhysRanges(req);
  if (buf.ranges.length !== 1) return refused({ kind: 'pfn-single-range', ranges: buf.ranges.length });
  req.steps.push('vfio_pci_dma_buf_iommufd_map(): the single CPU physical range goes to the importer, the map type is not consulted');
  return physRanges(req.cpuRanges);
}

export const vfioPci: Exporter = {
  driver: 'vfio-pci',
  since: 'vfio-pci-dma-buf',
  isDynamic: true,
  // The dma-buf is revoked on close too, which the model has no event for.
  revocation: { on: ['reset', 'D3', 'memory disable'], op: 'vfio_pci_dma_buf_move' },
  physVecSgt: true,
  attach: vfioPciDmaBufAttach,
  pin: vfioPciDmaBufPin,
  importerPin: vfioPciImporterPin,
  placement: neverMigrates,
  physRanges: vfioPciDmaBufIommufdMap,
  map: mapBarRanges,
};
