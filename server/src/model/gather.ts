// The gathering pass: every declaration collected, then every reference resolved, the
// PCIe tree built as a graph and the defaults applied (docs/language.md §1, §4). It reports
// only name problems (`duplicate-name`, `unknown-name`); the value checks run after it,
// over what it gathered (checks/).

import type * as A from '../syntax/ast';
import type { Buffer, ModelFile, PlatformDevice, Share } from './types';
import { Names, type Report } from './names';
import { emptyPciTree, type PciTree } from './hostBridge';
import { gatherPlatform, resolvePlatformRefs, type GatheredPlatform } from './platform';
import { gatherBuffer, type BarCursor, type GatheredBuffer } from './buffers';
import { gatherShares } from './shares';

export interface Gathered {
  readonly files: readonly ModelFile[];
  readonly names: Names;
  /** The model's platform: the first platform block of its files. */
  readonly platformDecl: { readonly decl: A.PlatformDecl; readonly uri: string } | undefined;
  readonly platform: GatheredPlatform | undefined;
  readonly tree: PciTree;
  /** Buffer and share declarations in share order (a used file's at the point of its use). */
  readonly bufferDecls: readonly { readonly d: A.BufferDecl; readonly uri: string }[];
  readonly shareDecls: readonly { readonly d: A.ShareDecl; readonly uri: string }[];
  readonly buffers: readonly GatheredBuffer[];
  readonly shares: readonly Share[];
}

export function gather(files: readonly ModelFile[], report: Report): Gathered {
  const names = new Names(report);
  const tree = emptyPciTree();
  const pdevByName = new Map<string, PlatformDevice>();

  // Declarations first, so that every reference can be resolved in one pass.
  const platformDecl = firstPlatform(files, names, report);
  const platform = platformDecl && gatherPlatform(names, tree, platformDecl.decl, platformDecl.uri, pdevByName);
  const { bufferDecls, shareDecls } = topDeclarations(files);
  for (const { d, uri } of bufferDecls) names.declare(d.name, 'buffer', uri, d.span);
  for (const { d, uri } of shareDecls) if (d.alias) names.declare(d.alias, 'share', uri, d.span);

  if (platform && platformDecl) resolvePlatformRefs(names, platformDecl.decl, platformDecl.uri, platform.platform, tree.fnByName);

  const buffers: GatheredBuffer[] = [];
  const bufferByName = new Map<string, Buffer>();
  const barCursor: BarCursor = new Map();
  let built = 0;
  for (const { d, uri } of bufferDecls) {
    const g = gatherBuffer(names, d, uri, tree.fnByName, barCursor, built);
    if (!g) continue;
    buffers.push(g);
    if (g.kind !== 'built') continue;
    built++;
    // A second buffer of one name (its duplicate-name reported) is kept, but not named.
    if (!bufferByName.has(g.buffer.name)) bufferByName.set(g.buffer.name, g.buffer);
  }

  const shares = gatherShares({ names, report, fnByName: tree.fnByName, pdevByName, bufferByName }, shareDecls);
  return { files, names, platformDecl, platform, tree, bufferDecls, shareDecls, buffers, shares };
}

/** The first platform block is the model's; any other is a `duplicate-name`. */
function firstPlatform(files: readonly ModelFile[], names: Names, report: Report): Gathered['platformDecl'] {
  const platforms = files.flatMap((f) => f.parse.model.items.filter((i): i is A.PlatformDecl => i.kind === 'Platform').map((decl) => ({ decl, uri: f.uri })));
  const first = platforms[0];
  if (!first) return undefined;
  names.declare(first.decl.name, 'platform', first.uri, first.decl.span);
  for (const extra of platforms.slice(1)) {
    report('duplicate-name', `a model has one platform: '${extra.decl.name.text}' is a second one`, { uri: extra.uri, span: extra.decl.name.span }, [
      { uri: first.uri, span: first.decl.name.span, message: `the platform '${first.decl.name.text}'` },
    ]);
  }
  return first;
}

/** Buffers and shares in share order: a used file's come at the point of its `use`. */
function topDeclarations(files: readonly ModelFile[]): Pick<Gathered, 'bufferDecls' | 'shareDecls'> {
  const bufferDecls: { d: A.BufferDecl; uri: string }[] = [];
  const shareDecls: { d: A.ShareDecl; uri: string }[] = [];
  const byUri = new Map(files.map((f) => [f.uri, f]));
  const seen = new Set<string>();
  const walk = (uri: string) => {
    if (seen.has(uri)) return;
    seen.add(uri);
    const f = byUri.get(uri);
    if (!f) return;
    for (const item of f.parse.model.items) {
      if (item.kind === 'Buffer') bufferDecls.push({ d: item, uri });
      else if (item.kind === 'Share') shareDecls.push({ d: item, uri });
      else if (item.kind === 'Use') {
        const child = files.find((c) => c.usedFrom && c.usedFrom.decl === item);
        if (child) walk(child.uri);
      }
    }
  };
  if (files[0]) walk(files[0].uri);
  return { bufferDecls, shareDecls };
}
