// What every rule module is: a code, its default severity, the kernel behaviour behind
// it, and a check over the engine's results. Rules never compute kernel behaviour
// themselves: they read the engine's outcome and say it in words.

import type { Place, ResolvedModel, Share } from '../model/types';
import type { EngineResult, ShareOutcome } from '../engine/run';
import type { Span } from '../syntax/ast';
import type { DiagnosticCode, Severity } from '../ground/codes';
import type { Finding, RelatedInfo } from '../ground/findings';

export interface Draft {
  readonly message: string;
  readonly place: Place;
  readonly related?: readonly RelatedInfo[];
  readonly data?: Readonly<Record<string, unknown>>;
  readonly share?: string;
}

export interface RuleContext {
  readonly model: ResolvedModel;
  readonly engine: EngineResult;
}

export interface Rule {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** The kernel function(s) the rule follows, for docs and messages. */
  readonly kernel: string;
  /** One line for docs and hovers. */
  readonly summary: string;
  /** Per share (most rules) or over the whole model. Absent: produced by the syntax or model layer. */
  readonly checkShare?: (o: ShareOutcome, ctx: RuleContext) => Draft[];
  readonly checkModel?: (ctx: RuleContext) => Draft[];
}

/** The head of a share declaration, `share B -> I [as N]`: where share findings go. */
export function shareHead(s: Share): Place {
  const d = s.decl;
  const end: Span = (d.alias ?? d.importer ?? d.cpu ?? d.buffer).span;
  return {
    uri: s.uri,
    span: { startOffset: d.span.startOffset, endOffset: end.endOffset, start: d.span.start, end: end.end },
  };
}

export function related(place: Place, message: string): RelatedInfo {
  return { uri: place.uri, span: place.span, message };
}

export function atShare(o: ShareOutcome, message: string, extra: Omit<Draft, 'message' | 'place'> = {}): Draft {
  return { message, place: shareHead(o.share), share: o.share.name, ...extra };
}

export function toFinding(rule: Rule, severity: Severity, d: Draft): Finding {
  return {
    code: rule.code,
    severity,
    phase: 'engine',
    message: d.message,
    uri: d.place.uri,
    span: d.place.span,
    related: d.related ?? [],
    ...(d.share ? { share: d.share } : {}),
    ...(d.data ? { data: d.data } : {}),
  };
}

/** A rule whose finding is the engine's own failure of that code. */
export function failureRule(code: DiagnosticCode, kernel: string, summary: string, advice: (o: ShareOutcome) => string, relatedFor?: (o: ShareOutcome) => RelatedInfo[]): Rule {
  return {
    code,
    severity: 'error',
    kernel,
    summary,
    checkShare: (o) => {
      const f = o.mapping.failure;
      if (!f || f.code !== code) return [];
      return [atShare(o, `${o.share.name} fails: ${f.message}. ${advice(o)}`, { related: relatedFor?.(o) ?? [] })];
    },
  };
}
