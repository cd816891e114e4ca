// distro-kernel: a distribution alias resolves to its base mainline release, with a note
// that the distribution's backports may differ (ground/release.ts DISTRO_RELEASES).
import { describe, expect, it } from 'vitest';
import { analyzeText, codes, expectOne } from './expect';
import { HEAP, TRIGGERS, machine, model, share } from './models';

describe('distro-kernel', () => {
  it('ubuntu-24.04 is evaluated as 6.8, with an info at the alias', () => {
    const { text } = TRIGGERS['distro-kernel']!;
    const a = analyzeText(text);
    expectOne(text, a, 'distro-kernel', { severity: 'info', at: 'ubuntu-24.04', names: ['6.8', 'backports'] });
    expect(a.model.platform?.kernel.release).toEqual({ major: 6, minor: 8 });
  });

  it('near miss: a mainline release has no note', () => {
    const a = analyzeText(model(machine({ kernel: ['version 6.8', 'move_notify'] }), HEAP, share('pages', 'nic0', '')));
    expect(codes(a)).toEqual([]);
  });
});
