// A Topology laid out by ELK, drawn as SVG text: boxes (IOMMU groups shaded, switches
// with their ports, the side box), the tree's edges as ELK routed them, every share as the
// route its TLPs take along them (up to the root complex and back where they go there)
// coloured by its outcome, the nodes, and a legend. Classes per kind
// and outcome and `data-node` / `data-share` attributes make it testable and clickable;
// every colour is a CSS variable with a default, so the VS Code webview can map them to
// the theme. No LSP, no engine.

import type { Layout, Point, Rect } from './layout';
import { BOX_LABEL_HEIGHT, CHAR_WIDTH, FONT_SIZE, LINE_HEIGHT, MAX_LAYOUT_NODES, NODE_PAD_X, NODE_PAD_Y } from './metrics';
import { OUTCOME_COLOUR, OUTCOMES, type Outcome, type Topology, type TopoNode, type TopoShare } from './topology';

interface SvgOptions {
  /** Embed the stylesheet (a file on its own); false when the page that shows it has SVG_CSS (the webview). */
  readonly standalone?: boolean;
}

/** `var(--dl-bus-addr, #1a7f37)`: the CSS colour of an outcome. */
function outcomeColour(o: Outcome): string {
  return `var(--dl-${o}, ${OUTCOME_COLOUR[o]})`;
}

/** The stylesheet of the diagram. Colours: `--dl-*` variables, each with its default. */
export const SVG_CSS = `
svg.dmabuf-topology { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: ${FONT_SIZE}px; }
svg.dmabuf-topology text { fill: var(--dl-fg, #1f2328); }
svg.dmabuf-topology .background { fill: var(--dl-bg, #ffffff); }
svg.dmabuf-topology .muted, svg.dmabuf-topology .box-label { fill: var(--dl-muted, #57606a); }
svg.dmabuf-topology .node rect { fill: var(--dl-node, #f6f8fa); stroke: var(--dl-border, #8c959f); stroke-width: 1; }
svg.dmabuf-topology .node .label { font-weight: bold; }
svg.dmabuf-topology .node.cpu rect, svg.dmabuf-topology .node.host_bridge rect { fill: var(--dl-node-strong, #eaeef2); stroke-width: 1.5; }
svg.dmabuf-topology .node.memory rect { fill: var(--dl-memory, #fff8c5); }
svg.dmabuf-topology .node.port rect, svg.dmabuf-topology .node.switch rect, svg.dmabuf-topology .node.root_port rect { fill: var(--dl-bridge, #ffffff); }
svg.dmabuf-topology .node.implicit rect { stroke-dasharray: 4 3; }
svg.dmabuf-topology .node.collapsed rect { fill: var(--dl-bg, #ffffff); stroke-dasharray: 2 3; }
svg.dmabuf-topology .node.vf rect { stroke-dasharray: 2 2; }
svg.dmabuf-topology .node.acs-redirect rect { stroke: var(--dl-acs, #cf222e); stroke-width: 2; }
svg.dmabuf-topology .node .acs-mark { fill: var(--dl-acs, #cf222e); }
svg.dmabuf-topology .node.platform_device rect, svg.dmabuf-topology .node.iommufd rect, svg.dmabuf-topology .node.kvm rect { fill: var(--dl-other, #ddf4ff); }
svg.dmabuf-topology .node.link rect { fill: var(--dl-node, #f6f8fa); stroke: var(--dl-private, #8250df); stroke-dasharray: 6 3; }
svg.dmabuf-topology .box rect { fill: none; stroke: var(--dl-border, #8c959f); stroke-width: 1; }
svg.dmabuf-topology .box.group rect { fill: var(--dl-group, rgba(9, 105, 218, 0.08)); stroke: var(--dl-group-border, rgba(9, 105, 218, 0.45)); }
svg.dmabuf-topology .box.switch rect { fill: var(--dl-switch, rgba(140, 149, 159, 0.10)); }
svg.dmabuf-topology .box.side rect { stroke-dasharray: 5 4; }
svg.dmabuf-topology .edge { fill: none; stroke: var(--dl-edge, #8c959f); stroke-width: 1.5; }
svg.dmabuf-topology .edge.vf { stroke-dasharray: 3 3; }
svg.dmabuf-topology .link-line { fill: none; stroke: var(--dl-private, #8250df); stroke-width: 3; stroke-dasharray: 8 4; opacity: 0.8; }
svg.dmabuf-topology .route .line { fill: none; stroke-width: 2.5; stroke-linejoin: round; opacity: 0.9; }
svg.dmabuf-topology .route.direct .line { stroke-dasharray: 7 4; }
svg.dmabuf-topology .route.no-traffic .line { stroke-dasharray: 2 4; stroke-width: 1.5; }
svg.dmabuf-topology .route .fail-mark { fill: none; stroke-width: 2.5; }
svg.dmabuf-topology .route .hit { fill: none; stroke: transparent; stroke-width: 10; }
svg.dmabuf-topology [data-node], svg.dmabuf-topology [data-share] { cursor: pointer; }
svg.dmabuf-topology .route:hover .line { stroke-width: 4; opacity: 1; }
svg.dmabuf-topology .node:hover rect { stroke-width: 2.5; }
${OUTCOMES.map(({ outcome }) => `svg.dmabuf-topology .${outcome} .line, svg.dmabuf-topology .${outcome} .fail-mark, svg.dmabuf-topology .swatch.${outcome} { stroke: ${outcomeColour(outcome)}; }
svg.dmabuf-topology .arrow.${outcome}, svg.dmabuf-topology .${outcome} .start { fill: ${outcomeColour(outcome)}; }`).join('\n')}
svg.dmabuf-topology .legend .frame { fill: var(--dl-bg, #ffffff); stroke: var(--dl-border, #8c959f); }
svg.dmabuf-topology .swatch { stroke-width: 3; fill: none; }
svg.dmabuf-topology .legend .title { font-weight: bold; }
`;

