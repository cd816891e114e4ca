// Assertions shared by the rule tests: where a finding must be, what it must say.
import { expect } from 'vitest';
import type { Analysis } from '../../server/src/analysis/analyze';
import { RULE_BY_CODE } from '../../server/src/rules/index';
import { analyzeText } from '../helpers/analyzeFile';
import type { DiagnosticCode, Severity } from '../../server/src/ground/codes';
import type { Finding } from '../../server/src/ground/findings';

interface Pos {
  line: number;
  character: number;
}
interface Range {
  start: Pos;
  end: Pos;
}

function posAt(text: string, offset: number): Pos {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Where a finding is: a text (its first occurrence), or a text inside the first occurrence of a larger one. */
type Needle = string | { readonly find: string; readonly in: string; readonly nth?: number };

/** The zero-based range of a needle in `text`. */
export function rangeOf(text: string, needle: Needle): Range {
  const n = typeof needle === 'string' ? { find: needle, in: needle, nth: 0 } : needle;
  let outer = -1;
  for (let i = 0; i <= (n.nth ?? 0); i++) {
    outer = text.indexOf(n.in, outer + 1);
    if (outer < 0) throw new Error(`'${n.in}' (occurrence ${n.nth ?? 0}) is not in the model`);
  }
  const inner = n.in.indexOf(n.find);
  if (inner < 0) throw new Error(`'${n.find}' is not in '${n.in}'`);
  const at = outer + inner;
  return { start: posAt(text, at), end: posAt(text, at + n.find.length) };
}

export function rangeOfFinding(f: { span: Finding['span'] }): Range {
  return { start: { ...f.span.start }, end: { ...f.span.end } };
}

export function findings(a: Analysis, code: DiagnosticCode): Finding[] {
  return a.findings.filter((f) => f.code === code);
}

/** Kernel function names the rule declares (its `kernel` field), for "the message names the kernel function". */
export function kernelFunctions(code: DiagnosticCode): string[] {
  const k = RULE_BY_CODE.get(code)?.kernel ?? '';
  return [...k.matchAll(/[a-z][a-z0-9]*_[a-z0-9_]+/g)].map((m) => m[0]);
}

interface Expected {
  severity: Severity;
  /** The text the finding covers, e.g. the share head `share db -> gpu0`. */
  at: Needle;
  /** The finding's share, when it has one. */
  share?: string;
  /** Kernel function(s) (or other words) the message must name. */
  names?: readonly (string | RegExp)[];
  /** The texts the related information points at, in order. */
  related?: readonly Needle[];
}

/** Exactly one finding of `code`, with the severity, range, message and related information given. */
export function expectOne(text: string, a: Analysis, code: DiagnosticCode, e: Expected): Finding {
  const fs = findings(a, code);
  expect(fs.map((f) => f.message), `findings of ${code}`).toHaveLength(1);
  const f = fs[0]!;
  expect(f.severity).toBe(e.severity);
  expect(rangeOfFinding(f)).toEqual(rangeOf(text, e.at));
  if (e.share !== undefined) expect(f.share).toBe(e.share);
  for (const n of e.names ?? []) {
    if (typeof n === 'string') expect(f.message).toContain(n);
    else expect(f.message).toMatch(n);
  }
  if (e.related) {
    expect(f.related.map((r) => ({ start: r.span.start, end: r.span.end }))).toEqual(e.related.map((r) => rangeOf(text, r)));
    for (const r of f.related) expect(r.message.length).toBeGreaterThan(0);
  }
  return f;
}

/** The message names at least one of the functions in the rule's `kernel` field. */
export function expectNamesKernel(f: Finding): void {
  const fns = kernelFunctions(f.code);
  expect(fns.length, `${f.code} declares kernel functions`).toBeGreaterThan(0);
  expect(fns.some((fn) => f.message.includes(fn)), `"${f.message}" names one of ${fns.join(', ')}`).toBe(true);
}

export function expectNone(a: Analysis, code: DiagnosticCode): void {
  expect(findings(a, code).map((f) => f.message)).toEqual([]);
}

/** Codes found, sorted, for "nothing else is reported". */
export function codes(a: Analysis): string[] {
  return a.findings.map((f) => f.code).sort();
}

export { analyzeText };
