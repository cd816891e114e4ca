// Which of the files given on the command line are roots of a model (see --help).

/**
 * The roots among the candidates: a file that another candidate's model pulls in is not
 * a root of its own. In a cycle of uses, the first file (in command-line order) is.
 * Linear in the number of files of all models (a map, not a search per pair).
 */
export function chooseRoots(cands: readonly { key: string; files: readonly string[] }[]): number[] {
  // For every file key: the candidates whose model contains it.
  const usedBy = new Map<string, number[]>();
  cands.forEach((c, i) => {
    for (const f of new Set(c.files)) {
      let list = usedBy.get(f);
      if (!list) usedBy.set(f, (list = []));
      list.push(i);
    }
  });
  const usedByOther = cands.map((c, i) => (usedBy.get(c.key) ?? []).some((j) => j !== i));
  const roots: number[] = [];
  const covered = new Set<string>();
  cands.forEach((c, i) => {
    if (!usedByOther[i]) {
      roots.push(i);
      c.files.forEach((f) => covered.add(f));
    }
  });
  cands.forEach((c, i) => {
    if (usedByOther[i] && !covered.has(c.key)) {
      roots.push(i);
      c.files.forEach((f) => covered.add(f));
    }
  });
  return roots.sort((a, b) => a - b);
}
