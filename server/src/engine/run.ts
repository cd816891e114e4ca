// The engine: every share of a model, in share order, as the kernel would map it.
// Order matters only for IOVA domains, which hand out addresses in that order.

import type { Buffer, ResolvedModel, Share } from '../model/types';
import { computeGroups, type Groups } from './groups';
import { DmaSetup } from './dma';
import { decidePlacement, dmaBufDynamicAttach } from './attach';
import type { AttachState, Placement } from './exporters';
import { attaches } from './importer';
import { withImporterOps } from './importers';
import { P2pCache } from './p2pdma';
import { shareRoute } from './route';
import { mapShare, unmappedShare, type ShareContext, type ShareMapping } from './share';
import type { ShareResult } from './types';
import { type AbsentKernelFlag, absentKernelFlags } from './releases';

export interface ShareOutcome {
  readonly share: Share;
  readonly result: ShareResult;
  readonly mapping: ShareMapping;
  readonly attach: AttachState | undefined;
}

export interface EngineResult {
  readonly shares: readonly ShareOutcome[];
  readonly groups: Groups | undefined;
  /** CPU physical address of every buffer whose effective placement is system memory. */
  readonly systemAddress: ReadonlyMap<Buffer, bigint>;
  readonly placement: ReadonlyMap<Buffer, Placement>;
  readonly p2p: P2pCache | undefined;
  /** Kernel flags the chosen release has no option for (releases.ts). */
  readonly absentKernelFlags: readonly AbsentKernelFlag[];
}

const MIB2 = 2n * 1024n * 1024n;
const FOUR_G = 1n << 32n;

export function runEngine(model: ResolvedModel): EngineResult {
  const platform = model.platform;
  if (!platform) return { shares: [], groups: undefined, systemAddress: new Map(), placement: new Map(), p2p: undefined, absentKernelFlags: [] };
  const groups = computeGroups(model.functions, platform);
  const p2p = new P2pCache(platform);
  const dma = new DmaSetup(platform, groups);
  // Shares with an importer kind attach as its driver does (importers/).
  const modelShares = model.shares.map((s) => withImporterOps(s, platform));

  // 1. Attachments and the exporter's placement policy (amdgpu fallback, §3.4).
  const attach = new Map<Share, AttachState>();
  for (const s of modelShares) if (attaches(s)) attach.set(s, dmaBufDynamicAttach(s, platform, p2p, groups));
  const sharesOf = new Map<Buffer, Share[]>();
  for (const s of modelShares) sharesOf.set(s.buffer, [...(sharesOf.get(s.buffer) ?? []), s]);
  const placement = new Map<Buffer, Placement>();
  for (const b of model.buffers) placement.set(b, decidePlacement(b, sharesOf.get(b) ?? [], attach, platform));

  // 2. System buffers without `at`, packed in declaration order from the base of the
  //    first RAM region at or above 4 GiB (else the first region), 2 MiB aligned (§4.3).
  const region = platform.memories.find((m) => m.first >= FOUR_G) ?? platform.memories[0];
  let cursor = region?.first ?? 0n;
  const systemAddress = new Map<Buffer, bigint>();
  for (const b of model.buffers) {
    if (placement.get(b)!.placement !== 'system') continue;
    if (b.at !== undefined) {
      systemAddress.set(b, b.at);
      continue;
    }
    cursor = ((cursor + MIB2 - 1n) / MIB2) * MIB2;
    systemAddress.set(b, cursor);
    cursor += b.size;
  }

  // 3. Every share, in order.
  const shares: ShareOutcome[] = [];
  for (const s of modelShares) {
    const pl = placement.get(s.buffer)!;
    const st = attach.get(s);
    const ctx = { platform, p2p, dma, attach: st, placement: pl.placement, fallback: pl.reasonFor(s), systemAddress: systemAddress.get(s.buffer) ?? 0n };
    const mapping = mapShareSafely(s, ctx);
    // The placement's steps only where the exporter moved the buffer.
    const steps = pl.placement !== s.buffer.declaredPlacement && pl.steps.length > 0 ? [...pl.steps, ...mapping.steps] : mapping.steps;
    const result: ShareResult = {
      name: s.name,
      buffer: s.buffer.name,
      exporter: s.buffer.exporter?.name ?? null,
      importer: s.importerName,
      mapType: mapping.mapType,
      distance: mapping.distance,
      path: mapping.path,
      route: shareRoute(s, mapping, platform, systemAddress.get(s.buffer)),
      // The route takes the link only for VRAM that stayed in VRAM (route.ts).
      link: mapping.ok && mapping.placement === 'vram' ? mapping.link?.type : undefined,
      placement: mapping.placement,
      addressKind: mapping.addressKind,
      ok: mapping.ok,
      segments: mapping.segments,
      iommuGroup: mapping.importerDma?.group ?? null,
      explain: steps,
      location: { uri: s.uri, span: s.decl.span },
    };
    shares.push({ share: s, result, mapping, attach: st });
  }
  return { shares, groups, systemAddress, placement, p2p, absentKernelFlags: absentKernelFlags(platform) };
}

/**
 * A model with values the model layer already reported (e.g. wider than 64 bits) can
 * still reach the allocator; the share then fails instead of the whole analysis.
 */
function mapShareSafely(s: Share, ctx: ShareContext): ShareMapping {
  try {
    return mapShare(s, ctx);
  } catch (e) {
    return unmappedShare(ctx.placement, e instanceof Error ? e.message : String(e));
  }
}
