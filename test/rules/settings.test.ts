// The per-code severity settings (`dmabuf.rules` in the editor, `--rule code=severity` on the
// command line): `off` removes a code, a severity replaces its own. Checked once for every code
// of RULES, on the trigger model of each (test/rules/models.ts TRIGGERS).
import { describe, expect, it } from 'vitest';
import { RULES } from '../../server/src/rules/index';
import { analyzeText } from './expect';
import { TRIGGERS } from './models';
import { DIAGNOSTIC_CODES, type Severity } from '../../server/src/ground/codes';

const key = (f: { code: string; severity: string; span: { startOffset: number } }) => `${f.code}@${f.span.startOffset}:${f.severity}`;

describe('rule settings', () => {
  it('RULES has one rule per code of docs/language.md §5, and every code has a trigger model', () => {
    expect(RULES.map((r) => r.code).sort()).toEqual([...DIAGNOSTIC_CODES].sort());
    expect(Object.keys(TRIGGERS).sort()).toEqual([...DIAGNOSTIC_CODES].sort());
  });

  describe.each(RULES.map((r) => [r.code, r.severity] as const))('%s', (code, severity) => {
    const t = TRIGGERS[code]!;
    const run = (rules?: Record<string, Severity | 'off'>) => analyzeText(t.text, { ...(t.files ?? {}) }, rules ? { rules } : {});

    it(`the trigger model reports it once, at its default severity (${severity})`, () => {
      const fs = run().findings.filter((f) => f.code === code);
      expect(fs.map((f) => f.severity)).toEqual([severity]);
    });

    it('`off` removes it and leaves every other finding as it was', () => {
      const before = run().findings.filter((f) => f.code !== code).map(key);
      const after = run({ [code]: 'off' }).findings;
      expect(after.filter((f) => f.code === code)).toEqual([]);
      expect(after.map(key)).toEqual(before);
    });

    it('another severity replaces its own and nothing else', () => {
      const to: Severity = severity === 'info' ? 'error' : 'info';
      const base = run().findings;
      const after = run({ [code]: to }).findings;
      expect(after.filter((f) => f.code === code).map((f) => f.severity)).toEqual([to]);
      expect(after.filter((f) => f.code !== code).map(key)).toEqual(base.filter((f) => f.code !== code).map(key));
      // Only the severity changes: same place, message and related information.
      const strip = (fs: typeof base) => fs.filter((f) => f.code === code).map((f) => ({ ...f, severity: undefined }));
      expect(strip(after)).toEqual(strip(base));
    });

    it('its own default severity written out changes nothing', () => {
      expect(run({ [code]: severity }).findings.map(key)).toEqual(run().findings.map(key));
    });
  });

  it('several settings at once, and settings for codes the model does not produce', () => {
    const t = TRIGGERS['acs-redirect']!;
    const a = analyzeText(t.text, {}, { rules: { 'acs-redirect': 'error', 'p2p-host-bridge': 'off', 'iova-exhausted': 'info' } });
    expect(a.findings.map((f) => [f.code, f.severity])).toEqual([['acs-redirect', 'error']]);
  });
});
