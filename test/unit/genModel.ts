// Generated machines, buffers and shares for the engine's property tests (fast-check):
// one to three ports per host bridge, each device with its own 8 GiB BAR inside the
// bridge's window, buffers exported by them or from a heap, shares between them.
// `RICH` adds what makes maps fail: huge and unaligned sizes, several vfio ranges, a
// heap buffer at an address wider than 64 bits, importers that are not PCI functions
// (CPU, iommufd, kvm, a platform device), `via`, small IOMMU apertures, untrusted
// devices, bus_dma_limit, swiotlb_force and small or huge RAM.
import fc from 'fast-check';

export interface GenDevice {
  cls: 'gpu' | 'nic' | 'nvme';
  acs: boolean;
  mask: number;
  items: readonly string[];
}
export interface GenPort {
  kind: 'root_port' | 'switch';
  acs: boolean;
  devices: GenDevice[];
}
export interface GenBuffer {
  exporter: number;
  driver: string;
  size: string;
  heap: boolean;
  /** vfio-pci export ranges (`range offset O size S`); empty: `size`. */
  ranges: readonly string[];
  /** A heap buffer's `at`. */
  at: string | undefined;
}
export interface GenShare {
  buffer: number;
  /** An index into the devices, then the other importers. */
  importer: number;
  attach: string;
  flags: readonly string[];
}
export interface GenModel {
  cpu: string;
  iommu: string;
  /** An IOMMU block, e.g. `{ aperture 39 }`, or ''. */
  iommuBlock: string;
  kernel: readonly string[];
  memory: string;
  bridges: { id: string; ports: GenPort[] }[];
  buffers: GenBuffer[];
  shares: GenShare[];
  /** Importers that are not PCI functions, declared by the platform where they need it. */
  others: readonly string[];
}

export interface GenOptions {
  readonly sizes: readonly string[];
  readonly rich: boolean;
}

/** The machines of the engine properties (engine.property.test.ts). */
export const PLAIN: GenOptions = { sizes: ['4K', '64K', '2M', '256M', '4G'], rich: false };
/** Plus everything that makes a map fail; 16T and above is more than the engine maps. */
export const RICH: GenOptions = { sizes: ['4K', '64K', '4097', '2M', '256M', '4G', '8G', '16T', '17T', '1024T'], rich: true };

/** fc.constantFrom over the rich choices, or the plain value alone. */
const pick = <T>(rich: boolean, plain: T, ...more: T[]): fc.Arbitrary<T> => (rich ? fc.constantFrom(plain, ...more) : fc.constant(plain));

const OTHERS = ['cpu', 'fd0', 'vm0', 'pd0'];

