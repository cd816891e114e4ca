// Inputs for the fuzzer (fuzz/run.ts): models generated from the grammar of
// docs/language.md §3 (names declared before they are used, BARs inside their windows,
// so that the mapping engine has real work), and mutations of such models and of the
// samples: characters and bytes, tokens, statements, line ends, sizes. Everything is
// drawn from a seeded generator, so that an input is reproducible from its seed.

import { dmabufLexer, keywordList } from '../server/src/syntax/lexer';

/** A small, fast, seeded generator (sfc32). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** One input: the root file's text and the other files it may `use` (by name). */
export interface Input {
  readonly text: string;
  readonly files: Readonly<Record<string, string>>;
  /** How it was made, for the report. */
  readonly how: string;
}

export const ROOT_NAME = 'main.dmabuf';
const USED_NAMES = ['a.dmabuf', 'b.dmabuf', 'sub/c.dmabuf'];

// ------------------------------------------------------------------------------ generation

const hex = (n: bigint): string => {
  const h = n.toString(16);
  // `_` between groups of four, as the samples write them, now and then.
  return '0x' + (h.length > 4 && h.length % 4 === 0 ? h.replace(/(.{4})(?=.)/g, '$1_') : h);
};
const hh = (n: number, w: number): string => n.toString(16).padStart(w, '0');

const SIZES = ['4K', '64K', '2M', '16M', '64M', '256M', '1G', '4G', '16G', '4096', '0', '1KiB', '3M'];
const IDS = ['8086:2030', '8086:09a2', '8086:4660', '1022:1480', '1022:14a4', '10de:22b1', '1002:74a1', '15b3:1021', '144d:a80a', '1234:5678'];
const ENDPOINTS = ['gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint'];
const KERNEL_FLAGS = ['move_notify', 'forcedac', 'swiotlb_off', 'swiotlb_force', 'cc_guest'];
const EXPECTS = ['bus_addr', 'thru_host_bridge', 'not_supported', 'fails', 'vram', 'system', 'bus', 'iova', 'phys', 'swiotlb'];
const ACS_BITS = ['sv', 'tb', 'rr', 'cr', 'uf', 'ec', 'dt'];

interface Names {
  endpoints: string[];
  bdfs: string[];
  platformDevices: string[];
  others: string[];
  buffers: string[];
  functions: string[];
}

/** Builds the token list of a model, then lays it out. */
class ModelGen {
  readonly toks: string[] = [];
  private n = 0;
  private bus = 1;

  constructor(
    private readonly r: Rng,
    private readonly names: Names,
  ) {}

  t(...xs: string[]): void {
    this.toks.push(...xs);
  }

  fresh(prefix: string): string {
    // Now and then a name that was used already (duplicate-name) or a keyword-like one.
    if (this.r.chance(0.02)) return this.r.pick([...this.names.endpoints, 'x', prefix + '0']);
    return `${prefix}${this.n++}`;
  }

  bdf(): string {
    const b = this.bus++ & 0xff;
    const dev = this.r.chance(0.8) ? 0 : this.r.int(32);
    const fn = this.r.chance(0.9) ? 0 : this.r.int(this.r.chance(0.9) ? 8 : 16);
    const short = `${hh(b, 2)}:${hh(dev, 2)}.${fn.toString(16)}`;
    return this.r.chance(0.15) ? `${hh(this.r.chance(0.8) ? 0 : this.r.int(4), 4)}:${short}` : short;
  }

  size(): string {
    return this.r.pick(SIZES);
  }

  acs(): void {
    if (this.r.chance(0.6)) this.t('acs');
    else if (this.r.chance(0.5)) {
      this.t('acs_ctl');
      const k = this.r.range(1, 4);
      for (let i = 0; i < k; i++) this.t(this.r.pick(ACS_BITS));
    }
  }

