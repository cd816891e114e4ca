// The project's own LSP extension, shared by the server, the CLI and the VS Code client.
// Plain types and a method name only: no runtime dependency, so every bundle can import it.

/** `dmabuf/shares`: the full analysis of the model whose root file is `uri`. */
export const SHARES_METHOD = 'dmabuf/shares';

export interface SharesParams {
  /** A file: URI on disk, or the URI of a document open in the client. */
  readonly uri: string;
  /**
   * false: leave `explain` empty. The steps are most of the answer and are written only
   * when asked (dmabuf-lint's lint formats never print them). Default true.
   */
  readonly explain?: boolean;
  /**
   * Extension: evaluate the model on this kernel release instead of its own `version`: a
   * mainline release (`6.8`) or a distribution alias (`ubuntu-24.04`); docs/language.md,
   * "`version`". A release the engine does not model is an InvalidParams error.
   */
  readonly kernel?: string;
}

/** The kernel a model was evaluated on. */
export interface KernelJson {
  /** The mainline release, `7.3`. */
  readonly release: string;
  /** `version` (written in the model), `override` (the request's `kernel`), `version 1` (neither: the version-1 kernel). */
  readonly chosenBy: 'version' | 'override' | 'version 1';
  /** The distribution alias it was written as, if any. */
  readonly distro?: string;
}

export interface PositionJson {
  readonly line: number;
  readonly character: number;
}

export interface RangeJson {
  readonly start: PositionJson;
  readonly end: PositionJson;
}

export type SeverityJson = 'error' | 'warning' | 'info';

export interface RelatedJson {
  readonly uri: string;
  readonly range: RangeJson;
  readonly message: string;
}

export interface DiagnosticJson {
  readonly code: string;
  readonly severity: SeverityJson;
  readonly message: string;
  readonly range: RangeJson;
  /** The file of the model the diagnostic is in (the root or a `use`d file). */
  readonly uri: string;
  readonly relatedInformation?: readonly RelatedJson[];
}

/** One share exactly as docs/language.md §7 prints it, plus `route` (its extensions; made by lsp/json.ts shareToJson). */
export interface ShareJson {
  readonly name: string;
  readonly buffer: string;
  readonly exporter: string | null;
  readonly importer: string;
  readonly mapType: string;
  readonly distance: number | null;
  readonly path: readonly string[];
  /** Extension: the nodes the TLPs traverse, from where the buffer is to the importer; empty when none are sent. */
  readonly route: readonly string[];
  readonly placement: string;
  readonly addressKind: string;
  readonly ok: boolean;
  readonly segments: readonly { readonly dma: string; readonly length: string }[];
}

/** The `explain` view of one share, with where it is declared. */
export interface ExplainJson {
  readonly name: string;
  readonly steps: readonly string[];
  readonly uri: string;
  readonly range: RangeJson;
  readonly iommuGroup: number | null;
  /** The share's `route` in words, host bridges marked as the root complex (absent from older servers). */
  readonly routeText?: string;
}

export interface SharesResult {
  readonly uri: string;
  /** Every file of the model: the root first, then the `use`d files in the order they are pulled in. */
  readonly files: readonly string[];
  /** Every diagnostic of the model, in every file of it. */
  readonly diagnostics: readonly DiagnosticJson[];
  /** Every share of the model in share order. */
  readonly shares: readonly ShareJson[];
  /** One entry per share, in the same order; empty when the request said `explain: false`. */
  readonly explain: readonly ExplainJson[];
  /** Set when the mapping engine was not run: the platform has syntax errors, its topology would be a guess. */
  readonly engineWithheld?: 'syntax-errors';
  /** Extension: the kernel the model was evaluated on; absent without a platform (and from older servers). */
  readonly kernel?: KernelJson;
}

/** The LSP error code the server answers `dmabuf/shares` with when the file cannot be read. */
export const FILE_NOT_READABLE = -32602;

/** Documentation of a diagnostic code (docs/rules/<code>.md, published there). */
export function ruleHref(code: string): string {
  return `https://dmabuf-lens.dev/rules/${code}`;
}
