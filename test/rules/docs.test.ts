// docs/rules: one page per code of RULES, whose first ```dmabuf block really triggers that code,
// and docs/rules/README.md with a table of every code. Also: every code has its rule test file,
// and the severities of RULES are the ones of the docs/language.md §5 table.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../server/src/rules/index';
import { analyzeText, kernelFunctions } from './expect';

const ROOT = join(__dirname, '..', '..');
const DOCS = join(ROOT, 'docs', 'rules');
const page = (code: string) => readFileSync(join(DOCS, `${code}.md`), 'utf8');

/** The first ```dmabuf fenced block of a page. */
function firstModel(md: string): string | undefined {
  const m = /^```dmabuf[ \t]*\n([\s\S]*?)^```[ \t]*$/m.exec(md);
  return m?.[1];
}

describe('docs/rules', () => {
  it('has a page for every code in RULES, and no page for anything else', () => {
    const pages = readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'README.md').map((f) => f.replace(/\.md$/, ''));
    expect(pages.sort()).toEqual(RULES.map((r) => r.code).sort());
  });

  describe.each(RULES.map((r) => [r.code, r] as const))('%s.md', (code, rule) => {
    it('has the code as title and the rule\'s severity', () => {
      const md = page(code);
      expect(md.split('\n')[0]).toBe(`# ${code}`);
      expect(/^\*\*Severity:\*\* (\S+)$/m.exec(md)?.[1]).toBe(rule.severity);
      expect(md).toMatch(/^## What happens$/m);
      expect(md).toMatch(/^## How to fix$/m);
    });

    it('its first dmabuf block triggers the code', () => {
      const model = firstModel(page(code));
      expect(model, 'a ```dmabuf block').toBeDefined();
      const codes = analyzeText(model!).findings.map((f) => f.code);
      expect(codes).toContain(code);
    });

    const fns = kernelFunctions(code);
    it.runIf(fns.length > 0)('names a kernel function of the rule and a kernel source file', () => {
      const md = page(code);
      expect(fns.some((fn) => md.includes(fn)), `one of ${fns.join(', ')}`).toBe(true);
      expect(md).toMatch(/`(drivers|kernel|include)\/[\w/.-]+\.[ch]`/);
    });
  });

  it('README.md has one table row per code: link, severity and summary', () => {
    const md = readFileSync(join(DOCS, 'README.md'), 'utf8');
    for (const r of RULES) {
      const row = md.split('\n').find((l) => l.startsWith(`| [\`${r.code}\`](${r.code}.md) |`));
      expect(row, r.code).toBeDefined();
      const cells = row!.split(' | ');
      expect(cells[1]).toBe(r.severity);
      expect(cells[2]!.replace(/ \|$/, '').length).toBeGreaterThan(10);
    }
  });

  it('every code has its test file in test/rules', () => {
    const missing = RULES.map((r) => r.code).filter((c) => !existsSync(join(__dirname, `${c}.test.ts`)));
    expect(missing).toEqual([]);
  });

  it('the severities of RULES are those of the docs/language.md §5 table', () => {
    const lang = readFileSync(join(ROOT, 'docs', 'language.md'), 'utf8');
    const table = new Map([...lang.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|info) \|/gm)].map((m) => [m[1]!, m[2]!]));
    expect(table.size).toBe(RULES.length);
    for (const r of RULES) expect({ code: r.code, severity: table.get(r.code) }).toEqual({ code: r.code, severity: r.severity });
  });
});
