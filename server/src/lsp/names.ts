// Names across a model: document highlight, prepareRename and rename, workspace
// symbols. Symbols are the model's (model/types.ts SymbolInfo); a symbol is the same in
// two analyses when it is declared at the same place.

import { DocumentHighlightKind, SymbolKind as LspSymbolKind, type DocumentHighlight, type SymbolInformation } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/analyze';
import type { Place, SymbolInfo, SymbolKind } from '../model/types';
import type { Span } from '../syntax/ast';
import { isKeyword } from '../syntax/lexer';
import { spanToRange } from './convert';
import { keywordAt, nameAt } from './lookup';
import { fileKey } from './uris';

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function samePlace(a: Place, b: Place): boolean {
  return fileKey(a.uri) === fileKey(b.uri) && a.span.startOffset === b.span.startOffset;
}

/** Every occurrence of the name at `offset` in `uri` (this file only): its declaration and references. */
export function highlights(a: Analysis, uri: string, offset: number): DocumentHighlight[] {
  const n = nameAt(a, uri, offset);
  if (!n) return [];
  const key = fileKey(uri);
  const out: DocumentHighlight[] = [];
  const sym = n.symbol;
  if (sym) {
    if (fileKey(sym.place.uri) === key) out.push({ range: spanToRange(sym.place.span), kind: DocumentHighlightKind.Write });
    for (const r of a.model.references) {
      if (fileKey(r.uri) === key && r.symbol && samePlace(r.symbol.place, sym.place)) out.push({ range: spanToRange(r.name.span), kind: DocumentHighlightKind.Read });
    }
  } else if (n.kind === 'reference') {
    const text = n.ref.name.text;
    for (const r of a.model.references) if (fileKey(r.uri) === key && !r.symbol && r.name.text === text) out.push({ range: spanToRange(r.name.span), kind: DocumentHighlightKind.Read });
  }
  const seen = new Set<string>();
  return out
    .filter((h) => {
      const k = `${h.range.start.line}:${h.range.start.character}`;
      return seen.has(k) ? false : (seen.add(k), true);
    })
    .sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
}

export type RenameTarget = { readonly ok: true; readonly symbol: SymbolInfo; readonly span: Span } | { readonly ok: false; readonly reason: string | undefined };

/** What a rename at `offset` would rename, or why it cannot (reason undefined: nothing there). */
export function renameTarget(a: Analysis, uri: string, text: string, offset: number): RenameTarget {
  const n = nameAt(a, uri, offset);
  if (!n) {
    const kw = keywordAt(text, offset);
    if (kw) return { ok: false, reason: `'${kw.word}' is a keyword of the language: only names can be renamed` };
    return { ok: false, reason: undefined };
  }
  if (!n.symbol) return { ok: false, reason: `'${n.kind === 'reference' ? n.ref.name.text : ''}' is not declared in this model: there is nothing to rename` };
  const sym = n.symbol;
  if (sym.kind === 'pci') {
    const fn = a.model.functions.find((f) => f.name === sym.name);
    if (fn?.implicit) return { ok: false, reason: `'${sym.name}' is an implicit switch port (SWITCH.CHILD): rename the switch or the child instead` };
  }
  if (sym.name.includes('.') || !NAME_PATTERN.test(sym.name)) return { ok: false, reason: `'${sym.name}' is not a name written in the text` };
  return { ok: true, symbol: sym, span: n.span };
}

/** Why `newName` cannot replace a name, or undefined when it can. */
export function invalidNewName(newName: string): string | undefined {
  if (!NAME_PATTERN.test(newName)) return `'${newName}' is not a name: a name is a letter or '_' followed by letters, digits or '_' (no '-')`;
  if (isKeyword(newName)) return `'${newName}' is a keyword of the language and cannot be a name`;
  return undefined;
}

/** The places to rewrite in one model: the declaration (when in the model) and every reference. */
export function occurrences(a: Analysis, sym: SymbolInfo): Place[] {
  const out: Place[] = [];
  const own = a.model.symbols.get(sym.name);
  if (own && samePlace(own.place, sym.place)) out.push(own.place);
  for (const r of a.model.references) if (r.symbol && samePlace(r.symbol.place, sym.place)) out.push({ uri: r.uri, span: r.name.span });
  return out;
}

function lspKind(k: SymbolKind, detail: string): LspSymbolKind {
  switch (k) {
    case 'platform':
      return LspSymbolKind.Namespace;
    case 'memory':
      return LspSymbolKind.Field;
    case 'host_bridge':
      return LspSymbolKind.Module;
    case 'pci':
      return detail === 'root port' || detail === 'switch' || detail === 'port' ? LspSymbolKind.Interface : LspSymbolKind.Object;
    case 'buffer':
      return LspSymbolKind.Variable;
    case 'share':
      return LspSymbolKind.Event;
    default:
      return LspSymbolKind.Object;
  }
}

/** Case-insensitive subsequence match, as editors filter symbols. */
export function matches(query: string, name: string): boolean {
  if (query.length === 0) return true;
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  let i = 0;
  for (const c of n) if (c === q[i]) i++;
  return i === q.length;
}

/** The symbols of one model (shares included, by their §4.4 names) that match `query`. */
export function modelSymbols(a: Analysis, query: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const sym of a.model.symbols.values()) {
    if (sym.kind === 'share' || !matches(query, sym.name)) continue;
    const fn = sym.kind === 'pci' ? a.model.functions.find((f) => f.name === sym.name) : undefined;
    const detail = fn ? (fn.kind === 'endpoint' ? (fn.cls ?? 'endpoint') : fn.kind.replace('_', ' ')) : sym.kind.replace('_', ' ');
    out.push({ name: sym.name, kind: lspKind(sym.kind, detail), location: { uri: sym.place.uri, range: spanToRange(sym.place.span) }, containerName: detail });
  }
  for (const s of a.model.shares) {
    if (!matches(query, s.name)) continue;
    const at = s.decl.alias ?? s.decl.buffer;
    out.push({ name: s.name, kind: LspSymbolKind.Event, location: { uri: s.uri, range: spanToRange(at.span) }, containerName: `share of ${s.buffer.name} to ${s.importerName}` });
  }
  return out;
}
