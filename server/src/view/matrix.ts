// The P2P matrix of a model, like `nvidia-smi topo -m`: every ordered pair of PCI
// endpoints (functions and VFs), provider (the BAR's owner) by client, with the map type
// and distance that pci_p2pdma_map_type() gives. Every cell is the engine's own answer,
// read from its per-provider cache (EngineResult.p2p, the same object the shares were
// mapped with): nothing is computed a second time here. Renderers for text and CSV
// (dmabuf-lint matrix) are here; the HTML one is in html.ts.

import type { EngineResult } from '../engine/run';
import type { PciFunction, Place, ResolvedModel } from '../model/types';
import { bdfShort } from '../ground/format';
import { applyFilter, isEmptyFilter, type ViewFilter } from './filter';

type P2pMapType = 'BUS_ADDR' | 'THRU_HOST_BRIDGE' | 'NOT_SUPPORTED';

export interface MatrixEndpoint {
  readonly name: string;
  readonly kind: 'endpoint' | 'vf';
  /** gpu, nic, nvme… */
  readonly cls: string | undefined;
  readonly bdf: string | undefined;
  readonly hostBridge: string;
  /** The IOMMU group, when the platform has an IOMMU. */
  readonly iommuGroup: number | null;
  readonly place: Place;
}

export interface MatrixCell {
  readonly mapType: P2pMapType;
  readonly distance: number;
  /** The engine's path from provider to client (docs/language.md §7). */
  readonly path: readonly string[];
  readonly commonAncestor: string | null;
  /** The functions whose ACS redirect made the host bridge necessary. */
  readonly acsRedirects: readonly string[];
  /** A private link (xgmi, nvlink) that joins the two, if any: their shares are PRIVATE. */
  readonly link: string | null;
}

interface P2pMatrix {
  readonly title: string;
  readonly endpoints: readonly MatrixEndpoint[];
  /** cells[i][j]: provider endpoints[i], client endpoints[j]. */
  readonly cells: readonly (readonly MatrixCell[])[];
}

/** What the renderers read: a matrix without the places (as the CLI gets it over LSP too). */
export interface MatrixView {
  readonly title: string;
  readonly endpoints: readonly {
    readonly name: string;
    readonly kind: 'endpoint' | 'vf';
    readonly cls?: string | null | undefined;
    readonly bdf?: string | null | undefined;
    readonly hostBridge: string;
    readonly iommuGroup: number | null;
  }[];
  readonly cells: readonly (readonly MatrixCell[])[];
}

/** The PCI endpoints of a model, in the order of the tree. */
export function matrixEndpoints(model: ResolvedModel): PciFunction[] {
  return model.functions.filter((f) => f.kind === 'endpoint' || f.kind === 'vf');
}

/** The matrix, read from the engine's P2P cache. Empty without a platform or the engine's result. */
export function buildMatrix(model: ResolvedModel, engine: EngineResult | undefined, title = '', filter?: ViewFilter): P2pMatrix {
  const p2p = engine?.p2p;
  const platform = model.platform;
  if (!p2p || !platform) return { title, endpoints: [], cells: [] };
  const shown = isEmptyFilter(filter) ? undefined : applyFilter(model, filter);
  const fns = matrixEndpoints(model).filter((f) => !shown || shown.kept.has(f));
  const showGroups = platform.iommu !== undefined;
  const endpoints: MatrixEndpoint[] = fns.map((f) => ({
    name: f.name,
    kind: f.kind as 'endpoint' | 'vf',
    cls: f.cls,
    bdf: bdfShort(f.bdf) || undefined,
    hostBridge: f.hostBridge.name,
    iommuGroup: showGroups ? (engine.groups?.groupOf.get(f)?.id ?? null) : null,
    place: f.place,
  }));
  const cells = fns.map((provider) =>
    fns.map((client): MatrixCell => {
      const r = p2p.mapType(provider, client);
      const link = platform.links.find((l) => l.members.includes(provider.name) && l.members.includes(client.name));
      return {
        mapType: r.mapType,
        distance: r.distance,
        path: [...r.path],
        commonAncestor: r.commonAncestor?.name ?? null,
        acsRedirects: r.acsRedirects.map((f) => f.name),
        link: link ? link.type : null,
      };
    }),
  );
  return { title, endpoints, cells };
}

export const SHORT: Record<P2pMapType, string> = { BUS_ADDR: 'BUS', THRU_HOST_BRIDGE: 'HB', NOT_SUPPORTED: 'NS' };

/** A cell as the text matrix shows it: `BUS 2`, `HB 4`, `NS 6`, with `+xgmi` for a link; `X` on the diagonal. */
export function cellText(m: MatrixView, i: number, j: number): string {
  if (i === j) return 'X';
  const c = m.cells[i]![j]!;
  return `${SHORT[c.mapType]} ${c.distance}${c.link ? ` +${c.link}` : ''}`;
}

