// textDocument/semanticTokens/full (semanticTokens.ts encodes them). A used file's
// names may be declared by the files that use it: the symbols of every open model that
// reads this file are looked up too.

import type { SemanticTokens } from 'vscode-languageserver/node';
import type { SymbolInfo } from '../../model/types';
import { fileOf } from '../lookup';
import { semanticTokens } from '../semanticTokens';
import { fileKey } from '../uris';
import { register, type Features, type RequestContext } from './register';

export function registerSemanticTokens(f: Features): void {
  register(f, f.connection.languages.semanticTokens.on, 'names', (ctx) => tokensOf(ctx), { name: 'semanticTokens', fallback: { data: [] }, long: true });
}

async function tokensOf(ctx: RequestContext<'names'>): Promise<SemanticTokens> {
  const { doc, ws } = ctx;
  const symbols = new Map<string, SymbolInfo>(ctx.result.model.symbols);
  for (const other of ws.modelsReading(fileKey(doc.uri))) {
    if (other.uri === doc.uri) continue;
    await ctx.step();
    for (const [n, s] of ws.analysis(other.uri, 'names').model.symbols) if (!symbols.has(n)) symbols.set(n, s);
  }
  const model = fileOf(ctx.result, doc.uri)?.parse.model ?? ws.parsed(doc).model;
  return semanticTokens(model, (n) => symbols.get(n));
}
