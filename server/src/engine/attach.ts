// dma_buf_dynamic_attach() and dma_buf_pin_on_map() as the dma-buf core runs them
// (drivers/dma-buf/dma-buf.c), with the exporter's attach op in between, and the
// exporter's placement once every attachment of a buffer is known.

import type { Buffer, Platform, Share } from '../model/types';
import { type AttachState, type Exporter, type Placement, exporterFor } from './exporters';
import { STAYS_SYSTEM } from './exporters/exporter';
import type { Groups } from './groups';
import { type ImporterOps, hasRevokeSeries, importerOps, importerPins } from './importers';
import type { P2pCache } from './p2pdma';
import { type Peer2peerOff, type PinCause, refusal } from './refusal';
import type { Step } from './types';
import { moveNotifyEnabled } from './releases';

/**
 * dma_buf_dynamic_attach(): attach->peer2peer from importer_ops->allow_peer2peer (a
 * static importer never has it), -EINVAL for importer_ops without move_notify, then the
 * exporter's attach op. The op's decisions are kept even when the core refuses: the
 * exporter's placement (amdgpu) counts every attachment the model declares.
 */
export function dmaBufDynamicAttach(share: Share, platform: Platform, p2p: P2pCache, groups?: Groups): AttachState {
  const steps: Step[] = [];
  const dynamic = share.attach === 'dynamic';
  const ops = importerOps(share, platform);
  if (ops) steps.push(() => importerStep(share, ops));
  const coreOff: Peer2peerOff | undefined = !dynamic ? { kind: 'static' } : share.peer2peer ? undefined : { kind: 'not-allowed' };
  steps.push(
    dynamic
      ? () => `dma_buf_dynamic_attach: importer_ops${share.moveNotify ? ' with move_notify' : ' without move_notify'}, allow_peer2peer ${share.peer2peer ? 'set' : 'not set'}`
      : 'dma_buf_attach (static): peer2peer is false',
  );
  const exporter = exporterFor(share.buffer.driver);
  const op = exporter.attach({ share, platform, p2p, groups, peer2peerOff: coreOff, steps });
  const pinOnMap = pinOnMapCause(share, exporter, platform);
  if (pinOnMap) {
    steps.push(
      pinOnMap === 'static'
        ? 'dma_buf_pin_on_map: a static attachment of a dynamic exporter is pinned at map'
        : 'dma_buf_pin_on_map: CONFIG_DMABUF_MOVE_NOTIFY is off, so even dynamic attachments are pinned at map',
    );
  }
  const failure = dynamic && !share.moveNotify && !invalidateOptional(share, platform) ? refusal({ kind: 'no-move-notify' }) : op.refusal;
  const importerPin = importerPins(share, platform);
  if (importerPin) steps.push(() => `${ops!.attachFn}: dma_buf_pin() right after the attachment`);
  return { peer2peer: op.peer2peerOff === undefined, peer2peerOff: op.peer2peerOff, pinOnMap, importerPin, distanceRoute: op.distanceRoute, xgmiPeer: op.xgmiPeer, refusal: failure, policy: op.policy, steps };
}

/**
 * 7.1 dropped the core's -EINVAL for importer_ops without an invalidation callback
 * ("dma-buf: Make .invalidate_mapping() truly optional"). The engine follows it for
 * shares with an importer kind; a share without one keeps the meaning docs/language.md
 * §4.4 gives it.
 */
function invalidateOptional(share: Share, platform: Platform): boolean {
  return share.importerKind !== undefined && hasRevokeSeries(platform);
}

/** What the importer's driver hands the core, in one step. */
function importerStep(share: Share, ops: ImporterOps): string {
  const how = ops.attach === 'dynamic' ? 'dma_buf_dynamic_attach' : 'dma_buf_attach (static)';
  const cb = ops.invalidate ? `invalidation ${ops.invalidate}` : 'no invalidation callback';
  return `importer ${share.importerKind!.kind}: ${ops.attachFn}() calls ${how}, allow_peer2peer ${ops.allowPeer2peer ? 'set' : 'not set'}, ${cb}${ops.pins ? ', then dma_buf_pin()' : ''}; maps ${ops.mapsAt}`;
}

/**
 * dma_buf_pin_on_map(): ops->pin exists and (a static attachment, or CONFIG_DMABUF_MOVE_NOTIFY
 * off; the option is gone and always on from 7.1, releases.ts).
 */
function pinOnMapCause(share: Share, exporter: Exporter, platform: Platform): PinCause | undefined {
  if (!exporter.isDynamic) return undefined;
  if (share.attach !== 'dynamic') return 'static';
  return moveNotifyEnabled(platform) ? undefined : 'move-notify-off';
}

/** Where the buffer lives once every attachment is known: the exporter's policy for VRAM. */
export function decidePlacement(buf: Buffer, shares: readonly Share[], attach: ReadonlyMap<Share, AttachState>, platform: Platform): Placement {
  if (buf.declaredPlacement === 'system') return STAYS_SYSTEM;
  return exporterFor(buf.driver).placement(buf, shares, attach, platform);
}
