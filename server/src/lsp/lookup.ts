// Finding what is under the cursor in an analysed model: the share declaration, the
// name (reference or declaration), the keyword. Works on the analysis' own results.

import type { Analysis } from '../analysis/analyze';
import type { ShareResult } from '../analysis/types';
import type { Reference, SymbolInfo } from '../model/types';
import type { ShareDecl, Span } from '../syntax/ast';
import { dmabufLexer, isKeyword, tokenEnd } from '../syntax/lexer';
import { fileKey } from './uris';

export function contains(span: Span, offset: number): boolean {
  return span.startOffset <= offset && offset <= span.endOffset;
}

/** The file of the analysis that is `uri`, if any. */
export function fileOf(a: Analysis, uri: string) {
  const key = fileKey(uri);
  return a.files.find((f) => fileKey(f.uri) === key);
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
  const key = fileKey(uri);
  const byPlace = a.shares.find(
    (s) => fileKey(s.location.uri) === key && s.location.span.startOffset <= d.span.endOffset && d.span.startOffset <= s.location.span.endOffset,
  );
  return byPlace ?? a.shares.find((s) => s.name === shareDeclName(d));
}

export type NameAt =
  | { readonly kind: 'reference'; readonly ref: Reference; readonly symbol: SymbolInfo | undefined; readonly span: Span }
  | { readonly kind: 'declaration'; readonly symbol: SymbolInfo; readonly span: Span };

/** The name (a reference or a declaration) at `offset` in `uri`, as the model resolved it. */
export function nameAt(a: Analysis, uri: string, offset: number): NameAt | undefined {
  const key = fileKey(uri);
  for (const ref of a.model.references) {
    if (fileKey(ref.uri) === key && contains(ref.name.span, offset)) {
      return { kind: 'reference', ref, symbol: ref.symbol, span: ref.name.span };
    }
  }
  for (const sym of a.model.symbols.values()) {
    if (fileKey(sym.place.uri) === key && contains(sym.place.span, offset)) {
      return { kind: 'declaration', symbol: sym, span: sym.place.span };
    }
  }
  return undefined;
}

/** The keyword token at `offset`, if the token there is one. */
export function keywordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  const { tokens } = dmabufLexer.tokenize(text);
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid]!;
    const end = tokenEnd(t);
    if (offset < t.startOffset) hi = mid - 1;
    else if (offset > end) lo = mid + 1;
    else {
      // A cursor right after a token also hovers it, unless the next token starts there.
      const next = tokens[mid + 1];
      const tok = offset === end && next && next.startOffset === end ? next : t;
      return isKeyword(tok.image) ? { word: tok.image, start: tok.startOffset, end: tokenEnd(tok) } : undefined;
    }
  }
  return undefined;
}
