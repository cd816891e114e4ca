// Completion by context. The cursor's context comes from the tokens before it (the text
// being typed rarely parses): the block it is in (by the keyword that opened the block,
// as the formatter reads blocks) and the statement read so far in that block. From
// that: the keywords that may start a statement there, the values a keyword takes, or
// the names of the right kind (from the model, names resolved).

import {
  CompletionItemKind,
  InsertTextFormat,
  type CompletionItem,
  type Range,
} from 'vscode-languageserver/node';
import type { ResolvedModel, SymbolKind } from '../model/types';
import { LineIndex } from '../syntax/lineIndex';
import { BLOCK_OPENED_BY, ENDPOINT_CLASSES, STATEMENT_STARTERS, type BlockKind as SyntaxBlockKind } from '../syntax/blocks';
import { keywordMeaning } from './keywords';
import { inCommentOrString, isKeywordTok, isLBrace, isRBrace, lex, type Tok } from './tokens';

/** Inside a block the grammar does not name (e.g. `iommu {` of an endpoint), nothing is offered. */
export type BlockKind = SyntaxBlockKind | 'other';

/** The keywords that begin a statement in each kind of block (docs/language.md §3). */
export const STARTERS: Record<BlockKind, readonly string[]> = { ...STATEMENT_STARTERS, other: [] };

const OPENS: Readonly<Record<string, BlockKind>> = BLOCK_OPENED_BY;

const TOP_STARTERS = new Set(STARTERS.top);

const ENUMS = {
  cpu: ['intel', 'amd', 'hygon', 'arm', 'other'],
  iommuType: ['vtd', 'amd-vi', 'smmu'],
  iommuMode: ['dma', 'lazy', 'identity'],
  epIommu: ['dma', 'identity', 'private'],
  pdevIommu: ['dma', 'identity', 'off', 'private'],
  driver: ['amdgpu', 'vfio-pci', 'p2pmem', 'nvidia', 'xe', 'i915', 'nouveau', 'habanalabs', 'rdma'],
  attach: ['static', 'dynamic'],
  via: ['sgt', 'pfn', 'mmap'],
  placement: ['vram', 'system'],
  caching: ['cached', 'wc', 'uncached'],
  link: ['xgmi', 'nvlink'],
  acsBits: ['sv', 'tb', 'rr', 'cr', 'uf', 'ec', 'dt'],
  expect: ['bus_addr', 'thru_host_bridge', 'not_supported', 'fails', 'vram', 'system', 'bus', 'iova', 'phys', 'swiotlb', 'address'],
} as const;

/** Keywords that complete what they follow: after one of them a new statement may begin. */
const VALUE_WORDS = new Set<string>([
  ...ENUMS.cpu,
  ...STARTERS.kernel.filter((k) => k !== 'disable_acs_redir'),
  ...ENUMS.iommuType,
  ...ENUMS.pdevIommu,
  ...ENUMS.iommuMode,
  ...ENUMS.link,
  ...ENUMS.acsBits,
  'acs',
  'prefetchable',
  'ats',
  'tph',
  'untrusted',
  'heap',
  ...ENUMS.driver,
  ...ENUMS.placement,
  ...ENUMS.caching,
  ...ENUMS.attach,
  'move_notify',
  'peer2peer',
  ...ENUMS.via,
  ...ENUMS.expect.filter((e) => e !== 'address'),
]);

export interface CursorContext {
  readonly block: BlockKind;
  /** The tokens of the statement read so far in that block (empty: a statement may start here). */
  readonly statement: readonly Tok[];
  /** The word being typed, which completion replaces. */
  readonly prefixStart: number;
}

