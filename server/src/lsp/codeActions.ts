// Quick fixes keyed on diagnostic codes, and `source.fixAll`. A fix is computed from the
// diagnostic's `data` (analysis/types.ts Finding.data, carried by convert.ts) and the
// syntax tree of the current text. Each fix is first an intent ("this share needs
// move_notify", "the kernel block needs these BDFs"); intents for one place merge, so
// that fix-all produces one set of edits that never overlap.

import { CodeActionKind, type CodeAction, type Diagnostic, type Range } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/analyze';
import type { ExpectItem, PlatformDecl, ShareDecl } from '../syntax/ast';
import { LineIndex } from '../syntax/lineIndex';
import { bdfParts } from '../syntax/values';
import { disjoint, insertAfterStatement, insertIntoBlock, type OffsetEdit } from './edits';
import { contains, fileOf, shareDeclName } from './lookup';
import { blockOf, isLBrace, lex } from './tokens';
import { fileKey } from './uris';
import type { ModelFile } from '../model/types';

type ShareFlag = 'move_notify' | 'peer2peer';

type Intent =
  | { readonly kind: 'share'; readonly file: ModelFile; readonly decl: ShareDecl; readonly attachDynamic: boolean; readonly flags: readonly ShareFlag[] }
  | { readonly kind: 'kernel'; readonly file: ModelFile; readonly platform: PlatformDecl; readonly flags: readonly 'move_notify'[]; readonly bdfs: readonly string[] }
  | { readonly kind: 'replace'; readonly file: ModelFile; readonly start: number; readonly end: number; readonly text: string };

/** The codes whose `data` may name a replacement ("did you mean"): `{ replace, found }`. */
const REPLACE_CODES: readonly string[] = ['syntax-error', 'unknown-name'];

/** The codes whose fix is applied by `source.fixAll`: the obvious ones. */
const PREFERRED_CODES: ReadonlySet<string> = new Set(['missing-notifier', 'static-importer-refused', 'pin-unsupported']);

/** The codes that have a quick fix. */
export const FIXABLE_CODES: ReadonlySet<string> = new Set([...PREFERRED_CODES, 'acs-redirect', 'expect-mismatch', ...REPLACE_CODES]);

/** Edits per file uri. */
export type FileEdits = Map<string, { readonly file: ModelFile; readonly edits: OffsetEdit[] }>;

export interface FixRequest {
  readonly code: string;
  readonly range: Range;
  readonly data: Readonly<Record<string, unknown>> | undefined;
}

function shareDeclAtOffset(file: ModelFile, offset: number): ShareDecl | undefined {
  for (const item of file.parse.model.items) if (item.kind === 'Share' && contains(item.span, offset)) return item;
  return undefined;
}

/** The platform the model uses: the first one of its files, as model/gather.ts firstPlatform takes it. */
function modelPlatform(a: Analysis): { file: ModelFile; decl: PlatformDecl } | undefined {
  for (const file of a.files) {
    for (const item of file.parse.model.items) if (item.kind === 'Platform') return { file, decl: item };
  }
  return undefined;
}

function expectAt(decl: ShareDecl, start: number, end: number): ExpectItem | undefined {
  for (const item of decl.items) {
    if (item.kind !== 'Expect') continue;
    for (const e of item.items) if (e.span.startOffset === start && e.span.endOffset === end) return e;
  }
  return undefined;
}

interface Fix {
  readonly title: string;
  readonly intent: Intent;
  readonly preferred: boolean;
}

