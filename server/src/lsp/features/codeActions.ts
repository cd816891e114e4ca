// textDocument/codeAction (codeActions.ts): quick fixes for the diagnostics the client
// sent need the names; `source.fixAll` fixes every preferred finding of the file, the
// engine's included, so it needs the engine.

import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { FIXABLE_CODES, fixAll, quickFixes, wants, type FileEdits } from '../codeActions';
import { toDiagnostic } from '../convert';
import { toTextEdits } from '../edits';
import { fileKey } from '../uris';
import type { Workspace } from '../workspace';
import { register, type Features, type RequestContext } from './register';

/** Fix-all only when asked for source actions (on save, or the Source Action menu) or for everything. */
function fixAllAsked(p: CodeActionParams): boolean {
  const only = p.context.only;
  return only !== undefined && wants(only, CodeActionKind.SourceFixAll);
}

export function registerCodeActions(f: Features): void {
  register(f, f.connection.onCodeAction, (_doc, p) => (fixAllAsked(p) ? 'engine' : 'names'), (ctx, p) => codeActions(ctx, p), { name: 'codeAction', fallback: [], long: true });
}

async function codeActions(ctx: RequestContext<'names' | 'engine'>, p: CodeActionParams): Promise<CodeAction[]> {
  const { doc, ws } = ctx;
  const options = { toWorkspaceEdit: (e: FileEdits) => ws.workspaceEdit(new Map([...e].map(([uri, f]) => [uri, toTextEdits(f.file.text, f.edits)]))) };
  const out: CodeAction[] = [];
  // Quick fixes read the syntax trees of the model's files: the same with or without the engine.
  if (wants(p.context.only, CodeActionKind.QuickFix) && p.context.diagnostics.length > 0) {
    out.push(...quickFixes(ctx.result, doc.uri, p.context.diagnostics, (d) => dataOf(ws, doc, d), options));
  }
  if (fixAllAsked(p)) {
    await ctx.step();
    const key = fileKey(doc.uri);
    const full = ctx.result;
    const diagnostics = full.findings.filter((f) => fileKey(f.uri) === key).map((f) => ({ diagnostic: toDiagnostic(f), data: f.data }));
    const all = fixAll(full, doc.uri, diagnostics, options);
    if (all) out.push(all);
  }
  return out;
}

/** The diagnostics' data as the server made it, when the client did not send it back. */
function dataOf(ws: Workspace, doc: TextDocument, d: Diagnostic): Readonly<Record<string, unknown>> | undefined {
  if (d.data && typeof d.data === 'object') return d.data as Record<string, unknown>;
  if (!FIXABLE_CODES.has(String(d.code))) return undefined;
  const key = fileKey(doc.uri);
  const same = (r: typeof d.range, f: { span: { start: { line: number; character: number }; end: { line: number; character: number } } }) =>
    r.start.line === f.span.start.line && r.start.character === f.span.start.character && r.end.line === f.span.end.line && r.end.character === f.span.end.character;
  const f = ws.analysis(doc.uri, 'engine').findings.find((x) => fileKey(x.uri) === key && x.code === d.code && same(d.range, x));
  return f?.data;
}
