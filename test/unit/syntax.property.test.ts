import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { format, formatRange } from '../../server/src/syntax/format';
import { dmabufLexer, isKeyword } from '../../server/src/syntax/lexer';
import { parse } from '../../server/src/syntax/parser';

const ROOT = join(__dirname, '..', '..');
const SAMPLES = ['samples', 'test/conformance'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.dmabuf'))
    .sort()
    .map((f) => readFileSync(join(ROOT, dir, f), 'utf8')),
);

// FC_RUNS=5000 npx vitest run … for a longer search.
const RUNS = { numRuns: Number(process.env['FC_RUNS'] ?? 150) };

function stripSpans(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripSpans);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'span') out[k] = stripSpans(x);
    return out;
  }
  return v;
}

function streams(text: string): { tokens: string[]; comments: string[] } {
  const r = dmabufLexer.tokenize(text);
  return { tokens: r.tokens.map((t) => t.image), comments: (r.groups['comments'] ?? []).map((t) => t.image) };
}

// ------------------------------------------------------------------------- a generator of valid models

type Toks = readonly string[];
const seq = (...parts: (Toks | string)[]): Toks => parts.flatMap((p): readonly string[] => (typeof p === 'string' ? [p] : p));
const opt = (arb: fc.Arbitrary<Toks>): fc.Arbitrary<Toks> => fc.option(arb, { nil: undefined }).map((x) => x ?? []);
const words = (...ws: string[]): fc.Arbitrary<string> => fc.constantFrom(...ws);
const many = (arb: fc.Arbitrary<Toks>, max = 4): fc.Arbitrary<Toks> => fc.array(arb, { maxLength: max }).map((xs) => xs.flat());
const block = (items: fc.Arbitrary<Toks>, max = 4): fc.Arbitrary<Toks> => many(items, max).map((xs) => seq('{', xs, '}'));
const list = (item: fc.Arbitrary<string>, min = 1): fc.Arbitrary<Toks> =>
  fc.array(item, { minLength: min, maxLength: 3 }).map((xs) => xs.flatMap((x, i) => (i === 0 ? [x] : [',', x])));

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''));
const hexN = (n: number) => fc.array(hexDigit, { minLength: n, maxLength: n }).map((d) => d.join(''));
const digits = fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: 1, maxLength: 4 }).map((d) => d.join(''));
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/).filter((s) => !isKeyword(s));
const decimal = fc.array(digits, { minLength: 1, maxLength: 3 }).map((g) => g.join('_'));
const hexInt = fc
  .tuple(fc.constantFrom('0x', '0X'), fc.array(fc.array(hexDigit, { minLength: 1, maxLength: 4 }).map((d) => d.join('')), { minLength: 1, maxLength: 3 }))
  .map(([p, g]) => p + g.join('_'));
