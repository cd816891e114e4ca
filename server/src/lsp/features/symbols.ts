// The outline of a document (outline.ts, from its parse alone) and the workspace
// symbols of every open model.

import { ResponseError, type SymbolInformation } from 'vscode-languageserver/node';
import { checkpoint, contentModifiedError } from '../cancel';
import { modelSymbols } from '../names';
import { documentSymbols } from '../outline';
import { fileKey } from '../uris';
import { errorText } from '../workspace';
import { register, type Features, type Step } from './register';

export function registerSymbols(f: Features): void {
  register(f, f.connection.onDocumentSymbol, 'parsed', (ctx) => documentSymbols(ctx.result.model), { name: 'documentSymbol', fallback: [] });
  // Not on one document: each open model is taken at its names, with checkpoints between them.
  f.connection.onWorkspaceSymbol(async (p, token) => {
    try {
      return await workspaceSymbols(f, p.query, checkpoint(token, () => true, contentModifiedError));
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      f.connection.console.error(`workspaceSymbol failed: ${errorText(e)}`);
      return [];
    }
  });
}

async function workspaceSymbols(f: Features, query: string, step: Step): Promise<SymbolInformation[]> {
  const out = new Map<string, SymbolInformation>();
  for (const doc of [...f.ws.openDocuments().values()]) {
    await step();
    if (!f.ws.openDocument(fileKey(doc.uri))) continue;
    for (const s of modelSymbols(f.ws.analysis(doc.uri, 'names'), query)) {
      const k = `${fileKey(s.location.uri)}:${s.location.range.start.line}:${s.location.range.start.character}:${s.name}`;
      if (!out.has(k)) out.set(k, s);
    }
  }
  return [...out.values()];
}
