// `dmabuf-lint explain FILE SHARE`: the server's explanation of one share (the
// engine's steps and the computed result), and the diagnostics at that share.

import type { DiagnosticJson, ExplainJson, RangeJson, ShareJson, SharesResult } from '../../server/src/lsp/protocol';
import { fileKey } from '../../server/src/lsp/uris';
import { paint, placeOf, prettyDiagnostic, Sources, type Style } from './report';

interface Explained {
  readonly share: ShareJson;
  readonly explain: ExplainJson | undefined;
  readonly diagnostics: readonly DiagnosticJson[];
}

/** Share names as the user may type them: `a -> b` is `a->b`. */
function normalize(name: string): string {
  return name.replace(/\s*->\s*/g, '->').trim();
}

function inside(inner: RangeJson, outer: RangeJson): boolean {
  const before = (a: RangeJson['start'], b: RangeJson['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/** The shares of the model named `name` (normally one), or [] when there is none. */
export function findShare(r: SharesResult, name: string): Explained[] {
  const want = normalize(name);
  const out: Explained[] = [];
  r.shares.forEach((share, i) => {
    if (share.name !== want) return;
    const explain = r.explain[i]?.name === share.name ? r.explain[i] : r.explain.find((e) => e.name === share.name);
    // A diagnostic about a share lies inside the share's declaration (docs/language.md §6).
    const diagnostics = explain ? r.diagnostics.filter((d) => fileKey(d.uri) === fileKey(explain.uri) && inside(d.range, explain.range)) : [];
    out.push({ share, explain, diagnostics });
  });
  return out;
}

/** The one-line message for a share that does not exist. */
export function notFoundMessage(r: SharesResult, name: string, shown: string): string {
  const names = r.shares.map((s) => s.name);
  if (names.length === 0) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    return `no share '${name}' in ${shown}: it has no shares${errors > 0 ? ` (it has ${errors} error${errors === 1 ? '' : 's'}: run dmabuf-lint ${shown})` : ''}`;
  }
  const MAX = 20;
  const listed = names.slice(0, MAX).join(', ') + (names.length > MAX ? `, … (${names.length - MAX} more)` : '');
  return `no share '${name}' in ${shown}; its shares: ${listed}`;
}

function hex(s: ShareJson): string {
  if (s.segments.length === 0) return '(none)';
  return s.segments.map((g) => `${g.dma} +${g.length}`).join(', ');
}

export function explainPretty(found: readonly Explained[], cwd: string, style: Style): string {
  const out: string[] = [];
  const src = new Sources();
  for (const { share: s, explain: e, diagnostics } of found) {
    const where = e ? ` (${placeOf(e.uri, cwd)}:${e.range.start.line + 1}:${e.range.start.character + 1})` : '';
    out.push(`${paint(style, ['bold'], `share ${s.name}`)}${where}`);
    const rows: [string, string][] = [
      ['buffer', s.buffer],
      ['exporter', s.exporter ?? '(none)'],
      ['importer', s.importer],
      ['mapType', s.mapType],
      ['distance', s.distance === null ? '(none)' : String(s.distance)],
      ['path', s.path.length > 0 ? s.path.join(' -> ') : '(none)'],
      ['TLPs', e?.routeText ?? (s.route.length > 0 ? s.route.join(' -> ') : '(none)')],
      ['placement', s.placement],
      ['addressKind', s.addressKind],
      ['ok', s.ok ? 'yes' : 'no'],
      ['segments', hex(s)],
      ['iommuGroup', e?.iommuGroup === null || e?.iommuGroup === undefined ? '(none)' : String(e.iommuGroup)],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) out.push(`  ${paint(style, ['dim'], k.padEnd(w))}  ${k === 'ok' ? paint(style, [s.ok ? 'green' : 'red'], v) : v}`);
    out.push('', paint(style, ['bold'], 'steps'));
    const steps = e?.steps ?? [];
    if (steps.length === 0) out.push('  (none)');
    steps.forEach((step, i) => out.push(`  ${String(i + 1).padStart(String(steps.length).length)}. ${step}`));
    out.push('', paint(style, ['bold'], 'diagnostics'));
    if (diagnostics.length === 0) out.push('  (none)');
    for (const d of diagnostics) out.push(...prettyDiagnostic(d, cwd, style, src, '  '));
    out.push('');
  }
  return out.join('\n');
}

/** The JSON of explain: the §7 share fields, its IOMMU group, the steps and the diagnostics. */
export function explainJson(found: readonly Explained[], shown: string): unknown {
  return {
    version: 1,
    path: shown,
    shares: found.map(({ share, explain, diagnostics }) => ({
      ...share,
      iommuGroup: explain?.iommuGroup ?? null,
      routeText: explain?.routeText ?? null,
      steps: [...(explain?.steps ?? [])],
      diagnostics: diagnostics.map((d) => ({
        code: d.code,
        severity: d.severity,
        message: d.message,
        range: { start: { ...d.range.start }, end: { ...d.range.end } },
      })),
    })),
  };
}
