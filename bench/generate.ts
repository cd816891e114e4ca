// Synthetic but realistic dmabuf models of any size, for the benchmark (bench/run.ts).
//
// A model is one platform (CPU, kernel flags, IOMMU, memory, 1–4 host bridges with
// windows, root ports, nested switches with explicit and implicit ports, GPUs, NICs
// with VFs, NVMe with a CMB, RCiEPs, platform devices, iommufd, kvm, an XGMI link),
// then buffers of every exporter kind (amdgpu, vfio-pci with ranges, p2pmem, heap) and
// shares of every importer kind (PCI function, VF, platform device, iommufd, kvm, cpu)
// with a mix of items, `expect`s and comments, until the requested line count.
//
// Deterministic: everything comes from one seeded PRNG (mulberry32), so one seed gives
// one text. The platform grows with the model (about a tenth of its lines), so the
// costs that depend on the number of devices grow too.
//
// Valid by construction: no syntax error, unknown name, duplicate name or invalid value
// (test/bench/generate.test.ts checks it). Other findings (expect-mismatch,
// p2p-host-bridge, iova-exhausted…) are expected: the generator does not try to predict
// what the kernel would do.

interface GenerateOptions {
  /** Lines of the model (the result has exactly this many lines, each ending with '\n'). */
  readonly lines: number;
  readonly seed: number;
}

/** mulberry32: a small, fast, seeded 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[this.int(xs.length)]!;
  }
  /** One key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [k, w] of entries) {
      if (x < w) return k;
      x -= w;
    }
    return entries[entries.length - 1]![0];
  }
}

// ---------------------------------------------------------------------------- literals

const K = 1n << 10n;
const M = 1n << 20n;
const G = 1n << 30n;
const T = 1n << 40n;
const MIB2 = 2n * M;

/** `0x2000_0000_0000`: hex with `_` every four digits, as people write addresses. */
function addr(v: bigint): string {
  const h = v.toString(16);
  if (h.length <= 4) return `0x${h}`;
  const parts: string[] = [];
  for (let end = h.length; end > 0; end -= 4) parts.unshift(h.slice(Math.max(0, end - 4), end));
  return `0x${parts.join('_')}`;
}

