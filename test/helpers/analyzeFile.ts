// Analyses a model on disk or given as text, for unit tests (the server has its own host).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { analyze, type Analysis, type AnalysisOptions } from '../../server/src/analysis/analyze';

export function analyzePath(path: string, options: AnalysisOptions = {}): Analysis {
  const root = resolve(path);
  return analyze(
    root,
    {
      readFile: (u) => (existsSync(u) && statSync(u).isFile() ? readFileSync(u, 'utf8') : undefined),
      resolveUse: (from, p) => ({ uri: resolve(dirname(from), p) }),
    },
    options,
  );
}

/** Analyses an in-memory model; `files` maps extra file names to texts for `use`. */
export function analyzeText(text: string, files: Record<string, string> = {}, options: AnalysisOptions = {}): Analysis {
  const all: Record<string, string> = { 'main.dmabuf': text, ...files };
  return analyze('main.dmabuf', { readFile: (u) => all[u], resolveUse: (_from, p) => ({ uri: p }) }, options);
}
