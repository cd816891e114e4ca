// Properties of the engine over generated machines (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';
import { upstreamChain } from '../../server/src/engine/topology';
import { hasAcsRedir } from '../../server/src/engine/acs';
import { shareToJson } from '../../server/src/lsp/json';
import { stepTexts } from '../../server/src/engine/types';
import { PLAIN, genModel as genModelOf, render } from './genModel';

const genModel = genModelOf(PLAIN);

describe('engine properties (fast-check)', () => {
  it('never throws, and every finding range lies inside the document', () => {
    fc.assert(
      fc.property(genModel, (m) => {
        const { text } = render(m);
        const a = analyzeText(text);
        for (const f of a.findings) {
          expect(f.span.startOffset).toBeGreaterThanOrEqual(0);
          expect(f.span.endOffset).toBeLessThanOrEqual(text.length);
        }
        expect(a.findings.filter((f) => f.code === 'syntax-error')).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('BUS_ADDR only where a common upstream bridge exists and nothing on the path redirects (calc_map_type_and_dist)', () => {
    fc.assert(
      fc.property(genModel, (m) => {
        const a = analyzeText(render(m).text);
        const platform = a.model.platform!;
        for (const o of a.engine!.shares) {
          if (o.result.mapType !== 'BUS_ADDR') continue;
          const exp = o.share.buffer.exporter!;
          const imp = o.share.importer.kind === 'pci' ? o.share.importer.fn : undefined;
          expect(imp).toBeDefined();
          const up = upstreamChain(exp);
          const down = upstreamChain(imp!);
          const common = up.find((x) => down.includes(x));
          expect(common).toBeDefined();
          const onPath = [...up.slice(0, up.indexOf(common!) + 1), ...down.slice(0, down.indexOf(common!))];
          expect(onPath.filter((f) => hasAcsRedir(f, platform)).map((f) => f.name)).toEqual([]);
          // dma_buf_phys_vec_to_sgt hands out the bus address; amdgpu maps VRAM with dma_map_resource.
          if (o.result.ok) expect(o.result.addressKind === 'bus' || o.share.buffer.driver === 'amdgpu').toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic: the same model gives the same shares and findings', () => {
    fc.assert(
      fc.property(genModel, (m) => {
        const { text } = render(m);
        const once = analyzeText(text);
        const twice = analyzeText(text);
        expect(twice.shares.map(shareToJson)).toEqual(once.shares.map(shareToJson));
        expect(twice.shares.map((s) => stepTexts(s.explain))).toEqual(once.shares.map((s) => stepTexts(s.explain)));
        expect(twice.findings.map((f) => [f.code, f.span.startOffset, f.message])).toEqual(once.findings.map((f) => [f.code, f.span.startOffset, f.message]));
      }),
      { numRuns: 60 },
    );
  });

  it('IOVAs handed out in one IOMMU group never overlap (one domain per group)', () => {
    fc.assert(
      fc.property(genModel, (m) => {
        const a = analyzeText(render(m).text);
        const byGroup = new Map<number, { first: bigint; last: bigint; share: string }[]>();
        for (const s of a.shares) {
          if (s.addressKind !== 'iova' || s.iommuGroup === null) continue;
          const list = byGroup.get(s.iommuGroup) ?? [];
          for (const g of s.segments) list.push({ first: g.dma, last: g.dma + g.length - 1n, share: s.name });
          byGroup.set(s.iommuGroup, list);
        }
        for (const list of byGroup.values()) {
          list.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
          for (let i = 1; i < list.length; i++) {
            // Segments of one share are contiguous pieces of one allocation.
            if (list[i]!.share === list[i - 1]!.share) continue;
            expect(list[i]!.first > list[i - 1]!.last).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