const int = fc.oneof(decimal, hexInt);
const size = fc.oneof(
  int,
  fc.tuple(decimal, words('K', 'M', 'G', 'T', 'KiB', 'MiB', 'GiB', 'TiB')).map(([n, u]) => n + u),
);
const bdf = fc.oneof(
  fc.tuple(hexN(2), hexN(2), hexN(1)).map(([b, d, f]) => `${b}:${d}.${f}`),
  fc.tuple(hexN(4), hexN(2), hexN(2), hexN(1)).map(([s, b, d, f]) => `${s}:${b}:${d}.${f}`),
);
const pciId = fc.tuple(hexN(4), hexN(4)).map(([v, d]) => `${v}:${d}`);
const stringLit = fc
  .array(fc.oneof(fc.constantFrom('a', 'b/', '.dmabuf', ' ', '\\"', '\\\\', 'é'), fc.string({ maxLength: 3 }).map((s) => s.replace(/["\\\r\n]/g, ''))), { maxLength: 5 })
  .map((parts) => `"${parts.join('')}"`);
const range = fc.oneof(
  fc.tuple(int, int).map(([a, b]) => [a, '..', b]),
  fc.tuple(int, size).map(([a, s]) => [a, 'size', s]),
);

const acs = fc.oneof(fc.constant(['acs']), fc.array(words('sv', 'tb', 'rr', 'cr', 'uf', 'ec', 'dt'), { minLength: 1, maxLength: 4 }).map((b) => ['acs_ctl', ...b]));

const epItem: fc.Arbitrary<Toks> = fc.letrec<{ item: Toks; vf: Toks }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(int, range, fc.boolean()).map(([i, r, p]) => seq('bar', i, r, p ? ['prefetchable'] : [])),
    int.map((i) => ['dma_mask', i]),
    int.map((i) => ['bus_dma_limit', i]),
    words('ats', 'tph', 'untrusted').map((w) => [w]),
    acs,
    words('dma', 'identity', 'private').map((w) => ['iommu', w]),
    tie('vf'),
  ),
  vf: fc.tuple(name, opt(bdf.map((b) => [b])), opt(block(tie('item'), 3))).map(([n, b, blk]) => seq('vf', n, b, blk)),
})).item;

const endpoint = fc
  .tuple(words('gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint'), name, opt(bdf.map((b) => [b])), opt(pciId.map((p) => ['id', p])), opt(block(epItem)))
  .map(([c, n, b, id, blk]) => seq(c, n, b, id, blk));

const pciNode: fc.Arbitrary<Toks> = fc.letrec<{ node: Toks }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    endpoint,
    fc
      .tuple(words('root_port', 'port'), name, opt(bdf.map((b) => [b])), opt(acs), opt(block(tie('node'), 3)))
      .map(([k, n, b, a, blk]) => seq(k, n, b, a, blk)),
    fc.tuple(name, opt(bdf.map((b) => [b])), opt(acs), block(tie('node'), 3)).map(([n, b, a, blk]) => seq('switch', n, b, a, blk)),
  ),
})).node;

const platformItem = fc.oneof(
  fc.tuple(words('intel', 'amd', 'hygon', 'arm', 'other'), opt(int.map((i) => ['family', i]))).map(([v, f]) => seq('cpu', v, f)),
  block(
    fc.oneof(
      words('move_notify', 'forcedac', 'swiotlb_off', 'swiotlb_force', 'cc_guest').map((w) => [w]),
      list(bdf).map((l) => seq('disable_acs_redir', l)),
    ),
  ).map((b) => seq('kernel', b)),
  fc
    .tuple(
      words('vtd', 'amd-vi', 'smmu'),
      opt(words('dma', 'lazy', 'identity').map((m) => ['mode', m])),
      opt(block(fc.oneof(range.map((r) => seq('reserve', r)), int.map((i) => ['aperture', i])))),
    )
    .map(([t, m, b]) => seq('iommu', t, m, b)),
  fc.tuple(name, range, opt(int.map((i) => ['node', i]))).map(([n, r, nd]) => seq('memory', n, r, nd)),
  fc
    .tuple(
      name,
      opt(pciId.map((p) => ['id', p])),
      opt(int.map((i) => ['node', i])),
      block(fc.oneof(fc.tuple(range, opt(int.map((i) => ['offset', i]))).map(([r, o]) => seq('window', r, o)), pciNode)),
    )
    .map(([n, id, nd, b]) => seq('host_bridge', n, id, nd, b)),
  fc.tuple(words('xgmi', 'nvlink'), name, list(name)).map(([t, a, rest]) => seq('link', t, a, ',', rest)),
  fc
    .tuple(
      name,
      opt(
        block(
          fc.oneof(
            int.map((i) => ['dma_mask', i]),
            fc.tuple(int, int, size).map(([a, b, s]) => ['dma_range', a, '->', b, 'size', s]),
            words('dma', 'identity', 'off', 'private').map((w) => ['iommu', w]),
            name.map((n) => ['parent', n]),
          ),
        ),
      ),
    )
    .map(([n, b]) => seq('platform_device', n, b)),
  fc.tuple(words('iommufd', 'kvm'), name).map(([k, n]) => [k, n]),
);

const platform = fc.tuple(name, block(platformItem, 5)).map(([n, b]) => seq('platform', n, b));