/** The context of the cursor, or undefined inside a comment, a string or a number. */
function cursorContext(text: string, offset: number): CursorContext | undefined {
  const lexed = lex(text);
  if (inCommentOrString(lexed, offset)) return undefined;
  let prefixStart = offset;
  while (prefixStart > 0 && /[A-Za-z0-9_-]/.test(text[prefixStart - 1]!)) prefixStart--;
  // `a->b`: the `-` of an arrow is not part of a word.
  while (prefixStart < offset && text[prefixStart] === '-') prefixStart++;
  if (/^[0-9]/.test(text.slice(prefixStart, offset))) return undefined;
  const frames: { block: BlockKind; statement: Tok[] }[] = [{ block: 'top', statement: [] }];
  for (const t of lexed.tokens) {
    if (t.end > prefixStart) break;
    const frame = frames[frames.length - 1]!;
    if (isLBrace(t)) {
      const opener = frame.statement[0]?.image ?? '';
      // `iommu … {` opens an iommu block only at platform level.
      const kind = opener === 'iommu' && frame.block !== 'platform' ? 'other' : (OPENS[opener] ?? 'other');
      frames.push({ block: kind, statement: [] });
      continue;
    }
    if (isRBrace(t)) {
      if (frames.length > 1) frames.pop();
      frames[frames.length - 1]!.statement = [];
      continue;
    }
    // The parser cuts the text before every top-level keyword, whatever the nesting.
    if (TOP_STARTERS.has(t.image) && isKeywordTok(t)) {
      frames.length = 1;
      frames[0]!.statement = [t];
      continue;
    }
    const cur = frame.statement;
    const rangeSize = frame.block === 'buffer' && t.image === 'size' && cur[0]?.image === 'range' && !cur.some((x) => x.image === 'size');
    if (isKeywordTok(t) && STARTERS[frame.block].includes(t.image) && !rangeSize) frame.statement = [t];
    else cur.push(t);
  }
  const frame = frames[frames.length - 1]!;
  return { block: frame.block, statement: frame.statement, prefixStart };
}

type NameKind = 'importer' | 'device' | 'buffer' | 'pci';

/** The names of one kind in the model. */
function namesOf(model: ResolvedModel, kind: NameKind): { name: string; detail: string; symbolKind: SymbolKind }[] {
  const out: { name: string; detail: string; symbolKind: SymbolKind }[] = [];
  const fns = model.functions.filter((f) => !f.implicit);
  if (kind === 'importer' || kind === 'device') {
    for (const f of fns) if (f.kind === 'endpoint' || f.kind === 'vf') out.push({ name: f.name, detail: f.kind === 'vf' ? `vf of ${f.pf?.name ?? '?'}` : (f.cls ?? 'endpoint'), symbolKind: 'pci' });
  }
  if (kind === 'pci') for (const f of fns) out.push({ name: f.name, detail: f.kind === 'endpoint' ? (f.cls ?? 'endpoint') : f.kind.replace('_', ' '), symbolKind: 'pci' });
  if (kind === 'importer') {
    for (const s of model.symbols.values()) {
      if (s.kind === 'platform_device' || s.kind === 'iommufd' || s.kind === 'kvm') out.push({ name: s.name, detail: s.kind.replace('_', ' '), symbolKind: s.kind });
    }
  }
  if (kind === 'buffer') for (const s of model.symbols.values()) if (s.kind === 'buffer') out.push({ name: s.name, detail: 'buffer', symbolKind: 'buffer' });
  // The model holds only the first declaration of a name.
  const seen = new Set<string>();
  return out.filter((n) => (seen.has(n.name) ? false : (seen.add(n.name), true)));
}

type Want =
  | { readonly kind: 'keywords'; readonly words: readonly string[]; readonly starters: boolean }
  | { readonly kind: 'names'; readonly names: NameKind; readonly plus: readonly string[] };