  platform(): void {
    const r = this.r;
    this.t('platform', this.fresh('p'), '{');
    const items: (() => void)[] = [];
    items.push(() => {
      this.t('cpu', r.pick(['intel', 'amd', 'hygon', 'arm', 'other']));
      if (r.chance(0.3)) this.t('family', r.pick(['0x17', '0x19', '6', '0x1a', '25']));
    });
    if (r.chance(0.7)) {
      items.push(() => {
        this.t('kernel', '{');
        for (const f of KERNEL_FLAGS) if (r.chance(f === 'move_notify' ? 0.7 : 0.12)) this.t(f);
        if (r.chance(0.2) && this.names.bdfs.length > 0) {
          this.t('disable_acs_redir', r.pick(this.names.bdfs));
          if (r.chance(0.4)) this.t(',', r.pick(this.names.bdfs));
        }
        this.t('}');
      });
    }
    if (r.chance(0.6)) {
      items.push(() => {
        this.t('iommu', r.pick(['vtd', 'amd-vi', 'smmu']));
        if (r.chance(0.4)) this.t('mode', r.pick(['dma', 'lazy', 'identity']));
        if (r.chance(0.25)) {
          this.t('{');
          if (r.chance(0.6)) this.t('reserve', hex(BigInt(r.int(0x10000)) << 12n), '..', hex((BigInt(r.int(0x10000)) << 12n) + 0xfffn));
          if (r.chance(0.6)) this.t('aperture', String(r.pick([32, 39, 48, 57, 12, 64])));
          this.t('}');
        }
      });
    }
    const mems = r.range(0, 3);
    for (let i = 0; i < mems; i++) {
      items.push(() => {
        const base = r.pick([0n, 0x1_0000_0000n, 0x80_0000_0000n, BigInt(r.int(1 << 20)) << 20n]);
        this.t('memory', this.fresh('m'), hex(base));
        if (r.chance(0.5)) this.t('size', r.pick(['64G', '2G', '1T', '4K', '512G']));
        else this.t('..', hex(base + BigInt(r.pick([0x7fff_ffff, 0xffff_ffff, 0xfff]))));
        if (r.chance(0.3)) this.t('node', String(r.int(2)));
      });
    }
    const hbs = r.range(1, 3);
    for (let i = 0; i < hbs; i++) items.push(() => this.hostBridge(i));
    if (r.chance(0.15)) items.push(() => this.link());
    if (r.chance(0.3)) items.push(() => this.platformDevice());
    if (r.chance(0.2)) items.push(() => this.t('iommufd', this.other('fd')));
    if (r.chance(0.2)) items.push(() => this.t('kvm', this.other('vm')));
    // Mostly in the usual order; sometimes shuffled.
    if (r.chance(0.2)) items.sort(() => r.int(3) - 1);
    for (const f of items) f();
    this.t('}');
  }

  other(prefix: string): string {
    const n = this.fresh(prefix);
    this.names.others.push(n);
    return n;
  }

  hostBridge(i: number): void {
    const r = this.r;
    this.t('host_bridge', this.fresh('hb'));
    if (r.chance(0.8)) this.t('id', r.pick(IDS));
    if (r.chance(0.3)) this.t('node', String(r.int(2)));
    this.t('{');
    const base = BigInt(0x40 + i * 0x40) << 32n;
    const end = base + (0x3fn << 32n) + 0xffff_ffffn;
    this.t('window', hex(base), '..', hex(end));
    if (r.chance(0.1)) this.t('offset', hex(BigInt(r.int(16)) << 32n));
    if (r.chance(0.2)) this.t('window', hex(0xc000_0000n + BigInt(i) * 0x1000_0000n), 'size', '256M');
    let bar = base;
    const nextBar = (size: bigint): string => {
      const at = bar;
      bar += size > 0x10_0000n ? size : 0x10_0000n;
      return r.chance(0.05) ? hex(BigInt(r.int(1 << 30)) << 12n) : hex(at);
    };
    const kids = r.range(1, 3);
    for (let k = 0; k < kids; k++) {
      if (r.chance(0.2)) this.endpoint(nextBar, 0);
      else this.bridge('root_port', nextBar, 0);
    }
    this.t('}');
  }

