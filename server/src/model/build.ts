// From syntax trees to the resolved model (docs/language.md §1, §4, §5): a gathering pass
// (declarations, names, the PCIe tree, defaults: gather.ts) and then the value checks
// (checks/), each one decision of the kernel. A buffer a check refuses is marked
// invalid, and its shares are not mapped.

import type { Buffer, ModelFile, ResolvedModel, Share } from './types';
import type { Finding } from '../ground/findings';
import type { Report } from './names';
import { gather } from './gather';
import { runChecks } from './checks/index';

export type { ResolvedModel } from './types';

export function buildModel(files: readonly ModelFile[]): ResolvedModel {
  const findings: Finding[] = [];
  const report: Report = (code, message, place, related = [], data, severity = 'error') => {
    findings.push({ code, severity, phase: 'names', message, uri: place.uri, span: place.span, related, ...(data ? { data } : {}) });
  };
  const g = gather(files, report);
  const refused = runChecks(g, report);
  const { buffers, shares } = markRefused(g.buffers.flatMap((b) => (b.kind === 'built' ? [b.buffer] : [])), g.shares, refused);
  return {
    platform: g.platform?.platform,
    functions: g.tree.functions,
    buffers,
    shares,
    symbols: g.names.symbols,
    references: g.names.references,
    findings,
  };
}

/** The refused buffers marked invalid, and the shares pointed at the marked ones. */
function markRefused(buffers: readonly Buffer[], shares: readonly Share[], refused: ReadonlySet<Buffer>): { buffers: Buffer[]; shares: Share[] } {
  if (refused.size === 0) return { buffers: [...buffers], shares: [...shares] };
  const marked = new Map<Buffer, Buffer>([...refused].map((b) => [b, { ...b, invalid: true }]));
  return {
    buffers: buffers.map((b) => marked.get(b) ?? b),
    shares: shares.map((s) => {
      const buffer = marked.get(s.buffer);
      return buffer ? { ...s, buffer } : s;
    }),
  };
}
