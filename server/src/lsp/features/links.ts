// textDocument/documentLink: each `use "path"` whose file can be read links to it.

import type { DocumentLink } from 'vscode-languageserver/node';
import { spanToRange } from '../convert';
import { uriToPath } from '../uris';
import { register, type Features, type RequestContext } from './register';

export function registerLinks(f: Features): void {
  register(f, f.connection.onDocumentLinks, 'parsed', (ctx) => documentLinks(ctx), { name: 'documentLink', fallback: [] });
}

function documentLinks(ctx: RequestContext<'parsed'>): DocumentLink[] {
  const { doc, ws } = ctx;
  const out: DocumentLink[] = [];
  const host = ws.files.hostFor(doc.uri);
  for (const item of ctx.result.model.items) {
    if (item.kind !== 'Use') continue;
    const target = ws.files.resolveUse(doc.uri, doc.uri, item.path.value);
    if ('refused' in target || host.readFile(target.uri) === undefined) continue;
    const s = item.path.span;
    // Inside the quotes.
    const range = s.end.character - s.start.character >= 2 && s.start.line === s.end.line
      ? { start: { line: s.start.line, character: s.start.character + 1 }, end: { line: s.end.line, character: s.end.character - 1 } }
      : spanToRange(s);
    out.push({ range, target: target.uri, tooltip: `use ${uriToPath(target.uri) ?? target.uri}` });
  }
  return out;
}
