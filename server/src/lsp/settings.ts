// The `dmabuf` settings section (package.json contributes.configuration).

import type { RuleSettings } from '../rules/index';
import { DIAGNOSTIC_CODES } from '../ground/codes';
import { modelledRelease, parseKernelVersion } from '../ground/release';

export interface Settings {
  /** When the full engine runs: on open and save, or on every change too. */
  readonly analyzeOn: 'save' | 'change';
  /** Severity per diagnostic code. */
  readonly rules: RuleSettings;
  /** `dmabuf.compareKernels`: releases the hover compares a share's verdict on (valid ones only). */
  readonly compareKernels: readonly string[];
}

export const DEFAULT_SETTINGS: Settings = { analyzeOn: 'save', rules: {}, compareKernels: [] };

const LEVELS = new Set(['off', 'info', 'warning', 'error']);
const CODES = new Set<string>(DIAGNOSTIC_CODES);

/** Settings from whatever the client sent; unknown values fall back to the defaults. */
export function parseSettings(raw: unknown, warn: (message: string) => void = () => {}): Settings {
  if (!raw || typeof raw !== 'object') return DEFAULT_SETTINGS;
  const r = raw as Record<string, unknown>;
  const analyzeOn = r['analyzeOn'] === 'change' ? 'change' : 'save';
  const rules: Record<string, 'off' | 'info' | 'warning' | 'error'> = {};
  const rawRules = r['rules'];
  if (rawRules && typeof rawRules === 'object') {
    for (const [code, level] of Object.entries(rawRules as Record<string, unknown>)) {
      if (!CODES.has(code)) warn(`dmabuf.rules: unknown diagnostic code '${code}'`);
      if (typeof level === 'string' && LEVELS.has(level)) rules[code] = level as 'off' | 'info' | 'warning' | 'error';
      else warn(`dmabuf.rules.${code}: '${String(level)}' is not one of off, info, warning, error`);
    }
  }
  const compareKernels: string[] = [];
  const rawKernels = r['compareKernels'];
  if (Array.isArray(rawKernels)) {
    for (const k of rawKernels) {
      const v = typeof k === 'string' ? parseKernelVersion(k) : undefined;
      if (v && modelledRelease(v.release)) compareKernels.push(k as string);
      else warn(`dmabuf.compareKernels: '${String(k)}' is not a kernel release the engine models`);
    }
  }
  return { analyzeOn, rules, compareKernels };
}
