// Which of the files given on the command line are roots of a model (see --help).

/**
 * The roots among the candidates: a file that another candidate's model pulls in is not
 * a root of its own. In a cycle of uses, the first file (in command-line order) is.
 */
export function chooseRoots(cands: readonly { key: string; files: readonly string[] }[]): number[] {
  const usedByOther = cands.map((c, i) => cands.some((o, j) => j !== i && o.files.includes(c.key)));
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
