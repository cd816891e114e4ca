// Folding and selection ranges (structure.ts): from the document's parse alone.

import { foldingRanges, selectionRange } from '../structure';
import { register, type Features } from './register';

export function registerStructure(f: Features): void {
  register(f, f.connection.onFoldingRanges, 'parsed', (ctx) => foldingRanges(ctx.doc.getText(), ctx.result.model), { name: 'foldingRange', fallback: [] });
  register(
    f,
    f.connection.onSelectionRanges,
    'parsed',
    (ctx, p) => p.positions.map((pos) => selectionRange(ctx.doc.getText(), ctx.result.model, ctx.offsetAt(pos))),
    { name: 'selectionRange', fallback: [] },
  );
}
