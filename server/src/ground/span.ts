// Places in a source text. The ground layer: it imports nothing of the project.

/** Zero-based line and UTF-16 character, as in the Language Server Protocol. */
export interface Pos {
  readonly line: number;
  readonly character: number;
}

/** A source range: offsets are UTF-16 code-unit offsets, `endOffset` exclusive. */
export interface Span {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly start: Pos;
  readonly end: Pos;
}
