import { describe, expect, it } from 'vitest';
import { dmabufLexer, isKeyword, keywordList, kw } from '../../server/src/syntax/lexer';
import { parse } from '../../server/src/syntax/parser';

interface Lexed {
  tokens: string[];
  comments: string[];
  errors: { offset: number; length: number }[];
}

/** `Type:image` for every token, the comments group, and the lexer errors. */
function lex(text: string): Lexed {
  const r = dmabufLexer.tokenize(text);
  return {
    tokens: r.tokens.map((t) => `${t.tokenType.name}:${t.image}`),
    comments: (r.groups['comments'] ?? []).map((t) => `${t.tokenType.name}:${t.image}`),
    errors: r.errors.map((e) => ({ offset: e.offset, length: e.length })),
  };
}

function types(text: string): string[] {
  return dmabufLexer.tokenize(text).tokens.map((t) => t.tokenType.name);
}

describe('lexer: token kinds of §2', () => {
  it('line comments run to the end of the line and go to the comments group', () => {
    const r = lex('cpu // intel amd\r\nkvm');
    expect(r.tokens).toEqual(['KW_cpu:cpu', 'KW_kvm:kvm']);
    expect(r.comments).toEqual(['LineComment:// intel amd']);
    expect(r.errors).toEqual([]);
  });

  it('block comments may span lines and sit between any two tokens', () => {
    const r = lex('bar/* a\n b */0/**/0x10');
    expect(r.tokens).toEqual(['KW_bar:bar', 'Integer:0', 'Integer:0x10']);
    expect(r.comments).toEqual(['BlockComment:/* a\n b */', 'BlockComment:/**/']);
  });

  it('a block comment ends at the first */', () => {
    const r = lex('/* a */ b /* c */');
    expect(r.tokens).toEqual(['Name:b']);
    expect(r.comments).toEqual(['BlockComment:/* a */', 'BlockComment:/* c */']);
  });

  it('names: letters, digits and underscores, not starting with a digit, case-sensitive', () => {
    expect(lex('gpu0 _x Nic_1 GPU a1b2').tokens).toEqual(['Name:gpu0', 'Name:_x', 'Name:Nic_1', 'Name:GPU', 'Name:a1b2']);
  });

  it('integers: decimal, hex in either case, underscores between digits', () => {
    expect(lex('0 123 0x1f 0X1F 0xAbC 0x38_0000_0000 1_000').tokens).toEqual([
      'Integer:0',
      'Integer:123',
      'Integer:0x1f',
      'Integer:0X1F',
      'Integer:0xAbC',
      'Integer:0x38_0000_0000',
      'Integer:1_000',
    ]);
  });

  it('sizes: a decimal integer with K, M, G, T or KiB, MiB, GiB, TiB and no space', () => {
    expect(lex('4K 64M 128G 1T 4KiB 64MiB 2GiB 1TiB 1_024K').tokens).toEqual([
      'Size:4K',
      'Size:64M',
      'Size:128G',
      'Size:1T',
      'Size:4KiB',
      'Size:64MiB',
      'Size:2GiB',
      'Size:1TiB',
      'Size:1_024K',
    ]);
    // With a space the unit is a separate word.
    expect(types('4 K')).toEqual(['Integer', 'Name']);
  });

  it('BDFs with and without a segment, hex digits in either case', () => {
    expect(lex('03:00.0 0000:03:00.0 0a:1F.7 ABCD:ff:1f.3').tokens).toEqual([
      'BdfShort:03:00.0',
      'BdfSeg:0000:03:00.0',
      'BdfShort:0a:1F.7',
      'BdfSeg:ABCD:ff:1f.3',
    ]);
  });

  it('PCI ids vendor:device in hex', () => {
    expect(lex('8086:2030 1002:73BF').tokens).toEqual(['PciId:8086:2030', 'PciId:1002:73BF']);
  });

  it('strings with \\" and \\\\ escapes', () => {
    expect(lex('"a.dmabuf" "x\\"y" "back\\\\" ""').tokens).toEqual([
      'StringLiteral:"a.dmabuf"',
      'StringLiteral:"x\\"y"',
      'StringLiteral:"back\\\\"',
      'StringLiteral:""',
    ]);
  });

  it('punctuation { } .. -> ,', () => {
    expect(types('{}..->,')).toEqual(['LBrace', 'RBrace', 'DotDot', 'Arrow', 'Comma']);
  });

  it('every keyword of §3 is its own token type; longer keywords are not cut', () => {
    for (const word of keywordList) {
      const r = dmabufLexer.tokenize(word);
      expect(r.errors, word).toEqual([]);
      expect(r.tokens.length, word).toBe(1);
      expect(r.tokens[0]!.tokenType, word).toBe(kw(word as Parameters<typeof kw>[0]));
      expect(isKeyword(word)).toBe(true);
    }
    expect(isKeyword('gpu0')).toBe(false);
  });

  it('whitespace of every kind is skipped', () => {
    expect(types('\ufeff cpu\t\f\v\u00a0intel\r\n')).toEqual(['KW_cpu', 'KW_intel']);
  });
});

