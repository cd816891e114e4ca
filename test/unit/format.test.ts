import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { format, formatRange, type TextEdit } from '../../server/src/syntax/format';
import { dmabufLexer, LineComment } from '../../server/src/syntax/lexer';
import { parse } from '../../server/src/syntax/parser';

const ROOT = join(__dirname, '..', '..');
const files = ['samples', 'test/conformance'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.dmabuf'))
    .sort()
    .map((f) => join(dir, f)),
);
const read = (f: string): string => readFileSync(join(ROOT, f), 'utf8');

/** The tree without any span: what must survive formatting. */
function stripSpans(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripSpans);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'span') out[k] = stripSpans(x);
    return out;
  }
  return v;
}

function fmt(text: string): string {
  const r = format(text);
  if (!r.ok) throw new Error(r.reason);
  return r.text;
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.startOffset - a.startOffset)) out = out.slice(0, e.startOffset) + e.newText + out.slice(e.endOffset);
  return out;
}

/**
 * The same tokens and comments with other whitespace: a deterministic pseudo-random
 * choice between gaps, keeping a line break before own-line comments and after line
 * comments and none before trailing comments (so comment placement is unchanged).
 */
function messUp(text: string, seed = 1): string {
  const lexed = dmabufLexer.tokenize(text);
  const items = [...lexed.tokens, ...(lexed.groups['comments'] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  const isComment = (t: (typeof items)[number]) => t.tokenType.GROUP === 'comments';
  let state = seed;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const punct = new Set(['{', '}', ',', '..', '->']);
  let out = '';
  let prevEnd = 0;
  items.forEach((t, k) => {
    const gap = text.slice(prevEnd, t.startOffset);
    const prev = items[k - 1];
    let sep: string;
    if (k === 0) sep = gap;
    else if (prev!.tokenType === LineComment) sep = ['\n', '\n\n  ', '\n\t'][rand(3)]!;
    else if (isComment(t)) sep = /[\r\n]/.test(gap) ? ['\n', '\n\n    '][rand(2)]! : [' ', '\t', '   '][rand(3)]!;
    else if (punct.has(t.image) || punct.has(prev!.image) || isComment(prev!)) sep = ['', ' ', '\n', '  \n\n '][rand(4)]!;
    else sep = [' ', '\n', '\t ', '    ', '\n\n\n'][rand(5)]!;
    out += sep + t.image;
    prevEnd = (t.endOffset ?? t.startOffset) + 1;
  });
  return out + ['', '\n\n\n', '   '][rand(3)]!;
}

const SAMPLE_01 = `// A NIC BAR exported through vfio-pci to a GPU behind the same PCIe switch.
// No IOMMU: the kernel leaves ACS redirect off, so the TLPs turn around in the
// switch and the GPU is handed the PCI bus address of the BAR.
platform workstation {
  cpu intel
  kernel {
    move_notify
  }
  memory low 0x0 .. 0x7fff_ffff
  memory high 0x1_0000_0000 size 64G
  host_bridge hb0 id 8086:4660 {
    window 0x8000_0000 .. 0xfbff_ffff
    window 0x40_0000_0000 .. 0x7f_ffff_ffff
    root_port rp0 00:01.0 acs {
      switch sw0 01:00.0 acs {
        gpu gpu0 03:00.0 {
          bar 0 0x40_0000_0000 size 16G prefetchable
        }
        nic nic0 04:00.0 {
          bar 0 0x60_0000_0000 size 64K
        }
      }
    }
  }
}

buffer doorbells from nic0 driver vfio-pci {
  size 64K
}

share doorbells -> gpu0 {
  attach dynamic
  move_notify
  peer2peer
  expect bus_addr, bus, address 0x60_0000_0000
}
`;

describe('format: canonical layout', () => {
  it('sample 01 gives the canonical text written out here', () => {
    expect(fmt(read('samples/01-vfio-switch.dmabuf'))).toBe(SAMPLE_01);
  });

  it('a hand-made messy version of sample 01 gives the same canonical text', () => {
    const messy = `// A NIC BAR exported through vfio-pci to a GPU behind the same PCIe switch.
      // No IOMMU: the kernel leaves ACS redirect off, so the TLPs turn around in the
// switch and the GPU is handed the PCI bus address of the BAR.

   platform workstation
{ cpu intel kernel{move_notify}
  memory low  0x0..0x7fff_ffff     memory high 0x1_0000_0000 size 64G


  host_bridge hb0 id 8086:4660 { window 0x8000_0000 ..0xfbff_ffff
                                 window 0x40_0000_0000.. 0x7f_ffff_ffff
    root_port rp0 00:01.0 acs { switch sw0 01:00.0 acs {
        gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable } nic nic0 04:00.0 { bar 0
          0x60_0000_0000 size 64K }
      } } } }
buffer doorbells from nic0 driver vfio-pci { size 64K }
share doorbells->gpu0 { attach dynamic move_notify peer2peer expect bus_addr ,bus,address 0x60_0000_0000 }`;
    expect(fmt(messy)).toBe(SAMPLE_01);
  });

  for (const f of files) {
    it(`messy versions of ${f} format like ${f}`, () => {
      const text = read(f);
      const canonical = fmt(text);
      for (const seed of [1, 2, 3, 42]) {
        const messy = messUp(text, seed);
        expect(parse(messy).errors).toEqual([]);
        expect(fmt(messy)).toBe(canonical);
      }
    });
  }

  it('sample 04: one-line blocks are opened, a blank line between top-level statements', () => {
    const out = fmt(read('samples/04-iova-sequence.dmabuf'));
    expect(out).toContain('buffer a from heap {\n  size 4K\n}\n\nbuffer b from heap {\n  size 8K\n}\n');
    expect(out).toContain('share f -> nic0 {\n  expect iova, address 0xfd00_0000\n}\n');
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
  });

  it('token texts are never changed', () => {
    const text = 'platform P { host_bridge hb { window 0x38_0000_0000 SIZE_PLACEHOLDER } }'.replace('SIZE_PLACEHOLDER', 'size 0X4_0000_0000');
    expect(fmt(text)).toBe('platform P {\n  host_bridge hb {\n    window 0x38_0000_0000 size 0X4_0000_0000\n  }\n}\n');
    expect(fmt('buffer b from heap{size 64KiB bar 1 offset 0xAbC}')).toBe('buffer b from heap {\n  size 64KiB\n  bar 1 offset 0xAbC\n}\n');
  });

  it('spacing: none before a comma, one after; .. and -> with spaces', () => {
    expect(fmt('platform p{kernel{disable_acs_redir 00:01.0 ,00:02.0,0000:03:00.0}link xgmi a ,b,c}')).toBe(
      'platform p {\n  kernel {\n    disable_acs_redir 00:01.0, 00:02.0, 0000:03:00.0\n  }\n  link xgmi a, b, c\n}\n',
    );
    expect(fmt('platform p{iommu vtd{reserve 1..2}platform_device d{dma_range 0->0x10 size 4K}}')).toBe(
      'platform p {\n  iommu vtd {\n    reserve 1 .. 2\n  }\n  platform_device d {\n    dma_range 0 -> 0x10 size 4K\n  }\n}\n',
    );
  });

  it('statements are found by their keyword in each block (range offset … size … is one statement)', () => {
    expect(fmt('buffer b from heap { range offset 0 size 4K size 8K range offset 4K size 4K }')).toBe(
      'buffer b from heap {\n  range offset 0 size 4K\n  size 8K\n  range offset 4K size 4K\n}\n',
    );
    expect(fmt('platform p { host_bridge h { gpu g 01:00.0 id 1002:73bf { ats tph iommu dma acs_ctl sv rr vf v1 { dma_mask 32 } } } }')).toBe(
      [
        'platform p {',
        '  host_bridge h {',
        '    gpu g 01:00.0 id 1002:73bf {',
        '      ats',
        '      tph',
        '      iommu dma',
        '      acs_ctl sv rr',
        '      vf v1 {',
        '        dma_mask 32',
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(fmt('share a -> b { expect vram, system attach static via sgt devices x, y caching wc ats tph }')).toBe(
      'share a -> b {\n  expect vram, system\n  attach static\n  via sgt\n  devices x, y\n  caching wc\n  ats\n  tph\n}\n',
    );
  });

  it('empty blocks print as {}', () => {
    expect(fmt('platform p {\n\n}\nbuffer b from heap {  }')).toBe('platform p {}\n\nbuffer b from heap {}\n');
    expect(fmt('platform p { kernel { } iommu vtd { } }')).toBe('platform p {\n  kernel {}\n  iommu vtd {}\n}\n');
  });

  it('consecutive one-line use, buffer and share statements stay together; anything else gets a blank line', () => {
    const text = 'use "a"\n\n\nuse "b"\nplatform p {}\nbuffer x from heap {}\nbuffer y from heap {}\nshare x -> cpu\n\nshare y -> cpu as yy\nshare x -> p {\n}\nshare y -> q { ats }\nshare z -> r';
    expect(fmt(text)).toBe(
      'use "a"\nuse "b"\n\nplatform p {}\n\nbuffer x from heap {}\nbuffer y from heap {}\n\nshare x -> cpu\nshare y -> cpu as yy\nshare x -> p {}\n\nshare y -> q {\n  ats\n}\n\nshare z -> r\n',
    );
  });

  it('the file ends with exactly one newline; an empty file stays empty', () => {
    expect(fmt('share a -> b\n\n\n\n')).toBe('share a -> b\n');
    expect(fmt('share a -> b')).toBe('share a -> b\n');
    expect(fmt('')).toBe('');
    expect(fmt(' \n\t\n')).toBe('');
  });

  it('a byte-order mark is kept', () => {
    expect(fmt('\ufeffshare a -> b')).toBe('\ufeffshare a -> b\n');
  });
});

describe('format: comments', () => {
  it('own-line comments stay on their own line, re-indented to the next token', () => {
    const text = [
      '// file header',
      'platform p {',
      '      // about the cpu',
      'cpu intel',
      '  kernel {',
      '        // flags',
      '  move_notify',
      '     // last words in the block',
      '  }',
      '}',
      '   // before the buffer',
      'buffer b from heap { size 4K }',
      '// at the end',
    ].join('\n');
    expect(fmt(text)).toBe(
      [
        '// file header',
        'platform p {',
        '  // about the cpu',
        '  cpu intel',
        '  kernel {',
        '    // flags',
        '    move_notify',
        '    // last words in the block',
        '  }',
        '}',
        '',
        '// before the buffer',
        'buffer b from heap {',
        '  size 4K',
        '}',
        '',
        '// at the end',
        '',
      ].join('\n'),
    );
  });

  it('trailing // comments stay at the end of the line after the same token', () => {
    const text = 'platform p { cpu intel // the default\n kernel { move_notify } // one flag\n} // end\nshare a -> b // first\nshare c -> d';
    expect(fmt(text)).toBe(
      'platform p {\n  cpu intel // the default\n  kernel {\n    move_notify\n  } // one flag\n} // end\n\nshare a -> b // first\nshare c -> d\n',
    );
  });

  it('a trailing // inside a statement: the statement continues on the next line, indented once more', () => {
    const text = 'platform p { host_bridge h { gpu g { bar 0 // index\n 0x1000 size 4K } } }';
    expect(fmt(text)).toBe(
      'platform p {\n  host_bridge h {\n    gpu g {\n      bar 0 // index\n        0x1000 size 4K\n    }\n  }\n}\n',
    );
  });

  it('a trailing // after { stays after the {', () => {
    expect(fmt('share a -> b { // why\n attach dynamic }')).toBe('share a -> b { // why\n  attach dynamic\n}\n');
    expect(fmt('platform p { // nothing yet\n}')).toBe('platform p { // nothing yet\n}\n');
  });

  it('block comments are kept verbatim, inline or on their own line', () => {
    const text = 'share a /* the buffer */ -> b {\n    /* multi\n       line */\n  attach /* mode: */ dynamic /* trailing */\n}';
    expect(fmt(text)).toBe('share a /* the buffer */ -> b {\n  /* multi\n       line */\n  attach /* mode: */ dynamic /* trailing */\n}\n');
  });

  it('an own-line block comment followed by a token on the same line ends its line', () => {
    expect(fmt('share a -> b {\n/* x */ ats\n}')).toBe('share a -> b {\n  /* x */\n  ats\n}\n');
  });

  it('the list of comments is unchanged', () => {
    for (const f of files) {
      const text = read(f);
      expect(parse(fmt(text)).comments.map((c) => c.text)).toEqual(parse(text).comments.map((c) => c.text));
    }
  });
});

describe('format: round trip, idempotence, refusal, line breaks', () => {
  for (const f of files) {
    it(`round trip and idempotence: ${f}`, () => {
      const text = read(f);
      const out = fmt(text);
      const again = parse(out);
      expect(again.errors).toEqual([]);
      expect(stripSpans(again.model.items)).toEqual(stripSpans(parse(text).model.items));
      expect(fmt(out)).toBe(out);
      const messy = messUp(text, 7);
      expect(stripSpans(parse(fmt(messy)).model.items)).toEqual(stripSpans(parse(text).model.items));
    });
  }

  it('refuses a file with parser errors', () => {
    const r = format('platform p {\n  cpu intel\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/syntax error.*line 2/);
  });

  it('refuses a file with lexer errors', () => {
    const r = format('share a -> gpu0-x');
    expect(r).toEqual({ ok: false, reason: expect.stringContaining("names may not contain '-'") });
  });

  it('refuses an unterminated comment or string', () => {
    expect(format('share a -> b /* open').ok).toBe(false);
    expect(format('use "open\n').ok).toBe(false);
  });

  it('keeps CRLF line breaks', () => {
    const text = read('samples/01-vfio-switch.dmabuf').replace(/\r?\n/g, '\r\n');
    const out = fmt(text);
    expect(out).toBe(SAMPLE_01.replace(/\n/g, '\r\n'));
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(fmt(out)).toBe(out);
  });

  it('uses LF when the first line break is LF', () => {
    expect(fmt('share a -> b\nshare c -> d\r\nshare e -> f')).toBe('share a -> b\nshare c -> d\nshare e -> f\n');
    expect(fmt('share a -> b\r\nshare c -> d\nshare e -> f')).toBe('share a -> b\r\nshare c -> d\r\nshare e -> f\r\n');
  });

  it('keeps the line breaks inside a block comment as they are; they decide the style only when there is no other', () => {
    const text = '/* one\ntwo */\r\nshare a -> b';
    expect(fmt(text)).toBe('/* one\ntwo */\r\nshare a -> b\r\n');
    expect(fmt('/* one\r\ntwo */ share a -> b')).toBe('/* one\r\ntwo */\r\nshare a -> b\r\n');
    expect(fmt('/* one\ntwo */ share a -> b')).toBe('/* one\ntwo */\nshare a -> b\n');
  });
});

describe('formatRange', () => {
  const text = 'share a->b\n\nplatform p { cpu   intel\n kvm vm }\n\nbuffer   x from heap { size 4K }\n';

  it('formats only the statements overlapping the range', () => {
    const start = text.indexOf('cpu');
    const edits = formatRange(text, start, start + 3);
    expect(edits.length).toBeGreaterThan(0);
    const out = applyEdits(text, edits);
    expect(out).toBe('share a->b\n\nplatform p {\n  cpu intel\n  kvm vm\n}\n\nbuffer   x from heap { size 4K }\n');
    for (const e of edits) {
      expect(e.startOffset).toBeGreaterThanOrEqual(text.indexOf('platform') - 2);
      expect(e.endOffset).toBeLessThanOrEqual(text.indexOf('buffer'));
    }
  });

  it('edits are minimal: an already formatted statement gives none', () => {
    const formatted = fmt(text);
    expect(formatRange(formatted, 0, formatted.length)).toEqual([]);
    const s = formatted.indexOf('share');
    expect(formatRange(text, s, s)).toEqual([{ startOffset: 7, endOffset: 9, newText: ' -> ' }]);
  });

  it('the whole range gives the whole formatted text', () => {
    for (const f of files) {
      const messy = messUp(read(f), 3);
      expect(applyEdits(messy, formatRange(messy, 0, messy.length))).toBe(fmt(messy));
    }
    expect(applyEdits(text, formatRange(text, 0, text.length))).toBe(fmt(text));
  });

  it('the last statement also fixes the end of the file', () => {
    const b = text.indexOf('buffer');
    expect(applyEdits(text + '\n\n\n', formatRange(text + '\n\n\n', b, b + 1))).toBe(
      'share a->b\n\nplatform p { cpu   intel\n kvm vm }\n\nbuffer x from heap {\n  size 4K\n}\n',
    );
  });

  it('no edit on a file with syntax errors', () => {
    expect(formatRange('platform p {', 0, 5)).toEqual([]);
  });

  it('never splits a CRLF', () => {
    const crlf = 'share a -> b\r\n\r\n\r\nshare c -> d\r\n';
    const edits = formatRange(crlf, crlf.indexOf('share c'), crlf.length);
    expect(applyEdits(crlf, edits)).toBe('share a -> b\r\nshare c -> d\r\n');
    for (const e of edits) {
      expect(crlf.slice(e.startOffset - 1, e.startOffset + 1)).not.toBe('\r\n');
      expect(crlf.slice(e.endOffset - 1, e.endOffset + 1)).not.toBe('\r\n');
    }
  });
});
