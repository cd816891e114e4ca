// The PCIe tree below each host bridge, as a graph of PciFunctions: parents, children,
// VFs under their PF, and the implicit downstream ports of a switch (docs/language.md §4.2).
// Values are taken as written; their range checks are in checks/pci.ts.

import type * as A from '../syntax/ast';
import type { Bar, Bdf, HostBridge, PciFunction, Window } from './types';
import type { Names } from './names';
import { dmaMaskBits, rangeLast } from './values';

/** A PCI function with the declaration it was written as (an implicit port has no BDF or items). */
export interface DeclaredFunction {
  readonly fn: PciFunction;
  readonly uri: string;
  readonly bdf: A.BdfLit | undefined;
  /** An endpoint's or VF's items (BARs, dma_mask…); none for a bridge. */
  readonly items: readonly A.EpItem[];
}

/** Every PCI function of the platform, in the depth-first order of the written tree. */
export interface PciTree {
  readonly functions: PciFunction[];
  readonly fnByName: Map<string, PciFunction>;
  readonly declared: DeclaredFunction[];
}

export const emptyPciTree = (): PciTree => ({ functions: [], fnByName: new Map(), declared: [] });

interface Scope {
  readonly names: Names;
  readonly tree: PciTree;
  readonly hb: HostBridge;
  readonly uri: string;
}

type Attributes = Partial<PciFunction>;

export function gatherHostBridge(names: Names, tree: PciTree, d: A.HostBridgeDecl, uri: string): HostBridge {
  names.declare(d.name, 'host_bridge', uri, d.span);
  const windows: Window[] = d.windows.map((w) => ({ first: w.range.first.value, last: rangeLast(w.range), offset: w.offset?.value ?? 0n, place: { uri, span: w.range.span } }));
  const hb: HostBridge = {
    name: d.name.text,
    place: { uri, span: d.name.span },
    id: d.id ? { vendor: d.id.vendor, device: d.id.device } : undefined,
    node: d.node ? Number(d.node.value) : undefined,
    segment: 0,
    windows,
    rootBus: [],
  };
  const scope: Scope = { names, tree, hb, uri };
  for (const c of d.children) visitNode(scope, c, undefined, undefined);
  return hb;
}

function visitNode(s: Scope, node: A.PciNode, parent: PciFunction | undefined, parentSwitch: A.SwitchDecl | undefined): void {
  if (!s.names.declare(node.name, 'pci', s.uri, node.span)) return;
  let up = parent;
  // A child of a switch that is not written as `port` sits behind a downstream port of
  // its own, named SWITCH.CHILD, that carries the switch's acs (§4.2).
  if (parentSwitch && node.kind !== 'Port' && parent) {
    up = addFunction(s, 'port', node, parent, { implicit: true, ...acsOf(parentSwitch.acs) }, `${parentSwitch.name.text}.${node.name.text}`);
  }
  switch (node.kind) {
    case 'RootPort':
    case 'Port':
    case 'Switch': {
      const kind = node.kind === 'RootPort' ? 'root_port' : node.kind === 'Port' ? 'port' : 'switch';
      // A switch's `acs` describes its downstream ports (carried to the implicit
      // ones); the upstream port itself is not an ACS redirect point.
      const acs = node.kind === 'Switch' ? acsOf(undefined) : acsOf(node.acs);
      const fn = addFunction(s, kind, node, up, { bdf: bdfOf(s.hb, node.bdf), ...acs });
      for (const c of node.children) visitNode(s, c, fn, node.kind === 'Switch' ? node : undefined);
      break;
    }
    case 'Endpoint': {
      const id = node.id ? { vendor: node.id.vendor, device: node.id.device } : undefined;
      const fn = addFunction(s, 'endpoint', node, up, { cls: node.cls.value, bdf: bdfOf(s.hb, node.bdf), id, ...endpointItems(node.items, s.uri) });
      addVfs(s, fn, node.items);
      break;
    }
  }
}

