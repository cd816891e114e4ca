// textDocument/completion (completion.ts): the model's names, no engine.

import type { CompletionItem } from 'vscode-languageserver/node';
import { completionItems } from '../completion';
import { register, type Features } from './register';

export function registerCompletion(f: Features): void {
  register(
    f,
    f.connection.onCompletion,
    'names',
    (ctx, p): CompletionItem[] => completionItems(ctx.doc.getText(), ctx.offsetAt(p.position), ctx.result.model, { snippets: ctx.ws.caps.snippets }),
    { name: 'completion', fallback: [], long: true },
  );
}
