// Shares: the buffer and importer resolved, the attachment defaulted by importer kind
// (docs/language.md §4.4), one name per share.

import type * as A from '../syntax/ast';
import type { Buffer, Importer, ImporterKindRef, PciFunction, PlatformDevice, Share } from './types';
import type { Names, Report } from './names';

export interface ShareScope {
  readonly names: Names;
  readonly report: Report;
  readonly fnByName: ReadonlyMap<string, PciFunction>;
  readonly pdevByName: ReadonlyMap<string, PlatformDevice>;
  readonly bufferByName: ReadonlyMap<string, Buffer>;
}

/** The shares in share order; a second share of one name is reported and dropped. */
export function gatherShares(s: ShareScope, decls: readonly { d: A.ShareDecl; uri: string }[]): Share[] {
  const shares: Share[] = [];
  const shareNames = new Map<string, Share>();
  for (const { d, uri } of decls) {
    const share = gatherShare(s, d, uri, shares.length);
    if (!share) continue;
    const prev = shareNames.get(share.name);
    if (prev) {
      s.report('duplicate-name', `a share named '${share.name}' already exists: give this one a name with 'as'`, { uri, span: d.alias?.span ?? d.buffer.span }, [
        { uri: prev.uri, span: prev.decl.span, message: `the first share '${share.name}'` },
      ]);
      continue;
    }
    shareNames.set(share.name, share);
    shares.push(share);
  }
  return shares;
}

function gatherShare(s: ShareScope, d: A.ShareDecl, uri: string, index: number): Share | undefined {
  const bufSym = s.names.ref(d.buffer, uri, ['buffer'], 'a buffer');
  const importer = resolveImporter(s, d, uri);
  const items = shareItems(s, d, uri);
  const buffer = bufSym ? s.bufferByName.get(bufSym.name) : undefined;
  if (!buffer || !importer) return undefined;
  const importerName = !d.cpu && d.importer ? d.importer.text : 'cpu';
  // iommufd and kvm attach dynamically, with their own invalidation callback (iommufd's revoke).
  const nonPciDefault = importer.kind === 'iommufd' || importer.kind === 'kvm';
  return {
    name: d.alias ? d.alias.text : `${d.buffer.text}->${importerName}`,
    decl: d,
    uri,
    buffer,
    importer,
    importerName,
    attach: items.attach ?? (nonPciDefault ? 'dynamic' : 'static'),
    moveNotify: items.flags.has('move_notify') || (nonPciDefault && items.attach === undefined),
    peer2peer: items.flags.has('peer2peer') || (importer.kind === 'iommufd' && items.attach === undefined),
    via: items.via ?? (nonPciDefault ? 'pfn' : importer.kind === 'cpu' ? 'mmap' : 'sgt'),
    devices: items.devices,
    ats: items.flags.has('ats'),
    tph: items.flags.has('tph'),
    caching: items.caching,
    expects: items.expects,
    index,
    importerKind: items.importerKind ?? (importer.kind === 'pci' ? importer.fn.importerKind : undefined),
    written: { attach: items.attach, moveNotify: items.flags.has('move_notify'), peer2peer: items.flags.has('peer2peer'), via: items.via },
  };
}

/** `-> cpu`, or a PCI endpoint or VF, platform device, iommufd or kvm. */
function resolveImporter(s: ShareScope, d: A.ShareDecl, uri: string): Importer | undefined {
  if (d.cpu) return { kind: 'cpu' };
  if (!d.importer) return undefined;
  const sym = s.names.ref(d.importer, uri, ['pci', 'platform_device', 'iommufd', 'kvm'], 'an importer (a PCI function, platform device, iommufd, kvm or cpu)');
  if (!sym) return undefined;
  const fn = s.fnByName.get(d.importer.text);
  if (fn) {
    if (fn.kind === 'endpoint' || fn.kind === 'vf') return { kind: 'pci', fn };
    s.report('unknown-name', `'${fn.name}' is a ${fn.kind.replace('_', ' ')}, not a device that imports buffers`, { uri, span: d.importer.span });
    return undefined;
  }
  if (sym.kind === 'platform_device') return { kind: 'platform', dev: s.pdevByName.get(d.importer.text)! };
  if (sym.kind === 'iommufd') return { kind: 'iommufd', name: sym.name };
  if (sym.kind === 'kvm') return { kind: 'kvm', name: sym.name };
  return undefined;
}

/** The items of a share body: the last of a kind wins; `devices` are references. */
function shareItems(s: ShareScope, d: A.ShareDecl, uri: string) {
  const devices: PciFunction[] = [];
  let attach: 'static' | 'dynamic' | undefined;
  let via: 'sgt' | 'pfn' | 'mmap' | undefined;
  let caching: A.Caching | undefined;
  let importerKind: ImporterKindRef | undefined;
  const flags = new Set<string>();
  const expects: A.ExpectItem[] = [];
  for (const item of d.items) {
    switch (item.kind) {
      case 'Importer':
        importerKind = { kind: item.importer.value, place: { uri, span: item.span } };
        break;
      case 'Attach':
        attach = item.mode.value;
        break;
      case 'ShareFlag':
        flags.add(item.flag.value);
        break;
      case 'Via':
        via = item.via.value;
        break;
      case 'Devices':
        for (const n of item.devices) {
          const fn = s.names.ref(n, uri, ['pci'], 'a PCI function') ? s.fnByName.get(n.text) : undefined;
          if (fn) devices.push(fn);
        }
        break;
      case 'ShareCaching':
        caching = item.caching.value;
        break;
      case 'Expect':
        expects.push(...item.items);
        break;
    }
  }
  return { devices, attach, via, caching, flags, expects, importerKind };
}