/** The `vf` items of a PF (or of a VF, for nested ones), each a function below it. */
function addVfs(s: Scope, pf: PciFunction, items: readonly A.EpItem[]): void {
  for (const it of items) {
    if (it.kind !== 'Vf') continue;
    if (!s.names.declare(it.name, 'pci', s.uri, it.span)) continue;
    // A VF runs its PF's driver: it inherits the PF's importer kind and ODP capability unless it writes its own.
    const own = endpointItems(it.items, s.uri);
    const vf = addFunction(s, 'vf', it, pf, { cls: pf.cls, bdf: bdfOf(s.hb, it.bdf), pf, ...own, importerKind: own.importerKind ?? pf.importerKind, noOdp: own.noOdp || pf.noOdp });
    pf.vfs.push(vf);
    addVfs(s, vf, it.items);
  }
}

/**
 * Adds the function written as `node` below `parent` (or on the root bus). An implicit
 * switch port is given its own name and takes its place from the child it is written for.
 */
function addFunction(s: Scope, kind: PciFunction['kind'], node: A.PciNode | A.VfDecl, parent: PciFunction | undefined, attributes: Attributes, implicitName?: string): PciFunction {
  const name = implicitName ?? node.name.text;
  const fn: PciFunction = {
    name,
    kind,
    cls: undefined,
    place: { uri: s.uri, span: node.name.span },
    declPlace: { uri: s.uri, span: node.span },
    implicit: false,
    hostBridge: s.hb,
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
    importerKind: undefined,
    noOdp: false,
    pf: undefined,
    vfs: [],
    index: s.tree.functions.length,
    ...attributes,
  };
  s.tree.functions.push(fn);
  s.tree.fnByName.set(name, fn);
  const items = implicitName === undefined && (node.kind === 'Endpoint' || node.kind === 'Vf') ? node.items : [];
  s.tree.declared.push({ fn, uri: s.uri, bdf: implicitName === undefined ? node.bdf : undefined, items });
  if (parent) parent.children.push(fn);
  else s.hb.rootBus.push(fn);
  return fn;
}

/** A written BDF; its segment defaults to the host bridge's. */
function bdfOf(hb: HostBridge, lit: A.BdfLit | undefined): Bdf | undefined {
  if (!lit) return undefined;
  return { segment: lit.segment ?? hb.segment, bus: lit.bus, device: lit.device, fn: lit.fn };
}

function acsOf(acs: A.AcsDecl | undefined): Attributes {
  return {
    acsCap: acs !== undefined,
    acsCtlExplicit: acs?.ctl ? new Set(acs.ctl.map((w) => w.value)) : undefined,
    acsCapExplicit: acs?.cap ? new Set(acs.cap.map((w) => w.value)) : undefined,
  };
}

/** An endpoint's or VF's own items (its VFs are added by addVfs); the last of a kind wins. */
function endpointItems(items: readonly A.EpItem[], uri: string): Attributes {
  const bars: Bar[] = [];
  const attributes: { -readonly [K in keyof PciFunction]?: PciFunction[K] } = { dmaMaskBits: 64, busDmaLimit: undefined, ats: false, tph: false, untrusted: false, iommuOverride: undefined };
  let acs: A.AcsDecl | undefined;
  for (const it of items) {
    switch (it.kind) {
      case 'Bar':
        bars.push({ index: Number(it.index.value), first: it.range.first.value, last: rangeLast(it.range), prefetchable: it.prefetchable, place: { uri, span: it.range.span } });
        break;
      case 'DmaMask':
        attributes.dmaMaskBits = dmaMaskBits(it.bits);
        break;
      case 'BusDmaLimit':
        attributes.busDmaLimit = it.limit.value;
        break;
      case 'EpFlag':
        attributes[it.flag.value] = true;
        break;
      case 'Acs':
        acs = it;
        break;
      case 'IommuOverride':
        attributes.iommuOverride = it.mode.value;
        break;
      case 'Importer':
        attributes.importerKind = { kind: it.importer.value, place: { uri, span: it.span } };
        break;
      case 'NoOdp':
        attributes.noOdp = true;
        break;
      case 'Vf':
        break;
    }
  }
  return { bars, ...attributes, ...acsOf(acs) };
}
