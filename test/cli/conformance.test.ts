// docs/language.md §6 through the CLI: `dmabuf-lint --format json` on every conformance
// example matches its .expect.json (every field given in `shares`; the diagnostics as
// a set of {code, severity}).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint, ROOT, type JsonDoc } from './run';

const DIR = 'test/conformance';
const cases = readdirSync(join(ROOT, DIR))
  .filter((f) => f.endsWith('.dmabuf'))
  .sort();

interface Expected {
  shares: Record<string, unknown>[];
  diagnostics: { share?: string; code: string; severity: string }[];
}

describe('dmabuf-lint --format json on the conformance examples', () => {
  it('has examples', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  }, 60000);

  // One run for all of them, as CI would; each example is its own root.
  const run = lint(['--format', 'json', ...cases.map((c) => `${DIR}/${c}`)]);
  const doc = JSON.parse(run.stdout || '{"files":[]}') as JsonDoc;

  for (const file of cases) {
    it(file, () => {
      expect(run.stderr).toBe('');
      const expected = JSON.parse(readFileSync(join(ROOT, DIR, file.replace(/\.dmabuf$/, '.expect.json')), 'utf8')) as Expected;
      const got = doc.files.find((f) => f.path === `${DIR}/${file}`);
      expect(got, `${file} in the output`).toBeDefined();
      expect(got!.shares.map((s) => s['name'])).toEqual(expected.shares.map((s) => s['name']));
      expected.shares.forEach((e, i) => {
        for (const [k, v] of Object.entries(e)) expect({ share: e['name'], [k]: got!.shares[i]![k] }).toEqual({ share: e['name'], [k]: v });
      });
      const key = (d: { code: string; severity: string }) => `${d.code}|${d.severity}`;
      expect(new Set(got!.diagnostics.map(key))).toEqual(new Set(expected.diagnostics.map(key)));
      // Each alone exits as its diagnostics say.
      const alone = lint(['--format', 'json', `${DIR}/${file}`]);
      expect(alone.status).toBe(expected.diagnostics.some((d) => d.severity === 'error') ? 1 : 0);
    }, 60000);
  }
});