const bufItem = fc.oneof(
  size.map((s) => ['size', s]),
  words('vram', 'system').map((w) => ['placement', w]),
  fc.tuple(int, opt(size.map((s) => ['offset', s]))).map(([i, o]) => seq('bar', i, o)),
  fc.tuple(size, size).map(([o, s]) => ['range', 'offset', o, 'size', s]),
  int.map((i) => ['at', i]),
  fc.constant(['fallback', 'system']),
  words('cached', 'wc', 'uncached').map((w) => ['caching', w]),
);
const buffer = fc
  .tuple(name, fc.oneof(name, fc.constant('heap')), opt(words('amdgpu', 'vfio-pci', 'p2pmem', 'nvidia', 'xe', 'i915', 'nouveau', 'habanalabs', 'rdma').map((d) => ['driver', d])), block(bufItem))
  .map(([n, from, d, b]) => seq('buffer', n, 'from', from, d, b));

const expectation = fc.oneof(
  words('bus_addr', 'thru_host_bridge', 'not_supported', 'fails', 'vram', 'system', 'bus', 'iova', 'phys', 'swiotlb'),
  int.map((i) => `address ${i}`),
);
const shareItem = fc.oneof(
  words('static', 'dynamic').map((w) => ['attach', w]),
  words('move_notify', 'peer2peer', 'ats', 'tph').map((w) => [w]),
  words('sgt', 'pfn', 'mmap').map((w) => ['via', w]),
  list(name).map((l) => seq('devices', l)),
  words('cached', 'wc', 'uncached').map((w) => ['caching', w]),
  list(expectation).map((l) => seq('expect', l.flatMap((x) => x.split(' ')))),
);
const share = fc
  .tuple(name, fc.oneof(name, fc.constant('cpu')), opt(name.map((n) => ['as', n])), opt(block(shareItem)))
  .map(([b, i, a, blk]) => seq('share', b, '->', i, a, blk));

const use = stringLit.map((s) => ['use', s]);

const modelTokens = fc.array(fc.oneof(use, platform, buffer, share), { maxLength: 5 }).map((xs) => xs.flat());

/** What may stand between two tokens: whitespace and comments, never empty. */
const lineCommentText = fc.string({ maxLength: 8 }).map((s) => '//' + s.replace(/[\r\n]/g, ' '));
const blockCommentText = fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => '/*' + s.replace(/\*\//g, '* /') + '*/');
const gapPiece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\n\n    ') },
  { weight: 1, arbitrary: lineCommentText.chain((c) => fc.constantFrom(c + '\n', c + '\r\n')) },
  { weight: 1, arbitrary: blockCommentText },
  { weight: 1, arbitrary: fc.constant('/* multi\n   line */') },
);
const gap = fc.array(gapPiece, { minLength: 1, maxLength: 3 }).map((g) => g.join(''));

const validModel: fc.Arbitrary<string> = modelTokens.chain((toks) =>
  fc.tuple(fc.oneof(fc.constant(''), gap), fc.array(gap, { minLength: toks.length, maxLength: toks.length })).map(([lead, gaps]) =>
    lead + toks.map((t, i) => (i === 0 ? t : gaps[i - 1] + t)).join('') + (gaps[toks.length - 1] ?? ''),
  ),
);

// ------------------------------------------------------------------------- properties

