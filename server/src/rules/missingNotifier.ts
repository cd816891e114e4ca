import type { Rule } from './rule';
import { atShare, related } from './rule';
import { exporterFor } from '../engine/exporters';
import { cpuAccess, takesPfns } from '../engine/importer';

const rule: Rule = {
  code: 'missing-notifier',
  severity: 'error',
  kernel: 'dma_buf_dynamic_attach, dma_buf_move_notify, vfio_pci_dma_buf_move',
  summary: 'An importer that must be told when the buffer moves or is revoked has no move_notify.',
  checkShare: (o) => {
    const s = o.share;
    const f = o.mapping.failure;
    if (f?.code === 'missing-notifier') {
      return [atShare(o, `${s.name} fails: ${f.message}. Add \`move_notify\` to the share: a dynamic importer must handle invalidation.`)];
    }
    // A pinned importer the exporter refused for being unrevocable has its own code.
    if (s.moveNotify || cpuAccess(s) || f?.code === 'pinned-importer-refused') return [];
    if (takesPfns(s)) {
      return [atShare(o, `${s.name} takes CPU physical ranges but has no invalidation callback: whoever consumes PFNs needs an mmu-notifier-like move_notify callback (dma_buf_move_notify). Add \`move_notify\`.`)];
    }
    const revocation = exporterFor(s.buffer.driver).revocation;
    if (revocation) {
      const driver = s.buffer.driver;
      return [
        atShare(o, `${s.name} cannot be notified, but ${driver} revokes its buffers (${revocation.on.join(', ')}: ${revocation.op}): the importer would keep DMA-ing to a dead BAR. Attach dynamic with \`move_notify\`.`, {
          related: [related(s.buffer.place, `${s.buffer.name} is exported by ${driver} (revocable)`)],
        }),
      ];
    }
    return [];
  },
};
export default rule;
