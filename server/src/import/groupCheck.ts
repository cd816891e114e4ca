// The real IOMMU groups of an imported machine (sysfs, or the `IOMMU group:` lines of
// lspci -vvv) against the groups the engine forms for the imported model
// (engine/groups.ts, pci_device_group): a check of the engine against the kernel.
// Only functions written as endpoints are compared: the engine groups endpoints and
// VFs, the kernel also puts bridges in groups.

import { bdfText } from '../ground/format';
import { analyze } from '../analysis/analyze';
import { emitPlatform, type EmitOptions, type EmitResult } from './emit';
import { allFunctions, type ImportedMachine } from './types';

export interface GroupCheck {
  /** Endpoints whose real group is known and that the model holds. */
  readonly compared: number;
  /** Real groups among the compared endpoints. */
  readonly realGroups: number;
  /** Engine groups among the compared endpoints. */
  readonly engineGroups: number;
  /** One sentence per difference, naming the devices; empty when the partitions agree. */
  readonly differences: readonly string[];
}

const URI = 'file:///imported.dmabuf';

function list(names: readonly string[]): string {
  return names.join(', ');
}

/**
 * The machine the engine sees for the check. Groups exist, so an IOMMU is on even when
 * the source cannot say which: the kernel's ACS derivation (engine/acs.ts) needs one,
 * whatever its type, so the check models it as `iommu vtd` (default mode).
 */
function withIommuOn(m: ImportedMachine): ImportedMachine {
  const io = m.iommu;
  if (!io?.present || io.type) return m;
  return { ...m, iommu: { ...io, type: 'vtd', mode: undefined } };
}

/**
 * Compares the kernel's groups with the engine's over the imported model (`emitted`, as
 * emitPlatform wrote `m` with `options`), written again with an IOMMU when the source
 * shows one but not its type.
 */
export function checkGroups(m: ImportedMachine, emitted: EmitResult, options: EmitOptions = {}): GroupCheck | undefined {
  if (!m.groupsKnown) return undefined;
  const checked = withIommuOn(m);
  const { text, names } = checked === m ? emitted : emitPlatform(checked, options);
  const a = analyze(URI, { readFile: (u) => (u === URI ? text : undefined), resolveUse: () => ({ refused: 'an imported model uses no other file' }) }, { engine: true });
  const groups = a.engine?.groups;
  if (!groups) return undefined;
  const engineOf = new Map<string, { id: number; reason: string }>();
  for (const [fn, g] of groups.groupOf) engineOf.set(fn.name, { id: g.id, reason: g.reason });

  const realOf = new Map<string, number>();
  const bdfOf = new Map<string, string>();
  for (const f of allFunctions(m)) {
    const name = names.get(bdfText(f.address));
    if (!name || f.iommuGroup === undefined || !engineOf.has(name)) continue;
    realOf.set(name, f.iommuGroup);
    bdfOf.set(name, bdfText(f.address).replace(/^0000:/, ''));
  }
  const label = (n: string) => `${n} (${bdfOf.get(n)})`;
  const byReal = new Map<number, string[]>();
  const byEngine = new Map<number, string[]>();
  for (const [n, r] of realOf) {
    byReal.set(r, [...(byReal.get(r) ?? []), n]);
    const e = engineOf.get(n)!.id;
    byEngine.set(e, [...(byEngine.get(e) ?? []), n]);
  }
  const differences: string[] = [];
  for (const [r, members] of [...byReal].sort((x, y) => x[0] - y[0])) {
    const parts = new Map<number, string[]>();
    for (const n of members) {
      const e = engineOf.get(n)!.id;
      parts.set(e, [...(parts.get(e) ?? []), n]);
    }
    if (parts.size < 2) continue;
    const split = [...parts.values()].map((ns) => `{${list(ns.map(label))}} (${engineOf.get(ns[0]!)!.reason})`);
    differences.push(`the kernel puts ${list(members.map(label))} in one IOMMU group (${r}); the engine splits them: ${split.join('; ')}`);
  }
  for (const [, members] of [...byEngine].sort((x, y) => x[0] - y[0])) {
    const parts = new Map<number, string[]>();
    for (const n of members) {
      const r = realOf.get(n)!;
      parts.set(r, [...(parts.get(r) ?? []), n]);
    }
    if (parts.size < 2) continue;
    const apart = [...parts].map(([r, ns]) => `${list(ns.map(label))} in group ${r}`);
    differences.push(`the engine puts ${list(members.map(label))} in one group (${engineOf.get(members[0]!)!.reason}); the kernel has them apart: ${apart.join('; ')}`);
  }
  return { compared: realOf.size, realGroups: byReal.size, engineGroups: byEngine.size, differences };
}
