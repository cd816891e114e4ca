// The importer kinds: one module per family, behind one interface (importer.ts). A
// share with an importer kind attaches, pins and maps as that driver does; what the
// share writes itself still wins, and each contradiction is stated (importerConflicts).

import type { Place, Platform, Share } from '../../model/types';
import type { ImporterKindName, ShareItem } from '../../syntax/ast';
import { amdgpuImporter, xeImporter } from './gpu';
import type { ImporterDriver, ImporterOps, ImporterTarget } from './importer';
import { iommufd } from './iommufd';
import { rdmaOdp, rdmaPinned, rdmaPinnedRevocable } from './rdma';
import { devmemTcp, drmPrime, ioUringZcrx, v4l2 } from './staticSgt';

export type { ImporterDriver, ImporterOps } from './importer';
export { hasRevokeSeries } from './importer';

const IMPORTERS: { readonly [K in ImporterKindName]: ImporterDriver } = {
  'rdma-odp': rdmaOdp,
  'rdma-pinned': rdmaPinned,
  'rdma-pinned-revocable': rdmaPinnedRevocable,
  amdgpu: amdgpuImporter,
  xe: xeImporter,
  v4l2,
  'drm-prime': drmPrime,
  'devmem-tcp': devmemTcp,
  'io-uring-zcrx': ioUringZcrx,
  iommufd,
};

export function importerDriver(kind: ImporterKindName): ImporterDriver {
  return IMPORTERS[kind];
}

function targetOf(share: Share): ImporterTarget | undefined {
  const k = share.importer.kind;
  if (k === 'pci' || k === 'platform') return 'device';
  return k === 'iommufd' ? 'iommufd' : undefined;
}

/** The share's importer driver, when its kind fits the importer (a kind on the wrong importer is ignored). */
export function importerOf(share: Share): ImporterDriver | undefined {
  const k = share.importerKind;
  if (!k) return undefined;
  const d = IMPORTERS[k.kind];
  return d.target === targetOf(share) ? d : undefined;
}

/** The importer's ops on this release, for a share with an importer kind. */
export function importerOps(share: Share, platform: Platform): ImporterOps | undefined {
  return importerOf(share)?.ops(platform);
}

/**
 * The share as the engine maps it: the importer kind's attachment where the share writes
 * nothing of its own (the written items win). A share without a kind is returned as is.
 */
export function withImporterOps(share: Share, platform: Platform): Share {
  const ops = importerOps(share, platform);
  if (!ops) return share;
  const w = share.written;
  return {
    ...share,
    attach: w.attach ?? ops.attach,
    moveNotify: w.moveNotify || ops.invalidate !== undefined,
    peer2peer: w.peer2peer || ops.allowPeer2peer,
    via: w.via ?? ops.via,
  };
}

/** The importer calls dma_buf_pin() after a dynamic attachment (a static one cannot pin). */
export function importerPins(share: Share, platform: Platform): boolean {
  return share.attach === 'dynamic' && (importerOps(share, platform)?.pins ?? false);
}

/**
 * dma_buf_attach_revocable() (drivers/dma-buf/dma-buf.c, 7.1): importer_ops with an
 * invalidation callback. Without a kind that is a dynamic share with `move_notify`; a
 * kind says whether its callback really stops the DMA (the pinned RDMA stub does not).
 */
export function attachRevocable(share: Share, platform: Platform): boolean {
  if (share.attach !== 'dynamic' || !share.moveNotify) return false;
  const ops = importerOps(share, platform);
  return ops === undefined || ops.revocable;
}

/** A share's written item or importer that contradicts its importer kind. */
export type ImporterConflict =
  | { readonly kind: 'wrong-importer'; readonly importerKind: ImporterKindName; readonly target: ImporterTarget; readonly place: Place }
  | {
      readonly kind: 'item';
      readonly importerKind: ImporterKindName;
      readonly item: 'attach' | 'via' | 'move_notify' | 'peer2peer';
      readonly written: string;
      readonly ops: ImporterOps;
      readonly place: Place;
    };

/** Where the last item of a kind is written in the share's body. */
function lastItem(share: Share, test: (it: ShareItem) => boolean): Place | undefined {
  const items = share.decl.items;
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return { uri: share.uri, span: items[i]!.span };
  return undefined;
}

function flagItem(share: Share, flag: 'move_notify' | 'peer2peer'): Place | undefined {
  return lastItem(share, (it) => it.kind === 'ShareFlag' && it.flag.value === flag);
}

/** Every contradiction between what the share writes and what its importer kind's driver does. */
export function importerConflicts(share: Share, platform: Platform): ImporterConflict[] {
  const k = share.importerKind;
  if (!k) return [];
  const driver = IMPORTERS[k.kind];
  if (driver.target !== targetOf(share)) return [{ kind: 'wrong-importer', importerKind: k.kind, target: driver.target, place: k.place }];
  const ops = driver.ops(platform);
  const w = share.written;
  const out: ImporterConflict[] = [];
  const add = (item: 'attach' | 'via' | 'move_notify' | 'peer2peer', written: string, place: Place | undefined) => {
    if (place) out.push({ kind: 'item', importerKind: k.kind, item, written, ops, place });
  };
  if (w.attach && w.attach !== ops.attach) add('attach', w.attach, lastItem(share, (it) => it.kind === 'Attach'));
  if (w.via && w.via !== ops.via) add('via', w.via, lastItem(share, (it) => it.kind === 'Via'));
  if (w.moveNotify && ops.invalidate === undefined) add('move_notify', 'move_notify', flagItem(share, 'move_notify'));
  if (w.peer2peer && !ops.allowPeer2peer) add('peer2peer', 'peer2peer', flagItem(share, 'peer2peer'));
  return out;
}
