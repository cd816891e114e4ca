// Draws the samples for the view tests: analysis (test/helpers), then the view layer.

import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Analysis } from '../../server/src/analysis/analyze';
import { layoutTopology, type Layout } from '../../server/src/view/layout';
import { renderSvg } from '../../server/src/view/svg';
import { buildTopology, type Topology } from '../../server/src/view/topology';
import { analyzePath } from '../helpers/analyzeFile';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLES = readdirSync(join(ROOT, 'samples'))
  .filter((f) => f.endsWith('.dmabuf'))
  .sort();

export interface Drawn {
  readonly a: Analysis;
  readonly t: Topology;
  readonly layout: Layout;
  readonly svg: string;
}

export function analyzeSample(file: string): Analysis {
  return analyzePath(join(ROOT, 'samples', file));
}

export async function drawSample(file: string, standalone = true): Promise<Drawn> {
  const a = analyzeSample(file);
  const t = buildTopology(a.model, a.engine, file);
  const layout = await layoutTopology(t);
  return { a, t, layout, svg: renderSvg(t, layout, { standalone }) };
}
