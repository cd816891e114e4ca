// Finding what is under the cursor in an analysed model: the share declaration, the
// name (reference or declaration), the keyword. Works on the analysis' own results.

import type { Analysis } from '../analysis/analyze';
import type { Reference, SymbolInfo } from '../model/types';
import type { ShareDecl, Span } from '../syntax/ast';
import { isKeyword } from '../syntax/lexer';
import { lex } from './tokens';
import { fileKey } from './uris';
import type { ShareResult } from '../engine/types';

export function contains(span: Span, offset: number): boolean {
  return span.startOffset <= offset && offset <= span.endOffset;
}

/**
 * "Is `other` the file `uri`?", comparing file keys (case and spelling of the path) but
 * computing the key once per distinct uri string: lookups walk every reference of the
 * model, and `fileKey` on each was most of a hover at 10,000 lines.
 */
export function sameFileAs(uri: string): (other: string) => boolean {
  const key = fileKey(uri);
  const known = new Map<string, boolean>([[uri, true]]);
  return (other) => {
    let same = known.get(other);
    if (same === undefined) {
      same = fileKey(other) === key;
      known.set(other, same);
    }
    return same;
  };
}

/** The file of the analysis that is `uri`, if any. */
export function fileOf(a: Analysis, uri: string) {
  const same = sameFileAs(uri);
  return a.files.find((f) => same(f.uri));
}

/** The share declaration that contains `offset` in `uri`. */
export function shareDeclAt(a: Analysis, uri: string, offset: number): ShareDecl | undefined {
  const file = fileOf(a, uri);
  if (!file) return undefined;
  for (const item of file.parse.model.items) {
    if (item.kind === 'Share' && contains(item.span, offset)) return item;
  }
  return undefined;
}

/** The name a share declaration gives its share (§4.4): its `as`, else `B->I`. */
export function shareDeclName(d: ShareDecl): string {
  return d.alias?.text || `${d.buffer.text}->${d.importer?.text ?? 'cpu'}`;
}

/** The engine's result for a share declaration: by place, else by name. */
export function shareResultFor(a: Analysis, uri: string, d: ShareDecl): ShareResult | undefined {
  const same = sameFileAs(uri);
  const byPlace = a.shares.find(
    (s) => same(s.location.uri) && s.location.span.startOffset <= d.span.endOffset && d.span.startOffset <= s.location.span.endOffset,
  );
  return byPlace ?? a.shares.find((s) => s.name === shareDeclName(d));
}

export type NameAt =
  | { readonly kind: 'reference'; readonly ref: Reference; readonly symbol: SymbolInfo | undefined; readonly span: Span }
  | { readonly kind: 'declaration'; readonly symbol: SymbolInfo; readonly span: Span };

/** The name (a reference or a declaration) at `offset` in `uri`, as the model resolved it. */
export function nameAt(a: Analysis, uri: string, offset: number): NameAt | undefined {
  const same = sameFileAs(uri);
  for (const ref of a.model.references) {
    if (same(ref.uri) && contains(ref.name.span, offset)) {
      return { kind: 'reference', ref, symbol: ref.symbol, span: ref.name.span };
    }
  }
  for (const sym of a.model.symbols.values()) {
    if (same(sym.place.uri) && contains(sym.place.span, offset)) {
      return { kind: 'declaration', symbol: sym, span: sym.place.span };
    }
  }
  return undefined;
}

/** The keyword token at `offset`, if the token there is one. */
export function keywordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  const { tokens } = lex(text); // the last text's tokens are kept: hovers do not re-lex
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid]!;
    if (offset < t.start) hi = mid - 1;
    else if (offset > t.end) lo = mid + 1;
    else {
      // A cursor right after a token also hovers it, unless the next token starts there.
      const next = tokens[mid + 1];
      const tok = offset === t.end && next && next.start === t.end ? next : t;
      return isKeyword(tok.image) ? { word: tok.image, start: tok.start, end: tok.end } : undefined;
    }
  }
  return undefined;
}