describe('lexer: numbers, BDFs, PCI ids and sizes are never confused', () => {
  const cases: [string, string[]][] = [
    ['03:00.0', ['BdfShort:03:00.0']],
    ['0000:03:00.0', ['BdfSeg:0000:03:00.0']],
    ['8086:2030', ['PciId:8086:2030']],
    ['0x38_0000_0000', ['Integer:0x38_0000_0000']],
    ['4096..8192', ['Integer:4096', 'DotDot:..', 'Integer:8192']],
    ['0x0..0x7fff_ffff', ['Integer:0x0', 'DotDot:..', 'Integer:0x7fff_ffff']],
    ['4K', ['Size:4K']],
    ['64MiB', ['Size:64MiB']],
    ['4096', ['Integer:4096']],
    ['a->b', ['Name:a', 'Arrow:->', 'Name:b']],
    ['a,b', ['Name:a', 'Comma:,', 'Name:b']],
    ['00:01.0,00:02.0', ['BdfShort:00:01.0', 'Comma:,', 'BdfShort:00:02.0']],
    ['0->0x8000_0000', ['Integer:0', 'Arrow:->', 'Integer:0x8000_0000']],
  ];
  for (const [text, expected] of cases) {
    it(`${text}`, () => {
      const r = lex(text);
      expect(r.tokens).toEqual(expected);
      expect(r.errors).toEqual([]);
    });
  }

  it('keywords may contain -, names may not', () => {
    expect(lex('amd-vi vfio-pci').tokens).toEqual(['KW_amd_vi:amd-vi', 'KW_vfio_pci:vfio-pci']);
    expect(lex('amd amdgpu gpu gpu0').tokens).toEqual(['KW_amd:amd', 'KW_amdgpu:amdgpu', 'KW_gpu:gpu', 'Name:gpu0']);
    expect(lex('amd->x').tokens).toEqual(['KW_amd:amd', 'Arrow:->', 'Name:x']);
    // A keyword followed by more name characters is a name.
    expect(lex('sizes dma_masks vfio').tokens).toEqual(['Name:sizes', 'Name:dma_masks', 'Name:vfio']);
  });

  it('gpu0-x is one token, a name with a -, and one error at the whole name', () => {
    const r = lex('gpu0-x');
    expect(r.tokens).toEqual(['DashedName:gpu0-x']);
    expect(r.errors).toEqual([]);
    const p = parse('share a -> gpu0-x');
    expect(p.errors.map((e) => [e.message, e.span.start, e.span.end])).toEqual([
      ["names may not contain '-': write 'gpu0_x' (a '-' belongs only to keywords such as vfio-pci)", { line: 0, character: 11 }, { line: 0, character: 17 }],
    ]);
  });

  it('malformed numbers and BDFs are one token each, never a number and a name', () => {
    expect(lex('64Mi 0x 4k 0x1g').tokens).toEqual(['MalformedNumber:64Mi', 'MalformedNumber:0x', 'MalformedNumber:4k', 'MalformedNumber:0x1g']);
    // A hex size does not exist: 0x10K is not a size.
    expect(lex('0x10K').tokens).toEqual(['MalformedNumber:0x10K']);
    expect(lex('3:0.0 03:00 86:20').tokens).toEqual(['MalformedBdf:3:0.0', 'MalformedBdf:03:00', 'MalformedBdf:86:20']);
    // The well-formed ones keep their tokens.
    expect(lex('03:00.0 8086:2030 64K 0x10').tokens).toEqual(['BdfShort:03:00.0', 'PciId:8086:2030', 'Size:64K', 'Integer:0x10']);
  });

  it('an unterminated block comment is one token up to the end of the file', () => {
    const r = lex('cpu /* never\nclosed kvm');
    expect(r.tokens).toEqual(['KW_cpu:cpu', 'UnterminatedComment:/* never\nclosed kvm']);
    expect(r.comments).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it('an unterminated string is one token up to the end of its line', () => {
    expect(lex('use "abc\nkvm').tokens).toEqual(['KW_use:use', 'UnterminatedString:"abc', 'KW_kvm:kvm']);
    expect(lex('use "a\\"b\nkvm').tokens).toEqual(['KW_use:use', 'UnterminatedString:"a\\"b', 'KW_kvm:kvm']);
    // A backslash at the end of the line is part of it, not a second error.
    const r = lex('use "abc\\\nkvm');
    expect(r.tokens).toEqual(['KW_use:use', 'UnterminatedString:"abc\\', 'KW_kvm:kvm']);
    expect(r.errors).toEqual([]);
  });
});
