// --format github: GitHub Actions workflow commands, one annotation per diagnostic
// (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).

import type { DiagnosticJson, RangeJson } from '../../server/src/lsp/protocol';
import { placeOf, plural, summarize, type FileReport } from './report';
import { uniqueDiagnostics } from './sarif';

/** The message part of a workflow command. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value of a workflow command (file=…, title=…). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub's line and column properties: 1-based, the end column inclusive. */
function position(r: RangeJson): string {
  const line = r.start.line + 1;
  const col = r.start.character + 1;
  // A range that ends at the start of a line ends at the end of the line before.
  if (r.end.character === 0 && r.end.line > r.start.line) return `line=${line},col=${col},endLine=${r.end.line}`;
  const endLine = r.end.line + 1;
  const endColumn = endLine === line ? Math.max(col, r.end.character) : Math.max(1, r.end.character);
  return `line=${line},col=${col},endLine=${endLine},endColumn=${endColumn}`;
}

export function annotation(d: DiagnosticJson, cwd: string): string {
  const command = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
  const related = (d.relatedInformation ?? []).map((r) => `\n  ${placeOf(r.uri, cwd)}:${r.range.start.line + 1}:${r.range.start.character + 1}: ${r.message}`);
  const file = escapeProperty(placeOf(d.uri, cwd));
  return `::${command} file=${file},${position(d.range)},title=${escapeProperty(d.code)}::${escapeData(d.message + related.join(''))}`;
}

export function githubReport(files: readonly FileReport[], cwd: string, quiet: boolean): string {
  const out = uniqueDiagnostics(files).map((d) => annotation(d, cwd));
  const s = summarize(files);
  const parts = [plural(s.files, 'file', 'files'), plural(s.errors, 'error', 'errors')];
  if (!quiet) parts.push(plural(s.warnings, 'warning', 'warnings'), plural(s.infos, 'info', 'infos'));
  out.push(`dmabuf-lint: ${parts.join(', ')}`);
  return out.join('\n') + '\n';
}
