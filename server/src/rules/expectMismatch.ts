import type { Rule, Draft } from './rule';
import type { ShareOutcome } from '../engine/run';
import type { ExpectItem } from '../syntax/ast';
import { hex } from '../ground/format';

/** The computed value an expectation is checked against, and whether it holds. */
function check(e: ExpectItem, o: ShareOutcome): { ok: boolean; computed: string } {
  const m = o.mapping;
  if (e.kind === 'ExpectAddress') {
    const first = m.segments[0]?.dma;
    return { ok: first === e.address.value, computed: first === undefined ? `no address (${m.addressKind})` : hex(first) };
  }
  switch (e.what.value) {
    case 'bus_addr':
      return { ok: m.mapType === 'BUS_ADDR', computed: m.mapType };
    case 'thru_host_bridge':
      return { ok: m.mapType === 'THRU_HOST_BRIDGE', computed: m.mapType };
    case 'not_supported':
      return { ok: m.mapType === 'NOT_SUPPORTED', computed: m.mapType };
    case 'fails':
      return { ok: !m.ok, computed: m.ok ? 'the map succeeds' : 'the map fails' };
    case 'vram':
    case 'system':
      return { ok: m.placement === e.what.value, computed: m.placement };
    default:
      return { ok: m.addressKind === e.what.value, computed: m.addressKind };
  }
}

const rule: Rule = {
  code: 'expect-mismatch',
  severity: 'error',
  kernel: '(the engine\'s result for the share)',
  summary: 'An `expect` that the computed result does not meet.',
  checkShare: (o) => {
    const out: Draft[] = [];
    for (const e of o.share.expects) {
      const r = check(e, o);
      if (r.ok) continue;
      const expected = e.kind === 'ExpectAddress' ? `address ${e.address.text}` : e.what.value;
      out.push({
        message: `expected ${expected}, but the kernel gives ${r.computed} for ${o.share.name}`,
        place: { uri: o.share.uri, span: e.span },
        share: o.share.name,
        data: { computed: e.kind === 'ExpectAddress' ? (o.mapping.segments[0] ? `address ${hex(o.mapping.segments[0].dma)}` : undefined) : replacementWord(e, o) },
      });
    }
    return out;
  },
};

/** The expectation word that would hold, for the quick fix. */
function replacementWord(e: ExpectItem, o: ShareOutcome): string | undefined {
  if (e.kind !== 'ExpectWord') return undefined;
  const m = o.mapping;
  switch (e.what.value) {
    case 'bus_addr':
    case 'thru_host_bridge':
    case 'not_supported':
      return m.mapType === 'BUS_ADDR' ? 'bus_addr' : m.mapType === 'THRU_HOST_BRIDGE' ? 'thru_host_bridge' : m.mapType === 'NOT_SUPPORTED' ? 'not_supported' : undefined;
    case 'vram':
    case 'system':
      return m.placement;
    case 'fails':
      return undefined;
    default:
      return m.addressKind === 'none' ? 'fails' : m.addressKind;
  }
}
export default rule;
