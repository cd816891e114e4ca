// From syntax trees to the resolved model: one global name space (LANGUAGE.md §1), the
// PCIe tree as a graph with implicit switch ports (§4.2), defaults applied (§4.1, §4.3)
// and the value checks of §5 (`invalid-value`, `unknown-name`, `duplicate-name`,
// `missing-platform`).

import type * as A from '../syntax/ast';
import type {
  Bar,
  Bdf,
  Buffer,
  HostBridge,
  Importer,
  Memory,
  PciFunction,
  Place,
  Platform,
  PlatformDevice,
  Reference,
  ResolvedModel,
  Share,
  SymbolInfo,
  SymbolKind,
  Window,
} from './types';
import type { Finding } from '../ground/findings';
import type { DiagnosticCode } from '../ground/codes';
import type { ModelFile } from './types';
import { formatSize, hex } from '../ground/format';

export type { ResolvedModel } from './types';

const MIB2 = 2n * 1024n * 1024n;
const alignUp = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;

/** Inclusive end of `A .. B` or `A size S`. */
export function rangeLast(r: A.AddrRange): bigint {
  if (r.lastLit) return r.lastLit.value;
  if (r.sizeLit) return r.first.value + r.sizeLit.value - 1n;
  return r.first.value;
}

class Builder {
  readonly findings: Finding[] = [];
  readonly symbols = new Map<string, SymbolInfo>();
  readonly references: Reference[] = [];
  readonly functions: PciFunction[] = [];
  private readonly pendingRefs: { name: A.Name; uri: string; resolve: (s: SymbolInfo | undefined) => void }[] = [];

  report(code: DiagnosticCode, message: string, place: Place, related: Finding['related'] = []): void {
    this.findings.push({ code, severity: 'error', phase: 'names', message, uri: place.uri, span: place.span, related });
  }

  declare(name: A.Name, kind: SymbolKind, uri: string, declSpan: A.Span): boolean {
    const prev = this.symbols.get(name.text);
    const place = { uri, span: name.span };
    if (prev) {
      this.report('duplicate-name', `'${name.text}' is already declared (as a ${kindWord(prev.kind)}): names are global to a model`, place, [
        { uri: prev.place.uri, span: prev.place.span, message: `first declaration of '${name.text}'` },
      ]);
      return false;
    }
    this.symbols.set(name.text, { name: name.text, kind, place, declPlace: { uri, span: declSpan } });
    return true;
  }

  /** A reference resolved now (all declarations are collected first). */
  ref(name: A.Name, uri: string, kinds: readonly SymbolKind[], what: string): SymbolInfo | undefined {
    const sym = this.symbols.get(name.text);
    const ok = sym && kinds.includes(sym.kind) ? sym : undefined;
    this.references.push({ name, uri, symbol: sym });
    if (!sym) {
      this.report('unknown-name', `'${name.text}' is not declared in this model: expected ${what}`, { uri, span: name.span });
    } else if (!ok) {
      this.report('unknown-name', `'${name.text}' is a ${kindWord(sym.kind)}, not ${what}`, { uri, span: name.span }, [
        { uri: sym.place.uri, span: sym.place.span, message: `'${name.text}' is declared here` },
      ]);
    }
    return ok;
  }

  flushPending(): void {
    for (const p of this.pendingRefs) p.resolve(this.symbols.get(p.name.text));
  }
}

function kindWord(k: SymbolKind): string {
  switch (k) {
    case 'pci':
      return 'PCI device';
    case 'host_bridge':
      return 'host bridge';
    case 'platform_device':
      return 'platform device';
    default:
      return k;
  }
}

