// The two outputs of dmabuf-lint: pretty text for people, and the JSON document of
// docs/language.md §7 for programs.

import type { DiagnosticJson, RangeJson, SeverityJson, ShareJson } from '../../server/src/lsp/protocol';
import { readRegularFile } from '../../server/src/lsp/readRegular';
import { fileKey, uriToPath } from '../../server/src/lsp/uris';
import { shownPath } from './discover';
import { MAX_FILE_BYTES } from './inputs';

export interface FileReport {
  /** The root file, as printed. */
  readonly path: string;
  readonly uri: string;
  readonly diagnostics: readonly DiagnosticJson[];
  readonly shares: readonly ShareJson[];
  /** The server did not run the mapping engine: the platform has syntax errors. */
  readonly engineWithheld?: 'syntax-errors';
}

interface Summary {
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
}

export function summarize(files: readonly FileReport[]): Summary {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of files) {
    for (const d of f.diagnostics) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      else infos++;
    }
  }
  return { files: files.length, errors, warnings, infos };
}

/** Where a diagnostic is, as printed: path relative to `cwd`. */
export function placeOf(uri: string, cwd: string): string {
  const p = uriToPath(uri);
  return p === undefined ? uri : shownPath(p, cwd);
}

// ---------------------------------------------------------------------------- JSON

/** The §7 document, exactly: no other fields. */
export function jsonReport(files: readonly FileReport[], cwd: string): unknown {
  return {
    version: 1,
    files: files.map((f) => ({
      path: f.path,
      diagnostics: f.diagnostics.map((d) => ({
        code: d.code,
        severity: d.severity,
        // A diagnostic in a `use`d file: the range is in that file, which the message names.
        message: fileKey(d.uri) === fileKey(f.uri) ? d.message : `${placeOf(d.uri, cwd)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`,
        range: { start: { line: d.range.start.line, character: d.range.start.character }, end: { line: d.range.end.line, character: d.range.end.character } },
      })),
      shares: f.shares.map((s) => ({ ...s })),
    })),
    summary: summarize(files),
  };
}

// ---------------------------------------------------------------------------- pretty

export interface Style {
  readonly color: boolean;
  /** --quiet: errors only, no table of shares. */
  readonly quiet?: boolean;
}

const CODES = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', blue: '\x1b[34m', green: '\x1b[32m', cyan: '\x1b[36m' };

export function paint(style: Style, codes: (keyof typeof CODES)[], s: string): string {
  return style.color ? codes.map((c) => CODES[c]).join('') + s + CODES.reset : s;
}

function severityColor(s: SeverityJson): keyof typeof CODES {
  return s === 'error' ? 'red' : s === 'warning' ? 'yellow' : 'blue';
}

export class Sources {
  private readonly cache = new Map<string, string[] | null>();
  /** `texts`: files whose text is not (or not yet) on disk, by uri (`--stdin`). */
  constructor(texts: ReadonlyMap<string, string> = new Map()) {
    for (const [uri, text] of texts) this.cache.set(uri, text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/));
  }

  line(uri: string, line: number): string | undefined {
    let lines = this.cache.get(uri);
    if (lines === undefined) {
      const p = uriToPath(uri);
      try {
        // The server reads files without their BOM (lsp/host.ts), so its columns on the
        // first line count from after it.
        // Opened without blocking (readRegular.ts): a FIFO put there since is no excerpt, not a hang.
        const r = p === undefined ? undefined : readRegularFile(p, { maxBytes: MAX_FILE_BYTES });
        lines = r === undefined || 'failure' in r ? null : r.bytes.toString('utf8').replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
      } catch {
        lines = null;
      }
      this.cache.set(uri, lines);
    }
    return lines?.[line];
  }
}

function excerpt(src: Sources, uri: string, range: RangeJson, style: Style, sev: SeverityJson, indent: string): string[] {
  const text = src.line(uri, range.start.line);
  if (text === undefined) return [];
  const shownText = text.replace(/\t/g, ' ');
  const start = Math.min(range.start.character, shownText.length);
  const end = range.end.line === range.start.line ? Math.min(range.end.character, shownText.length) : shownText.length;
  const width = Math.max(1, end - start);
  const num = String(range.start.line + 1);
  const gutter = ' '.repeat(num.length);
  return [
    `${indent}${paint(style, ['dim'], `${num} |`)} ${shownText}`,
    `${indent}${paint(style, ['dim'], `${gutter} |`)} ${' '.repeat(start)}${paint(style, [severityColor(sev), 'bold'], '^'.repeat(width))}`,
  ];
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - s.length));
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function firstSegment(s: ShareJson): string {
  const g = s.segments[0];
  if (!g) return '-';
  return `${g.dma} +${g.length}${s.segments.length > 1 ? ` (+${s.segments.length - 1} more)` : ''}`;
}

/** One diagnostic: `file:line:col severity code message`, the source line, related places. */
export function prettyDiagnostic(d: DiagnosticJson, cwd: string, style: Style, src: Sources = new Sources(), indent = ''): string[] {
  const out: string[] = [];
  const where = `${placeOf(d.uri, cwd)}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
  out.push(`${indent}${paint(style, ['bold'], where)} ${paint(style, [severityColor(d.severity), 'bold'], d.severity)} ${paint(style, ['dim'], d.code)} ${d.message}`);
  out.push(...excerpt(src, d.uri, d.range, style, d.severity, `${indent}  `));
  for (const r of d.relatedInformation ?? []) {
    out.push(`${indent}    ${paint(style, ['cyan'], `${placeOf(r.uri, cwd)}:${r.range.start.line + 1}:${r.range.start.character + 1}`)}: ${r.message}`);
  }
  return out;
}

export function prettyReport(files: readonly FileReport[], cwd: string, style: Style, src: Sources = new Sources()): string {
  const out: string[] = [];
  for (const f of files) {
    for (const d of f.diagnostics) out.push(...prettyDiagnostic(d, cwd, style, src));
  }

  const rows: string[][] = [];
  const several = files.length > 1;
  for (const f of files) {
    for (const s of f.shares) rows.push([...(several ? [f.path] : []), s.name, s.mapType, s.addressKind, firstSegment(s), s.ok ? 'yes' : 'no']);
  }
  if (out.length > 0) out.push('');
  if (style.quiet) {
    // errors only: no table
  } else if (rows.length > 0) {
    const head = [...(several ? ['file'] : []), 'share', 'map type', 'address', 'first segment', 'ok'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    out.push(paint(style, ['bold'], head.map((h, i) => pad(h, widths[i]!)).join('  ').trimEnd()));
    for (const r of rows) {
      const okCol = r.length - 1;
      out.push(
        r
          .map((c, i) => (i === okCol ? paint(style, [c === 'yes' ? 'green' : 'red'], c) : pad(c, widths[i]!)))
          .join('  ')
          .trimEnd(),
      );
    }
    out.push('');
  } else {
    out.push('no shares', '');
  }
  for (const f of files) {
    if (f.engineWithheld) out.push(`${f.path}: the mapping engine was not run because the platform has syntax errors (its topology would be a guess): fix them first`, '');
  }
  const s = summarize(files);
  const parts = [plural(s.files, 'file', 'files'), plural(s.errors, 'error', 'errors')];
  if (!style.quiet) parts.push(plural(s.warnings, 'warning', 'warnings'), plural(s.infos, 'info', 'infos'));
  const summary = parts.join(', ');
  out.push(s.errors > 0 ? paint(style, ['red', 'bold'], summary) : summary);
  return out.join('\n') + '\n';
}
