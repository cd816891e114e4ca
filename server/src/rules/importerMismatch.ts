// importer-mismatch: what a share writes contradicts the driver its importer kind names
// (importers/ in the engine), or the kind names a driver the importer cannot be. The
// written item wins; the kind on the wrong importer is ignored.
import { importerConflicts, type ImporterConflict } from '../engine/importers';
import type { Rule } from './rule';

function words(c: ImporterConflict): string {
  if (c.kind === 'wrong-importer') {
    return c.target === 'iommufd'
      ? `\`importer ${c.importerKind}\` names iommufd's own import (iopt_map_dmabuf): it fits only an \`iommufd\` importer, so it is ignored here`
      : `\`importer ${c.importerKind}\` names a device driver: it fits only a PCI function or platform device, so it is ignored here`;
  }
  const ops = c.ops;
  switch (c.item) {
    case 'attach':
      return `\`attach ${c.written}\` contradicts importer ${c.importerKind}: ${ops.attachFn}() attaches ${ops.attach}; the written item wins`;
    case 'via':
      return `\`via ${c.written}\` contradicts importer ${c.importerKind}: ${ops.attachFn}() takes ${ops.via === 'pfn' ? 'CPU physical ranges' : 'an sg_table (dma_buf_map_attachment)'}; the written item wins`;
    case 'move_notify':
      return `\`move_notify\` contradicts importer ${c.importerKind}: ${ops.attachFn}() has no invalidation callback; the written item wins`;
    case 'peer2peer':
      return `\`peer2peer\` contradicts importer ${c.importerKind}: ${ops.attachFn}() does not set allow_peer2peer; the written item wins`;
  }
}

const rule: Rule = {
  code: 'importer-mismatch',
  severity: 'warning',
  kernel: 'dma_buf_attach, dma_buf_dynamic_attach, vb2_dc_attach_dmabuf',
  summary: 'A share item contradicts what its importer kind\'s driver does, or the kind does not fit the importer.',
  checkShare: (o, ctx) => {
    const platform = ctx.model.platform;
    if (!platform) return [];
    return importerConflicts(o.share, platform).map((c) => ({ message: `${o.share.name}: ${words(c)}.`, place: c.place, share: o.share.name }));
  },
};
export default rule;