/** What may come at the cursor: keywords, names of a kind, or nothing. */
export function expected(ctx: CursorContext): Want[] {
  const st = ctx.statement;
  const block = ctx.block;
  const starters = (): Want => ({ kind: 'keywords', words: STARTERS[block], starters: true });
  if (st.length === 0) return [starters()];
  const first = st[0]!.image;
  const lastTok = st[st.length - 1]!;
  const last = isKeywordTok(lastTok) || lastTok.image === ',' || lastTok.image === '->' ? lastTok.image : '';
  const words = (w: readonly string[]): Want[] => [{ kind: 'keywords', words: w, starters: false }];
  switch (last) {
    case '->':
      return first === 'share' ? [{ kind: 'names', names: 'importer', plus: ['cpu'] }] : [];
    case 'from':
      return first === 'buffer' ? [{ kind: 'names', names: 'device', plus: ['heap'] }] : [];
    case 'share':
      return st.length === 1 ? [{ kind: 'names', names: 'buffer', plus: [] }] : [];
    case 'driver':
      return words(ENUMS.driver);
    case 'attach':
      return words(ENUMS.attach);
    case 'via':
      return words(ENUMS.via);
    case 'placement':
      return words(ENUMS.placement);
    case 'caching':
      return words(ENUMS.caching);
    case 'mode':
      return words(ENUMS.iommuMode);
    case 'iommu':
      if (block === 'platform') return words(ENUMS.iommuType);
      if (block === 'endpoint') return words(ENUMS.epIommu);
      if (block === 'pdev') return words(ENUMS.pdevIommu);
      return [];
    case 'cpu':
      if (block === 'platform' && st.length === 1) return words(ENUMS.cpu);
      break; // `share b -> cpu`: complete
    case 'expect':
      return words(ENUMS.expect);
    case 'devices':
      return [{ kind: 'names', names: 'device', plus: [] }];
    case 'parent':
      return [{ kind: 'names', names: 'pci', plus: [] }];
    case 'link':
      return words(ENUMS.link);
    case 'fallback':
      return words(['system']);
    case 'acs_ctl':
    case 'acs_cap':
      return words(ENUMS.acsBits);
    case ',':
      if (first === 'expect') return words(ENUMS.expect);
      if (first === 'devices' || first === 'link') return [{ kind: 'names', names: 'device', plus: [] }];
      return [];
    default:
      break;
  }
  if (first === 'link' && st.length === 2 && (ENUMS.link as readonly string[]).includes(lastTok.image)) return [{ kind: 'names', names: 'device', plus: [] }];
  if ((first === 'acs_ctl' || first === 'acs_cap') && (ENUMS.acsBits as readonly string[]).includes(lastTok.image)) {
    // The bits after the last register keyword, and the other register if not written yet.
    const reg = [...st].reverse().find((t) => t.image === 'acs_ctl' || t.image === 'acs_cap')!;
    const used = new Set(st.slice(st.lastIndexOf(reg)).map((t) => t.image));
    const other = reg.image === 'acs_ctl' ? 'acs_cap' : 'acs_ctl';
    const more = st.some((t) => t.image === other) ? [] : [other];
    return [{ kind: 'keywords', words: [...ENUMS.acsBits.filter((b) => !used.has(b)), ...more], starters: false }, starters()];
  }
  const complete = !isKeywordTok(lastTok) ? lastTok.image !== ',' && lastTok.image !== '->' && lastTok.image !== '..' : VALUE_WORDS.has(lastTok.image) || lastTok.image === 'cpu';
  if (!complete) return [];
  // What may still follow in the statement's head, then any statement of the block.
  const more: string[] = [];
  const n = st.length;
  if (first === 'share' && n === 4) more.push('as');
  if (first === 'buffer' && n === 4) more.push('driver');
  if (first === 'iommu' && block === 'platform' && n === 2) more.push('mode');
  if (first === 'cpu' && block === 'platform' && n === 2) more.push('family');
  if (first === 'host_bridge' && n === 2) more.push('id', 'node');
  if (first === 'memory' && n >= 4) more.push('node');
  if (first === 'window' && n >= 4) more.push('offset');
  if (first === 'bar' && block === 'endpoint' && n >= 4) more.push('prefetchable');
  if (first === 'bar' && block === 'buffer' && n === 2) more.push('offset');
  if ((first === 'root_port' || first === 'switch' || first === 'port') && n <= 3 && !st.some((t) => t.image === 'acs' || t.image === 'acs_ctl' || t.image === 'acs_cap')) more.push('acs', 'acs_ctl', 'acs_cap');
  if (ENDPOINT_CLASSES.includes(first) && n <= 3 && !st.some((t) => t.image === 'id')) more.push('id');
  return [{ kind: 'keywords', words: more, starters: false }, starters()];
}

