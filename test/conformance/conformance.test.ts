// docs/language.md §6: every conformance example, shares and the complete diagnostic list.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzePath } from '../helpers/analyzeFile';
import { shareToJson } from '../../server/src/lsp/json';

const dir = join(__dirname);
const cases = readdirSync(dir).filter((f) => f.endsWith('.dmabuf'));

interface Expected {
  shares: Record<string, unknown>[];
  diagnostics: { share?: string; code: string; severity: string }[];
}

describe('conformance examples (docs/language.md §6)', () => {
  it('covers every example of the spec', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });
  for (const file of cases) {
    it(file, () => {
      const expected = JSON.parse(readFileSync(join(dir, file.replace(/\.dmabuf$/, '.expect.json')), 'utf8')) as Expected;
      const a = analyzePath(join(dir, file));
      const shares = a.shares.map(shareToJson);
      expect(shares.length).toBe(expected.shares.length);
      expected.shares.forEach((e, i) => {
        const got = shares[i]!;
        for (const [k, v] of Object.entries(e)) expect({ share: e['name'], [k]: got[k as keyof typeof got] }).toEqual({ share: e['name'], [k]: v });
      });
      const got = a.findings.map((f) => ({ share: f.share, code: f.code, severity: f.severity }));
      const want = expected.diagnostics.map((d) => ({ share: d.share, code: d.code, severity: d.severity }));
      const key = (d: { share?: string; code: string; severity: string }) => `${d.share ?? ''}|${d.code}|${d.severity}`;
      expect(got.map(key).sort()).toEqual(want.map(key).sort());
      // A diagnostic whose share is given lies inside that share's declaration.
      for (const f of a.findings) {
        if (!f.share) continue;
        const decl = a.shares.find((s) => s.name === f.share)!.location.span;
        expect(f.span.startOffset).toBeGreaterThanOrEqual(decl.startOffset);
        expect(f.span.endOffset).toBeLessThanOrEqual(decl.endOffset);
      }
    });
  }
});
