// The picture of a model, as plain data: the machine (CPU, RAM, host bridges, the PCIe
// tree with switches and their ports, endpoints and VFs), the importers that are not
// PCI functions and the private links beside it, the IOMMU groups, and every share as
// the route its TLPs take, as the engine computed it. Nothing here is computed twice: map types, paths,
// groups and ACS redirects are the engine's. No LSP, no layout, no drawing.

import type { EngineResult } from '../engine/run';
import { hasAcsRedir } from '../engine/acs';
import type { PciFunction, Place, ResolvedModel } from '../model/types';
import type { MapType } from '../engine/types';
import { bdfShort, formatSize, hex, pciIdText } from '../ground/format';
import { applyFilter, type ViewFilter } from './filter';

type NodeKind =
  | 'cpu'
  | 'memory'
  | 'host_bridge'
  | 'root_port'
  | 'switch'
  | 'port'
  | 'endpoint'
  | 'vf'
  | 'platform_device'
  | 'iommufd'
  | 'kvm'
  | 'link'
  | 'collapsed';

/**
 * How a share ended, for colour: the P2P map type when the buffer stays in VRAM or a
 * BAR, `system` when it is (or falls back to) system memory, `failed` when the map
 * fails whatever the map type, `none` for the rest (CPU access through the exporter).
 */
export type Outcome = 'bus-addr' | 'thru-host-bridge' | 'not-supported' | 'failed' | 'system' | 'private' | 'none';

/** The colour of each outcome (the SVG's defaults, overridable by CSS variables; DOT's colours). */
export const OUTCOME_COLOUR: Readonly<Record<Outcome, string>> = {
  'bus-addr': '#1a7f37',
  'thru-host-bridge': '#bc4c00',
  'not-supported': '#cf222e',
  failed: '#82071e',
  system: '#0969da',
  private: '#8250df',
  none: '#6e7781',
};

export const OUTCOMES: readonly { readonly outcome: Outcome; readonly label: string }[] = [
  { outcome: 'bus-addr', label: 'BUS_ADDR: P2P turns around at a common switch' },
  { outcome: 'thru-host-bridge', label: 'THRU_HOST_BRIDGE: P2P through the root complex' },
  { outcome: 'not-supported', label: 'NOT_SUPPORTED' },
  { outcome: 'failed', label: 'the map fails' },
  { outcome: 'system', label: 'system memory (heap, or fallback from VRAM)' },
  { outcome: 'private', label: 'PRIVATE: a link or the iommufd/pfn path' },
  { outcome: 'none', label: 'no DMA mapping (CPU access)' },
];

/** The outcome class of a share's result (docs/language.md §7 fields). */
function outcomeOf(r: { readonly mapType: MapType; readonly ok: boolean; readonly placement: 'vram' | 'system' }): Outcome {
  if (!r.ok) return 'failed';
  if (r.mapType === 'PRIVATE') return 'private';
  if (r.placement === 'system') return 'system';
  if (r.mapType === 'BUS_ADDR') return 'bus-addr';
  if (r.mapType === 'THRU_HOST_BRIDGE') return 'thru-host-bridge';
  if (r.mapType === 'NOT_SUPPORTED') return 'not-supported';
  return 'none';
}

export interface TopoNode {
  /** The model's name of the thing (`cpu` for the CPU; `link:N` for the N-th link). */
  readonly id: string;
  readonly kind: NodeKind;
  /** Endpoint class (gpu, nic…), for endpoints and VFs. */
  readonly cls: string | undefined;
  readonly label: string;
  /** More lines under the label: kind and BDF, ids, sizes. */
  readonly lines: readonly string[];
  readonly bdf: string | undefined;
  /** The IOMMU group of an endpoint or VF (only when the platform has an IOMMU). */
  readonly iommuGroup: number | undefined;
  /** ACS redirect (RR, CR or EC) is set on this function (pci_bridge_has_acs_redir). */
  readonly acsRedirect: boolean;
  /** An implicit switch downstream port (docs/language.md §4.2). */
  readonly implicit: boolean;
  /** The box the node is drawn in: `switch:NAME`, `group:N` or `side`. */
  readonly box: string | undefined;
  /** Where it is declared (its name). */
  readonly place: Place | undefined;
}