export function buildModel(files: readonly ModelFile[]): ResolvedModel {
  const b = new Builder();
  // Addresses and sizes are u64 in the kernel: every literal must fit in 64 bits.
  for (const f of files) for (const lit of f.parse.wideLiterals) b.report('invalid-value', `${lit.text} does not fit in 64 bits`, { uri: f.uri, span: lit.span });
  const fnByName = new Map<string, PciFunction>();
  const pdevByName = new Map<string, PlatformDevice>();

  // -------------------------------------------------------------- platform
  const platforms = files.flatMap((f) => f.parse.model.items.filter((i): i is A.PlatformDecl => i.kind === 'Platform').map((p) => ({ p, uri: f.uri })));
  let platform: Platform | undefined;
  const first = platforms[0];
  if (first) {
    b.declare(first.p.name, 'platform', first.uri, first.p.span);
    for (const extra of platforms.slice(1)) {
      b.report('duplicate-name', `a model has one platform: '${extra.p.name.text}' is a second one`, { uri: extra.uri, span: extra.p.name.span }, [
        { uri: first.uri, span: first.p.name.span, message: `the platform '${first.p.name.text}'` },
      ]);
    }
    platform = buildPlatform(b, first.p, first.uri, fnByName, pdevByName);
  }

  // -------------------------------------------------------------- declarations of buffers and shares
  const bufferDecls: { d: A.BufferDecl; uri: string }[] = [];
  const shareDecls: { d: A.ShareDecl; uri: string }[] = [];
  // Shares in share order: a used file's shares come at the point of its use.
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

  for (const { d, uri } of bufferDecls) b.declare(d.name, 'buffer', uri, d.span);
  for (const { d, uri } of shareDecls) if (d.alias) b.declare(d.alias, 'share', uri, d.span);

  if (!platform) {
    const firstUse = bufferDecls[0]
      ? { uri: bufferDecls[0].uri, span: bufferDecls[0].d.name.span }
      : shareDecls[0]
        ? { uri: shareDecls[0].uri, span: shareDecls[0].d.buffer.span }
        : undefined;
    if (firstUse) {
      b.report('missing-platform', 'buffers and shares need a platform block (or a `use` of a file that has one): there is no machine to map them on', firstUse);
    }
  }

  // Platform-internal references (link members, parents) are resolved once every name is known.
  if (platform && first) resolvePlatformRefs(b, first.p, first.uri, platform, fnByName);

  // -------------------------------------------------------------- buffers
  const buffers: Buffer[] = [];
  const bufferByName = new Map<string, Buffer>();
  const barCursor = new Map<Bar, bigint>();
  for (const { d, uri } of bufferDecls) {
    const reported = b.findings.length;
    const built = buildBuffer(b, d, uri, fnByName, barCursor, buffers.length);
    // Every finding buildBuffer makes is about this buffer.
    const buf = built && b.findings.length > reported ? { ...built, invalid: true } : built;
    if (buf) {
      buffers.push(buf);
      if (!bufferByName.has(buf.name)) bufferByName.set(buf.name, buf);
    }
  }

  // -------------------------------------------------------------- shares
  const shares: Share[] = [];
  const shareNames = new Map<string, Share>();
  for (const { d, uri } of shareDecls) {
    const bufSym = b.ref(d.buffer, uri, ['buffer'], 'a buffer');
    let importer: Importer | undefined;
    let importerName = 'cpu';
    if (d.cpu) importer = { kind: 'cpu' };
    else if (d.importer) {
      importerName = d.importer.text;
      const sym = b.ref(d.importer, uri, ['pci', 'platform_device', 'iommufd', 'kvm'], 'an importer (a PCI function, platform device, iommufd, kvm or cpu)');
      if (sym) {
        const fn = fnByName.get(d.importer.text);
        if (fn) {
          if (fn.kind === 'endpoint' || fn.kind === 'vf') importer = { kind: 'pci', fn };
          else b.report('unknown-name', `'${fn.name}' is a ${fn.kind.replace('_', ' ')}, not a device that imports buffers`, { uri, span: d.importer.span });
        } else if (sym.kind === 'platform_device') importer = { kind: 'platform', dev: pdevByName.get(d.importer.text)! };
        else if (sym.kind === 'iommufd') importer = { kind: 'iommufd', name: sym.name };
        else if (sym.kind === 'kvm') importer = { kind: 'kvm', name: sym.name };
      }
    }
    const devices: PciFunction[] = [];
    let attach: 'static' | 'dynamic' | undefined;
    let via: 'sgt' | 'pfn' | 'mmap' | undefined;
    let caching: A.Caching | undefined;
    const flags = new Set<string>();
    const expects: A.ExpectItem[] = [];
    for (const item of d.items) {
      switch (item.kind) {
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
            if (b.ref(n, uri, ['pci'], 'a PCI function')) {
              const fn = fnByName.get(n.text);
              if (fn) devices.push(fn);
            }
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
    const buffer = bufSym ? bufferByName.get(bufSym.name) : undefined;
    if (!buffer || !importer) continue;
    const name = d.alias ? d.alias.text : `${d.buffer.text}->${importerName}`;
    const nonPciDefault = importer.kind === 'iommufd' || importer.kind === 'kvm';
    const share: Share = {
      name,
      decl: d,
      uri,
      buffer,
      importer,
      importerName,
      attach: attach ?? (nonPciDefault ? 'dynamic' : 'static'),
      // iommufd and kvm attach with their own invalidation callback (iommufd's revoke).
      moveNotify: flags.has('move_notify') || (nonPciDefault && attach === undefined),
      peer2peer: flags.has('peer2peer') || (importer.kind === 'iommufd' && attach === undefined),
      via: via ?? (importer.kind === 'iommufd' || importer.kind === 'kvm' ? 'pfn' : importer.kind === 'cpu' ? 'mmap' : 'sgt'),
      devices,
      ats: flags.has('ats'),
      tph: flags.has('tph'),
      caching,
      expects,
      index: shares.length,
    };
    const prev = shareNames.get(name);
    if (prev) {
      b.report('duplicate-name', `a share named '${name}' already exists: give this one a name with 'as'`, { uri, span: d.alias?.span ?? d.buffer.span }, [
        { uri: prev.uri, span: prev.decl.span, message: `the first share '${name}'` },
      ]);
      continue;
    }
    shareNames.set(name, share);
    shares.push(share);
  }
  b.flushPending();

  return { platform, functions: b.functions, buffers, shares, symbols: b.symbols, references: b.references, findings: b.findings };
}

// ---------------------------------------------------------------------------- platform

function buildPlatform(
  b: Builder,
  p: A.PlatformDecl,
  uri: string,
  fnByName: Map<string, PciFunction>,
  pdevByName: Map<string, PlatformDevice>,
): Platform {
  let cpu: Platform['cpu'] = { vendor: 'intel', family: 6 };
  const kernel = { moveNotify: false, forcedac: false, swiotlbOff: false, swiotlbForce: false, ccGuest: false, disableAcsRedir: [] as (Bdf & { place: Place })[] };
  let iommu: Platform['iommu'];
  const memories: Memory[] = [];
  const hostBridges: HostBridge[] = [];
  const platformDevices: PlatformDevice[] = [];
  const iommufds: { name: string; place: Place }[] = [];
  const kvms: { name: string; place: Place }[] = [];
  const at = (span: A.Span): Place => ({ uri, span });

  for (const item of p.items) {
    switch (item.kind) {
      case 'Cpu': {
        const family = item.family ? Number(item.family.value) : item.vendor.value === 'amd' ? 0x19 : 6;
        cpu = { vendor: item.vendor.value, family };
        break;
      }
      case 'Kernel':
        for (const o of item.options) {
          if (o.kind === 'KernelFlag') {
            const f = o.flag.value;
            if (f === 'move_notify') kernel.moveNotify = true;
            else if (f === 'forcedac') kernel.forcedac = true;
            else if (f === 'swiotlb_off') kernel.swiotlbOff = true;
            else if (f === 'swiotlb_force') kernel.swiotlbForce = true;
            else kernel.ccGuest = true;
          } else {
            for (const bdf of o.bdfs) {
              checkBdf(b, bdf, uri);
              kernel.disableAcsRedir.push({ segment: bdf.segment ?? 0, bus: bdf.bus, device: bdf.device, fn: bdf.fn, place: at(bdf.span) });
            }
          }
        }
        break;
      case 'Iommu': {
        if (iommu) b.report('invalid-value', 'a platform has one iommu statement', at(item.type.span));
        const reserves = item.reserves.map((r) => ({ first: r.first.value, last: rangeLast(r) }));
        for (const r of item.reserves) if (rangeLast(r) < r.first.value) b.report('invalid-value', 'the reserved range ends before it starts', at(r.span));
        let apertureBits = 48;
        for (const a of item.apertures) {
          const v = Number(a.value);
          if (v < 32 || v > 64) b.report('invalid-value', `aperture ${a.text} is outside 32–64 bits`, at(a.span));
          else apertureBits = v;
        }
        iommu = { type: item.type.value, mode: item.mode?.value ?? 'dma', reserves, apertureBits, place: at(item.span) };
        break;
      }
      case 'Memory': {
        if (!b.declare(item.name, 'memory', uri, item.span)) break;
        const last = rangeLast(item.range);
        if (last < item.range.first.value) b.report('invalid-value', 'the range ends before it starts', at(item.range.span));
        else if (item.range.sizeLit && item.range.sizeLit.value === 0n) b.report('invalid-value', 'size 0', at(item.range.sizeLit.span));
        memories.push({ name: item.name.text, first: item.range.first.value, last, node: item.node ? Number(item.node.value) : undefined, place: at(item.name.span) });
        break;
      }
      case 'HostBridge':
        hostBridges.push(buildHostBridge(b, item, uri, fnByName));
        break;
      case 'Link':
        break; // resolved with the other references
      case 'PlatformDevice': {
        if (!b.declare(item.name, 'platform_device', uri, item.span)) break;
        let dmaMaskBits = 32;
        const dmaRanges: { bus: bigint; cpu: bigint; size: bigint }[] = [];
        let iommuOverride: PlatformDevice['iommuOverride'];
        for (const it of item.items) {
          if (it.kind === 'DmaMask') dmaMaskBits = checkMask(b, it.bits, uri);
          else if (it.kind === 'DmaRange') {
            if (it.size.value === 0n) b.report('invalid-value', 'size 0', at(it.size.span));
            dmaRanges.push({ bus: it.bus.value, cpu: it.cpu.value, size: it.size.value });
          } else if (it.kind === 'IommuOverride') iommuOverride = it.mode.value;
        }
        const dev: PlatformDevice = { name: item.name.text, place: at(item.name.span), dmaMaskBits, dmaRanges, iommuOverride, parent: undefined, index: platformDevices.length };
        platformDevices.push(dev);
        pdevByName.set(dev.name, dev);
        break;
      }
      case 'Iommufd':
        if (b.declare(item.name, 'iommufd', uri, item.span)) iommufds.push({ name: item.name.text, place: at(item.name.span) });
        break;
      case 'Kvm':
        if (b.declare(item.name, 'kvm', uri, item.span)) kvms.push({ name: item.name.text, place: at(item.name.span) });
        break;
    }
  }
  checkBarOverlaps(b, hostBridges);
  if (!iommu) checkOverridesWithoutIommu(b, p, uri);
  return {
    name: p.name.text,
    place: at(p.name.span),
    cpu,
    kernel,
    iommu,
    memories,
    hostBridges,
    links: [],
    platformDevices,
    iommufds,
    kvms,
  };
}

/** `iommu dma` or `iommu private` on a device of a platform without an IOMMU has no domain to give. */
function checkOverridesWithoutIommu(b: Builder, p: A.PlatformDecl, uri: string): void {
  const report = (mode: A.Word) =>
    b.report('invalid-value', `'iommu ${mode.value}' needs an IOMMU: this platform declares none, so every device uses dma-direct`, { uri, span: mode.span });
  const visitItems = (items: readonly A.EpItem[]) => {
    for (const it of items) {
      if (it.kind === 'IommuOverride' && it.mode.value !== 'identity') report(it.mode);
      else if (it.kind === 'Vf') visitItems(it.items);
    }
  };
  const visitNode = (n: A.PciNode) => {
    if (n.kind === 'Endpoint') visitItems(n.items);
    else for (const c of n.children) visitNode(c);
  };
  for (const item of p.items) {
    if (item.kind === 'HostBridge') item.children.forEach(visitNode);
    else if (item.kind === 'PlatformDevice') {
      for (const it of item.items) if (it.kind === 'IommuOverride' && (it.mode.value === 'dma' || it.mode.value === 'private')) report(it.mode);
    }
  }
}

function resolvePlatformRefs(b: Builder, p: A.PlatformDecl, uri: string, platform: Platform, fnByName: Map<string, PciFunction>): void {
  const links = platform.links as Platform['links'][number][];
  for (const item of p.items) {
    if (item.kind === 'Link') {
      const members: string[] = [];
      for (const m of item.members) if (b.ref(m, uri, ['pci'], 'a PCI device')) members.push(m.text);
      links.push({ type: item.type.value, members, place: { uri, span: item.span } });
    } else if (item.kind === 'PlatformDevice') {
      const parentItem = item.items.find((i) => i.kind === 'Parent');
      if (parentItem && parentItem.kind === 'Parent' && b.ref(parentItem.parent, uri, ['pci'], 'a PCI function')) {
        const dev = platform.platformDevices.find((d) => d.name === item.name.text);
        const fn = fnByName.get(parentItem.parent.text);
        if (dev && fn) (dev as { parent: PciFunction | undefined }).parent = fn;
      }
    }
  }
}

function checkMask(b: Builder, bits: A.IntLit, uri: string): number {
  const v = Number(bits.value);
  if (v < 12 || v > 64) {
    b.report('invalid-value', `dma_mask ${bits.text} is outside 12–64 bits`, { uri, span: bits.span });
    return 64;
  }
  return v;
}

function checkBdf(b: Builder, bdf: A.BdfLit, uri: string): void {
  if (bdf.fn > 7) b.report('invalid-value', `function ${bdf.fn} in ${bdf.text}: a PCI function number is 0–7`, { uri, span: bdf.span });
  else if (bdf.device > 0x1f) b.report('invalid-value', `device ${hex(BigInt(bdf.device))} in ${bdf.text}: a PCI device number is 00–1f`, { uri, span: bdf.span });
}

// ---------------------------------------------------------------------------- the PCIe tree

function buildHostBridge(b: Builder, d: A.HostBridgeDecl, uri: string, fnByName: Map<string, PciFunction>): HostBridge {
  const at = (span: A.Span): Place => ({ uri, span });
  b.declare(d.name, 'host_bridge', uri, d.span);
  const windows: Window[] = d.windows.map((w) => ({ first: w.range.first.value, last: rangeLast(w.range), offset: w.offset?.value ?? 0n, place: at(w.range.span) }));
  for (const w of windows) if (w.last < w.first) b.report('invalid-value', 'the window ends before it starts', w.place);
  const hb: HostBridge = {
    name: d.name.text,
    place: at(d.name.span),
    id: d.id ? { vendor: d.id.vendor, device: d.id.device } : undefined,
    node: d.node ? Number(d.node.value) : undefined,
    segment: 0,
    windows,
    rootBus: [],
  };

  const make = (
    kind: PciFunction['kind'],
    name: string,
    place: Place,
    declPlace: Place,
    parent: PciFunction | undefined,
    extra: Partial<PciFunction>,
  ): PciFunction => {
    const fn: PciFunction = {
      name,
      kind,
      cls: undefined,
      place,
      declPlace,
      implicit: false,
      hostBridge: hb,
      parent,
      children: [],
      bdf: undefined,
      id: undefined,
      acsCap: false,
      acsCtlExplicit: undefined,
      acsCapExplicit: undefined,
      bars: [],
      dmaMaskBits: 64,
      busDmaLimit: undefined,
      ats: false,
      tph: false,
      untrusted: false,
      iommuOverride: undefined,
      pf: undefined,
      vfs: [],
      index: b.functions.length,
      ...extra,
    };
    b.functions.push(fn);
    fnByName.set(name, fn);
    if (parent) parent.children.push(fn);
    else hb.rootBus.push(fn);
    return fn;
  };

  const bdfOf = (lit: A.BdfLit | undefined): Bdf | undefined => {
    if (!lit) return undefined;
    checkBdf(b, lit, uri);
    return { segment: lit.segment ?? hb.segment, bus: lit.bus, device: lit.device, fn: lit.fn };
  };
  const acsOf = (acs: A.AcsDecl | undefined) => ({
    acsCap: acs !== undefined,
    acsCtlExplicit: acs?.ctl ? new Set(acs.ctl.map((w) => w.value)) : undefined,
    acsCapExplicit: acs?.cap ? new Set(acs.cap.map((w) => w.value)) : undefined,
  });

  const endpointItems = (items: readonly A.EpItem[]) => {
    const bars: Bar[] = [];
    let dmaMaskBits = 64;
    let busDmaLimit: bigint | undefined;
    let ats = false;
    let tph = false;
    let untrusted = false;
    let acs: A.AcsDecl | undefined;
    let iommuOverride: PciFunction['iommuOverride'];
    for (const it of items) {
      switch (it.kind) {
        case 'Bar': {
          const first = it.range.first.value;
          const last = rangeLast(it.range);
          const idx = Number(it.index.value);
          if (idx > 5) b.report('invalid-value', `BAR ${it.index.text}: a function has BARs 0–5`, at(it.index.span));
          if (last < first || (it.range.sizeLit && it.range.sizeLit.value === 0n)) b.report('invalid-value', 'an empty BAR (size 0 or an end before its start)', at(it.range.span));
          else if (!windows.some((w) => first >= w.first && last <= w.last)) {
            b.report(
              'invalid-value',
              `BAR ${idx} (${hex(first)} .. ${hex(last)}) lies outside every window of host bridge '${hb.name}': the kernel could not assign it`,
              at(it.range.span),
              [{ uri, span: d.name.span, message: `host bridge '${hb.name}' and its windows` }],
            );
          }
          bars.push({ index: idx, first, last, prefetchable: it.prefetchable, place: at(it.range.span) });
          break;
        }
        case 'DmaMask':
          dmaMaskBits = checkMask(b, it.bits, uri);
          break;
        case 'BusDmaLimit':
          busDmaLimit = it.limit.value;
          break;
        case 'EpFlag':
          if (it.flag.value === 'ats') ats = true;
          else if (it.flag.value === 'tph') tph = true;
          else untrusted = true;
          break;
        case 'Acs':
          acs = it;
          break;
        case 'IommuOverride':
          iommuOverride = it.mode.value;
          break;
        case 'Vf':
          break;
      }
    }
    return { bars, dmaMaskBits, busDmaLimit, ats, tph, untrusted, iommuOverride, ...acsOf(acs) };
  };

  const addVfs = (pf: PciFunction, items: readonly A.EpItem[]) => {
    for (const it of items) {
      if (it.kind !== 'Vf') continue;
      if (!b.declare(it.name, 'pci', uri, it.span)) continue;
      const vf = make('vf', it.name.text, at(it.name.span), at(it.span), pf, {
        cls: pf.cls,
        bdf: bdfOf(it.bdf),
        pf,
        ...endpointItems(it.items),
      });
      pf.vfs.push(vf);
      addVfs(vf, it.items);
    }
  };

  const visit = (node: A.PciNode, parent: PciFunction | undefined, parentSwitch: A.SwitchDecl | undefined): void => {
    if (!b.declare(node.name, 'pci', uri, node.span)) return;
    let up = parent;
    // A child of a switch that is not written as `port` sits behind a downstream port of
    // its own, named SWITCH.CHILD, that carries the switch's acs (§4.2).
    if (parentSwitch && node.kind !== 'Port' && parent) {
      up = make('port', `${parentSwitch.name.text}.${node.name.text}`, at(node.name.span), at(node.span), parent, {
        implicit: true,
        ...acsOf(parentSwitch.acs),
      });
    }
    switch (node.kind) {
      case 'RootPort':
      case 'Port':
      case 'Switch': {
        const kind = node.kind === 'RootPort' ? 'root_port' : node.kind === 'Port' ? 'port' : 'switch';
        // A switch's `acs` describes its downstream ports (carried to the implicit
        // ones); the upstream port itself is not an ACS redirect point.
        const acs = node.kind === 'Switch' ? acsOf(undefined) : acsOf(node.acs);
        const fn = make(kind, node.name.text, at(node.name.span), at(node.span), up, { bdf: bdfOf(node.bdf), ...acs });
        for (const c of node.children) visit(c, fn, node.kind === 'Switch' ? node : undefined);
        break;
      }
      case 'Endpoint': {
        const fn = make('endpoint', node.name.text, at(node.name.span), at(node.span), up, {
          cls: node.cls.value,
          bdf: bdfOf(node.bdf),
          id: node.id ? { vendor: node.id.vendor, device: node.id.device } : undefined,
          ...endpointItems(node.items),
        });
        addVfs(fn, node.items);
        break;
      }
    }
  };
  for (const c of d.children) visit(c, undefined, undefined);
  return hb;
}

function checkBarOverlaps(b: Builder, hbs: readonly HostBridge[]): void {
  const all: { bar: Bar; owner: string }[] = [];
  const collect = (fn: PciFunction) => {
    for (const bar of fn.bars) all.push({ bar, owner: fn.name });
    for (const c of fn.children) collect(c);
  };
  for (const hb of hbs) for (const fn of hb.rootBus) collect(fn);
  all.sort((x, y) => (x.bar.first < y.bar.first ? -1 : x.bar.first > y.bar.first ? 1 : 0));
  for (let i = 1; i < all.length; i++) {
    const prev = all[i - 1]!;
    const cur = all[i]!;
    if (cur.bar.first <= prev.bar.last) {
      b.report('invalid-value', `BAR ${cur.bar.index} of '${cur.owner}' overlaps BAR ${prev.bar.index} of '${prev.owner}'`, cur.bar.place, [
        { uri: prev.bar.place.uri, span: prev.bar.place.span, message: `BAR ${prev.bar.index} of '${prev.owner}'` },
      ]);
    }
  }
}

// ---------------------------------------------------------------------------- buffers

function defaultDriver(fn: PciFunction): Buffer['driver'] {
  // Not in the spec: a device without `driver` exports like the mainline driver of
  // its class would (GPU: amdgpu; NVMe CMB: p2pmem; anything else: vfio-pci).
  if (fn.cls === 'gpu') return 'amdgpu';
  if (fn.cls === 'nvme') return 'p2pmem';
  return 'vfio-pci';
}

function buildBuffer(
  b: Builder,
  d: A.BufferDecl,
  uri: string,
  fnByName: Map<string, PciFunction>,
  barCursor: Map<Bar, bigint>,
  index: number,
): Buffer | undefined {
  const at = (span: A.Span): Place => ({ uri, span });
  let exporter: PciFunction | undefined;
  if (d.exporter) {
    if (!b.ref(d.exporter, uri, ['pci'], 'an exporting PCI device (or heap)')) return undefined;
    exporter = fnByName.get(d.exporter.text);
    if (!exporter || (exporter.kind !== 'endpoint' && exporter.kind !== 'vf')) {
      b.report('invalid-value', `'${d.exporter.text}' is a ${exporter?.kind.replace('_', ' ') ?? 'name'}: only endpoints and VFs export buffers`, at(d.exporter.span));
      return undefined;
    }
  } else if (!d.heap) return undefined;

  if (d.heap && d.driver) b.report('invalid-value', `a heap buffer has no exporting driver: remove 'driver ${d.driver.value}'`, at(d.driver.span));
  const driver: Buffer['driver'] = exporter ? (d.driver?.value ?? defaultDriver(exporter)) : 'heap';

  let size: bigint | undefined;
  let placement: 'vram' | 'system' | undefined;
  let barIndex: A.IntLit | undefined;
  let barOffset: A.SizeLit | undefined;
  const ranges: Buffer['ranges'][number][] = [];
  let atAddr: bigint | undefined;
  let fallback = driver === 'amdgpu';
  let caching: A.Caching | undefined;
  let fallbackItem: A.Span | undefined;
  for (const it of d.items) {
    switch (it.kind) {
      case 'BufSize':
        if (it.size.value === 0n) b.report('invalid-value', 'size 0: a dma-buf has at least one page', at(it.size.span));
        size = it.size.value;
        break;
      case 'Placement':
        placement = it.placement.value;
        break;
      case 'BufBar':
        barIndex = it.index;
        barOffset = it.offset;
        break;
      case 'BufRange':
        if (it.size.value === 0n) b.report('invalid-value', 'a range of size 0: vfio-pci refuses empty ranges (vfio_pci_core_feature_dma_buf)', at(it.size.span));
        ranges.push({ offset: it.offset.value, size: it.size.value, place: at(it.span) });
        break;
      case 'At':
        atAddr = it.address.value;
        break;
      case 'Fallback':
        fallback = true;
        fallbackItem = it.span;
        break;
      case 'BufCaching':
        caching = it.caching.value;
        break;
    }
  }
  if (fallbackItem && (driver === 'vfio-pci' || driver === 'p2pmem')) {
    b.report('invalid-value', `a ${driver} buffer is a BAR: it cannot migrate to system memory`, at(fallbackItem));
    fallback = false;
  }
  const declaredPlacement = placement ?? (exporter ? 'vram' : 'system');
  if (!exporter && declaredPlacement === 'vram') b.report('invalid-value', 'a heap buffer lives in system memory', at(d.heap!.span));
  const rangeTotal = ranges.reduce((s, r) => s + r.size, 0n);
  if (size === undefined) {
    if (ranges.length > 0) size = rangeTotal;
    else {
      b.report('invalid-value', `buffer '${d.name.text}' has no size: add 'size' (e.g. size 64M)`, at(d.name.span));
      size = 0n;
    }
  }

  let bar: Bar | undefined;
  let offset = 0n;
  if (exporter && declaredPlacement === 'vram') {
    if (exporter.bars.length === 0) {
      b.report('invalid-value', `'${exporter.name}' declares no BAR to hold buffer '${d.name.text}'`, at(d.exporter!.span));
    } else {
      if (barIndex) {
        bar = exporter.bars.find((x) => x.index === Number(barIndex!.value));
        if (!bar) b.report('invalid-value', `'${exporter.name}' has no BAR ${barIndex.text}`, at(barIndex.span));
      } else {
        // Default BAR: the exporter's largest (LANGUAGE.md §4.3).
        bar = [...exporter.bars].sort((x, y) => (y.last - y.first > x.last - x.first ? 1 : y.last - y.first < x.last - x.first ? -1 : x.index - y.index))[0];
      }
      if (bar) {
        const barSize = bar.last - bar.first + 1n;
        if (barOffset) offset = barOffset.value;
        else if (ranges.length === 0) {
          // Buffers of one BAR are packed in declaration order, each aligned to 2 MiB.
          offset = alignUp(barCursor.get(bar) ?? 0n, MIB2);
        }
        if (ranges.length === 0) barCursor.set(bar, offset + size);
        const extentEnd = ranges.length > 0 ? ranges.reduce((m, r) => (r.offset + r.size > m ? r.offset + r.size : m), 0n) : offset + size;
        if (extentEnd > barSize) {
          b.report(
            'invalid-value',
            `buffer '${d.name.text}' (${formatSize(size)} at offset ${hex(offset)}) does not fit in BAR ${bar.index} of '${exporter.name}' (${formatSize(barSize)})`,
            at(d.name.span),
            [{ uri: bar.place.uri, span: bar.place.span, message: `BAR ${bar.index} of '${exporter.name}'` }],
          );
        }
      }
    }
  }
  if (ranges.length > 0 && size > rangeTotal) {
    b.report('invalid-value', `buffer '${d.name.text}' (${formatSize(size)}) is larger than its ranges (${formatSize(rangeTotal)})`, at(d.name.span));
  }
  if (ranges.length > 0 && driver !== 'vfio-pci') {
    b.report('invalid-value', "'range' describes vfio-pci export ranges; this buffer is not exported by vfio-pci", ranges[0]!.place!);
  }
  return {
    name: d.name.text,
    decl: d,
    uri,
    place: at(d.name.span),
    exporter,
    driver,
    size,
    declaredPlacement,
    bar,
    barOffset: offset,
    ranges: ranges.length > 0 ? ranges : bar ? [{ offset, size, place: undefined }] : [],
    at: atAddr,
    fallback,
    caching,
    index,
    invalid: false,
  };
}
