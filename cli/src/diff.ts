// A small unified diff (the output of `diff -u`) over lines, with Myers' algorithm.
// Lines are compared with their line ending, so a change of ending or of the final
// newline shows.

type Op = { readonly t: ' ' | '-' | '+'; readonly line: string };

/** The lines of a text, each with its ending (`\n`, `\r\n` or `\r`). */
export function splitLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** Beyond this many differences the middle is shown as one block removed and added. */
const MAX_EDIT_DISTANCE = 1000;

/** The edit script from `a` to `b` (Myers, "An O(ND) Difference Algorithm"). */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const head: Op[] = a.slice(0, pre).map((line) => ({ t: ' ', line }));
  const tail: Op[] = a.slice(a.length - suf).map((line) => ({ t: ' ', line }));
  return [...head, ...myers(A, B), ...tail];
}

function myers(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ t: '+', line }));
  if (m === 0) return a.map((line) => ({ t: '-', line }));
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const off = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    v = next;
  }
  if (found < 0) return [...a.map((line): Op => ({ t: '-', line })), ...b.map((line): Op => ({ t: '+', line }))];
  // Walk back through the saved frontiers.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d]!; // the frontier before step d
    const k = x - y;
    const down = k === -d || (k !== d && vd[off + k - 1]! < vd[off + k + 1]!);
    const pk = down ? k + 1 : k - 1;
    const px = vd[off + pk]!;
    const py = px - pk;
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      ops.push({ t: ' ', line: a[x - 1]! });
      x--;
      y--;
    }
    if (down) {
      ops.push({ t: '+', line: b[y - 1]! });
      y--;
    } else {
      ops.push({ t: '-', line: a[x - 1]! });
      x--;
    }
  }
  while (x > 0 && y > 0) {
    ops.push({ t: ' ', line: a[x - 1]! });
    x--;
    y--;
  }
  return ops.reverse();
}

function range(start: number, len: number): string {
  // As GNU diff: an empty range names the line before it; a one-line range has no length.
  if (len === 0) return `${start},0`;
  return len === 1 ? `${start + 1}` : `${start + 1},${len}`;
}

function show(op: Op): string {
  const body = op.line.replace(/\r?\n$|\r$/, '');
  const noEol = !/[\r\n]$/.test(op.line);
  return `${op.t}${body}${noEol ? '\n\\ No newline at end of file' : ''}`;
}

/** `diff -u` of two texts; '' when they are equal. */
export function unifiedDiff(before: string, after: string, nameBefore: string, nameAfter: string, context = 3): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  const changes: number[] = [];
  ops.forEach((o, i) => {
    if (o.t !== ' ') changes.push(i);
  });
  if (changes.length === 0) return '';
  // Lines of a and b before each op.
  const aBefore = new Int32Array(ops.length + 1);
  const bBefore = new Int32Array(ops.length + 1);
  ops.forEach((o, i) => {
    aBefore[i + 1] = aBefore[i]! + (o.t !== '+' ? 1 : 0);
    bBefore[i + 1] = bBefore[i]! + (o.t !== '-' ? 1 : 0);
  });
  const groups: [number, number][] = [];
  for (const c of changes) {
    const last = groups[groups.length - 1];
    if (last && c - last[1] - 1 <= 2 * context) last[1] = c;
    else groups.push([c, c]);
  }
  const out = [`--- ${nameBefore}`, `+++ ${nameAfter}`];
  for (const [s, e] of groups) {
    const from = Math.max(0, s - context);
    const to = Math.min(ops.length - 1, e + context);
    const aLen = aBefore[to + 1]! - aBefore[from]!;
    const bLen = bBefore[to + 1]! - bBefore[from]!;
    out.push(`@@ -${range(aBefore[from]!, aLen)} +${range(bBefore[from]!, bLen)} @@`);
    for (let i = from; i <= to; i++) out.push(show(ops[i]!));
  }
  return out.join('\n') + '\n';
}