interface TopoEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** `tree`: the PCIe tree (and CPU to host bridges and RAM); `vf`: PF to VF. */
  readonly kind: 'tree' | 'vf';
}

interface TopoBox {
  readonly id: string;
  readonly kind: 'switch' | 'group' | 'side';
  readonly label: string;
  /** IOMMU group number, for `group` boxes. */
  readonly group: number | undefined;
  readonly reason: string | undefined;
}

export interface TopoShare {
  /** The share's name (docs/language.md §7). */
  readonly id: string;
  readonly buffer: string;
  readonly exporter: string | null;
  readonly importer: string;
  readonly mapType: MapType;
  readonly distance: number | null;
  readonly ok: boolean;
  readonly placement: 'vram' | 'system';
  readonly addressKind: string;
  readonly outcome: Outcome;
  /**
   * The nodes the share is drawn through: the engine's `route` (where its TLPs go) when
   * it has one; otherwise (the map fails, or CPU physical ranges are handed over) what
   * was asked: the engine's `path`, or from where the data is to the importer.
   */
  readonly route: readonly string[];
  /** The engine's `route`: the nodes the TLPs traverse (empty: none are sent). */
  readonly tlps: readonly string[];
  /** TLPs go along the drawn route; false: it shows what was asked, not traffic. */
  readonly traffic: boolean;
  /** Drawn as a straight line between its ends: not along the PCIe tree. */
  readonly direct: boolean;
  /** The `link` (its id, `link:N`) the share goes over instead of PCIe (PRIVATE, XGMI). */
  readonly link: string | undefined;
  readonly place: Place;
}

interface TopoLink {
  readonly id: string;
  readonly type: string;
  readonly members: readonly string[];
}

export interface Topology {
  readonly title: string;
  readonly nodes: readonly TopoNode[];
  readonly edges: readonly TopoEdge[];
  readonly boxes: readonly TopoBox[];
  readonly shares: readonly TopoShare[];
  readonly links: readonly TopoLink[];
  /** Whether IOMMU groups are drawn (the platform has an IOMMU). */
  readonly groups: boolean;
}

const KIND_TEXT: Record<NodeKind, string> = {
  cpu: 'CPU',
  memory: 'RAM',
  host_bridge: 'host bridge',
  root_port: 'root port',
  switch: 'switch',
  port: 'port',
  endpoint: 'endpoint',
  vf: 'vf',
  platform_device: 'platform device',
  iommufd: 'iommufd',
  kvm: 'kvm',
  link: 'link',
  collapsed: 'not shown',
};

function cpuLines(model: ResolvedModel): string[] {
  const p = model.platform!;
  const cpu = `CPU ${p.cpu.vendor} family ${p.cpu.family.toString(16)}h`;
  const iommu = p.iommu ? `IOMMU ${p.iommu.type} ${p.iommu.mode}` : 'no IOMMU';
  return [cpu, iommu];
}

