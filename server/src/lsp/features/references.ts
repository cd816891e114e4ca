// Where a name is: definition, references (in this model and in every open model that
// reads this file) and the highlights of a name in its document. Names only: the
// engine is not needed.

import type { Location } from 'vscode-languageserver/node';
import { spanToRange } from '../convert';
import { nameAt } from '../lookup';
import { highlights } from '../names';
import { fileKey } from '../uris';
import { register, type Features, type RequestContext } from './register';

export function registerReferences(f: Features): void {
  register(
    f,
    f.connection.onDefinition,
    'names',
    (ctx, p) => {
      const n = nameAt(ctx.result, ctx.doc.uri, ctx.offsetAt(p.position));
      if (!n?.symbol) return null;
      return { uri: n.symbol.place.uri, range: spanToRange(n.symbol.place.span) };
    },
    { name: 'definition', fallback: null },
  );
  register(f, f.connection.onReferences, 'names', (ctx, p) => references(ctx, ctx.offsetAt(p.position), p.context.includeDeclaration), { name: 'references', fallback: [] });
  register(f, f.connection.onDocumentHighlight, 'names', (ctx, p) => highlights(ctx.result, ctx.doc.uri, ctx.offsetAt(p.position)), { name: 'documentHighlight', fallback: [] });
}

function references(ctx: RequestContext<'names'>, offset: number, includeDeclaration: boolean): Location[] {
  const sym = nameAt(ctx.result, ctx.doc.uri, offset)?.symbol;
  if (!sym) return [];
  const same = (s: { place: { uri: string; span: { startOffset: number } } } | undefined) =>
    s !== undefined && fileKey(s.place.uri) === fileKey(sym.place.uri) && s.place.span.startOffset === sym.place.span.startOffset;
  const out = new Map<string, Location>();
  const add = (uri: string, range: Location['range']) => out.set(`${fileKey(uri)}:${range.start.line}:${range.start.character}`, { uri, range });
  if (includeDeclaration) add(sym.place.uri, spanToRange(sym.place.span));
  // This model, and every open model that reads this file.
  const roots = [ctx.doc.uri, ...ctx.ws.dependents(fileKey(ctx.doc.uri)).map((d) => d.uri)];
  for (const root of roots) {
    for (const ref of ctx.ws.analysis(root, 'names').model.references) {
      if (same(ref.symbol)) add(ref.uri, spanToRange(ref.name.span));
    }
  }
  return [...out.values()];
}
