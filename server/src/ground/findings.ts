// What the analysis reports: a finding at a place, with the phase that produced it.
// The ground layer: it imports nothing above itself.

import type { DiagnosticCode, Severity } from './codes';
import type { Span } from './span';

/** A place in a file of the model. `uri` is whatever the host used to name the file. */
export interface Location {
  readonly uri: string;
  readonly span: Span;
}

export interface RelatedInfo extends Location {
  readonly message: string;
}

/**
 * The phase of the analysis that produced a finding (ARCHITECTURE.md, "Phases"):
 * - `parsed`: the files were read and parsed, and their `use`s followed;
 * - `names`: the model was built, its names resolved and its values checked;
 * - `engine`: the mapping engine ran and the rules worded its outcome.
 * Each phase needs the ones before it; an editor re-runs the first two while the user
 * types and keeps the `engine` findings of the last full run.
 */
export type Phase = 'parsed' | 'names' | 'engine';

export const PHASES: readonly Phase[] = ['parsed', 'names', 'engine'];

export interface Finding extends Location {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly phase: Phase;
  readonly related: readonly RelatedInfo[];
  /** The share the finding is about, if any (its §7 name). */
  readonly share?: string;
  /** Machine-readable detail for quick fixes (e.g. the BDFs to add to disable_acs_redir). */
  readonly data?: Readonly<Record<string, unknown>>;
}