  bridge(kind: 'root_port' | 'switch' | 'port', nextBar: (size: bigint) => string, depth: number): void {
    const r = this.r;
    this.t(kind, this.fresh(kind === 'root_port' ? 'rp' : kind === 'switch' ? 'sw' : 'dp'));
    if (r.chance(0.8)) {
      const b = this.bdf();
      this.names.bdfs.push(b);
      this.t(b);
    }
    this.acs();
    if (kind !== 'switch' && r.chance(0.1)) return; // a bridge with no block
    this.t('{');
    const kids = depth > 3 ? 0 : r.range(kind === 'switch' ? 1 : 0, 3);
    for (let k = 0; k < kids; k++) {
      const x = r.int(10);
      if (x < 6) this.endpoint(nextBar, depth + 1);
      else if (x < 8) this.bridge('switch', nextBar, depth + 1);
      else this.bridge('port', nextBar, depth + 1);
    }
    this.t('}');
  }

  endpoint(nextBar: (size: bigint) => string, depth: number, vf = false): void {
    const r = this.r;
    const name = this.fresh(vf ? 'vf' : 'ep');
    if (vf) this.t('vf', name);
    else this.t(r.pick(ENDPOINTS), name);
    this.names.endpoints.push(name);
    this.names.functions.push(name);
    if (r.chance(0.85)) {
      const b = this.bdf();
      this.names.bdfs.push(b);
      this.t(b);
    }
    if (!vf && r.chance(0.4)) this.t('id', r.pick(IDS));
    if (r.chance(0.1)) return;
    this.t('{');
    const bars = r.range(0, 2);
    for (let i = 0; i < bars; i++) {
      const size = r.pick([0x10000n, 0x200_0000n, 0x4_0000_0000n, 0x1000n, 0x1_0000_0000n]);
      this.t('bar', String(r.chance(0.9) ? i * 2 : r.int(7)), nextBar(size), 'size', r.chance(0.9) ? sizeText(size) : this.size());
      if (r.chance(0.5)) this.t('prefetchable');
    }
    if (r.chance(0.15)) this.t('dma_mask', String(r.pick([32, 40, 44, 64, 11, 65])));
    if (r.chance(0.05)) this.t('bus_dma_limit', hex(BigInt(r.pick([0xffff_ffff, 0xf_ffff_ffff]))));
    for (const w of ['ats', 'tph', 'untrusted']) if (r.chance(0.08)) this.t(w);
    if (r.chance(0.1)) this.acs();
    if (r.chance(0.1)) this.t('iommu', r.pick(['dma', 'identity', 'private']));
    if (!vf && depth < 6 && r.chance(0.1)) this.endpoint(nextBar, depth + 1, true);
    this.t('}');
  }

  link(): void {
    const eps = this.names.endpoints;
    if (eps.length < 2) return;
    this.t('link', this.r.pick(['xgmi', 'nvlink']), this.r.pick(eps), ',', this.r.pick(eps));
    if (this.r.chance(0.3)) this.t(',', this.r.pick(eps));
  }

  platformDevice(): void {
    const r = this.r;
    const name = this.fresh('pd');
    this.names.platformDevices.push(name);
    this.t('platform_device', name);
    if (r.chance(0.2)) return;
    this.t('{');
    if (r.chance(0.5)) this.t('dma_mask', String(r.pick([32, 36, 40, 64])));
    if (r.chance(0.3)) this.t('dma_range', '0x0', '->', hex(0x8000_0000n), 'size', r.pick(['2G', '4G']));
    if (r.chance(0.3)) this.t('iommu', r.pick(['dma', 'identity', 'off', 'private']));
    if (r.chance(0.2) && this.names.endpoints.length > 0) this.t('parent', r.pick(this.names.endpoints));
    this.t('}');
  }