/** The fix for one diagnostic of `uri`, or undefined when it has none (or is stale). */
function fixFor(a: Analysis, uri: string, req: FixRequest): Fix | undefined {
  if (!FIXABLE_CODES.has(req.code)) return undefined;
  const file = fileOf(a, uri);
  if (!file) return undefined;
  const lines = new LineIndex(file.text);
  const start = lines.offsetAt(req.range.start);
  const end = lines.offsetAt(req.range.end);
  if (REPLACE_CODES.includes(req.code)) return replaceFix(file, start, end, req.data);
  const decl = shareDeclAtOffset(file, start);
  if (!decl) return undefined;
  const name = shareDeclName(decl);
  switch (req.code) {
    case 'missing-notifier':
      return { title: `Add move_notify to share ${name}`, preferred: true, intent: { kind: 'share', file, decl, attachDynamic: false, flags: ['move_notify'] } };
    case 'static-importer-refused':
      return {
        title: `Attach ${name} dynamic, with move_notify and peer2peer`,
        preferred: true,
        intent: { kind: 'share', file, decl, attachDynamic: true, flags: ['move_notify', 'peer2peer'] },
      };
    case 'pin-unsupported': {
      const p = modelPlatform(a);
      if (!p) return undefined;
      return {
        title: `Add move_notify to the kernel of platform ${p.decl.name.text} (CONFIG_DMABUF_MOVE_NOTIFY=y)`,
        preferred: true,
        intent: { kind: 'kernel', file: p.file, platform: p.decl, flags: ['move_notify'], bdfs: [] },
      };
    }
    case 'acs-redirect': {
      const raw = req.data?.['bdfs'];
      const bdfs = Array.isArray(raw) ? raw.filter((b): b is string => typeof b === 'string' && /^([0-9A-Fa-f]{4}:)?[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7]$/.test(b)) : [];
      const p = modelPlatform(a);
      if (bdfs.length === 0 || !p) return undefined;
      return {
        title: `Add disable_acs_redir ${bdfs.join(', ')} to the kernel (gives up ACS isolation between them)`,
        preferred: false,
        intent: { kind: 'kernel', file: p.file, platform: p.decl, flags: [], bdfs },
      };
    }
    case 'expect-mismatch': {
      const computed = req.data?.['computed'];
      if (typeof computed !== 'string' || computed.length === 0) return undefined;
      const e = expectAt(decl, start, end);
      if (!e) return undefined;
      const addr = /^address (\S+)$/.exec(computed);
      if (e.kind === 'ExpectAddress' && addr) {
        return {
          title: `Expect address ${addr[1]} (what the kernel gives)`,
          preferred: false,
          intent: { kind: 'replace', file, start: e.address.span.startOffset, end: e.address.span.endOffset, text: addr[1]! },
        };
      }
      if (!/^[a-z_]+$|^address 0x[0-9a-f]+$/.test(computed)) return undefined;
      return { title: `Expect ${computed} (what the kernel gives)`, preferred: false, intent: { kind: 'replace', file, start: e.span.startOffset, end: e.span.endOffset, text: computed } };
    }
    default:
      return undefined;
  }
}

/**
 * "Did you mean": replace the word at the diagnostic with the one meant. Only while the
 * text there is still the word the diagnostic was about (a stale fix changes nothing).
 */
function replaceFix(file: ModelFile, start: number, end: number, data: FixRequest['data']): Fix | undefined {
  const replace = data?.['replace'];
  const found = data?.['found'];
  if (typeof replace !== 'string' || typeof found !== 'string' || !/^[A-Za-z0-9_:.-]+$/.test(replace)) return undefined;
  if (file.text.slice(start, end) !== found) return undefined;
  return { title: `Change '${found}' to '${replace}'`, preferred: false, intent: { kind: 'replace', file, start, end, text: replace } };
}

// ---------------------------------------------------------------------------- intents → edits

function intentKey(i: Intent): string {
  switch (i.kind) {
    case 'share':
      return `share:${fileKey(i.file.uri)}:${i.decl.span.startOffset}`;
    case 'kernel':
      return `kernel:${fileKey(i.file.uri)}:${i.platform.span.startOffset}`;
    case 'replace':
      return `replace:${fileKey(i.file.uri)}:${i.start}:${i.end}`;
  }
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}

