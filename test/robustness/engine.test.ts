// Engine findings of the fuzzer, each as its minimal input (docs/robustness.md, "Bugs
// the fuzzer and these tests found").

import { describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';

describe('engine limits', () => {
  // splitSegments (server/src/engine/share.ts) allocates one sg entry per 4 GiB of a BAR
  // export: a size of 16 EiB is four billion entries, and the analysis (the server, the
  // CLI) runs out of memory after 15 s. Found by the fuzzer (seed 20261121, input 24853:
  // a sample whose `size 64K` became `size 6499999999999999999999999K`). It also maps a
  // buffer the model already refused (no BAR to hold it).
  it('a 16 EiB BAR export is analysed in bounded time and memory, and the refused buffer is not mapped (calc_sg_nents)', () => {
    const text = [
      'platform p {',
      '  kernel { move_notify }',
      '  host_bridge h {',
      '    window 0x40_0000_0000 .. 0x7f_ffff_ffff',
      '    root_port rp 00:01.0 { switch sw 01:00.0 { gpu gpu0 03:00.0 nic nic0 04:00.0 } }',
      '  }',
      '}',
      'buffer d from nic0 driver vfio-pci { size 0xffff_ffff_ffff_f000 }',
      'share d -> gpu0 { attach dynamic move_notify peer2peer }',
      '',
    ].join('\n');
    const t = performance.now();
    const a = analyzeText(text);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(a.shares.flatMap((s) => s.segments).length).toBeLessThanOrEqual(4096);
    expect(a.shares[0]).toMatchObject({ ok: false, addressKind: 'none' });
    expect(a.findings.map((f) => f.code)).toContain('invalid-value');
  });
});
