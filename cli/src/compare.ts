// `dmabuf-lint compare FILE --kernel A,B…`: one model on several kernel releases, as the
// server computed it for each (`dmabuf/shares` with `kernel`). One row per share, one
// column per release: the verdict (map type, address kind, ok), then what changed
// between neighbouring columns and the diagnostics at the share that appear or go away
// there, which say why. Nothing here is analysis: it sets the server's answers side by side.

import { pathToFileURL } from 'node:url';
import type { DiagnosticJson, RangeJson, ShareJson, SharesResult } from '../../server/src/lsp/protocol';
import { fileKey } from '../../server/src/lsp/uris';
import { region, sarifLog } from './sarif';

export interface Verdict {
  readonly mapType: string;
  readonly addressKind: string;
  readonly ok: boolean;
  readonly placement: string;
}

export interface CompareChange {
  /** The column the change is seen in, and the one before it. */
  readonly from: string;
  readonly to: string;
  /** The verdict fields that differ, e.g. `mapType BUS_ADDR → NOT_SUPPORTED`. */
  readonly fields: readonly string[];
  /** Diagnostics at the share in `to` and not in `from` (+), or the other way (−): the reason. */
  readonly reasons: readonly string[];
}

export interface CompareRow {
  readonly share: string;
  /** One per column; null when the share does not exist on that release's model (never, today). */
  readonly verdicts: readonly (Verdict | null)[];
  readonly changes: readonly CompareChange[];
  readonly range: RangeJson | undefined;
}

export interface CompareTable {
  readonly path: string;
  /** The releases as given, and as the server evaluated them (`7.3`, `6.8 (ubuntu-24.04)`). */
  readonly kernels: readonly { readonly given: string; readonly release: string }[];
  readonly shares: readonly CompareRow[];
  /** Diagnostics outside the shares that appear (+) or go away (−) between neighbouring columns. */
  readonly model: readonly { readonly from: string; readonly to: string; readonly reasons: readonly string[] }[];
}

function verdictOf(s: ShareJson): Verdict {
  return { mapType: s.mapType, addressKind: s.addressKind, ok: s.ok, placement: s.placement };
}

export function verdictText(v: Verdict | null): string {
  if (!v) return '—';
  return `${v.mapType} ${v.addressKind} ${v.ok ? 'ok' : 'fails'}${v.placement === 'system' ? ' (system)' : ''}`;
}

function inside(r: RangeJson, outer: RangeJson): boolean {
  const before = (a: RangeJson['start'], b: RangeJson['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, r.start) && before(r.end, outer.end);
}

/**
 * The diagnostics inside the share's declaration, by code (the first message of each):
 * a code that stays is no change, even where its message names the release.
 */
function diagnosticsAt(r: SharesResult, shareIndex: number): Map<string, string> {
  const out = new Map<string, string>();
  const ex = r.explain[shareIndex];
  if (!ex) return out;
  const at = (d: DiagnosticJson) => fileKey(d.uri) === fileKey(ex.uri) && inside(d.range, ex.range);
  for (const d of r.diagnostics.filter(at)) if (!out.has(d.code)) out.set(d.code, d.message);
  return out;
}

/** The engine's steps that name a release (a whitelist entry that landed later, a behaviour before a release). */
function releaseSteps(r: SharesResult, shareIndex: number): string[] {
  return (r.explain[shareIndex]?.steps ?? []).filter((s) => /landed in \d|only in pci\/next|before \d+\.\d+/.test(s));
}

/** Diagnostics outside every share of the root file, by code: the model's own (a kernel flag the release lacks). */
function modelDiagnostics(r: SharesResult): Map<string, string> {
  const out = new Map<string, string>();
  const inShare = (d: DiagnosticJson) => r.explain.some((ex) => fileKey(d.uri) === fileKey(ex.uri) && inside(d.range, ex.range));
  for (const d of r.diagnostics) if (!inShare(d) && !out.has(d.code)) out.set(d.code, d.message);
  return out;
}

function fieldChanges(a: Verdict, b: Verdict): string[] {
  const out: string[] = [];
  if (a.mapType !== b.mapType) out.push(`mapType ${a.mapType} → ${b.mapType}`);
  if (a.addressKind !== b.addressKind) out.push(`addressKind ${a.addressKind} → ${b.addressKind}`);
  if (a.ok !== b.ok) out.push(b.ok ? 'now maps' : 'now fails');
  if (a.placement !== b.placement) out.push(`placement ${a.placement} → ${b.placement}`);
  return out;
}

function kernelLabel(given: string, r: SharesResult): string {
  const k = r.kernel;
  if (!k) return given;
  return k.distro ? `${k.release} (${k.distro})` : k.release;
}

export function compareTable(path: string, kernels: readonly string[], results: readonly SharesResult[]): CompareTable {
  const names = results[0]?.shares.map((s) => s.name) ?? [];
  const shares = names.map((name, i): CompareRow => {
    const verdicts = results.map((r) => (r.shares[i]?.name === name ? verdictOf(r.shares[i]!) : null));
    const changes: CompareChange[] = [];
    for (let c = 1; c < results.length; c++) {
      const a = verdicts[c - 1];
      const b = verdicts[c];
      if (!a || !b) continue;
      const before = diagnosticsAt(results[c - 1]!, i);
      const after = diagnosticsAt(results[c]!, i);
      const reasons = [
        ...[...after].filter(([code]) => !before.has(code)).map(([code, m]) => `+ ${code}: ${m}`),
        ...[...before].filter(([code]) => !after.has(code)).map(([code, m]) => `− ${code}: ${m}`),
        ...releaseSteps(results[c - 1]!, i).filter((s) => !releaseSteps(results[c]!, i).includes(s)).map((s) => `why: ${s}`),
      ];
      const fields = fieldChanges(a, b);
      if (fields.length > 0 || reasons.length > 0) changes.push({ from: kernelLabel(kernels[c - 1]!, results[c - 1]!), to: kernelLabel(kernels[c]!, results[c]!), fields, reasons });
    }
    return { share: name, verdicts, changes, range: results[0]?.explain[i]?.range };
  });
  const model: CompareTable['model'][number][] = [];
  for (let c = 1; c < results.length; c++) {
    const before = modelDiagnostics(results[c - 1]!);
    const after = modelDiagnostics(results[c]!);
    const reasons = [
      ...[...after].filter(([code]) => !before.has(code)).map(([code, m]) => `+ ${code}: ${m}`),
      ...[...before].filter(([code]) => !after.has(code)).map(([code, m]) => `− ${code}: ${m}`),
    ];
    if (reasons.length > 0) model.push({ from: kernelLabel(kernels[c - 1]!, results[c - 1]!), to: kernelLabel(kernels[c]!, results[c]!), reasons });
  }
  return { path, kernels: kernels.map((k, c) => ({ given: k, release: kernelLabel(k, results[c]!) })), shares, model };
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - [...s].length));
}

