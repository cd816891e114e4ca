// Inlay hints after each share's header (`share b -> i [as n]`): the map type and the
// first DMA address (`BUS_ADDR · 0x6000000000`), or `fails: <code>`. Values come only
// from the last full analysis (the mapping engine is never run for a hint); places come
// from the current syntax tree, so hints stay put while the text changes around them.

import type { InlayHint, Range } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/analyze';
import type { Model, ShareDecl } from '../syntax/ast';
import { shareDeclName } from './lookup';
import { fileKey } from './uris';
import type { ShareResult } from '../engine/types';
import { hex } from '../ground/format';

export interface ShareValue {
  readonly result: ShareResult;
  readonly failure: string | undefined;
}

/** The values of the shares declared in `uri` by a full analysis, by share name. */
export function shareValues(full: Analysis, uri: string): Map<string, ShareValue> {
  const key = fileKey(uri);
  const out = new Map<string, ShareValue>();
  for (const o of full.engine?.shares ?? []) {
    if (fileKey(o.result.location.uri) !== key) continue;
    out.set(o.result.name, { result: o.result, failure: o.mapping.failure?.code });
  }
  return out;
}

function hintLabel(v: ShareValue): string {
  const r = v.result;
  if (!r.ok) return `fails: ${v.failure ?? 'the map fails'}`;
  const first = r.segments[0];
  return `${r.mapType} · ${first ? hex(first.dma) : r.addressKind}`;
}

function headEnd(d: ShareDecl) {
  return (d.alias ?? d.importer ?? d.cpu ?? d.buffer).span;
}

function before(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/**
 * @param model the current syntax tree of the document
 * @param values what the last full analyses computed for this file's shares
 */
export function inlayHints(model: Model, values: ReadonlyMap<string, ShareValue>, range: Range): InlayHint[] {
  const out: InlayHint[] = [];
  for (const item of model.items) {
    if (item.kind !== 'Share') continue;
    const v = values.get(shareDeclName(item));
    if (!v) continue;
    const end = headEnd(item).end;
    const position = { line: end.line, character: end.character };
    if (!before(range.start, position) || !before(position, range.end)) continue;
    const r = v.result;
    const tooltip = r.ok
      ? `${r.name}: ${r.mapType}, ${r.placement}, ${r.addressKind}${r.segments.length > 0 ? `, ${r.segments.length} segment${r.segments.length > 1 ? 's' : ''}` : ''} (last full analysis)`
      : `${r.name}: the map fails (${v.failure ?? 'no code'}) (last full analysis)`;
    out.push({ position, label: hintLabel(v), paddingLeft: true, tooltip });
  }
  return out;
}
