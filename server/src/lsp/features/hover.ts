// textDocument/hover (hover.ts words it): a share needs the engine's result.

import { hoverAt } from '../hover';
import { register, type Features } from './register';

export function registerHover(f: Features): void {
  register(f, f.connection.onHover, 'engine', (ctx, p) => hoverAt(ctx.result, ctx.doc.uri, ctx.doc.getText(), ctx.offsetAt(p.position)), { name: 'hover', fallback: null });
}
