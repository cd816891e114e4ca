// "Did you mean": the candidate nearest to a misspelled word, by edit distance. Shared by
// the parser (keywords) and the model (declared names); plain functions, no project types.

/**
 * The optimal-string-alignment distance: insertions, deletions, substitutions and swaps
 * of two neighbours each cost 1 (`swich` → `switch` is 1, `vdt` → `vtd` is 1).
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** How far a word may be from a candidate to be suggested: 1 for short words, 2 from 5 characters on. */
function allowed(word: string): number {
  return word.length < 5 ? 1 : 2;
}

/**
 * The one candidate nearest to `word` within the allowed distance, or undefined when
 * there is none or two are equally near (a guess between two is no help). Case is
 * ignored for the distance (`Switch` → `switch`), never for the answer.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > 64) return undefined;
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  let tie = false;
  for (const c of new Set(candidates)) {
    if (c === word || Math.abs(c.length - word.length) > 2) continue;
    const d = editDistance(w, c.toLowerCase());
    if (d > allowed(word) || d > bestD) continue;
    if (d === bestD) tie = true;
    else {
      best = c;
      bestD = d;
      tie = false;
    }
  }
  return tie ? undefined : best;
}
