// Hover: a share (anywhere inside its declaration), a name the model knows, a keyword.

import { MarkupKind, type Hover } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/analyze';
import type { PciFunction, ResolvedModel, SymbolInfo } from '../model/types';
import { kernelJson, spanToRange } from './convert';
import type { ShareResult } from '../engine/types';
import { keywordMeaning } from './keywords';
import { keywordAt, nameAt, shareDeclAt, shareDeclName, shareResultFor } from './lookup';
import type { ShareJson } from './protocol';
import { shareMarkdown } from './shareMarkdown';
import { formatSize, hex } from '../ground/format';
import { routeText, shareToJson } from './json';
import { stepTexts } from '../engine/types';
import { bdfText, pciIdText } from '../ground/format';

function markdown(value: string, range?: Hover['range']): Hover {
  return range ? { contents: { kind: MarkupKind.Markdown, value }, range } : { contents: { kind: MarkupKind.Markdown, value } };
}

/**
 * @param full an analysis with the engine run (for shares)
 * @param text the document's text (for keywords)
 */
export function hoverAt(full: Analysis, uri: string, text: string, offset: number, others: () => readonly OtherKernel[] = () => []): Hover | null {
  const decl = shareDeclAt(full, uri, offset);
  if (decl) {
    const result = shareResultFor(full, uri, decl);
    if (result) {
      const explain = { name: result.name, steps: stepTexts(result.explain), uri: result.location.uri, range: spanToRange(result.location.span), iommuGroup: result.iommuGroup, routeText: routeText(result, full.model.platform) };
      return markdown(shareMarkdown(shareToJson(result) as unknown as ShareJson, explain) + kernelLines(full, result, others()), spanToRange(decl.span));
    }
    const name = shareDeclName(decl);
    const why = full.engine === undefined ? 'the mapping engine did not run' : 'the mapping engine computed nothing for it (see the diagnostics)';
    return markdown(`**share \`${name}\`**\n\nNo result: ${why}.`, spanToRange(decl.span));
  }

  const name = nameAt(full, uri, offset);
  if (name) {
    if (!name.symbol) return markdown(`\`${name.kind === 'reference' ? name.ref.name.text : ''}\`: not declared in this model`, spanToRange(name.span));
    return markdown(describeSymbol(full.model, name.symbol), spanToRange(name.span));
  }

  const kw = keywordAt(text, offset);
  if (kw) {
    const meaning = keywordMeaning(kw.word);
    if (meaning) return markdown(`\`${kw.word}\` — ${meaning}`);
  }
  return null;
}

/** The same model evaluated on another release (`dmabuf.compareKernels`). */
export interface OtherKernel {
  readonly kernel: string;
  readonly analysis: Analysis;
}

function verdict(s: ShareResult): string {
  return `${s.mapType} ${s.addressKind} ${s.ok ? 'ok' : 'fails'}${s.placement === 'system' ? ' (system)' : ''}`;
}

/** The kernel the share was computed for, and a line per compared release where the verdict differs. */
function kernelLines(full: Analysis, result: ShareResult, others: readonly OtherKernel[]): string {
  const p = full.model.platform;
  if (!p) return '';
  const k = kernelJson(p);
  const lines = [`\n\nKernel: ${k.release}${k.distro ? ` (${k.distro})` : ''}${k.chosenBy === 'version 1' ? ' (version 1: no `version` written)' : ''}`];
  for (const o of others) {
    const there = o.analysis.shares.find((s) => s.name === result.name);
    if (there && verdict(there) !== verdict(result)) {
      const why = o.analysis.findings.find((f) => f.share === result.name && f.severity === 'error');
      lines.push(`On ${o.kernel}: ${verdict(there)}${why ? ` (${why.code})` : ''}`);
    }
  }
  return lines.join('  \n');
}

