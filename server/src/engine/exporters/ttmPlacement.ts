// Where a GPU buffer object lives once every attachment is known, for the TTM drivers
// that move it rather than fail: amdgpu (amdgpu_dma_buf_pin, amdgpu_dma_buf_map) and xe
// (xe_dma_buf_pin, xe_dma_buf_map). Both keep VRAM only while every attachment has
// peer2peer; a pinned attachment keeps it only where the driver may pin VRAM; otherwise
// the BO goes to system memory (GTT / XE_PL_TT) for every importer.

import type { Buffer, Share } from '../../model/types';
import { attaches } from '../importer';
import type { Step } from '../types';
import { type AttachState, type Placement, STAYS_VRAM, noReason } from './exporter';

/** The driver's words for the two moves, for the steps. */
export interface TtmWords {
  /** The pin op and why it may not keep VRAM, e.g. `amdgpu_dma_buf_pin: CONFIG_DMABUF_MOVE_NOTIFY is off`. */
  readonly pinDropsVram: (noP2p: readonly Share[]) => string;
  /** The map op that migrates for an attachment without peer2peer. */
  readonly mapMigrates: (noP2p: readonly Share[]) => string;
}

export function ttmPlacement(buf: Buffer, shares: readonly Share[], attach: ReadonlyMap<Share, AttachState>, vramPinAllowed: boolean, words: TtmWords): Placement {
  if (!buf.fallback) return STAYS_VRAM;
  const attaching = shares.filter(attaches);
  const noP2p = attaching.filter((s) => !attach.get(s)!.peer2peer);
  // The exporter's pin op runs for dma_buf_pin_on_map() and for an importer's own dma_buf_pin().
  const pinned = attaching.filter((s) => attach.get(s)!.pinOnMap || attach.get(s)!.importerPin);
  if (noP2p.length === 0 && (pinned.length === 0 || vramPinAllowed)) {
    return { placement: 'vram', reasonFor: noReason, steps: ['every attachment has peer2peer: the BO may stay in VRAM'] };
  }
  const steps: Step[] = [pinned.length > 0 ? words.pinDropsVram(noP2p) : words.mapMigrates(noP2p)];
  return {
    placement: 'system',
    reasonFor: (s) => {
      const st = attach.get(s);
      if (!st) return 'other-share';
      if (st.pinOnMap || st.importerPin) return 'pinned';
      if (!st.peer2peer) return 'p2p';
      return 'other-share';
    },
    steps,
  };
}

export const names = (shares: readonly Share[]): string => shares.map((s) => s.name).join(', ');
