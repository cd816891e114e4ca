// --format-check: the server formats (textDocument/formatting on an opened document),
// dmabuf-lint compares and prints a unified diff where the layout differs.

import { TextDocument, type TextEdit } from 'vscode-languageserver-textdocument';
import { unifiedDiff } from './diff';
import { plural } from './report';

export interface FormatTarget {
  readonly abs: string;
  /** As printed: relative to the current directory. */
  readonly shown: string;
  readonly text: string;
  /** The server reported a syntax error in this file: the formatter leaves such files alone. */
  readonly hasSyntaxErrors: boolean;
}

interface FormatServer {
  /** Sends didOpen (without waiting) and returns the document's URI. */
  open(file: string, text: string): string;
  formatting(uri: string): Promise<TextEdit[] | null>;
  /** Sends didClose (without waiting). */
  close(uri: string): void;
}

interface FormatCheckResult {
  readonly output: string;
  readonly notFormatted: number;
}

/** Asks the server to format every target (all requests in flight at once), then diffs. */
export async function formatCheck(server: FormatServer, targets: readonly FormatTarget[]): Promise<FormatCheckResult> {
  const pending = targets.map((t) => {
    if (t.hasSyntaxErrors) return Promise.resolve(undefined);
    // Sent in this order without waiting: the server handles them in order, so only one
    // of our documents is open at a time.
    const uri = server.open(t.abs, t.text);
    const edits = server.formatting(uri);
    server.close(uri);
    return edits;
  });
  const edits = await Promise.all(pending);
  const out: string[] = [];
  let notFormatted = 0;
  targets.forEach((t, i) => {
    if (t.hasSyntaxErrors) {
      notFormatted++;
      out.push(`${t.shown}: not formatted: has syntax errors\n`);
      return;
    }
    const doc = TextDocument.create(`file:///${i}`, 'dmabuf', 1, t.text);
    const after = TextDocument.applyEdits(doc, edits[i] ?? []);
    const diff = unifiedDiff(t.text, after, t.shown, `${t.shown} (formatted)`);
    if (diff !== '') {
      notFormatted++;
      out.push(diff);
    }
  });
  const checked = plural(targets.length, 'file', 'files');
  out.push(notFormatted === 0 ? `${checked} checked: all formatted\n` : `${checked} checked, ${notFormatted} not formatted\n`);
  return { output: out.join(''), notFormatted };
}