function symbolItemKind(k: SymbolKind): CompletionItemKind {
  switch (k) {
    case 'buffer':
      return CompletionItemKind.Variable;
    case 'share':
      return CompletionItemKind.Event;
    case 'memory':
      return CompletionItemKind.Field;
    default:
      return CompletionItemKind.Module;
  }
}

export interface CompletionOptions {
  readonly snippets: boolean;
}

/** Completion items at `offset` of `text`; names come from `model` (the document's resolved model). */
export function completionItems(text: string, offset: number, model: ResolvedModel, o: CompletionOptions): CompletionItem[] {
  const ctx = cursorContext(text, offset);
  if (!ctx) return [];
  const lines = new LineIndex(text);
  const range: Range = { start: lines.positionAt(ctx.prefixStart), end: lines.positionAt(offset) };
  const items = new Map<string, CompletionItem>();
  const keyword = (w: string, sort: string) => {
    if (items.has(w)) return;
    items.set(w, { label: w, kind: CompletionItemKind.Keyword, detail: keywordMeaning(w), sortText: `${sort}${w}`, textEdit: { range, newText: w } });
  };
  for (const want of expected(ctx)) {
    if (want.kind === 'keywords') for (const w of want.words) keyword(w, want.starters ? '2' : '1');
    else {
      for (const n of namesOf(model, want.names)) {
        if (!items.has(n.name)) items.set(n.name, { label: n.name, kind: symbolItemKind(n.symbolKind), detail: n.detail, sortText: `0${n.name}`, textEdit: { range, newText: n.name } });
      }
      for (const w of want.plus) keyword(w, '1');
    }
  }
  if (o.snippets && ctx.statement.length === 0) {
    if (ctx.block === 'top') items.set('share …', shareSnippet(model, range));
    if (ctx.block === 'hostBridge' || ctx.block === 'bridge') items.set('endpoint …', endpointSnippet(range));
  }
  return [...items.values()];
}

function choice(n: number, values: readonly string[], fallback: string): string {
  return values.length > 0 ? `\${${n}|${values.join(',')}|}` : `\${${n}:${fallback}}`;
}

function shareSnippet(model: ResolvedModel, range: Range): CompletionItem {
  const buffers = namesOf(model, 'buffer').map((n) => n.name);
  const importers = namesOf(model, 'importer').map((n) => n.name);
  return {
    label: 'share …',
    kind: CompletionItemKind.Snippet,
    detail: 'a new share: a buffer attached dynamically to an importer',
    sortText: '3share',
    filterText: 'share',
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: { range, newText: `share ${choice(1, buffers, 'buffer')} -> ${choice(2, importers, 'importer')} {\n\tattach \${3|dynamic,static|}\n\tmove_notify\n\tpeer2peer\n}$0` },
  };
}

function endpointSnippet(range: Range): CompletionItem {
  return {
    label: 'endpoint …',
    kind: CompletionItemKind.Snippet,
    detail: 'a new PCIe endpoint with one BAR',
    sortText: '3endpoint',
    filterText: 'endpoint',
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: { range, newText: `\${1|${ENDPOINT_CLASSES.join(',')}|} \${2:name} \${3:03:00.0} {\n\tbar 0 \${4:0x40_0000_0000} size \${5:64K}\n}$0` },
  };
}