export function comparePretty(t: CompareTable, o: { color: boolean }): string {
  const bold = (s: string) => (o.color ? `\x1b[1m${s}\x1b[0m` : s);
  const head = ['share', ...t.kernels.map((k) => k.release)];
  const rows = t.shares.map((r) => [r.share, ...r.verdicts.map(verdictText)]);
  const widths = head.map((h, c) => Math.max([...h].length, ...rows.map((r) => [...r[c]!].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  const out = [`${t.path}: ${t.shares.length} share${t.shares.length === 1 ? '' : 's'} on ${t.kernels.length} kernels`, '', bold(line(head)), ...rows.map(line), ''];
  const changed = t.shares.filter((r) => r.changes.length > 0);
  if (changed.length === 0) out.push('no share changes between these kernels');
  for (const r of changed) {
    out.push(bold(r.share));
    for (const c of r.changes) {
      out.push(`  ${c.from} → ${c.to}: ${c.fields.length > 0 ? c.fields.join(', ') : 'same verdict, other diagnostics'}`);
      for (const why of c.reasons) out.push(`    ${why}`);
    }
  }
  if (t.model.length > 0) out.push(bold('the model'));
  for (const m of t.model) {
    out.push(`  ${m.from} → ${m.to}:`);
    for (const why of m.reasons) out.push(`    ${why}`);
  }
  return out.join('\n') + '\n';
}

/** SARIF 2.1.0: one note per share whose verdict or diagnostics change across the kernels. */
export function compareSarif(t: CompareTable, abs: string, toolVersion: string): unknown {
  const results = t.shares
    .filter((r) => r.changes.length > 0)
    .map((r) => ({
      ruleId: 'kernel-compare',
      level: 'note',
      message: {
        text: `${r.share}: ${t.kernels.map((k, c) => `${k.release} ${verdictText(r.verdicts[c] ?? null)}`).join('; ')}. ${r.changes.map((c) => `${c.from} → ${c.to}: ${[...c.fields, ...c.reasons].join('; ')}`).join(' ')}`,
      },
      locations: r.range
        ? [
            {
              physicalLocation: {
                artifactLocation: { uri: pathToFileURL(abs).href },
                region: region(r.range),
              },
            },
          ]
        : [],
    }));
  return sarifLog(toolVersion, [{ id: 'kernel-compare', shortDescription: { text: 'The share maps differently on the kernel releases compared.' } }], results);
}
