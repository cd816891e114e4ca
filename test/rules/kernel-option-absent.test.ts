// kernel-option-absent: a kernel flag for an option the release lacks: CONFIG_DMABUF_MOVE_NOTIFY
// was removed in 7.1 (move_notify always on, engine/releases.ts).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectNamesKernel, expectOne } from './expect';
import { HEAP, TRIGGERS, machine, model, share } from './models';

describe('kernel-option-absent', () => {
  it('move_notify on 7.1 is an error at the flag: CONFIG_DMABUF_MOVE_NOTIFY was removed in 7.1', () => {
    const { text } = TRIGGERS['kernel-option-absent']!;
    const a = analyzeText(text);
    const f = expectOne(text, a, 'kernel-option-absent', { severity: 'error', at: { find: 'move_notify', in: 'kernel { version 7.1 move_notify }' }, names: ['CONFIG_DMABUF_MOVE_NOTIFY', 'removed in 7.1'] });
    expectNamesKernel(f);
  });

  it('near miss: the same flag on 7.0, where the option still exists, and without `version` (the version-1 kernel)', () => {
    for (const kernel of [['version 7.0', 'move_notify'], ['move_notify']]) {
      expect(codes(analyzeText(model(machine({ kernel }), HEAP, share('pages', 'nic0', ''))))).toEqual([]);
    }
  });
});