  buffer(): void {
    const r = this.r;
    const name = this.fresh('b');
    this.names.buffers.push(name);
    const fromHeap = this.names.endpoints.length === 0 || r.chance(0.3);
    this.t('buffer', name, 'from', fromHeap ? 'heap' : r.pick(this.names.endpoints));
    if (!fromHeap || r.chance(0.1)) {
      if (r.chance(0.9)) this.t('driver', r.pick(['amdgpu', 'vfio-pci', 'p2pmem', 'nvidia', 'xe', 'i915', 'nouveau', 'habanalabs', 'rdma']));
    }
    this.t('{');
    this.t('size', r.pick(['4K', '64K', '2M', '64M', '256M', '4G', '8G', '0']));
    if (r.chance(0.1)) this.t(r.pick(['force_pcie', 'coherent', 'passthru', 'p2p_unsupported_chipset', 'dcc']));
    if (r.chance(0.2)) this.t('placement', r.pick(['vram', 'system']));
    if (r.chance(0.15)) {
      this.t('bar', String(r.pick([0, 2, 4])));
      if (r.chance(0.5)) this.t('offset', r.pick(['0', '2M', '64K']));
    }
    if (r.chance(0.1)) this.t('range', 'offset', r.pick(['0', '4K', '1M']), 'size', r.pick(['4K', '2M', '1G']));
    if (r.chance(0.1)) this.t('at', hex(BigInt(r.pick([0x1_0000_0000, 0x8000_0000, 0x1000]))));
    if (r.chance(0.1)) this.t('fallback', 'system');
    if (r.chance(0.1)) this.t('caching', r.pick(['cached', 'wc', 'uncached']));
    this.t('}');
  }

  share(): void {
    const r = this.r;
    const n = this.names;
    const buffer = n.buffers.length > 0 && r.chance(0.95) ? r.pick(n.buffers) : 'nobuf';
    const importers = [...n.endpoints, ...n.platformDevices, ...n.others, 'cpu'];
    this.t('share', buffer, '->', r.pick(importers));
    if (r.chance(0.1)) this.t('as', this.fresh('s'));
    if (r.chance(0.15)) return;
    this.t('{');
    if (r.chance(0.6)) this.t('attach', r.pick(['static', 'dynamic']));
    if (r.chance(0.6)) this.t('move_notify');
    if (r.chance(0.5)) this.t('peer2peer');
    if (r.chance(0.15)) this.t('via', r.pick(['sgt', 'pfn', 'mmap']));
    if (r.chance(0.08) && n.functions.length > 0) {
      this.t('devices', r.pick(n.functions));
      if (r.chance(0.3)) this.t(',', r.pick(n.functions));
    }
    if (r.chance(0.05)) this.t('ats');
    if (r.chance(0.05)) this.t('tph');
    if (r.chance(0.08)) this.t('caching', r.pick(['cached', 'wc', 'uncached']));
    if (r.chance(0.5)) {
      this.t('expect');
      const k = r.range(1, 3);
      for (let i = 0; i < k; i++) {
        if (i > 0) this.t(',');
        if (r.chance(0.25)) this.t('address', hex(BigInt(r.pick([0xffff_0000, 0xf800_0000, 0x40_0000_0000, 0x1_0000_0000, 0]))));
        else this.t(r.pick(EXPECTS));
      }
    }
    this.t('}');
  }
}

function sizeText(size: bigint): string {
  if (size % 0x4000_0000n === 0n) return `${size / 0x4000_0000n}G`;
  if (size % 0x10_0000n === 0n) return `${size / 0x10_0000n}M`;
  if (size % 0x400n === 0n) return `${size / 0x400n}K`;
  return String(size);
}

const COMMENTS = ['// a comment', '/* block */', '// ünïcødé 🙂', '/* two\n   lines */', '//', '/**/', '// gpu0 -> nic0 { }'];

/** Joins tokens with varied white space, line ends and comments. */
function layout(r: Rng, toks: readonly string[]): string {
  const eol = r.pick(['\n', '\n', '\n', '\r\n', '\r']);
  const style = r.int(4); // 0: one statement per line, indented; 1: dense; 2: random breaks; 3: tabs
  let out = r.chance(0.03) ? '\ufeff' : '';
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t === '}') depth = Math.max(0, depth - 1);
    if (i > 0) {
      const prev = toks[i - 1]!;
      if (style === 1) out += prev === ',' || t === ',' ? (t === ',' ? '' : ' ') : ' ';
      else if (style === 2) out += r.chance(0.2) ? eol : r.chance(0.1) ? '\t' : ' ';
      else {
        const breakLine = prev === '{' || t === '}' || prev === '}' || STARTERS.has(t);
        const unit = style === 3 ? '\t' : '  ';
        out += breakLine ? eol + unit.repeat(depth) : t === ',' ? '' : ' ';
      }
      if (r.chance(0.015)) {
        const c = r.pick(COMMENTS);
        out += c + (c.startsWith('//') ? eol : ' ');
      }
    }
    out += t;
    if (t === '{') depth++;
  }
  return out + (r.chance(0.8) ? eol : '');
}

