// kernel-option-absent: a kernel flag for an option the chosen release does not have
// (engine/releases.ts): CONFIG_DMABUF_MOVE_NOTIFY from 7.1 on.

import type { Rule } from './rule';
import { featureOf, featureReleaseText } from '../engine/releases';
import { compareRelease, releaseText } from '../ground/release';

const rule: Rule = {
  code: 'kernel-option-absent',
  severity: 'error',
  kernel: 'dma_buf_pin_on_map',
  summary: 'A kernel flag names an option that the chosen release does not have.',
  checkModel: (ctx) => {
    const p = ctx.model.platform;
    if (!p) return [];
    return ctx.engine.absentKernelFlags.map((a) => {
      const f = featureOf(a.feature);
      const removed = f.until !== undefined && compareRelease(p.kernel.release, f.until) >= 0;
      const when = removed ? `was removed in ${releaseText(f.until!)}` : `came in ${featureReleaseText(a.feature)}`;
      const after = a.flag === 'move_notify' && removed ? '; dma_buf_pin_on_map() acts as if it were always on: drop the flag' : '';
      return { message: `${a.option} does not exist in ${releaseText(p.kernel.release)}: it ${when} (${f.source})${after}`, place: a.place };
    });
  },
};
export default rule;
