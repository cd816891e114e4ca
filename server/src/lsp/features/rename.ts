// Rename of a declared name, across this model and every open model that reads the
// file declaring it; refused when the new name is already declared in one of them
// (names are global to a model).

import { LSPErrorCodes, ResponseError, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import { spanToRange } from '../convert';
import { invalidNewName, occurrences, renameTarget, samePlace } from '../names';
import { fileKey } from '../uris';
import { register, type Features, type RequestContext } from './register';

export function registerRename(f: Features): void {
  register(
    f,
    f.connection.onPrepareRename,
    'names',
    (ctx, p) => {
      const t = renameTarget(ctx.result, ctx.doc.uri, ctx.doc.getText(), ctx.offsetAt(p.position));
      if (!t.ok) {
        if (t.reason === undefined) return null;
        throw new ResponseError(LSPErrorCodes.RequestFailed, t.reason);
      }
      return { range: spanToRange(t.span), placeholder: t.symbol.name };
    },
    { name: 'prepareRename', fallback: null, long: true },
  );
  register(f, f.connection.onRenameRequest, 'names', (ctx, p) => rename(ctx, ctx.offsetAt(p.position), p.newName), { name: 'rename', fallback: null, long: true });
}

async function rename(ctx: RequestContext<'names'>, offset: number, newName: string): Promise<WorkspaceEdit | null> {
  const { doc, ws } = ctx;
  const t = renameTarget(ctx.result, doc.uri, doc.getText(), offset);
  if (!t.ok) {
    if (t.reason === undefined) return null;
    throw new ResponseError(LSPErrorCodes.RequestFailed, t.reason);
  }
  const bad = invalidNewName(newName);
  if (bad) throw new ResponseError(LSPErrorCodes.RequestFailed, bad);
  const sym = t.symbol;
  if (newName === sym.name) return { changes: {} };
  // This model, and every open model that reads the file that declares the name.
  const roots = [doc, ...ws.modelsReading(fileKey(sym.place.uri)).filter((d) => d.uri !== doc.uri)];
  const edits = new Map<string, Map<number, TextEdit>>();
  for (const root of roots) {
    await ctx.step();
    const ra = root.uri === doc.uri ? ctx.result : ws.analysis(root.uri, 'names');
    const own = ra.model.symbols.get(sym.name);
    if (!own || !samePlace(own.place, sym.place)) continue; // another model's own name
    const clash = ra.model.symbols.get(newName);
    if (clash) {
      throw new ResponseError(LSPErrorCodes.RequestFailed, `'${newName}' is already declared in this model (${clash.kind.replace('_', ' ')} at ${clash.place.uri}:${clash.place.span.start.line + 1}): names are global to a model`);
    }
    for (const place of occurrences(ra, sym)) {
      const uri = ra.files.find((f) => fileKey(f.uri) === fileKey(place.uri))?.uri ?? place.uri;
      const m = edits.get(uri) ?? new Map<number, TextEdit>();
      m.set(place.span.startOffset, { range: spanToRange(place.span), newText: newName });
      edits.set(uri, m);
    }
  }
  return ws.workspaceEdit(new Map([...edits].map(([uri, m]) => [uri, [...m.values()]])));
}