const STARTERS = new Set(['platform', 'buffer', 'share', 'use', 'cpu', 'kernel', 'iommu', 'memory', 'host_bridge', 'root_port', 'switch', 'port', 'link', 'platform_device', 'iommufd', 'kvm', 'window', 'bar', 'size', 'attach', 'expect', ...ENDPOINTS]);

/** A model from the grammar, with a platform, buffers and shares whose names exist (mostly). */
export function generate(r: Rng): Input {
  const names: Names = { endpoints: [], bdfs: [], platformDevices: [], others: [], buffers: [], functions: [] };
  const g = new ModelGen(r, names);
  const files: Record<string, string> = {};
  const split = r.chance(0.15);
  if (r.chance(0.9)) g.platform();
  const platformToks = g.toks.splice(0);
  const buffers = r.range(0, 5);
  for (let i = 0; i < buffers; i++) g.buffer();
  const shares = r.range(0, 8);
  for (let i = 0; i < shares; i++) g.share();
  const restToks = g.toks.splice(0);
  if (!split) return { text: layout(r, [...platformToks, ...restToks]), files, how: 'generated' };
  // The platform in a used file, perhaps with uses of its own (cycles, diamonds, missing files).
  files['a.dmabuf'] = layout(r, [...(r.chance(0.3) ? ['use', `"${r.pick([...USED_NAMES, ROOT_NAME, 'missing.dmabuf'])}"`] : []), ...platformToks]);
  if (r.chance(0.3)) files['b.dmabuf'] = layout(r, ['use', `"${r.pick(['a.dmabuf', ROOT_NAME, 'b.dmabuf'])}"`]);
  const uses = ['use', '"a.dmabuf"', ...(r.chance(0.3) ? ['use', `"${r.pick(USED_NAMES)}"`] : [])];
  return { text: layout(r, [...uses, ...restToks]), files, how: 'generated, with use' };
}

// ------------------------------------------------------------------------------ mutation

/** Characters and strings that have broken lexers and position arithmetic before. */
const INTERESTING = [
  '\0', '\r', '\n', '\r\n', '\t', '\ufeff', '\u00a0', '\u2028', '\ud800', '\udc00', '🙂', 'é', '\x7f', '\x1b',
  '"', '\\', '{', '}', '{{', '}}', ',', '->', '-', '..', '.', '/', '//', '/*', '*/', '0x', '_', '0', '9', 'x', ' ',
  '03:00.0', '0000:ff:1f.7', '8086:2030', '64K', '0x40_0000_0000', '99999999999999999999999', '0xffffffffffffffffffff',
  'use "a.dmabuf"', 'use "../x.dmabuf"', 'use "/etc/passwd"', 'use ""', 'cpu', 'share', 'platform', 'buffer', 'expect',
];

const TOKEN_POOL = [...keywordList, '{', '}', ',', '->', '..', 'gpu0', 'nic0', 'x', '_', '0', '1', '0x1000', '4K', '64M', '03:00.0', '8086:2030', '"a.dmabuf"', '// c\n', '/* c */'];