/** One intent per place: flags and BDFs are unioned. */
function mergeIntents(intents: readonly Intent[]): Intent[] {
  const out = new Map<string, Intent>();
  for (const i of intents) {
    const key = intentKey(i);
    const prev = out.get(key);
    if (!prev) out.set(key, i);
    else if (prev.kind === 'share' && i.kind === 'share') {
      out.set(key, { ...prev, attachDynamic: prev.attachDynamic || i.attachDynamic, flags: union(prev.flags, i.flags) });
    } else if (prev.kind === 'kernel' && i.kind === 'kernel') {
      out.set(key, { ...prev, flags: union(prev.flags, i.flags), bdfs: union(prev.bdfs, i.bdfs) });
    }
  }
  return [...out.values()];
}

function shareEdits(i: Extract<Intent, { kind: 'share' }>): OffsetEdit[] {
  const { decl, file } = i;
  const lexed = lex(file.text);
  const edits: OffsetEdit[] = [];
  const statements: string[] = [];
  if (i.attachDynamic) {
    const attaches = decl.items.filter((it) => it.kind === 'Attach');
    for (const it of attaches) if (it.mode.value === 'static') edits.push({ start: it.mode.span.startOffset, end: it.mode.span.endOffset, text: 'dynamic' });
    if (attaches.length === 0) statements.push('attach dynamic');
  }
  const present = new Set(decl.items.flatMap((it) => (it.kind === 'ShareFlag' ? [it.flag.value as string] : [])));
  for (const f of i.flags) if (!present.has(f)) statements.push(f);
  if (statements.length > 0) {
    const head = (decl.alias ?? decl.importer ?? decl.cpu ?? decl.buffer).span.endOffset;
    const block = blockOf(lexed, head, decl.span.endOffset);
    if (block) edits.push(insertIntoBlock(file.text, lexed, block, statements));
    else if (lexed.tokens.some((t) => isLBrace(t) && t.start >= head && t.start < decl.span.endOffset)) return []; // an unclosed block: no safe place
    else edits.push({ start: head, end: head, text: ` { ${statements.join(' ')} }` });
  }
  return edits;
}

function bdfKey(text: string): string {
  const b = bdfParts(text);
  return `${b.segment ?? 0}:${b.bus}:${b.device}:${b.fn}`;
}

function kernelEdits(i: Extract<Intent, { kind: 'kernel' }>): OffsetEdit[] {
  const { platform, file } = i;
  const lexed = lex(file.text);
  const kernels = platform.items.flatMap((it) => (it.kind === 'Kernel' ? [it] : []));
  const options = kernels.flatMap((k) => k.options);
  const flagsSet = new Set(options.flatMap((o) => (o.kind === 'KernelFlag' ? [o.flag.value as string] : [])));
  const flags = i.flags.filter((f) => !flagsSet.has(f));
  const listed = new Set(options.flatMap((o) => (o.kind === 'DisableAcsRedir' ? o.bdfs.map((b) => bdfKey(b.text)) : [])));
  const bdfs: string[] = [];
  for (const b of i.bdfs) {
    const k = bdfKey(b);
    if (!listed.has(k)) {
      listed.add(k);
      bdfs.push(b);
    }
  }
  if (flags.length === 0 && bdfs.length === 0) return [];
  const kernel = kernels[0];
  if (!kernel) {
    const statement = `kernel { ${[...flags, ...(bdfs.length > 0 ? [`disable_acs_redir ${bdfs.join(', ')}`] : [])].join(' ')} }`;
    const cpu = platform.items.find((it) => it.kind === 'Cpu');
    if (cpu) return [insertAfterStatement(file.text, lexed, cpu.span.startOffset, cpu.span.endOffset, statement)];
    const block = blockOf(lexed, platform.name.span.endOffset, platform.span.endOffset);
    return block ? [insertIntoBlock(file.text, lexed, block, [statement])] : [];
  }
  const edits: OffsetEdit[] = [];
  const statements: string[] = [...flags];
  const lists = kernel.options.filter((o) => o.kind === 'DisableAcsRedir');
  const list = lists[lists.length - 1];
  if (bdfs.length > 0) {
    if (list && list.kind === 'DisableAcsRedir' && list.bdfs.length > 0) {
      const at = list.bdfs[list.bdfs.length - 1]!.span.endOffset;
      edits.push({ start: at, end: at, text: `, ${bdfs.join(', ')}` });
    } else statements.push(`disable_acs_redir ${bdfs.join(', ')}`);
  }
  if (statements.length > 0) {
    const block = blockOf(lexed, kernel.span.startOffset, kernel.span.endOffset);
    if (!block) return [];
    edits.push(insertIntoBlock(file.text, lexed, block, statements));
  }
  return edits;
}

