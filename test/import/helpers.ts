// Fixtures of real machines (test/import/fixtures/*/SOURCE.md) and the checks every
// imported model must pass.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expect } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';
import { runImport, type ImportOutcome, type ImportRequest } from '../../server/src/import/index';
import { format } from '../../server/src/syntax/format';
import { parse } from '../../server/src/syntax/parser';
import type { ShareResult } from '../../server/src/engine/types';

export const FIXTURES = resolve(__dirname, 'fixtures');

export function fixture(name: string, file: string): string {
  return readFileSync(join(FIXTURES, name, file), 'utf8');
}

/** Every file below `dir`, by its path inside it (what the CLI sends for --sysfs). */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

export function importOf(r: ImportRequest): ImportOutcome {
  return runImport(r);
}

export const ESC8000A = 'lspci-asus-esc8000a-e12';
const IMAC = 'lspci-imac2020-titan-ridge';
export const IMAC_SYSFS = 'sysfs-imac2020-titan-ridge';
const DGX2 = 'hwloc-nvidia-dgx2';

export function importEsc8000a(): ImportOutcome {
  return importOf({ kind: 'lspci', tree: fixture(ESC8000A, 'tree.txt'), verbose: fixture(ESC8000A, 'verbose.txt') });
}

export function importImac(): ImportOutcome {
  return importOf({ kind: 'lspci', tree: fixture(IMAC, 'lspci-vvvnnPP.txt') });
}

export function importImacSysfs(omit: readonly string[] = []): ImportOutcome {
  const files = readTree(join(FIXTURES, IMAC_SYSFS, 'snapshot'));
  for (const f of omit) delete files[f];
  return importOf({ kind: 'sysfs', snapshotFiles: files });
}

export function importDgx2(): ImportOutcome {
  return importOf({ kind: 'hwloc', xml: fixture(DGX2, 'nvidiaDGX2.xml') });
}

/** What every imported model must be: no syntax error, formatted, one platform, no name twice. */
export function expectWellFormed(o: ImportOutcome): void {
  const p = parse(o.text);
  expect(p.errors).toEqual([]);
  const f = format(o.text);
  expect(f.ok).toBe(true);
  if (f.ok) expect(f.text).toBe(o.text);
  expect(p.model.items.filter((i) => i.kind === 'Platform')).toHaveLength(1);
  const a = analyzeText(o.text, {}, { engine: false });
  expect(a.findings.filter((x) => x.code === 'syntax-error' || x.code === 'duplicate-name' || x.code === 'unknown-name')).toEqual([]);
  expect(new Set(o.names.values()).size).toBe(o.names.size);
}

/** The model line that declares `name` (trimmed). */
export function lineOf(text: string, name: string): string {
  const l = text.split('\n').find((x) => new RegExp(`^\\s*(?:root_port|switch|port|gpu|nic|nvme|accel|fpga|endpoint|host_bridge) ${name}\\b`).test(x));
  if (!l) throw new Error(`no declaration of ${name}`);
  return l.trim();
}

/** The name the import gave the function at `bdf` (`01:00.0` or `0000:01:00.0`). */
export function nameAt(o: ImportOutcome, bdf: string): string {
  const key = bdf.length === 7 ? `0000:${bdf}` : bdf;
  const n = o.names.get(key);
  if (!n) throw new Error(`${bdf} was not written`);
  return n;
}

export type TopoLevel = 'PIX' | 'PXB' | 'PHB' | 'NODE' | 'SYS';

/**
 * The shares the engine computes for P2P between the pairs, each exporter's BAR `bar`
 * exported by vfio-pci to the importer. `edit` changes the model first (a TODO done).
 */
export function p2pShares(model: string, pairs: readonly { exporter: string; importer: string; bar: number }[]): ShareResult[] {
  let text = `${model}\n`;
  pairs.forEach((p, i) => {
    text += `buffer p${i} from ${p.exporter} driver vfio-pci { size 4K bar ${p.bar} }\n`;
    text += `share p${i} -> ${p.importer} { attach dynamic move_notify peer2peer }\n`;
  });
  const a = analyzeText(text);
  expect(a.findings.filter((f) => f.code === 'syntax-error')).toEqual([]);
  return [...a.shares];
}

/** The host bridges a share's path goes through, by the model's names (hbN). */
export function bridgesOnPath(s: ShareResult): string[] {
  return s.path.filter((n) => /^hb\d+$/.test(n));
}
