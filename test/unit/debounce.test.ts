// The change debounce follows the size of the document (server/src/lsp/features/diagnostics.ts):
// a small model's names diagnostics follow typing after 50 ms, a 10,000-line one waits
// up to 200 ms, where its analysis would otherwise run between two keystrokes.
import { describe, expect, it } from 'vitest';
import { generateModel } from '../../bench/generate';
import { CHANGE_DEBOUNCE_MS, changeDebounceMs, MIN_CHANGE_DEBOUNCE_MS } from '../../server/src/lsp/features/diagnostics';

describe('changeDebounceMs', () => {
  it('is 50 ms for a sample-sized model and grows with the text, at most 200 ms', () => {
    expect(changeDebounceMs(generateModel({ lines: 100, seed: 1 }).length)).toBe(MIN_CHANGE_DEBOUNCE_MS);
    const at1k = changeDebounceMs(generateModel({ lines: 1000, seed: 1 }).length);
    const at10k = changeDebounceMs(generateModel({ lines: 10_000, seed: 1 }).length);
    expect(at1k).toBeLessThan(at10k);
    expect(at10k).toBeGreaterThan(150);
    expect(changeDebounceMs(4 * 1024 * 1024)).toBe(CHANGE_DEBOUNCE_MS);
    expect(changeDebounceMs(0)).toBe(50);
  });
});
