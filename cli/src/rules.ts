// Static metadata of the diagnostic codes, for the SARIF `tool.driver.rules`. The
// server has no request that lists its rules, so the list is imported from the rule
// modules themselves (server/src/rules/index.ts): code, default severity, summary and
// kernel behaviour are data. The CLI never calls a rule's checks.

import { ruleHref } from '../../server/src/lsp/protocol';
import { RULES } from '../../server/src/rules/index';
import { DIAGNOSTIC_CODES } from '../../server/src/ground/codes';

export interface RuleMeta {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly summary: string;
  /** The kernel function(s) the rule follows, or a reference to the language spec. */
  readonly kernel: string;
  readonly href: string;
}

/** Every diagnostic code, in the order of docs/language.md §5. */
export const RULE_METADATA: readonly RuleMeta[] = (() => {
  const byCode = new Map(RULES.map((r) => [r.code as string, r]));
  const codes = [...DIAGNOSTIC_CODES, ...RULES.map((r) => r.code).filter((c) => !(DIAGNOSTIC_CODES as readonly string[]).includes(c))];
  return codes.map((code): RuleMeta => {
    const r = byCode.get(code);
    return {
      code,
      severity: r?.severity ?? 'error',
      summary: r?.summary ?? `Diagnostic ${code}.`,
      kernel: r?.kernel ?? '',
      href: ruleHref(code),
    };
  });
})();