function mutateChars(r: Rng, text: string): string {
  let s = text;
  const n = r.range(1, 6);
  for (let k = 0; k < n; k++) {
    const at = r.int(s.length + 1);
    switch (r.int(7)) {
      case 0: // delete a few characters
        s = s.slice(0, at) + s.slice(at + r.range(1, 8));
        break;
      case 1: // insert something interesting
        s = s.slice(0, at) + r.pick(INTERESTING) + s.slice(at);
        break;
      case 2: // replace one character
        s = s.slice(0, at) + String.fromCharCode(r.chance(0.7) ? r.int(128) : r.int(0x10000)) + s.slice(at + 1);
        break;
      case 3: {
        // duplicate a slice
        const len = r.range(1, 200);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      }
      case 4: // truncate
        s = s.slice(0, at);
        break;
      case 5: {
        // swap two slices
        const b = r.int(s.length + 1);
        const [x, y] = at < b ? [at, b] : [b, at];
        const len = Math.min(r.range(1, 50), y - x);
        s = s.slice(0, x) + s.slice(y, y + len) + s.slice(x + len, y) + s.slice(x, x + len) + s.slice(y + len);
        break;
      }
      default: // one character anywhere in the BMP, or a surrogate half
        s = s.slice(0, at) + String.fromCharCode(0xd800 + r.int(0x800)) + s.slice(at);
    }
  }
  return s;
}

/** Byte-level: flips, inserts or drops bytes of the UTF-8 encoding, then decodes as an editor would (invalid sequences become U+FFFD). */
function mutateBytes(r: Rng, text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const out: number[] = [...bytes];
  const n = r.range(1, 8);
  for (let k = 0; k < n; k++) {
    const at = r.int(out.length + 1);
    switch (r.int(4)) {
      case 0:
        if (at < out.length) out[at] = out[at]! ^ (1 << r.int(8));
        break;
      case 1:
        out.splice(at, 0, r.pick([0x00, 0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0xf4, 0x90, 0x0d, 0x0a, 0xef, 0xbb, 0xbf]));
        break;
      case 2:
        out.splice(at, r.range(1, 3));
        break;
      default:
        out.splice(at, 0, ...[0xed, 0xa0, 0x80]); // an encoded surrogate: invalid UTF-8
    }
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(out));
}

interface Piece {
  readonly image: string;
  readonly start: number;
  readonly end: number;
}

function pieces(text: string): Piece[] {
  const r = dmabufLexer.tokenize(text);
  const all = [...r.tokens, ...(r.groups['comments'] ?? [])].map((t) => ({ image: t.image, start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 }));
  return all.sort((a, b) => a.start - b.start);
}

/** Token-level: deletes, duplicates, swaps, replaces or inserts tokens; moves statements; nests blocks. */
function mutateTokens(r: Rng, text: string, other: string): string {
  const ps = pieces(text);
  if (ps.length === 0) return r.pick(TOKEN_POOL) + ' ' + text;
  let s = text;
  const n = r.range(1, 4);
  for (let k = 0; k < n; k++) {
    const cur = pieces(s);
    if (cur.length === 0) break;
    const i = r.int(cur.length);
    const p = cur[i]!;
    switch (r.int(9)) {
      case 0: // delete
        s = s.slice(0, p.start) + s.slice(p.end);
        break;
      case 1: // duplicate
        s = s.slice(0, p.end) + ' ' + p.image + s.slice(p.end);
        break;
      case 2: {
        // swap with the next token
        const q = cur[i + 1];
        if (q) s = s.slice(0, p.start) + q.image + s.slice(p.end, q.start) + p.image + s.slice(q.end);
        break;
      }
      case 3: // replace
        s = s.slice(0, p.start) + r.pick(TOKEN_POOL) + s.slice(p.end);
        break;
      case 4: // insert, glued or spaced
        s = s.slice(0, p.start) + r.pick(TOKEN_POOL) + (r.chance(0.5) ? ' ' : '') + s.slice(p.start);
        break;
      case 5: {
        // move a run of tokens elsewhere
        const j = Math.min(cur.length - 1, i + r.range(1, 12));
        const chunk = s.slice(p.start, cur[j]!.end);
        const rest = s.slice(0, p.start) + s.slice(cur[j]!.end);
        const to = r.int(rest.length + 1);
        s = rest.slice(0, to) + ' ' + chunk + ' ' + rest.slice(to);
        break;
      }
      case 6: {
        // splice tokens of another input
        const o = pieces(other);
        if (o.length === 0) break;
        const a = r.int(o.length);
        const b = Math.min(o.length - 1, a + r.range(0, 30));
        s = s.slice(0, p.start) + ' ' + other.slice(o[a]!.start, o[b]!.end) + ' ' + s.slice(p.start);
        break;
      }
      case 7: {
        // nest: wrap the tail of a block in many more braces (around the cap of 64)
        const depth = r.pick([3, 20, 62, 63, 64, 65, 66, 70, 200]);
        const kwd = r.pick(['switch s', 'port q', 'root_port r', '']);
        s = s.slice(0, p.start) + `${kwd} {`.repeat(depth) + ' ' + s.slice(p.start, p.end) + ' ' + '}'.repeat(r.chance(0.8) ? depth : r.int(depth)) + s.slice(p.end);
        break;
      }
      default: {
        // drop or double a brace
        const braces = cur.filter((x) => x.image === '{' || x.image === '}');
        if (braces.length === 0) break;
        const b = r.pick(braces);
        s = r.chance(0.5) ? s.slice(0, b.start) + s.slice(b.end) : s.slice(0, b.end) + b.image + s.slice(b.end);
      }
    }
  }
  return s;
}