/** `64M`, `4K`, `1G` (sometimes `MiB`), else hex bytes. */
function size(v: bigint, rng: Rng): string {
  const units: [bigint, string, string][] = [
    [T, 'T', 'TiB'],
    [G, 'G', 'GiB'],
    [M, 'M', 'MiB'],
    [K, 'K', 'KiB'],
  ];
  for (const [u, short, long] of units) if (v >= u && v % u === 0n) return `${v / u}${rng.chance(0.1) ? long : short}`;
  return addr(v);
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

function bdf(bus: number, device: number, fn: number, withSegment = false): string {
  return `${withSegment ? '0000:' : ''}${hex2(bus)}:${hex2(device)}.${fn}`;
}

const alignUp = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;

// ---------------------------------------------------------------------------- the platform

interface Window {
  readonly first: bigint;
  readonly last: bigint;
  cursor: bigint;
}

interface HostBridge {
  readonly name: string;
  readonly header: string;
  readonly windowLines: string[];
  readonly w32: Window;
  readonly w64: Window;
  readonly children: string[];
  /** Bus numbers this bridge may hand out: [nextBus, busEnd). */
  nextBus: number;
  readonly busEnd: number;
  readonly rootBus: number;
  nextRootDev: number;
}

interface BarInfo {
  readonly index: number;
  readonly size: bigint;
  /** Next free offset for buffers packed into this BAR (mirrors model/buffers.ts packInBar). */
  cursor: bigint;
}

type ExporterRole = 'amdgpu' | 'vfio-pci' | 'p2pmem' | 'none';

interface Device {
  readonly name: string;
  readonly cls: 'gpu' | 'nic' | 'nvme' | 'accel' | 'fpga';
  readonly role: ExporterRole;
  readonly bars: BarInfo[];
}

const GPU_IDS = ['1002:740f', '1002:74a1', '10de:2331', '10de:26b9'];
const NIC_IDS = ['15b3:1021', '15b3:101d', '8086:1592', '14e4:1750'];
const NVME_IDS = ['144d:a80a', '8086:0b60'];
/** Root device ids: whitelisted (with and without REQ_SAME_HOST_BRIDGE) and not. */
const HB_IDS = ['8086:09a2', '8086:2030', '8086:3c00', '1022:1480', '8086:4660', '1d17:1008', '10de:2f95'];

const BUFFER_WORDS = ['weights', 'kv', 'frame', 'rx', 'tx', 'ring', 'staging', 'doorbell', 'cmdq', 'pool', 'scratch', 'tex', 'grad', 'mr'];
/** Comments in the style of the samples, by exporter kind. */
const COMMENTS: Record<'amdgpu' | 'vfio-pci' | 'p2pmem' | 'heap', readonly string[]> = {
  amdgpu: [
    'model weights in HBM, registered as an RDMA memory region',
    'KV cache handed to the NIC for GPUDirect-style transfers',
    'amdgpu may migrate this BO to GTT when an importer cannot do P2P',
  ],
  'vfio-pci': [
    'a VFIO user-space driver exports a window of its BAR',
    'doorbell page of the NIC, mapped by the peer for zero-copy submission',
    'revocable: vfio-pci pulls it on reset, so importers need move_notify',
  ],
  p2pmem: ['NVMe CMB used as a P2P staging area (nvmet)', 'p2pmem: static, not revocable, never migrates'],
  heap: [
    'system-memory buffer from the dma-heap, shared with everyone',
    'zero-copy receive ring in RAM',
    'the display engine scans out of this buffer',
  ],
};
const GENERAL_COMMENTS = ['what the kernel should do: see docs/language.md §4.5', 'TODO: check the ACS settings of the switch with lspci -vvv'];

class PlatformBuilder {
  readonly hbs: HostBridge[] = [];
  readonly devices: Device[] = [];
  /** Every endpoint and VF: importers and `devices` targets. */
  readonly functions: string[] = [];
  readonly vfs: string[] = [];
  readonly gpus: Device[] = [];
  readonly portBdfs: string[] = [];
  private counters = new Map<string, number>();
  lines = 0;

  constructor(
    private readonly rng: Rng,
    readonly hasIommu: boolean,
  ) {}

  id(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return `${prefix}${n}`;
  }

  addHostBridge(i: number, count: number, arm: boolean): HostBridge {
    const rng = this.rng;
    const name = `hb${i}`;
    const idText = rng.chance(0.85) ? ` id ${i === 0 ? rng.pick(HB_IDS.slice(0, 3)) : rng.pick(HB_IDS)}` : '';
    const node = count > 1 ? ` node ${Math.floor((i * 2) / count)}` : '';
    const w32: Window = { first: 0x8000_0000n + BigInt(i) * 0x1000_0000n, last: 0x8000_0000n + BigInt(i + 1) * 0x1000_0000n - 1n, cursor: 0n };
    w32.cursor = w32.first;
    const w64First = 0x1_0000_0000_0000n + BigInt(i) * 0x4000_0000_0000n;
    const w64: Window = { first: w64First, last: w64First + 0x4000_0000_0000n - 1n, cursor: w64First };
    const windowLines = [
      `    window ${addr(w32.first)} .. ${addr(w32.last)}`,
      rng.chance(0.5) ? `    window ${addr(w64.first)} .. ${addr(w64.last)}` : `    window ${addr(w64.first)} size 64T`,
    ];
    if (arm && i === 0) windowLines.push(`    window 0x6_0000_0000 .. 0x6_3fff_ffff offset 0x5_8000_0000`);
    const span = Math.floor(256 / count);
    const hb: HostBridge = {
      name,
      header: `  host_bridge ${name}${idText}${node} {`,
      windowLines,
      w32,
      w64,
      children: [],
      rootBus: i * span,
      nextBus: i * span + 1,
      busEnd: (i + 1) * span,
      nextRootDev: 1,
    };
    this.hbs.push(hb);
    this.lines += 2 + windowLines.length;
    return hb;
  }

  /** A BAR in one of the bridge's windows, naturally aligned; undefined when both are full. */
  private bar(hb: HostBridge, sz: bigint, prefer32: boolean): { first: bigint; size: bigint } | undefined {
    const tryIn = (w: Window) => {
      const first = alignUp(w.cursor, sz);
      if (first + sz - 1n > w.last) return undefined;
      w.cursor = first + sz;
      return { first, size: sz };
    };
    return (prefer32 ? tryIn(hb.w32) : undefined) ?? tryIn(hb.w64);
  }

  private secondaryBus(hb: HostBridge): number | undefined {
    if (hb.nextBus >= hb.busEnd || hb.nextBus > 0xff) return undefined;
    return hb.nextBus++;
  }

  private rootPortBdf(hb: HostBridge): string {
    const k = hb.nextRootDev++;
    const device = 1 + Math.floor((k - 1) / 4);
    if (device > 0x1f) return '';
    return ` ${bdf(hb.rootBus, device, (k - 1) % 4, this.rng.chance(0.1))}`;
  }

  /**
   * An endpoint's lines at `indent`; registers it. `at` undefined: no BDF.
   * `vfs`: how many VFs (NICs only; default random).
   */
  private endpoint(
    hb: HostBridge,
    cls: Device['cls'],
    indent: string,
    at: { bus: number; device: number; fn: number } | undefined,
    opts: { role?: ExporterRole; vfs?: number } = {},
  ): string[] {
    const rng = this.rng;
    const name = this.id(cls === 'nvme' ? 'ssd' : cls === 'accel' ? 'acc' : cls);
    const bdfText = at === undefined ? '' : ` ${bdf(at.bus, at.device, at.fn)}`;
    const bars: { index: number; first: bigint; size: bigint; pf: boolean }[] = [];
    const addBar = (index: number, sz: bigint, pf: boolean, prefer32: boolean) => {
      for (let s = sz; s >= 4n * K; s /= 2n) {
        const b = this.bar(hb, s, prefer32);
        if (b) {
          bars.push({ index, first: b.first, size: b.size, pf });
          return;
        }
      }
    };
    let idText = '';
    let role: ExporterRole = 'none';
    const items: string[] = [];
    switch (cls) {
      case 'gpu':
        idText = ` id ${rng.pick(GPU_IDS)}`;
        addBar(0, rng.pick([16n * G, 32n * G, 64n * G]), true, false);
        if (rng.chance(0.5)) addBar(2, 8n * M, false, true);
        role = opts.role ?? (rng.chance(0.7) ? 'amdgpu' : 'vfio-pci');
        break;
      case 'nic':
        idText = rng.chance(0.8) ? ` id ${rng.pick(NIC_IDS)}` : '';
        addBar(0, rng.pick([32n * M, 64n * M]), true, false);
        role = 'vfio-pci';
        break;
      case 'nvme':
        idText = rng.chance(0.5) ? ` id ${rng.pick(NVME_IDS)}` : '';
        addBar(0, 16n * K, false, true);
        addBar(2, rng.pick([256n * M, 512n * M]), true, false);
        role = 'p2pmem';
        break;
      case 'accel':
        idText = ` id ${rng.pick(['8086:0b25', '8086:0cfe', '8086:4940'])}`;
        addBar(0, 2n * M, false, true);
        if (rng.chance(0.5)) items.push('ats');
        role = rng.chance(0.5) ? 'vfio-pci' : 'none';
        break;
      case 'fpga':
        idText = ` id 10ee:${rng.pick(['7024', '9038', '903f'])}`;
        addBar(0, 1n * M, false, true);
        if (rng.chance(0.5)) items.push('dma_mask 32');
        role = 'vfio-pci';
        break;
    }
    if (rng.chance(0.15)) items.push(`dma_mask ${rng.pick([32, 40, 44, 48, 64])}`);
    if (rng.chance(0.05)) items.push(`bus_dma_limit ${addr(0xff_ffff_ffffn)}`);
    if (rng.chance(0.06)) items.push('tph');
    if (rng.chance(0.03)) items.push('untrusted');
    if (rng.chance(0.04)) items.push(this.hasIommu ? rng.pick(['iommu identity', 'iommu dma', 'iommu private']) : 'iommu identity');
    const dev: Device = { name, cls, role: bars.length > 0 ? role : 'none', bars: bars.map((b) => ({ index: b.index, size: b.size, cursor: 0n })) };
    this.devices.push(dev);
    this.functions.push(name);
    if (cls === 'gpu') this.gpus.push(dev);

    const barText = (b: (typeof bars)[number]) =>
      rng.chance(0.6)
        ? `bar ${b.index} ${addr(b.first)} size ${size(b.size, rng)}${b.pf ? ' prefetchable' : ''}`
        : `bar ${b.index} ${addr(b.first)} .. ${addr(b.first + b.size - 1n)}${b.pf ? ' prefetchable' : ''}`;
    const head = `${indent}${cls} ${name}${bdfText}${idText}`;
    // SR-IOV VFs of a NIC: on the PF's bus, at device 2 + the PF's function.
    const vfLines: string[] = [];
    const vfCount = cls !== 'nic' ? 0 : (opts.vfs ?? (rng.chance(0.6) ? rng.range(1, 4) : 0));
    for (let v = 0; v < vfCount; v++) {
      const vf = `${name}v${v}`;
      this.vfs.push(vf);
      this.functions.push(vf);
      const vfBdf = at === undefined || v > 7 ? '' : ` ${bdf(at.bus, 2 + at.fn, v)}`;
      vfLines.push(rng.chance(0.3) ? `${indent}  vf ${vf}${vfBdf} { dma_mask ${rng.pick([48, 64])} }` : `${indent}  vf ${vf}${vfBdf}`);
    }
    const allItems = [...bars.map(barText), ...items];
    if (vfLines.length === 0 && allItems.join('  ').length < 90 && rng.chance(0.7)) {
      return [allItems.length > 0 ? `${head} { ${allItems.join('  ')} }` : head];
    }
    return [`${head} {`, ...allItems.map((i) => `${indent}  ${i}`), ...vfLines, `${indent}}`];
  }

  /** Device 0, function `fn` of a new secondary bus (no BDF once the bridge's buses run out). */
  private onNewBus(hb: HostBridge, fn = 0): { bus: number; device: number; fn: number } | undefined {
    const bus = this.secondaryBus(hb);
    return bus === undefined ? undefined : { bus, device: 0, fn };
  }

  private acs(): string {
    const r = this.rng.float();
    if (r < 0.7) return ' acs';
    if (r < 0.8) return ` acs_ctl ${this.rng.pick(['sv rr cr uf', 'sv uf', 'sv rr cr uf ec'])}`;
    return '';
  }

  /** A root port with one GPU. */
  gpuPort(hb: HostBridge): void {
    const rp = this.id('rp');
    const lines = [`    root_port ${rp}${this.rootPortBdf(hb)}${this.acs()} {`, ...this.endpoint(hb, 'gpu', '      ', this.onNewBus(hb)), '    }'];
    this.push(hb, lines);
  }

  /** A root port with a NIC, sometimes multi-function (functions 0 and 1 of one device), with VFs. */
  nicPort(hb: HostBridge): void {
    const rp = this.id('rp');
    const at = this.onNewBus(hb);
    const lines = [`    root_port ${rp}${this.rootPortBdf(hb)}${this.acs()} {`, ...this.endpoint(hb, 'nic', '      ', at)];
    if (this.rng.chance(0.5)) lines.push(...this.endpoint(hb, 'nic', '      ', at && { ...at, fn: 1 }));
    lines.push('    }');
    this.push(hb, lines);
  }

  /** A root port with an NVMe drive (its CMB in BAR 2). */
  nvmePort(hb: HostBridge): void {
    const rp = this.id('rp');
    this.push(hb, [`    root_port ${rp}${this.rootPortBdf(hb)}${this.acs()} {`, ...this.endpoint(hb, 'nvme', '      ', this.onNewBus(hb)), '    }']);
  }

  /** A root-complex integrated endpoint on the root bus. */
  rciep(hb: HostBridge): void {
    const k = hb.nextRootDev++;
    const device = 1 + Math.floor((k - 1) / 4);
    this.push(hb, this.endpoint(hb, 'accel', '    ', device > 0x1f ? undefined : { bus: hb.rootBus, device, fn: (k - 1) % 4 }));
  }

  /**
   * A root port, a switch with implicit downstream ports (children written directly)
   * and an explicit one (`port`) that holds a nested switch.
   * `gpus`: that many amdgpu GPUs (and a NIC with a VF, and the nested switch for sure).
   */
  switchTree(hb: HostBridge, opts: { gpus?: number } = {}): void {
    const rng = this.rng;
    const rp = this.id('rp');
    const sw = this.id('sw');
    const swBus = this.secondaryBus(hb);
    const lines = [`    root_port ${rp}${this.rootPortBdf(hb)}${this.acs()} {`];
    lines.push(`      switch ${sw}${swBus === undefined ? '' : ` ${bdf(swBus, 0, 0)}`}${this.acs()} {`);
    const gpus = opts.gpus ?? rng.range(1, 3);
    for (let g = 0; g < gpus; g++) lines.push(...this.endpoint(hb, 'gpu', '        ', this.onNewBus(hb), opts.gpus ? { role: 'amdgpu' } : {}));
    lines.push(...this.endpoint(hb, 'nic', '        ', this.onNewBus(hb), opts.gpus ? { vfs: 2 } : {}));
    if (rng.chance(0.6) || opts.gpus) {
      const port = (prefix: string) => {
        const name = this.id(prefix);
        const bus = this.secondaryBus(hb);
        if (bus !== undefined && prefix === 'dp') this.portBdfs.push(bdf(bus, 0, 0));
        return `${name}${bus === undefined ? '' : ` ${bdf(bus, 0, 0)}`}${this.acs()}`;
      };
      lines.push(`        port ${port('dp')} {`);
      lines.push(`          switch ${port('sw')} {`);
      lines.push(`            port ${port('dp')} {`);
      lines.push(...this.endpoint(hb, rng.pick(['gpu', 'fpga', 'accel'] as const), '              ', this.onNewBus(hb)));
      lines.push('            }');
      lines.push(...this.endpoint(hb, rng.pick(['nvme', 'nic', 'gpu'] as const), '            ', this.onNewBus(hb)));
      lines.push('          }', '        }');
    }
    lines.push('      }', '    }');
    this.push(hb, lines);
  }

  private push(hb: HostBridge, lines: string[]): void {
    hb.children.push(...lines);
    this.lines += lines.length;
  }
}

// ---------------------------------------------------------------------------- the model

interface Buf {
  readonly name: string;
  readonly driver: ExporterRole | 'heap';
}

/** A model of `lines` lines (exactly), deterministic in `seed`. */
export function generateModel(opts: GenerateOptions): string {
  const target = Math.max(40, Math.floor(opts.lines));
  const rng = new Rng(opts.seed);

  // ------------------------------------------------------------ platform
  const cpu = rng.weighted({ intel: 5, amd: 3, arm: 1 });
  const iommu = rng.weighted({ vtd: cpu === 'intel' ? 6 : 0, 'amd-vi': cpu === 'amd' ? 6 : 0, smmu: cpu === 'arm' ? 6 : 0, none: 1 });
  const hasIommu = iommu !== 'none';
  const p = new PlatformBuilder(rng, hasIommu);
  const budget = Math.max(30, Math.round(target * 0.1));
  const hbCount = Math.min(1 + rng.int(4), 1 + Math.floor(budget / 60));
  for (let i = 0; i < hbCount; i++) p.addHostBridge(i, hbCount, cpu === 'arm');
  // What every model has, in the first bridge: a switch tree with two amdgpu GPUs (the
  // XGMI pair), a NIC with a VF, a nested switch; an NVMe drive.
  p.switchTree(p.hbs[0]!, { gpus: 2 });
  p.nvmePort(p.hbs[0]!);
  const tail = 8; // header lines, link, platform devices, iommufd, kvm, closing brace
  for (let k = 0; p.lines + tail < budget; k++) {
    const hb = p.hbs[k % p.hbs.length]!;
    const kind = rng.weighted({ gpu: 3, nic: 3, nvme: 1, rciep: 1, tree: 3 });
    if (kind === 'gpu') p.gpuPort(hb);
    else if (kind === 'nic') p.nicPort(hb);
    else if (kind === 'nvme') p.nvmePort(hb);
    else if (kind === 'rciep') p.rciep(hb);
    else p.switchTree(hb);
  }

  const out: string[] = [];
  out.push(`// Generated by bench/generate.ts (seed ${opts.seed}, ${target} lines): a synthetic machine for the benchmark.`);
  out.push(`platform bench${opts.seed >>> 0} {`);
  out.push(cpu === 'amd' ? `  cpu amd family ${rng.pick(['0x17', '0x19', '0x1a'])}` : `  cpu ${cpu}`);
  const flags = ['move_notify', ...(rng.chance(0.2) ? ['forcedac'] : []), ...(rng.chance(0.1) ? ['swiotlb_force'] : [])];
  const redir = p.portBdfs.length > 0 && rng.chance(0.5) ? [`disable_acs_redir ${p.portBdfs.slice(0, 2).join(', ')}`] : [];
  out.push(`  kernel { ${[...flags, ...redir].join(' ')} }`);
  if (hasIommu) {
    const mode = rng.weighted({ '': 5, ' mode dma': 2, ' mode lazy': 2, ' mode identity': 1 });
    out.push(rng.chance(0.3) ? `  iommu ${iommu}${mode} { reserve 0x7000_0000 .. 0x7fff_ffff  aperture 48 }` : `  iommu ${iommu}${mode}`);
  }
  out.push('  memory low 0x0 .. 0x7fff_ffff');
  out.push(`  memory high 0x1_0000_0000 size ${rng.pick(['512G', '1T', '2T'])}${hbCount > 1 ? ' node 0' : ''}`);
  if (hbCount > 1) out.push('  memory far 0x2_0000_0000_0000 size 1T node 1');
  for (const hb of p.hbs) out.push(hb.header, ...hb.windowLines, ...hb.children, '  }');
  const [g0, g1] = p.gpus;
  out.push(`  link xgmi ${g0!.name}, ${g1!.name}`);
  const pdevs = ['disp0', 'vpu0'];
  out.push(`  platform_device disp0 { dma_mask 32${hasIommu ? ' iommu dma' : ''} parent ${g0!.name} }`);
  out.push(`  platform_device vpu0 { dma_mask 40 dma_range 0xc000_0000 -> 0x0 size 1G${hasIommu && rng.chance(0.5) ? ' iommu private' : ''} }`);
  out.push('  iommufd ioas0');
  out.push('  kvm vm0');
  out.push('}');
  out.push('');

  // ------------------------------------------------------------ buffers and shares
  const exporters: Record<'amdgpu' | 'vfio-pci' | 'p2pmem', Device[]> = {
    amdgpu: p.devices.filter((d) => d.role === 'amdgpu'),
    'vfio-pci': p.devices.filter((d) => d.role === 'vfio-pci'),
    p2pmem: p.devices.filter((d) => d.role === 'p2pmem'),
  };
  const endpoints = p.functions.filter((f) => !p.vfs.includes(f));
  const buffers: Buf[] = [];
  const shareNames = new Set<string>();
  let bufCount = 0;
  let aliasCount = 0;
  let heapAt = 0x4_0000_0000n;

  /** The largest BAR (lowest index on a tie), as model/buffers.ts chooseBar picks by default. */
  const largest = (d: Device) => [...d.bars].sort((a, b) => (b.size > a.size ? 1 : b.size < a.size ? -1 : a.index - b.index))[0];
  /** Packs `sz` into `bar` the way model/buffers.ts packInBar does; false when it does not fit. */
  const pack = (bar: BarInfo | undefined, sz: bigint): boolean => {
    if (!bar) return false;
    const off = alignUp(bar.cursor, MIB2);
    if (off + sz > bar.size) return false;
    bar.cursor = off + sz;
    return true;
  };

  const bufferDecl = (kind: Buf['driver']): { lines: string[]; buf: Buf } | undefined => {
    const name = `${rng.pick(BUFFER_WORDS)}${bufCount}`;
    const items: string[] = [];
    let head: string;
    if (kind === 'amdgpu') {
      const d = rng.pick(exporters.amdgpu);
      const sz = rng.pick([2n * M, 4n * M, 16n * M, 64n * M, 256n * M, 1n * G]);
      if (rng.chance(0.1)) items.push('placement system');
      else if (!pack(largest(d), sz)) return undefined;
      items.unshift(`size ${size(sz, rng)}`);
      if (rng.chance(0.15)) items.push('fallback system');
      if (rng.chance(0.1)) items.push(`caching ${rng.pick(['wc', 'uncached'])}`);
      head = `buffer ${name} from ${d.name}${rng.chance(0.9) ? ' driver amdgpu' : ''}`;
      if (d.cls !== 'gpu' && !head.includes('driver')) head += ' driver amdgpu';
    } else if (kind === 'vfio-pci') {
      const d = rng.pick(exporters['vfio-pci']);
      const bar = rng.pick(d.bars);
      if (rng.chance(0.35) && bar.size >= 4n * M) {
        // Export ranges in the upper half of the BAR (never packed by default offsets).
        const n = rng.range(1, 3);
        const unit = bar.size / 2n / BigInt(n) >= M ? M : 4n * K;
        const chunk = (bar.size / 2n / BigInt(n) / unit) * unit;
        let total = 0n;
        for (let r = 0; r < n; r++) {
          const off = bar.size / 2n + BigInt(r) * chunk;
          const len = unit * BigInt(rng.range(1, Number(chunk / unit > 16n ? 16n : chunk / unit)));
          total += len;
          items.push(`range offset ${size(off, rng)} size ${size(len, rng)}`);
        }
        items.unshift(`bar ${bar.index}`);
        if (rng.chance(0.5)) items.unshift(`size ${size(total, rng)}`);
      } else {
        const sz = rng.pick([4n * K, 64n * K, 1n * M, 2n * M, 16n * M]);
        if (!pack(bar, sz)) return undefined;
        items.push(`bar ${bar.index}`, `size ${size(sz, rng)}`);
      }
      if (rng.chance(0.1)) items.push('caching uncached');
      head = `buffer ${name} from ${d.name} driver vfio-pci`;
    } else if (kind === 'p2pmem') {
      const d = rng.pick(exporters.p2pmem);
      const cmb = d.bars.find((b) => b.index === 2) ?? largest(d);
      const sz = rng.pick([2n * M, 4n * M, 8n * M]);
      if (!pack(cmb, sz)) return undefined;
      items.push(`bar ${cmb!.index}`, `size ${size(sz, rng)}`);
      head = `buffer ${name} from ${d.name}${rng.chance(0.8) ? ' driver p2pmem' : ''}`;
      if (d.cls !== 'nvme' && !head.includes('driver')) head += ' driver p2pmem';
    } else {
      const sz = rng.pick([4n * K, 64n * K, 2n * M, 12n * M, 64n * M, 256n * M]);
      items.push(`size ${size(sz, rng)}`);
      if (rng.chance(0.15)) {
        items.push(`at ${addr(heapAt)}`);
        heapAt += alignUp(sz, MIB2);
      }
      if (rng.chance(0.1)) items.push(`caching ${rng.pick(['cached', 'wc'])}`);
      head = `buffer ${name} from heap`;
    }
    bufCount++;
    const buf = { name, driver: kind };
    const lines = rng.chance(0.6) && items.join(' ').length < 70 ? [`${head} { ${items.join(' ')} }`] : [`${head} {`, ...items.map((i) => `  ${i}`), '}'];
    return { lines, buf };
  };

  type ImporterKind = 'pci' | 'vf' | 'platform' | 'iommufd' | 'kvm' | 'cpu';
  const importerOf = (kind: ImporterKind): string => {
    switch (kind) {
      case 'pci':
        return rng.pick(endpoints);
      case 'vf':
        return rng.pick(p.vfs);
      case 'platform':
        return rng.pick(pdevs);
      case 'iommufd':
        return 'ioas0';
      case 'kvm':
        return 'vm0';
      case 'cpu':
        return 'cpu';
    }
  };
  const EXPECT_WORDS = ['bus_addr', 'thru_host_bridge', 'not_supported', 'fails', 'vram', 'system', 'bus', 'iova', 'phys', 'swiotlb'];

  /** `share B -> I`, with `as` when that name is taken (and sometimes anyway). */
  const shareHead = (buf: Buf, imp: string): string => {
    const natural = `${buf.name}->${imp}`;
    if (shareNames.has(natural) || rng.chance(0.05)) {
      const alias = `sh${aliasCount++}`;
      shareNames.add(alias);
      return `share ${buf.name} -> ${imp} as ${alias}`;
    }
    shareNames.add(natural);
    return `share ${buf.name} -> ${imp}`;
  };

  const shareDecl = (buf: Buf, kind: ImporterKind): string[] => {
    const imp = importerOf(kind);
    const items: string[] = [];
    if (kind === 'pci' || kind === 'vf' || kind === 'platform') {
      const r = rng.float();
      if (r < 0.55) items.push('attach dynamic', 'move_notify', 'peer2peer');
      else if (r < 0.75) items.push('attach static');
      else if (r < 0.85) items.push('attach dynamic', 'move_notify');
      if (rng.chance(0.1)) items.push('via sgt');
      if (kind === 'pci' && rng.chance(0.06)) items.push(`devices ${rng.pick(endpoints)}${rng.chance(0.3) ? `, ${rng.pick(endpoints)}` : ''}`);
      if (rng.chance(0.05)) items.push(rng.pick(['ats', 'tph']));
    } else if (kind === 'iommufd') {
      if (rng.chance(0.6)) items.push('attach dynamic', 'move_notify', 'peer2peer');
    } else if (kind === 'kvm') {
      if (rng.chance(0.5)) items.push('via pfn');
    } else {
      items.push('via mmap');
      if (rng.chance(0.5)) items.push(`caching ${rng.pick(['cached', 'wc', 'uncached'])}`);
    }
    if (rng.chance(0.45)) {
      const n = rng.range(1, 3);
      const ex: string[] = [];
      for (let i = 0; i < n; i++) ex.push(rng.pick(EXPECT_WORDS));
      if (rng.chance(0.3)) ex.push(`address ${addr(BigInt(rng.pick([0xffff_0000, 0xfff0_0000, 0xf800_0000, 0xe000_0000])))}`);
      items.push(`expect ${[...new Set(ex)].join(', ')}`);
    }
    const head = shareHead(buf, imp);
    if (items.length === 0) return [head];
    const style = rng.float();
    if (style < 0.5 && items.join(' ').length < 80) return [`${head} { ${items.join(' ')} }`];
    if (style < 0.75) {
      const expectAt = items.findIndex((i) => i.startsWith('expect'));
      if (expectAt > 0) return [`${head} { ${items.slice(0, expectAt).join(' ')}`, `  ${items.slice(expectAt).join(' ')} }`];
    }
    return [`${head} {`, ...items.map((i) => `  ${i}`), '}'];
  };

  const IMPORTERS: Record<ImporterKind, number> = { pci: 50, vf: 12, platform: 8, iommufd: 8, kvm: 5, cpu: 12 };
  const EXPORTERS: Record<Buf['driver'] & string, number> = { amdgpu: 35, 'vfio-pci': 25, p2pmem: 10, heap: 30, none: 0 };
  // The first groups cover every exporter and importer kind, whatever the size.
  const coverage: [Buf['driver'], ImporterKind[]][] = [
    ['amdgpu', ['pci', 'platform']],
    ['vfio-pci', ['iommufd', 'vf']],
    ['p2pmem', ['pci']],
    ['heap', ['kvm', 'cpu']],
  ];
  let group = 0;
  while (out.length < target - 1) {
    const lines: string[] = [];
    const cov = coverage[group];
    const kind = cov ? cov[0] : rng.weighted(EXPORTERS);
    const decl = bufferDecl(kind) ?? bufferDecl('heap')!;
    const drv = decl.buf.driver === 'none' ? 'heap' : decl.buf.driver;
    if (rng.chance(0.3)) lines.push(`// ${rng.chance(0.9) ? rng.pick(COMMENTS[drv]) : rng.pick(GENERAL_COMMENTS)}`);
    else if (rng.chance(0.03)) lines.push('/*', ` * ${rng.pick(COMMENTS[drv])}`, ' */');
    lines.push(...decl.lines);
    const n = cov ? cov[1].length : rng.weighted({ 1: 5, 2: 3, 3: 1 }) === '1' ? 1 : rng.chance(0.7) ? 2 : 3;
    const imps: ImporterKind[] = cov ? cov[1] : Array.from({ length: n }, () => rng.weighted(IMPORTERS));
    // Sometimes a share of an earlier buffer, as real models attach one buffer in several places.
    for (const ik of imps) lines.push(...shareDecl(buffers.length > 0 && rng.chance(0.15) ? rng.pick(buffers) : decl.buf, ik));
    if (rng.chance(0.7)) lines.push('');
    // A group that would overshoot is dropped (its names stay unused): the rest is padding.
    if (out.length + lines.length > target - 1 && group >= coverage.length) break;
    buffers.push(decl.buf);
    out.push(...lines);
    group++;
  }
  // Exactly `target` lines: one-line shares of earlier buffers, a comment for the last.
  while (out.length < target - 1) {
    const kind = rng.pick(['pci', 'vf', 'cpu'] as const);
    const head = shareHead(rng.pick(buffers), importerOf(kind));
    out.push(kind === 'cpu' ? `${head} { via mmap }` : rng.chance(0.5) ? `${head} { attach dynamic move_notify peer2peer }` : head);
  }
  while (out.length < target) out.push(`// end of the generated model (seed ${opts.seed})`);
  return out.slice(0, target).join('\n') + '\n';
}

/** `n` files, each its own small model of `linesEach` lines (for the CLI run). */
export function generateFiles(n: number, linesEach: number, seed: number): { name: string; text: string }[] {
  const width = String(Math.max(0, n - 1)).length;
  return Array.from({ length: n }, (_, i) => ({
    name: `m${String(i).padStart(Math.max(4, width), '0')}.dmabuf`,
    text: generateModel({ lines: linesEach, seed: (seed * 1_000_003 + i) >>> 0 }),
  }));
}