/** Two insertions at one offset become one, in the order they were made. */
function joinInsertions(edits: readonly OffsetEdit[]): OffsetEdit[] {
  const out: OffsetEdit[] = [];
  for (const e of edits) {
    const same = out.find((o) => o.start === o.end && e.start === e.end && o.start === e.start);
    if (same) out[out.indexOf(same)] = { ...same, text: same.text + e.text };
    else out.push(e);
  }
  return out;
}

function editsFor(intents: readonly Intent[]): FileEdits {
  const out: FileEdits = new Map();
  for (const i of mergeIntents(intents)) {
    const edits = i.kind === 'share' ? shareEdits(i) : i.kind === 'kernel' ? kernelEdits(i) : [{ start: i.start, end: i.end, text: i.text }];
    if (edits.length === 0) continue;
    const key = i.file.uri;
    const entry = out.get(key) ?? { file: i.file, edits: [] };
    const joined = joinInsertions([...entry.edits, ...edits]);
    // Never hand out overlapping edits: an intent that would overlap another is dropped.
    if (!disjoint(joined)) continue;
    out.set(key, { file: i.file, edits: joined });
  }
  return out;
}

// ---------------------------------------------------------------------------- code actions

export interface ActionOptions {
  /** Turns file edits into the client's workspace edit (versions, documentChanges…). */
  readonly toWorkspaceEdit: (edits: FileEdits) => CodeAction['edit'];
}

/** Quick fixes for the diagnostics the client sent (one action per diagnostic that has a fix). */
export function quickFixes(a: Analysis, uri: string, diagnostics: readonly Diagnostic[], dataOf: (d: Diagnostic) => FixRequest['data'], o: ActionOptions): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== undefined && d.source !== 'dmabuf') continue;
    const fix = fixFor(a, uri, { code: String(d.code ?? ''), range: d.range, data: dataOf(d) });
    if (!fix) continue;
    const edits = editsFor([fix.intent]);
    if (edits.size === 0) continue;
    out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: fix.preferred, edit: o.toWorkspaceEdit(edits) });
  }
  return out;
}

/** `source.fixAll`: every preferred fix of the document's diagnostics, merged into one edit. */
export function fixAll(a: Analysis, uri: string, diagnostics: readonly { diagnostic: Diagnostic; data: FixRequest['data'] }[], o: ActionOptions): CodeAction | undefined {
  const fixes: Fix[] = [];
  const fixed: Diagnostic[] = [];
  for (const { diagnostic: d, data } of diagnostics) {
    if (!PREFERRED_CODES.has(String(d.code))) continue;
    const fix = fixFor(a, uri, { code: String(d.code), range: d.range, data });
    if (!fix || !fix.preferred) continue;
    fixes.push(fix);
    fixed.push(d);
  }
  if (fixes.length === 0) return undefined;
  const edits = editsFor(fixes.map((f) => f.intent));
  if (edits.size === 0) return undefined;
  return { title: `Fix all: ${fixes.length} dmabuf problem${fixes.length === 1 ? '' : 's'}`, kind: CodeActionKind.SourceFixAll, diagnostics: fixed, edit: o.toWorkspaceEdit(edits) };
}

/** Whether a requested kind list (`context.only`) asks for `kind`. */
export function wants(only: readonly string[] | undefined, kind: string): boolean {
  if (!only) return true;
  return only.some((k) => k === kind || kind.startsWith(k + '.') || k === '');
}
