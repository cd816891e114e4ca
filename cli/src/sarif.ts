// --format sarif: SARIF 2.1.0 (OASIS), one run, for code scanning. The results are the
// server's diagnostics; the rules are the static metadata of every diagnostic code.

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DiagnosticJson, RangeJson, SeverityJson } from '../../server/src/lsp/protocol';
import { fileKey, isInside, uriToPath } from '../../server/src/lsp/uris';
import type { FileReport } from './report';
import { RULE_METADATA, type RuleMeta } from './rules';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://dmabuf-lens.dev';
const SRCROOT = '%SRCROOT%';

type SarifLevel = 'error' | 'warning' | 'note';

function sarifLevel(s: SeverityJson | RuleMeta['severity']): SarifLevel {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

/** `diagnostic-code` → `DiagnosticCode` (SARIF's rule `name` is an identifier). */
function pascal(code: string): string {
  return code
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?)]$/.test(t) ? t : `${t}.`;
}

function sarifRule(r: RuleMeta): unknown {
  const kernel = r.kernel.trim();
  const why = kernel === '' ? '' : kernel.startsWith('(') ? ` See ${kernel.slice(1, -1)}.` : ` Kernel behaviour: ${sentence(kernel)}`;
  const full = `${sentence(r.summary)}${why}`;
  return {
    id: r.code,
    name: pascal(r.code),
    shortDescription: { text: sentence(r.summary) },
    fullDescription: { text: full },
    help: {
      text: `${full} Documentation: ${r.href}`,
      markdown: `${full}\n\n[${r.code}](${r.href})`,
    },
    helpUri: r.href,
    defaultConfiguration: { level: sarifLevel(r.severity) },
  };
}

/** An artifact location: relative to the current directory (%SRCROOT%) when inside it. */
function artifactLocation(uri: string, cwd: string): { uri: string; uriBaseId?: string } {
  const p = uriToPath(uri);
  if (p === undefined) return { uri };
  if (!isInside(cwd, p)) return { uri: pathToFileURL(p).href };
  const rel = path.relative(cwd, p).split(path.sep).filter(Boolean);
  return { uri: rel.map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** SARIF regions are 1-based; endColumn is the column after the last character. */
export function region(r: RangeJson): { startLine: number; startColumn: number; endLine: number; endColumn: number } {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

/**
 * The diagnostics of every root, each once: a file used by two roots reports its own
 * diagnostics under both, but a code scanning result belongs to a place.
 */
export function uniqueDiagnostics(files: readonly FileReport[]): DiagnosticJson[] {
  const seen = new Set<string>();
  const out: DiagnosticJson[] = [];
  for (const f of files) {
    for (const d of f.diagnostics) {
      const k = JSON.stringify([fileKey(d.uri), d.code, d.severity, d.range, d.message]);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(d);
    }
  }
  return out;
}

export function sarifReport(files: readonly FileReport[], cwd: string, toolVersion: string): unknown {
  const rules = RULE_METADATA;
  const index = new Map(rules.map((r, i) => [r.code, i]));
  const results = uniqueDiagnostics(files).map((d) => {
    const ruleIndex = index.get(d.code);
    const related = (d.relatedInformation ?? []).map((r, i) => ({
      id: i + 1,
      physicalLocation: { artifactLocation: artifactLocation(r.uri, cwd), region: region(r.range) },
      message: { text: r.message },
    }));
    return {
      ruleId: d.code,
      ...(ruleIndex !== undefined ? { ruleIndex } : {}),
      level: sarifLevel(d.severity),
      message: { text: d.message },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(d.uri, cwd), region: region(d.range) } }],
      ...(related.length > 0 ? { relatedLocations: related } : {}),
    };
  });
  const root = pathToFileURL(cwd).href;
  return sarifLog(toolVersion, rules.map(sarifRule), results, { originalUriBaseIds: { [SRCROOT]: { uri: root.endsWith('/') ? root : `${root}/` } } });
}

/** A SARIF 2.1.0 log of one dmabuf-lint run (also `compare --format sarif`). */
export function sarifLog(toolVersion: string, rules: readonly unknown[], results: readonly unknown[], run: Record<string, unknown> = {}): unknown {
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'dmabuf-lint', version: toolVersion, semanticVersion: toolVersion, informationUri: INFORMATION_URI, rules } },
        ...run,
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