/**
 * The stylesheet with every `var(--dl-…, default)` replaced by its default: for a file on
 * its own, since renderers outside a browser (rsvg, Inkscape, image viewers) do not
 * resolve CSS variables and draw such a fill black.
 */
export function plainCss(css: string = SVG_CSS): string {
  return css.replace(/var\(--[a-z0-9-]+,\s*((?:[^()]|\([^()]*\))+)\)/g, (_m, d: string) => d.trim());
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const n2 = (v: number) => (Math.round(v * 10) / 10).toString();

function pathData(points: readonly Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n2(p.x)} ${n2(p.y)}`).join(' ');
}

/** Where the segment from the centre of `r` towards `to` leaves `r`. */
function border(r: Rect, to: Point): Point {
  const c = { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  const dx = to.x - c.x;
  const dy = to.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const sx = dx === 0 ? Infinity : r.width / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : r.height / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

function centre(r: Rect): Point {
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}

/** The drawn tree: each node's parent, from the topology's edges. */
function parents(t: Topology): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of t.edges) m.set(e.target, e.source);
  return m;
}

/**
 * The points of a route: each hop between two nodes follows the tree's edges between
 * them as ELK routed them (a hop of the engine's path is one edge, or two: a VF to its
 * PF's bridge, host bridge to host bridge through the CPU); a hop between nodes the
 * tree does not join (a non-PCI importer) is a straight line between their borders.
 */
function routePoints(layout: Layout, parent: Map<string, string>, route: readonly string[]): Point[] {
  const out: Point[] = [];
  const push = (ps: readonly Point[]) => {
    for (const p of ps) {
      const last = out[out.length - 1];
      if (!last || Math.abs(last.x - p.x) > 0.01 || Math.abs(last.y - p.y) > 0.01) out.push(p);
    }
  };
  const up = (id: string) => {
    const chain = [id];
    for (let p = parent.get(id); p !== undefined && chain.length < 64; p = parent.get(p)) chain.push(p);
    return chain;
  };
  for (let i = 0; i + 1 < route.length; i++) {
    const a = route[i]!;
    const b = route[i + 1]!;
    if (a === b) continue;
    const ca = up(a);
    const cb = up(b);
    const lca = ca.find((x) => cb.includes(x));
    if (lca === undefined) {
      const ra = layout.nodes.get(a);
      const rb = layout.nodes.get(b);
      if (ra && rb) push([border(ra, centre(rb)), border(rb, centre(ra))]);
      continue;
    }
    // Up from a to the common node, then down to b, edge by edge.
    const upPart = ca.slice(0, ca.indexOf(lca) + 1);
    const downPart = cb.slice(0, cb.indexOf(lca) + 1).reverse();
    for (let k = 0; k + 1 < upPart.length; k++) push([...(layout.edges.get(`${upPart[k + 1]}>${upPart[k]}`) ?? [])].reverse());
    for (let k = 0; k + 1 < downPart.length; k++) push(layout.edges.get(`${downPart[k]}>${downPart[k + 1]}`) ?? []);
  }
  if (out.length < 2) {
    // One node (a share of a device with itself) or nothing routed: a short stub.
    const r = layout.nodes.get(route[0]!);
    if (r) return [{ x: r.x + r.width, y: r.y + r.height / 2 }, { x: r.x + r.width + 14, y: r.y + r.height / 2 }];
  }
  return out;
}

/** Side by side: share i of n is drawn this far off the tree's edges (0 for a single share). */
function laneOffset(i: number, n: number): number {
  const lanes = Math.min(n, 7);
  return ((i % lanes) - (lanes - 1) / 2) * 3.5;
}

/**
 * A polyline moved sideways by `d`: vertical stretches to the right, horizontal ones
 * down, so the ends keep their place along the direction of travel (the arrow still
 * touches the node).
 */
function offsetPolyline(pts: readonly Point[], d: number): Point[] {
  if (d === 0) return [...pts];
  const vertical = (a: Point, b: Point) => Math.abs(b.x - a.x) < Math.abs(b.y - a.y);
  return pts.map((p, i) => {
    const segs: [Point, Point][] = [];
    if (i > 0) segs.push([pts[i - 1]!, p]);
    if (i + 1 < pts.length) segs.push([p, pts[i + 1]!]);
    const v = segs.some(([a, b]) => vertical(a, b));
    const h = segs.some(([a, b]) => !vertical(a, b));
    return { x: p.x + (v ? d : 0), y: p.y + (h ? d : 0) };
  });
}

/** Groups are labelled at the bottom (edges come in at the top), the side box at the top; switches not at all. */
function boxLabel(kind: 'switch' | 'group' | 'side', label: string, r: Rect): string {
  if (kind === 'switch') return '';
  const y = kind === 'group' ? r.y + r.height - 8 : r.y + BOX_LABEL_HEIGHT - 4;
  return `<text class="box-label" x="${n2(r.x + 8)}" y="${n2(y)}">${escapeXml(label)}</text>`;
}

function nodeTitle(n: TopoNode): string {
  const parts = [`${n.label}`, ...n.lines];
  if (n.iommuGroup !== undefined) parts.push(`IOMMU group ${n.iommuGroup}`);
  return parts.join('\n');
}

function shareTitle(s: TopoShare): string {
  const dist = s.distance === null ? '' : `, distance ${s.distance}`;
  const head = `${s.id}: ${s.mapType}${dist}, ${s.placement}, ${s.addressKind}${s.ok ? '' : ', fails'}`;
  if (s.traffic) return `${head}\nTLPs: ${s.route.join(' \u2192 ')}${s.link ? ' (over the link, not PCIe)' : s.direct ? ' (not over PCIe)' : ''}`;
  const why = s.ok ? 'no TLPs in this share (CPU physical ranges handed over)' : 'no TLPs: the map fails';
  return `${head}\n${why}; asked: ${s.route.join(' \u2192 ')}`;
}

/**
 * Where a route turns back on itself (up to a host bridge and down the same ports): the
 * index of the node it turns at, or -1. The two legs are drawn side by side there.
 */
function turnIndex(route: readonly string[]): number {
  for (let i = 1; i + 1 < route.length; i++) if (route[i - 1] === route[i + 1]) return i;
  return -1;
}

/** The points of a share: along its link's curve, or along the tree, its two legs apart where it turns back. */
function sharePoints(layout: Layout, parent: Map<string, string>, s: TopoShare, lane: number): Point[] {
  if (s.link) {
    const a = layout.nodes.get(s.route[0]!);
    const b = layout.nodes.get(s.route[1]!);
    if (!a || !b) return [];
    const pa = { x: centre(a).x, y: a.y + a.height };
    const pb = { x: centre(b).x, y: b.y + b.height };
    const ctl = { x: (pa.x + pb.x) / 2, y: Math.max(centre(a).y, centre(b).y) + Math.max(a.height, b.height) / 2 + 30 + lane };
    const pts: Point[] = [];
    for (let k = 0; k <= 16; k++) {
      const u = k / 16;
      pts.push({ x: (1 - u) * (1 - u) * pa.x + 2 * u * (1 - u) * ctl.x + u * u * pb.x, y: (1 - u) * (1 - u) * pa.y + 2 * u * (1 - u) * ctl.y + u * u * pb.y });
    }
    return pts;
  }
  const t = s.traffic ? turnIndex(s.route) : -1;
  if (t < 0) return offsetPolyline(routePoints(layout, parent, s.route), lane);
  const turn = layout.nodes.get(s.route[t]!);
  const upLeg = offsetPolyline(routePoints(layout, parent, s.route.slice(0, t + 1)), lane - 4);
  const downLeg = offsetPolyline(routePoints(layout, parent, s.route.slice(t)), lane + 4);
  return [...upLeg, ...(turn ? [centre(turn)] : []), ...downLeg];
}

function classes(...c: (string | false | undefined)[]): string {
  return c.filter((x): x is string => typeof x === 'string' && x.length > 0).join(' ');
}

const LEGEND_ROW = 16;

/** The SVG text of a laid-out topology. */
export function renderSvg(t: Topology, layout: Layout, options: SvgOptions = {}): string {
  const standalone = options.standalone ?? true;
  const parent = parents(t);
  const out: string[] = [];

  // The legend goes under the diagram.
  const outcomesUsed = new Set(t.shares.map((s) => s.outcome));
  const legendRows: { kind: 'outcome' | 'mark'; text: string; outcome?: Outcome; mark?: string }[] = [
    ...OUTCOMES.map(({ outcome, label }) => ({ kind: 'outcome' as const, text: `${label}${outcomesUsed.has(outcome) ? '' : ' (none here)'}`, outcome })),
    { kind: 'mark', text: 'dashed route: not over PCIe (non-PCI importer)', mark: 'direct' },
    { kind: 'mark', text: 'dotted, \u2715: no TLPs (map fails, or ranges handed over)', mark: 'no-traffic' },
    { kind: 'mark', text: 'red border: ACS redirect set (RR/CR/EC)', mark: 'acs' },
    { kind: 'mark', text: 'shaded box: IOMMU group', mark: 'group' },
    { kind: 'mark', text: 'dashed box: implicit switch port; dotted: VF', mark: 'implicit' },
  ];
  const legendWidth = Math.ceil(Math.max(...legendRows.map((r) => r.text.length), t.title.length + 12) * CHAR_WIDTH + 56);
  const legendHeight = (legendRows.length + 1) * LEGEND_ROW + 14;
  const width = Math.ceil(Math.max(layout.width, legendWidth + 32, 200));
  const legendY = layout.nodes.size === 0 ? 40 : Math.ceil(layout.height) + 8;
  const height = legendY + legendHeight + 16;

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="dmabuf-topology" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="${FONT_SIZE}" role="img" aria-label="${escapeXml(`PCIe topology and shares${t.title ? ` of ${t.title}` : ''}`)}">`,
  );
  out.push(`<title>${escapeXml(`dmabuf-lens topology${t.title ? `: ${t.title}` : ''}`)}</title>`);
  if (standalone) out.push(`<style><![CDATA[${plainCss()}]]></style>`);
  out.push('<defs>');
  for (const { outcome } of OUTCOMES) {
    out.push(`<marker id="arrow-${outcome}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow ${outcome}" d="M0 0 L10 5 L0 10 z"/></marker>`);
  }
  out.push('</defs>');
  out.push(`<rect class="background" x="0" y="0" width="${width}" height="${height}"/>`);

  // Boxes: IOMMU groups, switches with their ports, the side box.
  out.push('<g class="boxes">');
  for (const b of t.boxes) {
    const r = layout.boxes.get(b.id);
    if (!r) continue;
    const attrs = b.kind === 'group' ? ` data-group="${b.group}"` : b.kind === 'switch' ? ` data-box="${escapeXml(b.id)}"` : ' data-box="side"';
    const title = b.reason ? `${b.label}: ${b.reason}` : b.label;
    out.push(
      `<g class="${classes('box', b.kind)}"${attrs}><title>${escapeXml(title)}</title><rect x="${n2(r.x)}" y="${n2(r.y)}" width="${n2(r.width)}" height="${n2(r.height)}" rx="6"/>${boxLabel(b.kind, b.label, r)}</g>`,
    );
  }
  out.push('</g>');

  // The tree's edges.
  out.push('<g class="edges">');
  for (const e of t.edges) {
    const pts = layout.edges.get(e.id);
    if (!pts || pts.length < 2) continue;
    out.push(`<path class="${classes('edge', e.kind)}" data-edge="${escapeXml(e.id)}" d="${pathData(pts)}"/>`);
  }
  out.push('</g>');

  // Links between their members.
  out.push('<g class="links">');
  for (const l of t.links) {
    for (let i = 0; i + 1 < l.members.length; i++) {
      const a = layout.nodes.get(l.members[i]!);
      const b = layout.nodes.get(l.members[i + 1]!);
      if (!a || !b) continue;
      const pa = centre(a);
      const pb = centre(b);
      const lift = Math.max(a.height, b.height) / 2 + 10;
      const mid = { x: (pa.x + pb.x) / 2, y: Math.max(pa.y, pb.y) + lift + 20 };
      out.push(
        `<path class="${classes('link-line', l.type)}" data-link="${escapeXml(l.id)}" d="M${n2(pa.x)} ${n2(pa.y + a.height / 2)} Q${n2(mid.x)} ${n2(mid.y)} ${n2(pb.x)} ${n2(pb.y + b.height / 2)}"><title>${escapeXml(`${l.type} link: ${l.members.join(', ')}`)}</title></path>`,
      );
    }
  }
  out.push('</g>');

  // Routes, under the nodes: a route passing through a node is hidden by it.
  out.push('<g class="routes">');
  t.shares.forEach((s, i) => {
    const moved = sharePoints(layout, parent, s, laneOffset(i, t.shares.length));
    if (moved.length < 2) return;
    const d = pathData(moved);
    const start = moved[0]!;
    const end = moved[moved.length - 1]!;
    // TLPs: an arrow at the importer. None: a cross where the request ends.
    const tip = s.traffic
      ? `<path class="line" d="${d}" marker-end="url(#arrow-${s.outcome})"/>`
      : `<path class="line" d="${d}"/><path class="fail-mark" d="M${n2(end.x - 4)} ${n2(end.y - 4)} L${n2(end.x + 4)} ${n2(end.y + 4)} M${n2(end.x - 4)} ${n2(end.y + 4)} L${n2(end.x + 4)} ${n2(end.y - 4)}"/>`;
    out.push(
      `<g class="${classes('route', s.outcome, s.direct && 'direct', !s.traffic && 'no-traffic', s.link && 'over-link')}" data-share="${escapeXml(s.id)}" data-map-type="${s.mapType}" data-outcome="${s.outcome}" data-route="${escapeXml(s.tlps.join(' '))}"><title>${escapeXml(shareTitle(s))}</title><path class="hit" d="${d}"/>${tip}<circle class="start" cx="${n2(start.x)}" cy="${n2(start.y)}" r="3.5"/></g>`,
    );
  });
  out.push('</g>');

  // Nodes.
  out.push('<g class="nodes">');
  for (const n of t.nodes) {
    const r = layout.nodes.get(n.id);
    if (!r) continue;
    const data = [`data-node="${escapeXml(n.id)}"`, `data-kind="${n.kind}"`];
    if (n.iommuGroup !== undefined) data.push(`data-group="${n.iommuGroup}"`);
    if (n.bdf) data.push(`data-bdf="${escapeXml(n.bdf)}"`);
    out.push(`<g class="${classes('node', n.kind, n.cls, n.acsRedirect && 'acs-redirect', n.implicit && 'implicit')}" ${data.join(' ')}>`);
    out.push(`<title>${escapeXml(nodeTitle(n))}</title>`);
    out.push(`<rect x="${n2(r.x)}" y="${n2(r.y)}" width="${n2(r.width)}" height="${n2(r.height)}" rx="4"/>`);
    const tx = r.x + NODE_PAD_X;
    let ty = r.y + NODE_PAD_Y + LINE_HEIGHT - 3;
    out.push(`<text class="label" x="${n2(tx)}" y="${n2(ty)}">${escapeXml(n.label)}</text>`);
    for (const line of n.lines) {
      ty += LINE_HEIGHT;
      const cls = line === 'ACS redirect' ? 'acs-mark' : 'muted';
      out.push(`<text class="${cls}" x="${n2(tx)}" y="${n2(ty)}">${escapeXml(line)}</text>`);
    }
    out.push('</g>');
  }
  out.push('</g>');

  // Legend.
  out.push(`<g class="legend" transform="translate(16 ${legendY})">`);
  out.push(`<rect class="frame" x="0" y="0" width="${legendWidth}" height="${legendHeight}" rx="4"/>`);
  out.push(`<text class="title" x="10" y="${LEGEND_ROW}">${escapeXml(t.title ? `Legend \u2014 ${t.title}` : 'Legend')}</text>`);
  legendRows.forEach((row, i) => {
    const y = LEGEND_ROW * (i + 2);
    if (row.kind === 'outcome') {
      out.push(`<g class="${classes('legend-entry', row.outcome)}" data-legend="${row.outcome}"><path class="${classes('swatch', row.outcome)}" d="M10 ${y - 4} L40 ${y - 4}"/><text x="48" y="${y}">${escapeXml(row.text)}</text></g>`);
    } else {
      let swatch = '';
      if (row.mark === 'direct') swatch = `<path class="swatch none" stroke-dasharray="7 4" d="M10 ${y - 4} L40 ${y - 4}"/>`;
      else if (row.mark === 'no-traffic') swatch = `<path class="swatch none" stroke-dasharray="2 4" d="M10 ${y - 4} L34 ${y - 4} M34 ${y - 8} L40 ${y} M34 ${y} L40 ${y - 8}"/>`;
      else if (row.mark === 'acs') swatch = `<g class="node acs-redirect"><rect x="14" y="${y - 10}" width="22" height="12" rx="2"/></g>`;
      else if (row.mark === 'group') swatch = `<g class="box group"><rect x="14" y="${y - 10}" width="22" height="12" rx="2"/></g>`;
      else swatch = `<g class="node implicit"><rect x="14" y="${y - 10}" width="22" height="12" rx="2"/></g>`;
      out.push(`<g class="legend-entry" data-legend="${row.mark}">${swatch}<text x="48" y="${y}">${escapeXml(row.text)}</text></g>`);
    }
  });
  out.push('</g>');
  if (t.nodes.length === 0) out.push(`<text x="16" y="24">${escapeXml('no platform: nothing to draw')}</text>`);
  else if (layout.nodes.size === 0) {
    out.push(`<text x="16" y="24">${escapeXml(`${t.nodes.length} nodes: too many to lay out here (at most ${MAX_LAYOUT_NODES}); dmabuf-lint graph --dot draws it with Graphviz`)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
