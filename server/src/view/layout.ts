// Where everything of a Topology goes, computed by ELK (the Eclipse Layout Kernel, through
// elkjs): the layered algorithm top-down, the CPU first, then host bridges and the
// PCIe tree, with switches (and their ports) and IOMMU groups as compound nodes, and the
// non-PCI importers and links packed in a box beside it. This module only measures the
// nodes and reads ELK's answer back as absolute coordinates; it places nothing itself.

import type { ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api';
import { BOX_LABEL_HEIGHT, CHAR_WIDTH, LARGE_LAYOUT_NODES, LINE_HEIGHT, MAX_LAYOUT_NODES, NODE_PAD_X, NODE_PAD_Y } from './metrics';
import type { Topology, TopoNode } from './topology';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** Every node of the topology, absolute. */
  readonly nodes: ReadonlyMap<string, Rect>;
  /** Every box (switch, IOMMU group, the side box), absolute. */
  readonly boxes: ReadonlyMap<string, Rect>;
  /** Every edge of the tree as ELK routed it: a polyline, absolute. */
  readonly edges: ReadonlyMap<string, readonly Point[]>;
}

function nodeSize(n: Pick<TopoNode, 'label' | 'lines'>): { width: number; height: number } {
  const chars = Math.max(n.label.length, ...n.lines.map((l) => l.length), 6);
  return { width: Math.ceil(chars * CHAR_WIDTH + 2 * NODE_PAD_X), height: (1 + n.lines.length) * LINE_HEIGHT + 2 * NODE_PAD_Y };
}

type ElkApi = { layout(graph: ElkNode): Promise<ElkNode> };
let elk: ElkApi | undefined;

/** elkjs, loaded on first use (1.6 MB of compiled Java: not at server start). */
async function elkInstance(): Promise<ElkApi> {
  if (!elk) {
    const mod = (await import('elkjs/lib/elk.bundled.js')) as unknown as { default: new () => ElkApi };
    elk = new mod.default();
  }
  return elk;
}

const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
  'elk.spacing.nodeNode': '20',
  'elk.layered.spacing.nodeNodeBetweenLayers': '34',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.componentComponent': '40',
  // Keep the order of the model (BDF order as written) where crossings allow.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.considerModelOrder.components': 'MODEL_ORDER',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
};

/** A switch box: its upstream port says what it is, so no label. */
const SWITCH_OPTIONS: Record<string, string> = {
  'elk.padding': '[top=10,left=10,bottom=10,right=10]',
  'elk.spacing.nodeNode': '14',
};

/** An IOMMU group: the label at the bottom, where no edge comes in. */
const GROUP_OPTIONS: Record<string, string> = {
  'elk.padding': `[top=10,left=10,bottom=${BOX_LABEL_HEIGHT + 6},right=10]`,
  'elk.spacing.nodeNode': '14',
};

const SIDE_OPTIONS: Record<string, string> = {
  'elk.hierarchyHandling': 'SEPARATE_CHILDREN',
  'elk.algorithm': 'rectpacking',
  'elk.padding': `[top=${BOX_LABEL_HEIGHT + 6},left=10,bottom=10,right=10]`,
  'elk.spacing.nodeNode': '14',
  'elk.aspectRatio': '1.0',
};

const LARGE_OPTIONS: Record<string, string> = {
  'elk.layered.considerModelOrder.strategy': 'NONE',
  'elk.layered.considerModelOrder.components': 'NONE',
};

/** The ELK graph of a topology (exported for tests). */
function elkGraph(t: Topology): ElkNode {
  const boxNodes = new Map<string, ElkNode>();
  const children: ElkNode[] = [];
  for (const b of t.boxes) {
    const options = b.kind === 'side' ? SIDE_OPTIONS : b.kind === 'group' ? GROUP_OPTIONS : SWITCH_OPTIONS;
    // The side box at least as wide as its label (groups are: their label is short and
    // their members are wider; ELK's minimum size of a compound node in a DOWN layout
    // grows its height, not its width).
    const minimum: Record<string, string> = b.kind !== 'side' ? {} : { 'elk.nodeSize.constraints': '[MINIMUM_SIZE]', 'elk.nodeSize.minimum': `(${Math.ceil(b.label.length * CHAR_WIDTH + 20)}, 20)` };
    const n: ElkNode = { id: `box:${b.id}`, layoutOptions: { ...options, ...minimum }, children: [] };
    boxNodes.set(b.id, n);
  }
  const placed = new Set<string>();
  for (const n of t.nodes) {
    const el: ElkNode = { id: n.id, ...nodeSize(n) };
    const box = n.box ? boxNodes.get(n.box) : undefined;
    if (box) {
      if (!placed.has(box.id)) {
        placed.add(box.id);
        children.push(box); // a box takes the place of its first member, in model order
      }
      box.children!.push(el);
    } else children.push(el);
  }
  const edges: ElkExtendedEdge[] = t.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  const layoutOptions = t.nodes.length > LARGE_LAYOUT_NODES ? { ...ROOT_OPTIONS, ...LARGE_OPTIONS } : ROOT_OPTIONS;
  return { id: 'root', layoutOptions, children, edges };
}

/** Lays out a topology with ELK (nothing is placed when it has no nodes or more than MAX_LAYOUT_NODES). */
export async function layoutTopology(t: Topology): Promise<Layout> {
  const nodes = new Map<string, Rect>();
  const boxes = new Map<string, Rect>();
  const edges = new Map<string, Point[]>();
  if (t.nodes.length === 0 || t.nodes.length > MAX_LAYOUT_NODES) return { width: 0, height: 0, nodes, boxes, edges };
  const laid = await (await elkInstance()).layout(elkGraph(t));

  // Absolute positions: ELK gives each child relative to its parent.
  const origin = new Map<string, Point>([['root', { x: 0, y: 0 }]]);
  const walk = (n: ElkNode, ox: number, oy: number) => {
    for (const c of n.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      origin.set(c.id, { x, y });
      const r = { x, y, width: c.width ?? 0, height: c.height ?? 0 };
      if (c.id.startsWith('box:')) boxes.set(c.id.slice(4), r);
      else nodes.set(c.id, r);
      walk(c, x, y);
    }
  };
  walk(laid, 0, 0);
  const collect = (n: ElkNode) => {
    for (const e of (n.edges ?? []) as (ElkExtendedEdge & { container?: string })[]) {
      // Edge coordinates are relative to the edge's container.
      const o = origin.get(e.container ?? n.id) ?? origin.get(n.id) ?? { x: 0, y: 0 };
      const pts: Point[] = [];
      for (const s of e.sections ?? []) {
        const add = (p: ElkPoint) => pts.push({ x: o.x + p.x, y: o.y + p.y });
        add(s.startPoint);
        for (const b of s.bendPoints ?? []) add(b);
        add(s.endPoint);
      }
      edges.set(e.id, pts);
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(laid);
  return { width: laid.width ?? 0, height: laid.height ?? 0, nodes, boxes, edges };
}