function describePci(fn: PciFunction): string[] {
  const what = fn.kind === 'endpoint' ? (fn.cls ?? 'endpoint') : fn.kind === 'vf' ? `virtual function of \`${fn.pf?.name ?? '?'}\`` : fn.kind.replace('_', ' ');
  const lines = [`**\`${fn.name}\`** — ${what}${fn.implicit ? ' (implicit switch port)' : ''}`, ''];
  const facts: string[] = [];
  const bdf = bdfText(fn.bdf);
  if (bdf) facts.push(`BDF \`${bdf}\``);
  const id = fn.id ? pciIdText(fn.id) : undefined;
  if (id) facts.push(`id \`${id}\``);
  facts.push(`under host bridge \`${fn.hostBridge.name}\``);
  if (fn.parent) facts.push(`parent \`${fn.parent.name}\``);
  if (fn.kind === 'endpoint' || fn.kind === 'vf') facts.push(`dma_mask ${fn.dmaMaskBits} bits`);
  if (fn.busDmaLimit !== undefined) facts.push(`bus_dma_limit \`${hex(fn.busDmaLimit)}\``);
  if (fn.acsCtlExplicit) facts.push(`acs_ctl ${[...fn.acsCtlExplicit].join(' ') || '(none)'}`);
  if (fn.acsCapExplicit) facts.push(`acs_cap ${[...fn.acsCapExplicit].join(' ') || '(none)'}`);
  else if (fn.acsCap) facts.push('ACS capable');
  if (fn.iommuOverride) facts.push(`iommu ${fn.iommuOverride}`);
  for (const flag of ['ats', 'tph', 'untrusted'] as const) if (fn[flag]) facts.push(flag);
  lines.push(facts.join(', '));
  for (const bar of fn.bars) {
    lines.push(`- BAR ${bar.index}: \`${hex(bar.first)} .. ${hex(bar.last)}\` (${formatSize(bar.last - bar.first + 1n)})${bar.prefetchable ? ', prefetchable' : ''}`);
  }
  if (fn.vfs.length > 0) lines.push(`- VFs: ${fn.vfs.map((v) => `\`${v.name}\``).join(', ')}`);
  return lines;
}

/** What the model knows about a declared name. Kept simple: extend as the model grows. */
function describeSymbol(model: ResolvedModel, sym: SymbolInfo): string {
  const n = sym.name;
  switch (sym.kind) {
    case 'pci': {
      const fn = model.functions.find((f) => f.name === n);
      if (fn) return describePci(fn).join('\n');
      break;
    }
    case 'buffer': {
      const b = model.buffers.find((x) => x.name === n);
      if (b) {
        const from = b.exporter ? `from \`${b.exporter.name}\` driver ${b.driver}` : 'from heap';
        const facts = [`size ${formatSize(b.size)}`, `placement ${b.declaredPlacement}`];
        if (b.bar) facts.push(`BAR ${b.bar.index} offset \`${hex(b.barOffset)}\` (CPU \`${hex(b.bar.first + b.barOffset)}\`)`);
        if (b.at !== undefined) facts.push(`at \`${hex(b.at)}\``);
        if (b.fallback) facts.push('may fall back to system memory');
        if (b.caching) facts.push(`caching ${b.caching}`);
        return `**\`${n}\`** — buffer ${from}\n\n${facts.join(', ')}`;
      }
      break;
    }
    case 'memory': {
      const m = model.platform?.memories.find((x) => x.name === n);
      if (m) return `**\`${n}\`** — system memory \`${hex(m.first)} .. ${hex(m.last)}\` (${formatSize(m.last - m.first + 1n)})${m.node !== undefined ? `, node ${m.node}` : ''}`;
      break;
    }
    case 'host_bridge': {
      const h = model.platform?.hostBridges.find((x) => x.name === n);
      if (h) {
        const id = h.id ? pciIdText(h.id) : undefined;
        const lines = [`**\`${n}\`** — host bridge${id ? ` \`${id}\`` : ' (no id: not on the P2P whitelist)'}${h.node !== undefined ? `, node ${h.node}` : ''}`, ''];
        for (const w of h.windows) lines.push(`- window \`${hex(w.first)} .. ${hex(w.last)}\`${w.offset !== 0n ? ` offset \`${hex(w.offset)}\`` : ''}`);
        return lines.join('\n');
      }
      break;
    }
    case 'platform_device': {
      const d = model.platform?.platformDevices.find((x) => x.name === n);
      if (d) {
        const facts = [`dma_mask ${d.dmaMaskBits} bits`, `iommu ${d.iommuOverride ?? 'platform default'}`];
        if (d.parent) facts.push(`parent \`${d.parent.name}\``);
        if (d.dmaRanges.length > 0) facts.push(`${d.dmaRanges.length} dma_range(s)`);
        return `**\`${n}\`** — platform device\n\n${facts.join(', ')}`;
      }
      break;
    }
    case 'share': {
      const s = model.shares.find((x) => x.name === n);
      if (s) return `**\`${n}\`** — share of \`${s.buffer.name}\` to \`${s.importerName}\`, attach ${s.attach}, via ${s.via}`;
      break;
    }
    default:
      break;
  }
  return `**\`${n}\`** — ${sym.kind.replace('_', ' ')}`;
}
