// The markdown explanation of one share: hover text in the server, and the document the
// VS Code client opens for `dmabuf.explainShare`. Works on the JSON form so that both
// sides can use it.

import type { ExplainJson, ShareJson } from './protocol';

const UNITS: [bigint, string][] = [
  [1n << 40n, 'TiB'],
  [1n << 30n, 'GiB'],
  [1n << 20n, 'MiB'],
  [1n << 10n, 'KiB'],
];

/** `64 KiB`, or the exact byte count when it is not a whole number of units. */
function humanSize(hexOrDec: string): string {
  let v: bigint;
  try {
    v = BigInt(hexOrDec);
  } catch {
    return hexOrDec;
  }
  for (const [u, s] of UNITS) if (v >= u && v % u === 0n) return `${v / u} ${s}`;
  return `${v} bytes`;
}

function code(s: string): string {
  return '`' + s.replace(/`/g, "'") + '`';
}

export interface ShareMarkdownOptions {
  /** Heading level of the title (hover: none, i.e. bold). */
  readonly heading?: boolean;
}

/** Where the TLPs go: the server's words, or the bare route from an older server. */
function tlpsText(share: ShareJson, explain: ExplainJson | undefined): string {
  if (explain?.routeText) return code(explain.routeText);
  const route = share.route ?? [];
  return route.length > 0 ? route.map(code).join(' → ') : share.ok ? 'none in this share' : 'none: the map fails';
}

export function shareMarkdown(share: ShareJson, explain: ExplainJson | undefined, options: ShareMarkdownOptions = {}): string {
  const out: string[] = [];
  const title = `share ${code(share.name)}: ${code(share.buffer)} from ${share.exporter ? code(share.exporter) : 'heap'} to ${code(share.importer)}`;
  out.push(options.heading ? `# ${title}` : `**${title}**`, '');
  const rows: [string, string][] = [
    ['map type', code(share.mapType)],
    ['distance', share.distance === null ? '—' : String(share.distance)],
    ['path', share.path.length > 0 ? share.path.map(code).join(' → ') : '—'],
    ['TLPs', tlpsText(share, explain)],
    ['placement', code(share.placement)],
    ['address kind', code(share.addressKind)],
    ['IOMMU group', explain?.iommuGroup === null || explain?.iommuGroup === undefined ? '— (no translated domain)' : String(explain.iommuGroup)],
    ['map succeeds', share.ok ? 'yes' : '**no**'],
  ];
  out.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '');
  if (share.segments.length === 0) {
    out.push('DMA segments: none', '');
  } else {
    out.push('DMA segments:', '');
    for (const s of share.segments) out.push(`- ${code(s.dma)}, length ${code(s.length)} (${humanSize(s.length)})`);
    out.push('');
  }
  if (explain && explain.steps.length > 0) {
    out.push(options.heading ? '## What the kernel does' : '**What the kernel does**', '');
    explain.steps.forEach((step, i) => out.push(`${i + 1}. ${step}`));
    out.push('');
  }
  return out.join('\n');
}
