// Document and range formatting (formatting.ts, through the syntax layer's formatter).

import { formatDocument, formatDocumentRange } from '../formatting';
import { register, type Features } from './register';

export function registerFormatting(f: Features): void {
  register(
    f,
    f.connection.onDocumentFormatting,
    'parsed',
    (ctx) => {
      const r = formatDocument(ctx.doc);
      if ('unavailable' in r) {
        ctx.connection.console.info(`formatting ${ctx.doc.uri}: ${r.unavailable}`);
        return [];
      }
      return r.edits;
    },
    { name: 'formatting', fallback: [] },
  );
  register(f, f.connection.onDocumentRangeFormatting, 'parsed', (ctx, p) => formatDocumentRange(ctx.doc, p.range), { name: 'rangeFormatting', fallback: [] });
}