/** Line ends, BOM, tabs, one long line. */
function mutateLayout(r: Rng, text: string): string {
  switch (r.int(6)) {
    case 0:
      return text.replace(/\r\n|\r|\n/g, '\r\n');
    case 1:
      return text.replace(/\r\n|\r|\n/g, '\r');
    case 2:
      return '\ufeff' + text;
    case 3:
      return text.replace(/ {2}/g, '\t');
    case 4: {
      // a mix of line ends
      let i = 0;
      return text.replace(/\r\n|\r|\n/g, () => ['\n', '\r\n', '\r'][i++ % 3]!);
    }
    default:
      // one line: block comments instead of line comments, so the tokens stay
      return text.replace(/\/\/([^\r\n]*)/g, (_m, c: string) => `/*${c.replace(/\*\//g, '* /')}*/`).replace(/\r\n|\r|\n/g, ' ');
  }
}

/** Big inputs, now and then: repeated statements, a very long line, deep nesting, many errors. */
function bigInput(r: Rng, text: string): string {
  switch (r.int(5)) {
    case 0:
      return text.repeat(r.range(10, 60));
    case 1:
      return 'platform p { ' + 'cpu intel '.repeat(r.range(1000, 30000)) + '}\n' + text;
    case 2:
      return text + '\n' + 'x'.repeat(r.range(10_000, 200_000)) + ' ' + '1'.repeat(r.range(1000, 50_000)) + 'a' + '@'.repeat(r.range(1000, 50_000));
    case 3:
      return 'platform p { host_bridge h { ' + 'switch s { '.repeat(r.range(60, 5000)) + text;
    default:
      return text + '\n' + 'share b -> gpu0 { expect bus, }\n'.repeat(r.range(100, 3000));
  }
}

/** The next input: generated, or a mutation of a sample or of a generated model. */
export function nextInput(r: Rng, samples: readonly string[]): Input {
  const kind = r.int(100);
  const base = (): Input => (r.chance(0.5) && samples.length > 0 ? { text: r.pick(samples), files: {}, how: 'sample' } : generate(r));
  if (kind < 20) return generate(r);
  const b = base();
  const other = r.chance(0.5) && samples.length > 0 ? r.pick(samples) : generate(r).text;
  if (kind < 45) return { ...b, text: mutateTokens(r, b.text, other), how: `${b.how}, tokens mutated` };
  if (kind < 70) return { ...b, text: mutateChars(r, b.text), how: `${b.how}, characters mutated` };
  if (kind < 82) return { ...b, text: mutateBytes(r, b.text), how: `${b.how}, bytes mutated` };
  if (kind < 92) return { ...b, text: mutateLayout(r, mutateTokens(r, b.text, other)), how: `${b.how}, layout and tokens mutated` };
  if (kind < 99) return { ...b, text: mutateLayout(r, b.text), how: `${b.how}, layout changed` };
  return { ...b, text: bigInput(r, b.text), how: `${b.how}, made big` };
}