export const MATRIX_LEGEND: readonly (readonly [string, string])[] = [
  ['X', 'the device itself'],
  ['BUS n', 'BUS_ADDR: a common upstream bridge without ACS redirect; the TLPs turn around there'],
  ['HB n', 'THRU_HOST_BRIDGE: through the root complex (ACS redirect, or no common bridge), allowed by the CPU or the whitelist'],
  ['NS n', 'NOT_SUPPORTED: pci_p2pdma_map_type() refuses P2P between them'],
  ['n', 'the distance of calc_map_type_and_dist()'],
  ['+link', 'a private link (xgmi, nvlink) joins them: shares between them are PRIVATE'],
];

/** Where a text matrix must fit: `width` columns (a terminal's); undefined: as wide as it takes. */
interface TextOptions {
  readonly width?: number;
}

/** A cell in the compact form: `B2`, `H4`, `N6`, `P` for a link; `X` on the diagonal. */
function compactCell(m: MatrixView, i: number, j: number): string {
  if (i === j) return 'X';
  const c = m.cells[i]![j]!;
  return c.link ? 'P' : `${SHORT[c.mapType][0]}${c.distance}`;
}

/**
 * The matrix as text, `nvidia-smi topo -m` style, with the endpoints and a legend. When
 * the named table is wider than `width`, columns are numbered instead of named, cells are
 * compact (`B2`), and the columns are cut into pages that each fit.
 */
export function matrixText(m: MatrixView, options: TextOptions = {}): string {
  const out: string[] = [];
  if (m.title) out.push(`P2P matrix of ${m.title}`);
  if (m.endpoints.length === 0) {
    out.push('no PCI endpoints');
    return out.join('\n') + '\n';
  }
  out.push('rows: provider (owns the BAR), columns: client; the map type and distance of pci_p2pdma_map_type()', '');
  const names = m.endpoints.map((e) => e.name);
  const first = Math.max(...names.map((n) => n.length));
  const widths = names.map((n, j) => Math.max(n.length, ...m.endpoints.map((_, i) => cellText(m, i, j).length)));
  const fullWidth = first + widths.reduce((a, w) => a + w + 2, 0);
  const compact = options.width !== undefined && fullWidth > options.width;
  if (!compact) {
    const row = (head: string, cells: string[]) => [head.padEnd(first), ...cells.map((c, j) => c.padEnd(widths[j]!))].join('  ').trimEnd();
    out.push(row('', names));
    m.endpoints.forEach((e, i) => out.push(row(e.name, names.map((_, j) => cellText(m, i, j)))));
  } else {
    const head = Math.max(...names.map((n, i) => `${i} ${n}`.length));
    const cw = Math.max(String(names.length - 1).length, ...m.endpoints.flatMap((_, i) => names.map((__, j) => compactCell(m, i, j).length)));
    const perPage = Math.max(1, Math.floor((options.width! - head) / (cw + 1)));
    for (let start = 0; start < names.length; start += perPage) {
      const cols = names.map((_, j) => j).slice(start, start + perPage);
      if (names.length > perPage) out.push(`columns ${start}-${cols[cols.length - 1]} of ${names.length}:`);
      out.push([''.padEnd(head), ...cols.map((j) => String(j).padStart(cw))].join(' ').trimEnd());
      m.endpoints.forEach((_, i) => out.push([`${i} ${names[i]}`.padEnd(head), ...cols.map((j) => compactCell(m, i, j).padStart(cw))].join(' ').trimEnd()));
      out.push('');
    }
    out.push('columns: row numbers; B BUS_ADDR, H THRU_HOST_BRIDGE, N NOT_SUPPORTED, P link');
  }
  out.push('', 'endpoints:');
  const info = m.endpoints.map((e) => [e.name, e.bdf ?? '', e.kind === 'vf' ? `vf (${e.cls ?? ''})` : (e.cls ?? 'endpoint'), e.hostBridge, e.iommuGroup === null ? '' : `group ${e.iommuGroup}`]);
  const iw = [0, 1, 2, 3].map((k) => Math.max(...info.map((r) => r[k]!.length)));
  for (const r of info) out.push(`  ${r.map((c, k) => (k < 4 ? c.padEnd(iw[k]!) : c)).join('  ').trimEnd()}`);
  out.push('', 'legend:');
  const lw = Math.max(...MATRIX_LEGEND.map(([k]) => k.length));
  for (const [k, v] of MATRIX_LEGEND) out.push(`  ${k.padEnd(lw)}  ${v}`);
  return out.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = ['provider', 'client', 'mapType', 'distance', 'commonAncestor', 'acsRedirects', 'link', 'path'] as const;

/** One row per ordered pair (the diagonal too), RFC 4180. Lists are space-separated. */
export function matrixCsv(m: MatrixView): string {
  const lines = [CSV_HEADER.join(',')];
  m.endpoints.forEach((p, i) =>
    m.endpoints.forEach((c, j) => {
      const cell = m.cells[i]![j]!;
      lines.push([p.name, c.name, cell.mapType, String(cell.distance), cell.commonAncestor ?? '', cell.acsRedirects.join(' '), cell.link ?? '', cell.path.join(' ')].map(csvField).join(','));
    }),
  );
  return lines.join('\r\n') + '\r\n';
}