/** The picture of a model. Without the engine's result there are no shares, groups or ACS marks. */
export function buildTopology(model: ResolvedModel, engine: EngineResult | undefined, title = '', filter?: ViewFilter): Topology {
  const platform = model.platform;
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const boxes: TopoBox[] = [];
  const links: TopoLink[] = [];
  if (!platform) return { title, nodes, edges, boxes, shares: [], links, groups: false };

  const showGroups = platform.iommu !== undefined && engine?.groups !== undefined;
  const groupOf = (fn: PciFunction) => (showGroups ? engine!.groups!.groupOf.get(fn) : undefined);
  const node = (n: Omit<TopoNode, 'cls' | 'bdf' | 'iommuGroup' | 'acsRedirect' | 'implicit' | 'box'> & Partial<TopoNode>) =>
    nodes.push({ cls: undefined, bdf: undefined, iommuGroup: undefined, acsRedirect: false, implicit: false, box: undefined, ...n });
  const edge = (source: string, target: string, kind: TopoEdge['kind'] = 'tree') => edges.push({ id: `${source}>${target}`, source, target, kind });

  node({ id: 'cpu', kind: 'cpu', label: platform.name, lines: cpuLines(model), place: platform.place });
  for (const m of platform.memories) {
    const lines = [`RAM ${hex(m.first)}`, `${formatSize(m.last - m.first + 1n)}${m.node !== undefined ? ` node ${m.node}` : ''}`];
    node({ id: m.name, kind: 'memory', label: m.name, lines, place: m.place });
    edge('cpu', m.name);
  }

  const pinned = new Set<string>();
  for (const o of engine?.shares ?? []) {
    if (o.result.exporter) pinned.add(o.result.exporter);
    pinned.add(o.result.importer);
  }
  const shown = applyFilter(model, filter, filter?.only?.length ? new Set() : pinned);
  const boxOfSwitch = new Map<PciFunction, string>();
  const addFunction = (fn: PciFunction, parentId: string) => {
    if (!shown.kept.has(fn)) return;
    const g = groupOf(fn);
    let box: string | undefined;
    if (fn.kind === 'switch') {
      box = `switch:${fn.name}`;
      boxOfSwitch.set(fn, box);
      boxes.push({ id: box, kind: 'switch', label: `switch ${fn.name}`, group: undefined, reason: undefined });
    } else if (fn.kind === 'port' && fn.parent?.kind === 'switch') box = boxOfSwitch.get(fn.parent);
    else if (g) box = `group:${g.id}`;
    const bdf = bdfShort(fn.bdf) || undefined;
    const what = fn.kind === 'endpoint' ? (fn.cls ?? 'endpoint') : fn.kind === 'vf' ? `vf of ${fn.pf?.name ?? '?'}` : KIND_TEXT[fn.kind];
    const lines = [[what, bdf ?? (fn.implicit ? 'implicit' : '')].filter(Boolean).join(' ')];
    if (fn.id) lines.push(`id ${pciIdText(fn.id)}`);
    const acsRedirect = engine !== undefined && hasAcsRedir(fn, platform);
    if (acsRedirect) lines.push('ACS redirect');
    node({
      id: fn.name,
      kind: fn.kind,
      cls: fn.kind === 'endpoint' || fn.kind === 'vf' ? fn.cls : undefined,
      label: fn.name,
      lines,
      bdf,
      iommuGroup: g?.id,
      acsRedirect,
      implicit: fn.implicit,
      box,
      place: fn.place,
    });
    edge(parentId, fn.name, fn.kind === 'vf' ? 'vf' : 'tree');
    for (const child of fn.children) addFunction(child, fn.name);
    for (const vf of fn.vfs) if (!fn.children.includes(vf)) addFunction(vf, fn.name);
  };
  for (const hb of shown.hostBridges) {
    const lines = [`host bridge ${pciIdText(hb.id)}`];
    if (hb.node !== undefined) lines.push(`node ${hb.node}`);
    node({ id: hb.name, kind: 'host_bridge', label: hb.name, lines, place: hb.place });
    edge('cpu', hb.name);
    for (const fn of hb.rootBus) addFunction(fn, hb.name);
    const hidden = shown.hidden.get(hb.name);
    if (hidden) {
      // What the filter leaves out, said where it is: one node per host bridge.
      const id = `${hb.name}:hidden`;
      node({ id, kind: 'collapsed', label: `${hidden} function${hidden === 1 ? '' : 's'} not shown`, lines: [shown.why], place: undefined });
      edge(hb.name, id);
    }
  }
  if (showGroups) {
    for (const g of engine!.groups!.all) {
      boxes.push({ id: `group:${g.id}`, kind: 'group', label: `IOMMU group ${g.id}`, group: g.id, reason: g.reason });
    }
  }

  // Beside the tree: the importers that are not PCI functions, and the links.
  const side: TopoNode[] = [];
  for (const d of platform.platformDevices) {
    const lines = ['platform device', `dma_mask ${d.dmaMaskBits}${d.iommuOverride ? ` iommu ${d.iommuOverride}` : ''}`];
    if (d.parent) lines.push(`parent ${d.parent.name}`);
    side.push({ ...blank(), id: d.name, kind: 'platform_device', label: d.name, lines, place: d.place, box: 'side' });
  }
  for (const f of platform.iommufds) side.push({ ...blank(), id: f.name, kind: 'iommufd', label: f.name, lines: ['iommufd'], place: f.place, box: 'side' });
  for (const k of platform.kvms) side.push({ ...blank(), id: k.name, kind: 'kvm', label: k.name, lines: ['kvm'], place: k.place, box: 'side' });
  platform.links.forEach((l, i) => {
    const id = `link:${i}`;
    links.push({ id, type: l.type, members: [...l.members] });
    side.push({ ...blank(), id, kind: 'link', label: `${l.type} link`, lines: [l.members.join(' \u2194 ')], place: l.place, box: 'side' });
  });
  if (side.length > 0) {
    boxes.push({ id: 'side', kind: 'side', label: 'not PCI: importers and links', group: undefined, reason: undefined });
    nodes.push(...side);
  }

  const known = new Set(nodes.map((n) => n.id));
  const beside = new Set(side.map((n) => n.id));
  const shares: TopoShare[] = [];
  for (const o of engine?.shares ?? []) {
    const r = o.result;
    // A share whose ends the filter hides is not drawn.
    if ((r.exporter && !known.has(r.exporter) && model.functions.some((f) => f.name === r.exporter)) || (!known.has(r.importer) && model.functions.some((f) => f.name === r.importer))) continue;
    const traffic = r.route.length > 0 && r.route.every((n) => known.has(n));
    let route: string[];
    let direct = false;
    if (traffic) {
      route = [...r.route];
      // A hop the tree does not join (a non-PCI importer) is drawn straight.
      direct = route.some((n) => beside.has(n));
    } else if (r.path.length > 0 && r.path.every((n) => known.has(n))) route = [...r.path];
    else {
      // No P2P path: from where the data is to the importer.
      const from = o.share.buffer.exporter && r.placement === 'vram' ? o.share.buffer.exporter.name : memoryOf(model, engine!.systemAddress.get(o.share.buffer));
      route = [from ?? 'cpu', r.importer];
      direct = true;
    }
    if (r.importer === 'cpu' || !known.has(route[route.length - 1]!)) {
      route[route.length - 1] = 'cpu';
    }
    const link = traffic && route.length === 2 ? links.find((l) => l.members.includes(route[0]!) && l.members.includes(route[1]!))?.id : undefined;
    shares.push({
      id: r.name,
      buffer: r.buffer,
      exporter: r.exporter,
      importer: r.importer,
      mapType: r.mapType,
      distance: r.distance,
      ok: r.ok,
      placement: r.placement,
      addressKind: r.addressKind,
      outcome: outcomeOf(r),
      route,
      tlps: [...r.route],
      traffic,
      direct,
      link,
      place: r.location,
    });
  }
  return { title, nodes, edges, boxes, shares, links, groups: showGroups };
}

function blank(): Pick<TopoNode, 'cls' | 'bdf' | 'iommuGroup' | 'acsRedirect' | 'implicit'> {
  return { cls: undefined, bdf: undefined, iommuGroup: undefined, acsRedirect: false, implicit: false };
}

/** The RAM region that holds a CPU physical address (the first region when none does). */
function memoryOf(model: ResolvedModel, addr: bigint | undefined): string | undefined {
  const mems = model.platform?.memories ?? [];
  if (addr !== undefined) {
    const m = mems.find((x) => addr >= x.first && addr <= x.last);
    if (m) return m.name;
  }
  return mems[0]?.name;
}
