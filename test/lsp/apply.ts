// Applying LSP text edits in tests, with their inverse: an edit that is exactly what it
// claims to be can be undone to give back the original text.

import type { Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

interface Applied {
  readonly text: string;
  /** Edits of the new text that restore the old one. */
  readonly inverse: TextEdit[];
  /** What each edit replaced, and with what (in edit order). */
  readonly changes: { readonly old: string; readonly new: string }[];
}

/** Applies edits as an LSP client must: all ranges refer to the original text, and none may overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): Applied {
  const before = TextDocument.create('file:///before', 'dmabuf', 1, text);
  const offs = edits
    .map((e, i) => ({ start: before.offsetAt(e.range.start), end: before.offsetAt(e.range.end), newText: e.newText, i }))
    .sort((a, b) => a.start - b.start || a.i - b.i);
  for (let k = 1; k < offs.length; k++) {
    if (offs[k]!.start < offs[k - 1]!.end) throw new Error(`overlapping edits: ${JSON.stringify(edits)}`);
  }
  let out = '';
  let at = 0;
  const spans: { start: number; end: number; old: string }[] = [];
  for (const e of offs) {
    out += text.slice(at, e.start);
    const start = out.length;
    out += e.newText;
    spans.push({ start, end: out.length, old: text.slice(e.start, e.end) });
    at = e.end;
  }
  out += text.slice(at);
  const after = TextDocument.create('file:///after', 'dmabuf', 1, out);
  const inverse = spans.map((s) => ({ range: { start: after.positionAt(s.start), end: after.positionAt(s.end) }, newText: s.old }));
  return { text: out, inverse, changes: offs.map((e) => ({ old: text.slice(e.start, e.end), new: e.newText })) };
}

/** The edits a workspace edit makes to one file (from `changes` or `documentChanges`). */
export function editsOf(we: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!we) return [];
  const out: TextEdit[] = [...(we.changes?.[uri] ?? [])];
  for (const dc of we.documentChanges ?? []) {
    if ('textDocument' in dc && dc.textDocument.uri === uri) out.push(...(dc.edits as TextEdit[]));
  }
  return out;
}

/** The files a workspace edit touches. */
export function filesOf(we: WorkspaceEdit | undefined): string[] {
  if (!we) return [];
  const out = new Set<string>(Object.keys(we.changes ?? {}));
  for (const dc of we.documentChanges ?? []) if ('textDocument' in dc) out.add(dc.textDocument.uri);
  return [...out];
}

export function rangeText(text: string, r: Range): string {
  const d = TextDocument.create('file:///x', 'dmabuf', 1, text);
  return d.getText(r);
}