describe('generated valid models', () => {
  it('parse with zero errors', () => {
    fc.assert(
      fc.property(validModel, (text) => {
        expect(parse(text).errors).toEqual([]);
      }),
      RUNS,
    );
  });

  it('format is idempotent, keeps the token stream and the comments, and the tree', () => {
    fc.assert(
      fc.property(validModel, (text) => {
        const r = format(text);
        if (!r.ok) throw new Error(r.reason);
        const again = format(r.text);
        expect(again).toEqual(r);
        expect(streams(r.text)).toEqual(streams(text));
        expect(stripSpans(parse(r.text).model.items)).toEqual(stripSpans(parse(text).model.items));
        expect(r.text === '' || /\n$/.test(r.text)).toBe(true);
        expect(/\n\n$/.test(r.text)).toBe(false);
      }),
      RUNS,
    );
  });

  it('formatRange over the whole text gives format', () => {
    fc.assert(
      fc.property(validModel, (text) => {
        const r = format(text);
        if (!r.ok) throw new Error(r.reason);
        let out = text;
        for (const e of [...formatRange(text, 0, text.length)].reverse()) out = out.slice(0, e.startOffset) + e.newText + out.slice(e.endOffset);
        expect(out).toBe(r.text);
      }),
      { numRuns: 60 },
    );
  });

  it('formatRange over any range keeps the tokens and comments, and format of the result is format of the text', () => {
    fc.assert(
      fc.property(validModel, fc.nat(), fc.nat(), (text, a, b) => {
        const s = a % (text.length + 1);
        const e = b % (text.length + 1);
        const edits = formatRange(text, Math.min(s, e), Math.max(s, e));
        let out = text;
        let last = Infinity;
        for (const ed of [...edits].reverse()) {
          expect(ed.endOffset).toBeLessThanOrEqual(last);
          expect(ed.startOffset).toBeLessThanOrEqual(ed.endOffset);
          last = ed.startOffset;
          out = out.slice(0, ed.startOffset) + ed.newText + out.slice(ed.endOffset);
        }
        expect(streams(out)).toEqual(streams(text));
        // The same layout; the line-break style may differ, since the edits may change
        // which line break comes first.
        const lf = (r: ReturnType<typeof format>) => (r.ok ? r.text.replace(/\r\n/g, '\n') : r.reason);
        expect(lf(format(out))).toBe(lf(format(text)));
      }),
      { numRuns: 60 },
    );
  });
});

// ------------------------------------------------------------------------- robustness

function checkNeverThrows(text: string): void {
  const r = parse(text);
  for (const e of r.errors) {
    expect(e.span.startOffset).toBeGreaterThanOrEqual(0);
    expect(e.span.startOffset).toBeLessThanOrEqual(e.span.endOffset);
    expect(e.span.endOffset).toBeLessThanOrEqual(text.length);
    expect(typeof e.message).toBe('string');
  }
  const f = format(text);
  if (r.errors.length > 0) expect(f.ok).toBe(false);
  if (f.ok) expect(format(f.text)).toEqual(f);
  formatRange(text, 0, Math.floor(text.length / 2));
}

/** Delete, insert or duplicate random slices of a text. */
const mutation = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(
      base,
      fc.array(
        fc.tuple(fc.constantFrom('delete', 'insert', 'duplicate'), fc.nat(), fc.nat({ max: 40 }), fc.constantFrom('{', '}', ',', '..', '->', '/*', '*/', '//', '"', '\n', 'size', '03:00.0', '0x', '-', 'share', '\r')),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([text, ops]) => {
      let t = text;
      for (const [op, at, len, ins] of ops) {
        const i = t.length === 0 ? 0 : at % (t.length + 1);
        if (op === 'delete') t = t.slice(0, i) + t.slice(i + len);
        else if (op === 'insert') t = t.slice(0, i) + ins + t.slice(i);
        else t = t.slice(0, i) + t.slice(i, i + len) + t.slice(i);
      }
      return t;
    });

describe('parse and format never throw, and error spans lie within the text', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), checkNeverThrows), RUNS);
  });

  it('on arbitrary full-unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), checkNeverThrows), RUNS);
  });

  it('on strings made of language fragments', () => {
    const fragment = fc.constantFrom('platform', 'p', '{', '}', 'share', 'a', '->', 'b', 'buffer', 'from', 'heap', 'size', '4K', '0x10', '..', ',', 'expect', 'bus', '03:00.0', '8086:2030', 'use', '"x"', '/*', '*/', '//', ' ', '\n', 'gpu', 'bar', '0');
    fc.assert(fc.property(fc.array(fragment, { maxLength: 30 }).map((f) => f.join('')), checkNeverThrows), RUNS);
  });

  it('on mutations of the samples', () => {
    fc.assert(fc.property(mutation(fc.constantFrom(...SAMPLES)), checkNeverThrows), RUNS);
  });

  it('on mutations of generated models', () => {
    fc.assert(fc.property(mutation(validModel), checkNeverThrows), RUNS);
  });
});
