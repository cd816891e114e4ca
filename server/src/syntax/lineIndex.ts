// Offset ↔ line/character conversion that agrees with the Language Server Protocol:
// `\n`, `\r\n` and a lone `\r` each end a line; characters are UTF-16 code units.

import type { Pos, Span } from './ast';

export class LineIndex {
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (c === 10 /* \n */) {
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Pos {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo]! };
  }

  offsetAt(pos: Pos): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[pos.line]!;
    const next = pos.line + 1 < this.lineStarts.length ? this.lineStarts[pos.line + 1]! : this.text.length;
    // Never point between a line's end and its terminator, as LSP requires.
    let lineEnd = next;
    while (lineEnd > start && (this.text.charCodeAt(lineEnd - 1) === 10 || this.text.charCodeAt(lineEnd - 1) === 13)) lineEnd--;
    return Math.min(start + Math.max(0, pos.character), lineEnd);
  }

  /** The text of one line without its terminator. */
  lineText(line: number): string {
    const start = this.lineStarts[line] ?? this.text.length;
    const end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! : this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, '');
  }
}

/**
 * The span the parser gives every node: offsets, with line and character computed from
 * the file's `LineIndex` when read. Most spans are never shown, and two position objects
 * per span were a fifth of the parse time (docs/performance.md).
 */
export class SourceSpan implements Span {
  readonly #lines: LineIndex;

  constructor(
    readonly startOffset: number,
    readonly endOffset: number,
    lines: LineIndex,
  ) {
    this.#lines = lines;
  }

  get start(): Pos {
    return this.#lines.positionAt(this.startOffset);
  }

  get end(): Pos {
    return this.#lines.positionAt(this.endOffset);
  }

  /** The same fields as a plain span (JSON.stringify does not call getters). */
  toJSON(): Span {
    return { startOffset: this.startOffset, endOffset: this.endOffset, start: this.start, end: this.end };
  }
}
