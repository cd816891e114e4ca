// Document and range formatting through the syntax layer's formatter
// (server/src/syntax/format.ts). A file with syntax errors is not formatted.

import type { Range, TextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { format, formatRange } from '../syntax/format';

/** The edits that format the whole document: one edit covering the part that changes. */
export function formatDocument(doc: TextDocument): { edits: TextEdit[] } | { unavailable: string } {
  const before = doc.getText();
  const result = format(before);
  if (!result.ok) return { unavailable: result.reason };
  const after = result.text;
  if (after === before) return { edits: [] };
  // Replace only the changed middle, so the cursor and folding outside it stay put.
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) {
    endB--;
    endA--;
  }
  // Never split a surrogate pair or a CRLF, in the old text or in the new one: an edit
  // that ends with a CR just before a kept LF ends between the two in the new text,
  // where no position can point (then the edit cannot be undone by positions).
  const crlfAt = (t: string, i: number) => t.charCodeAt(i) === 10 && t.charCodeAt(i - 1) === 13;
  while (start > 0 && (isLow(before.charCodeAt(start)) || crlfAt(before, start) || crlfAt(after, start))) start--;
  while (endB < before.length && (isLow(before.charCodeAt(endB)) || (before.charCodeAt(endB) === 10 && (before.charCodeAt(endB - 1) === 13 || after.charCodeAt(endA - 1) === 13)))) {
    endB++;
    endA++;
  }
  return { edits: [{ range: { start: doc.positionAt(start), end: doc.positionAt(endB) }, newText: after.slice(start, endA) }] };
}

/** The edits that format the top-level statements overlapping `range`. */
export function formatDocumentRange(doc: TextDocument, range: Range): TextEdit[] {
  return formatRange(doc.getText(), doc.offsetAt(range.start), doc.offsetAt(range.end)).map((e) => ({
    range: { start: doc.positionAt(e.startOffset), end: doc.positionAt(e.endOffset) },
    newText: e.newText,
  }));
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
