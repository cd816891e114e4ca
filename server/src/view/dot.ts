// A Topology as Graphviz DOT (`dmabuf-lint graph --dot`): the same nodes, boxes
// (switches, IOMMU groups and the side box as clusters) and tree edges as the SVG, and
// every share as one edge from where the data is to the importer with the route of its
// TLPs in the tooltip (dotted, ending in a bar, when none are sent), coloured by
// outcome. Graphviz lays it out; nothing is placed here.

import { OUTCOME_COLOUR, OUTCOMES, type Topology } from './topology';

const FILL: Record<string, string> = {
  cpu: '#eaeef2',
  host_bridge: '#eaeef2',
  memory: '#fff8c5',
  platform_device: '#ddf4ff',
  iommufd: '#ddf4ff',
  kvm: '#ddf4ff',
};

/** A DOT double-quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function attrs(a: Record<string, string | number | undefined>): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : dotString(v!)}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

export function renderDot(t: Topology): string {
  const out: string[] = [];
  out.push(`digraph ${dotString(t.title || 'dmabuf')} {`);
  out.push(`  graph${attrs({ rankdir: 'TB', fontname: 'monospace', fontsize: 10, newrank: 'true', label: t.title ? `dmabuf-lens: ${t.title}` : 'dmabuf-lens', labelloc: 't' })};`);
  out.push(`  node${attrs({ shape: 'box', style: 'rounded,filled', fillcolor: '#f6f8fa', color: '#8c959f', fontname: 'monospace', fontsize: 10 })};`);
  out.push(`  edge${attrs({ color: '#8c959f', arrowhead: 'none' })};`);

  const nodeLine = (n: Topology['nodes'][number]) => {
    const cls = ['node', n.kind, n.cls, n.acsRedirect ? 'acs-redirect' : undefined, n.implicit ? 'implicit' : undefined].filter(Boolean).join(' ');
    const style = ['rounded', 'filled', ...(n.implicit || n.kind === 'link' ? ['dashed'] : []), ...(n.kind === 'vf' ? ['dotted'] : [])].join(',');
    return `${dotString(n.id)}${attrs({
      id: `node:${n.id}`,
      class: cls,
      label: [n.label, ...n.lines].join('\n'),
      style,
      fillcolor: FILL[n.kind],
      color: n.acsRedirect ? '#cf222e' : n.kind === 'link' ? OUTCOME_COLOUR.private : undefined,
      penwidth: n.acsRedirect ? 2 : undefined,
    })};`;
  };

  // Boxes as clusters, each with its members.
  const members = new Map<string, Topology['nodes'][number][]>();
  for (const n of t.nodes) if (n.box) members.set(n.box, [...(members.get(n.box) ?? []), n]);
  t.boxes.forEach((b, i) => {
    out.push(`  subgraph ${dotString(`cluster_${i}`)} {`);
    const style = b.kind === 'side' ? 'rounded,dashed' : 'rounded,filled';
    const fill = b.kind === 'group' ? '#e7f0fb' : b.kind === 'switch' ? '#eef1f4' : undefined;
    out.push(`    graph${attrs({ id: `box:${b.id}`, class: `box ${b.kind}`, label: b.kind === 'switch' ? '' : b.label, style, fillcolor: fill, color: b.kind === 'group' ? '#7aa7e0' : '#8c959f', tooltip: b.reason ? `${b.label}: ${b.reason}` : b.label })};`);
    for (const n of members.get(b.id) ?? []) out.push(`    ${nodeLine(n)}`);
    out.push('  }');
  });
  for (const n of t.nodes) if (!n.box) out.push(`  ${nodeLine(n)}`);

  for (const e of t.edges) {
    out.push(`  ${dotString(e.source)} -> ${dotString(e.target)}${attrs({ id: `edge:${e.id}`, class: `edge ${e.kind}`, style: e.kind === 'vf' ? 'dashed' : undefined })};`);
  }
  for (const l of t.links) {
    for (let i = 0; i + 1 < l.members.length; i++) {
      out.push(`  ${dotString(l.members[i]!)} -> ${dotString(l.members[i + 1]!)}${attrs({ class: `link-line ${l.type}`, style: 'dashed', color: OUTCOME_COLOUR.private, penwidth: 2, constraint: 'false', dir: 'both', tooltip: `${l.type} link` })};`);
    }
  }
  for (const s of t.shares) {
    const from = s.route[0]!;
    const to = s.route[s.route.length - 1]!;
    const dist = s.distance === null ? '' : ` distance ${s.distance}`;
    out.push(
      `  ${dotString(from)} -> ${dotString(to)}${attrs({
        id: `share:${s.id}`,
        class: `route ${s.outcome}${s.direct ? ' direct' : ''}${s.traffic ? '' : ' no-traffic'}`,
        label: s.id,
        tooltip: `${s.id}: ${s.mapType}${dist}, ${s.placement}, ${s.addressKind}${s.ok ? '' : ', fails'}; ${s.traffic ? `TLPs ${s.route.join(' -> ')}` : `no TLPs; asked ${s.route.join(' -> ')}`}`,
        color: OUTCOME_COLOUR[s.outcome],
        fontcolor: OUTCOME_COLOUR[s.outcome],
        penwidth: 2.5,
        arrowhead: s.traffic ? 'normal' : 'tee',
        style: !s.traffic ? 'dotted' : s.direct ? 'dashed' : 'solid',
        constraint: 'false',
      })};`,
    );
  }

  // The legend, as a table.
  const rows = OUTCOMES.map(({ outcome, label }) => `<TR><TD BGCOLOR="${OUTCOME_COLOUR[outcome]}" WIDTH="24"></TD><TD ALIGN="LEFT">${htmlText(label)}</TD></TR>`).join('');
  out.push(`  "legend:outcomes" [shape=plaintext, id="legend", class="legend", label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2"><TR><TD COLSPAN="2"><B>Legend</B></TD></TR>${rows}</TABLE>>];`);
  out.push('}');
  return out.join('\n') + '\n';
}

function htmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
