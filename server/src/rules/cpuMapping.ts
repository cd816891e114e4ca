import type { Rule } from './rule';
import { atShare } from './rule';
import { cpuAccess } from '../engine/importer';

const rule: Rule = {
  code: 'cpu-mapping',
  severity: 'warning',
  kernel: 'dma_buf_mmap, DMA_ATTR_MMIO (IOMMU_MMIO)',
  summary: '`via mmap` with a caching that differs from the buffer\'s, or cached access to MMIO.',
  checkShare: (o) => {
    const s = o.share;
    const cpu = cpuAccess(s);
    const out = [];
    if (cpu && s.caching && s.buffer.caching && s.caching !== s.buffer.caching) {
      out.push(atShare(o, `${s.name} maps ${s.buffer.name} as ${s.caching}, but the exporter maps it ${s.buffer.caching}: CPU access must use the exporter's memory type (dma_buf_mmap), never a mapping of its own.`));
    }
    // Cached access to MMIO, by the CPU or by a DMA importer that relies on it (docs/language.md §5;
    // docs/kernel.md §5 and §7): BARs are mapped with DMA_ATTR_MMIO (IOMMU_MMIO, no cache sync).
    if (s.caching === 'cached' && o.mapping.placement === 'vram') {
      out.push(
        atShare(
          o,
          cpu
            ? `${s.name} asks for cached CPU access to ${s.buffer.name}, which is MMIO (a BAR): MMIO must be mapped uncached or write-combined (dma_buf_mmap of a BAR, DMA_ATTR_MMIO).`
            : `${s.name} relies on cached access to ${s.buffer.name}, which is MMIO (a BAR): the kernel maps it with DMA_ATTR_MMIO (IOMMU_MMIO, no cache maintenance), so nothing is cached or snooped.`,
        ),
      );
    }
    return out;
  },
};
export default rule;
