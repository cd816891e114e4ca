// The view requests of the language server: `dmabuf/topology` (the model drawn as SVG,
// optionally DOT, with where each node and share is declared) and `dmabuf/matrix` (the
// P2P matrix). LSP glue only: the pictures come from server/src/view, the numbers from
// the engine's result in the model's analysis.

import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/analyze';
import type { Place } from '../model/types';
import { renderDot } from '../view/dot';
import { layoutTopology } from '../view/layout';
import { buildMatrix } from '../view/matrix';
import { renderSvg } from '../view/svg';
import { buildTopology } from '../view/topology';
import type { ViewFilter } from '../view/filter';
import { spanToRange } from './convert';
import {
  MATRIX_METHOD,
  TOPOLOGY_METHOD,
  type MatrixParams,
  type MatrixResult,
  type TopologyParams,
  type TopologyResult,
  type ViewPlace,
} from './viewProtocol';

/** The full analysis (with the engine) of the model whose root file is `uri`, or why there is none. */
export type ViewAnalysis = (uri: string) => Analysis | ResponseError;

function place(p: Place): ViewPlace {
  return { uri: p.uri, range: spanToRange(p.span) };
}

/** The file name of a URI, for titles. */
function titleOf(uri: string): string {
  const last = uri.slice(uri.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function errorCount(a: Analysis): number {
  return a.findings.filter((f) => f.severity === 'error').length;
}

/** The filter of a request, keeping only well-typed parts (a client may send anything). */
function filterOf(f: unknown): ViewFilter | undefined {
  if (typeof f !== 'object' || f === null) return undefined;
  const o = f as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const numbers = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x)) : undefined);
  return { only: strings(o.only), hostBridges: strings(o.hostBridges), nodes: numbers(o.nodes) };
}

async function topologyResult(uri: string, a: Analysis, p: Pick<TopologyParams, 'svg' | 'dot' | 'filter'> = {}): Promise<TopologyResult> {
  const t = buildTopology(a.model, a.engine, titleOf(uri), filterOf(p.filter));
  const layout = await layoutTopology(t);
  return {
    uri,
    files: a.files.map((f) => f.uri),
    svg: renderSvg(t, layout, { standalone: p.svg !== 'embedded' }),
    dot: p.dot ? renderDot(t) : null,
    nodes: t.nodes.map((n) => ({
      id: n.id,
      kind: n.kind,
      label: n.label,
      bdf: n.bdf ?? null,
      iommuGroup: n.iommuGroup ?? null,
      acsRedirect: n.acsRedirect,
      place: n.place ? place(n.place) : null,
    })),
    shares: t.shares.map((s) => ({ id: s.id, outcome: s.outcome, mapType: s.mapType, route: [...s.route], tlps: [...s.tlps], direct: s.direct, place: place(s.place) })),
    errors: errorCount(a),
  };
}

function matrixResult(uri: string, a: Analysis, filter?: unknown): MatrixResult {
  const m = buildMatrix(a.model, a.engine, titleOf(uri), filterOf(filter));
  return {
    uri,
    files: a.files.map((f) => f.uri),
    title: m.title,
    endpoints: m.endpoints.map((e) => ({ ...e, cls: e.cls ?? null, bdf: e.bdf ?? null, place: place(e.place) })),
    cells: m.cells,
    errors: errorCount(a),
  };
}

function validUri(p: unknown, method: string): string | ResponseError {
  const uri = (p as { uri?: unknown } | null | undefined)?.uri;
  if (typeof uri !== 'string' || uri.length === 0) return new ResponseError(ErrorCodes.InvalidParams, `${method} needs { uri: string }`);
  return uri;
}

/** Registers `dmabuf/topology` and `dmabuf/matrix` on the connection. */
export function registerViews(c: Connection, analysisFor: ViewAnalysis): void {
  const failed = (method: string, e: unknown) => {
    c.console.error(`${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return new ResponseError(ErrorCodes.InternalError, `${method} failed: ${e instanceof Error ? e.message : String(e)}`);
  };
  c.onRequest(TOPOLOGY_METHOD, async (p: TopologyParams) => {
    try {
      const uri = validUri(p, TOPOLOGY_METHOD);
      if (uri instanceof ResponseError) return uri;
      if (p.svg !== undefined && p.svg !== 'standalone' && p.svg !== 'embedded') {
        return new ResponseError(ErrorCodes.InvalidParams, `${TOPOLOGY_METHOD}: svg is 'standalone' or 'embedded'`);
      }
      const a = analysisFor(uri);
      if (a instanceof ResponseError) return a;
      return await topologyResult(uri, a, p);
    } catch (e) {
      return failed(TOPOLOGY_METHOD, e);
    }
  });
  c.onRequest(MATRIX_METHOD, (p: MatrixParams) => {
    try {
      const uri = validUri(p, MATRIX_METHOD);
      if (uri instanceof ResponseError) return uri;
      const a = analysisFor(uri);
      if (a instanceof ResponseError) return a;
      return matrixResult(uri, a, p.filter);
    } catch (e) {
      return failed(MATRIX_METHOD, e);
    }
  });
}
