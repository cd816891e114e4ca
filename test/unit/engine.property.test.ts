// Properties of the engine over generated machines (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';
import { upstreamChain } from '../../server/src/engine/topology';
import { hasAcsRedir } from '../../server/src/engine/acs';
import { shareToJson } from '../../server/src/lsp/json';
import { stepTexts } from '../../server/src/engine/types';

interface GenDevice {
  cls: 'gpu' | 'nic' | 'nvme';
  acs: boolean;
  mask: number;
}
interface GenPort {
  kind: 'root_port' | 'switch';
  acs: boolean;
  devices: GenDevice[];
}
interface GenModel {
  cpu: string;
  iommu: string;
  kernel: string[];
  bridges: { id: string; ports: GenPort[] }[];
  buffers: { exporter: number; driver: string; size: string; heap: boolean }[];
  shares: { buffer: number; importer: number; attach: string; flags: string[] }[];
}

const genDevice = fc.record({
  cls: fc.constantFrom('gpu' as const, 'nic' as const, 'nvme' as const),
  acs: fc.boolean(),
  mask: fc.constantFrom(32, 40, 64),
});
const genPort = fc.record({
  kind: fc.constantFrom('root_port' as const, 'switch' as const),
  acs: fc.boolean(),
  devices: fc.array(genDevice, { minLength: 1, maxLength: 3 }),
});
const genModel: fc.Arbitrary<GenModel> = fc.record({
  cpu: fc.constantFrom('intel', 'amd family 0x19', 'amd family 0x15', 'hygon', 'arm'),
  iommu: fc.constantFrom('', 'iommu vtd', 'iommu vtd mode identity', 'iommu amd-vi mode lazy', 'iommu smmu'),
  kernel: fc.subarray(['move_notify', 'forcedac', 'swiotlb_off', 'cc_guest']),
  bridges: fc.array(fc.record({ id: fc.constantFrom('8086:2030', '8086:2f00', '8086:a700', '1ae0:0001', '1022:1480'), ports: fc.array(genPort, { minLength: 1, maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 2,
  }),
  buffers: fc.array(
    fc.record({
      exporter: fc.nat(20),
      driver: fc.constantFrom('amdgpu', 'vfio-pci', 'p2pmem'),
      size: fc.constantFrom('4K', '64K', '2M', '256M', '4G'),
      heap: fc.boolean(),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  shares: fc.array(
    fc.record({
      buffer: fc.nat(10),
      importer: fc.nat(20),
      attach: fc.constantFrom('', 'attach static', 'attach dynamic'),
      flags: fc.subarray(['move_notify', 'peer2peer', 'ats', 'tph']),
    }),
    { maxLength: 8 },
  ),
});

/** Renders a generated model; every device gets its own BAR inside the bridge's window. */
function render(m: GenModel): { text: string; devices: string[] } {
  const devices: string[] = [];
  let bus = 1;
  const lines = [`platform gen {`, `  cpu ${m.cpu}`, `  kernel { ${m.kernel.join(' ')} }`];
  if (m.iommu) lines.push(`  ${m.iommu}`);
  lines.push('  memory high 0x1_0000_0000 size 64G');
  m.bridges.forEach((hb, h) => {
    const base = 0x40_0000_0000n + BigInt(h) * 0x10_0000_0000n;
    lines.push(`  host_bridge hb${h} id ${hb.id} {`, `    window 0x${base.toString(16)} size 64G`);
    let bar = base;
    hb.ports.forEach((p, i) => {
      const acs = p.acs ? ' acs' : '';
      const rpBus = bus++;
      lines.push(`    root_port rp${h}_${i}${acs} {`);
      if (p.kind === 'switch') lines.push(`      switch sw${h}_${i}${acs} {`);
      p.devices.forEach((d) => {
        const name = `${d.cls}${devices.length}`;
        devices.push(name);
        lines.push(`        ${d.cls} ${name} ${(bus++).toString(16).padStart(2, '0')}:00.0 { bar 0 0x${bar.toString(16)} size 8G dma_mask ${d.mask}${d.acs ? ' acs' : ''} }`);
        bar += 0x2_0000_0000n;
      });
      if (p.kind === 'switch') lines.push('      }');
      lines.push('    }');
      void rpBus;
    });
    lines.push('  }');
  });
  lines.push('}');
  m.buffers.forEach((b, i) => {
    if (b.heap) lines.push(`buffer b${i} from heap { size ${b.size} }`);
    else lines.push(`buffer b${i} from ${devices[b.exporter % devices.length]} driver ${b.driver} { size ${b.size} }`);
  });
  m.shares.forEach((s, i) => {
    const buf = `b${s.buffer % m.buffers.length}`;
    const imp = devices[s.importer % devices.length];
    lines.push(`share ${buf} -> ${imp} as s${i} { ${s.attach} ${s.flags.join(' ')} }`);
  });
  return { text: lines.join('\n') + '\n', devices };
}

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
