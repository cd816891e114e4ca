// The project's LSP requests for the views: the topology diagram and the P2P matrix,
// shared by the server (views.ts), the CLI (graph, matrix) and the VS Code client
// (client/src/views.ts). Plain types and method names only, as protocol.ts.

import type { MatrixCell, MatrixEndpoint } from '../view/matrix';
import type { RangeJson } from './protocol';

/**
 * What a view shows of a big machine (server/src/view/filter.ts): endpoint classes
 * (`gpu`, `nic`, `nvme`, `accel`, `fpga`, `endpoint`), host bridges by name, NUMA nodes.
 * Empty or absent: everything.
 */
export interface ViewFilterJson {
  readonly only?: readonly string[];
  readonly hostBridges?: readonly string[];
  readonly nodes?: readonly number[];
}

/** `dmabuf/topology`: the model whose root file is `uri`, drawn. */
export const TOPOLOGY_METHOD = 'dmabuf/topology';
/** `dmabuf/matrix`: the P2P matrix of the model whose root file is `uri`. */
export const MATRIX_METHOD = 'dmabuf/matrix';

export interface ViewPlace {
  readonly uri: string;
  readonly range: RangeJson;
}

export interface TopologyParams {
  /** A file: URI on disk, or the URI of a document open in the client. */
  readonly uri: string;
  /**
   * `standalone` (default): the SVG carries its stylesheet (a file on its own);
   * `embedded`: without it, for a page that has the stylesheet (the webview).
   */
  readonly svg?: 'standalone' | 'embedded';
  /** Also render Graphviz DOT. */
  readonly dot?: boolean;
  readonly filter?: ViewFilterJson;
}

export interface TopologyNodeJson {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly bdf: string | null;
  readonly iommuGroup: number | null;
  readonly acsRedirect: boolean;
  /** Where it is declared (its name); null for nothing declared. */
  readonly place: ViewPlace | null;
}

export interface TopologyShareJson {
  readonly id: string;
  readonly outcome: string;
  readonly mapType: string;
  /** The nodes the share is drawn through: its TLPs' route, or what was asked when none are sent. */
  readonly route: readonly string[];
  /** The engine's `route`: the nodes the TLPs traverse (empty: none are sent). */
  readonly tlps: readonly string[];
  readonly direct: boolean;
  readonly place: ViewPlace;
}

export interface TopologyResult {
  readonly uri: string;
  /** Every file of the model (the root first): a save of any of them changes the picture. */
  readonly files: readonly string[];
  readonly svg: string;
  readonly dot: string | null;
  readonly nodes: readonly TopologyNodeJson[];
  readonly shares: readonly TopologyShareJson[];
  /** Errors in the model (the diagram shows what could be analysed). */
  readonly errors: number;
}

export interface MatrixParams {
  readonly uri: string;
  readonly filter?: ViewFilterJson;
}

export interface MatrixEndpointJson extends Omit<MatrixEndpoint, 'place' | 'cls' | 'bdf'> {
  readonly cls: string | null;
  readonly bdf: string | null;
  readonly place: ViewPlace;
}

export interface MatrixResult {
  readonly uri: string;
  readonly files: readonly string[];
  readonly title: string;
  readonly endpoints: readonly MatrixEndpointJson[];
  /** cells[i][j]: provider endpoints[i], client endpoints[j]; the engine's own answers. */
  readonly cells: readonly (readonly MatrixCell[])[];
  readonly errors: number;
}
