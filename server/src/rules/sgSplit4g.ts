import type { Rule } from './rule';
import { atShare } from './rule';
import { exporterFor } from '../engine/exporters';

const rule: Rule = {
  code: 'sg-split-4g',
  severity: 'warning',
  kernel: 'dma_buf_phys_vec_to_sgt, fill_sg_entry, calc_sg_nents',
  summary: 'A BAR export of 4 GiB or more through dma_buf_phys_vec_to_sgt: entries split at 4 GiB − 1.',
  checkShare: (o) => {
    const b = o.share.buffer;
    if (!exporterFor(b.driver).physVecSgt || !o.mapping.ok || o.mapping.placement !== 'vram') return [];
    const odd = o.mapping.segments.find((g) => g.length % 4096n !== 0n);
    if (!odd) return [];
    // With an IOVA, dma_buf_phys_vec_to_sgt() maps all ranges as one contiguous range, so
    // only the total matters; otherwise each range is split on its own.
    const fix = o.mapping.addressKind === 'iova' ? 'Export less than 4 GiB in total: the importer gets one IOVA range for all of it' : 'Export ranges below 4 GiB each';
    return [atShare(o, `${o.share.name} is split into ${o.mapping.segments.length} sg entries of at most 0xffffffff bytes (dma_buf_phys_vec_to_sgt, fill_sg_entry), so entry lengths are not page-aligned: importers that look for a page size in the sg_table (RDMA) may refuse it. ${fix}.`)];
  },
};
export default rule;
