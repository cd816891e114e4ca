// Analysis results (analysis/types.ts) to LSP and to the `dmabuf/shares` JSON.

import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/analyze';
import type { Span } from '../syntax/ast';
import { ruleHref, type DiagnosticJson, type ExplainJson, type KernelJson, type ShareJson, type SharesResult } from './protocol';
import type { Platform } from '../model/types';
import { releaseText } from '../ground/release';
import { routeText, shareToJson } from './json';
import { stepTexts } from '../engine/types';
import type { Finding } from '../ground/findings';
import type { Severity } from '../ground/codes';

export function spanToRange(span: Span): Range {
  return {
    start: { line: span.start.line, character: span.start.character },
    end: { line: span.end.line, character: span.end.character },
  };
}

function lspSeverity(s: Severity): DiagnosticSeverity {
  return s === 'error' ? DiagnosticSeverity.Error : s === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}

export function toDiagnostic(f: Finding): Diagnostic {
  const d: Diagnostic = {
    range: spanToRange(f.span),
    severity: lspSeverity(f.severity),
    code: f.code,
    codeDescription: { href: ruleHref(f.code) },
    source: 'dmabuf',
    message: f.message,
  };
  if (f.related.length > 0) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: r.uri, range: spanToRange(r.span) }, message: r.message }));
  }
  if (f.data !== undefined || f.share !== undefined) d.data = { ...(f.data ?? {}), ...(f.share !== undefined ? { share: f.share } : {}) };
  return d;
}

function toDiagnosticJson(f: Finding): DiagnosticJson {
  const d: DiagnosticJson = { code: f.code, severity: f.severity, message: f.message, range: spanToRange(f.span), uri: f.uri };
  return f.related.length > 0
    ? { ...d, relatedInformation: f.related.map((r) => ({ uri: r.uri, range: spanToRange(r.span), message: r.message })) }
    : d;
}

export function toSharesResult(uri: string, a: Analysis, withExplain = true): SharesResult {
  return {
    uri,
    files: a.files.map((f) => f.uri),
    diagnostics: a.findings.map(toDiagnosticJson),
    ...(a.engineWithheld ? { engineWithheld: a.engineWithheld } : {}),
    shares: a.shares.map((s) => shareToJson(s) as unknown as ShareJson),
    explain: !withExplain ? [] : a.shares.map(
      (s): ExplainJson => ({
        name: s.name,
        steps: stepTexts(s.explain),
        uri: s.location.uri,
        range: spanToRange(s.location.span),
        iommuGroup: s.iommuGroup,
        routeText: routeText(s, a.model.platform),
      }),
    ),
    ...(a.model.platform ? { kernel: kernelJson(a.model.platform) } : {}),
  };
}

/** The kernel a model is evaluated on, for `dmabuf/shares` and hover. */
export function kernelJson(p: Platform): KernelJson {
  const v = p.kernel.version;
  const chosenBy = v === undefined ? 'version 1' : v.place ? 'version' : 'override';
  return { release: releaseText(p.kernel.release), chosenBy, ...(v?.distro ? { distro: v.distro } : {}) };
}