export function genModel(o: GenOptions): fc.Arbitrary<GenModel> {
  const r = o.rich;
  const genDevice = fc.record({
    cls: fc.constantFrom('gpu' as const, 'nic' as const, 'nvme' as const),
    acs: fc.boolean(),
    mask: fc.constantFrom(32, 40, 64),
    items: r ? fc.subarray(['untrusted', 'bus_dma_limit 0xffff_ffff', 'iommu identity', 'iommu private'], { maxLength: 2 }) : fc.constant([]),
  });
  const genPort = fc.record({
    kind: fc.constantFrom('root_port' as const, 'switch' as const),
    acs: fc.boolean(),
    devices: fc.array(genDevice, { minLength: 1, maxLength: 3 }),
  });
  return fc.record({
    cpu: fc.constantFrom('intel', 'amd family 0x19', 'amd family 0x15', 'hygon', 'arm'),
    iommu: fc.constantFrom('', 'iommu vtd', 'iommu vtd mode identity', 'iommu amd-vi mode lazy', 'iommu smmu'),
    iommuBlock: pick(r, '', '{ aperture 32 }', '{ aperture 39 }'),
    kernel: fc.subarray(r ? ['move_notify', 'forcedac', 'swiotlb_off', 'swiotlb_force', 'cc_guest'] : ['move_notify', 'forcedac', 'swiotlb_off', 'cc_guest']),
    memory: pick(r, '64G', '1T', '32T'),
    bridges: fc.array(fc.record({ id: fc.constantFrom('8086:2030', '8086:2f00', '8086:a700', '1ae0:0001', '1022:1480'), ports: fc.array(genPort, { minLength: 1, maxLength: 3 }) }), {
      minLength: 1,
      maxLength: 2,
    }),
    buffers: fc.array(
      fc.record({
        exporter: fc.nat(20),
        driver: fc.constantFrom('amdgpu', 'vfio-pci', 'p2pmem'),
        size: fc.constantFrom(...o.sizes),
        heap: fc.boolean(),
        ranges: r ? fc.constantFrom([], [], ['range offset 0 size 64K', 'range offset 1M size 4G']) : fc.constant([]),
        at: r ? fc.constantFrom(undefined, undefined, undefined, '0x1_0000_0000_0000_0000_0000') : fc.constant(undefined),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    shares: fc.array(
      fc.record({
        buffer: fc.nat(10),
        importer: fc.nat(20),
        attach: fc.constantFrom('', 'attach static', 'attach dynamic'),
        flags: fc.subarray(r ? ['move_notify', 'peer2peer', 'ats', 'tph', 'via pfn', 'via mmap'] : ['move_notify', 'peer2peer', 'ats', 'tph']),
      }),
      { maxLength: 8 },
    ),
    others: r ? fc.subarray(OTHERS) : fc.constant([]),
  });
}

/** Renders a generated model; every device gets its own BAR inside the bridge's window. */
export function render(m: GenModel): { text: string; devices: string[] } {
  const devices: string[] = [];
  let bus = 1;
  const lines = [`platform gen {`, `  cpu ${m.cpu}`, `  kernel { ${m.kernel.join(' ')} }`];
  if (m.iommu) lines.push(`  ${m.iommu}${m.iommuBlock ? ` ${m.iommuBlock}` : ''}`);
  lines.push(`  memory high 0x1_0000_0000 size ${m.memory}`);
  m.bridges.forEach((hb, h) => {
    const base = 0x40_0000_0000n + BigInt(h) * 0x10_0000_0000n;
    lines.push(`  host_bridge hb${h} id ${hb.id} {`, `    window 0x${base.toString(16)} size 64G`);
    let bar = base;
    hb.ports.forEach((p, i) => {
      const acs = p.acs ? ' acs' : '';
      lines.push(`    root_port rp${h}_${i}${acs} {`);
      if (p.kind === 'switch') lines.push(`      switch sw${h}_${i}${acs} {`);
      p.devices.forEach((d) => {
        const name = `${d.cls}${devices.length}`;
        devices.push(name);
        const items = d.items.map((x) => ` ${x}`).join('');
        lines.push(`        ${d.cls} ${name} ${(bus++).toString(16).padStart(2, '0')}:00.0 { bar 0 0x${bar.toString(16)} size 8G dma_mask ${d.mask}${d.acs ? ' acs' : ''}${items} }`);
        bar += 0x2_0000_0000n;
      });
      if (p.kind === 'switch') lines.push('      }');
      lines.push('    }');
    });
    lines.push('  }');
  });
  if (m.others.includes('fd0')) lines.push('  iommufd fd0');
  if (m.others.includes('vm0')) lines.push('  kvm vm0');
  if (m.others.includes('pd0')) lines.push(`  platform_device pd0 { dma_mask 32 parent ${devices[0]} }`);
  lines.push('}');
  m.buffers.forEach((b, i) => {
    if (b.heap) lines.push(`buffer b${i} from heap { size ${b.size}${b.at ? ` at ${b.at}` : ''} }`);
    else if (b.driver === 'vfio-pci' && b.ranges.length > 0) lines.push(`buffer b${i} from ${devices[b.exporter % devices.length]} driver vfio-pci { ${b.ranges.join(' ')} }`);
    else lines.push(`buffer b${i} from ${devices[b.exporter % devices.length]} driver ${b.driver} { size ${b.size} }`);
  });
  const importers = [...devices, ...m.others];
  m.shares.forEach((s, i) => {
    const buf = `b${s.buffer % m.buffers.length}`;
    const imp = importers[s.importer % importers.length];
    lines.push(`share ${buf} -> ${imp} as s${i} { ${s.attach} ${s.flags.join(' ')} }`);
  });
  return { text: lines.join('\n') + '\n', devices };
}
