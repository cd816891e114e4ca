// Tokens of LANGUAGE.md §2. BDFs, PCI ids, sizes and integers are told apart by
// pattern order (most specific first); keywords are reserved words with a longer
// alternative of Name, so `gpu0` is a name and `gpu` a keyword.

import { createToken, Lexer, type TokenType } from 'chevrotain';

const WORD_END = '(?![A-Za-z0-9_])';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: 'comments',
  line_breaks: true,
});
/** An unterminated block comment: kept as a token so the parser reports it at its start. */
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
  label: "an unterminated comment ('/*' without '*/')",
});

export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  label: 'a string such as "machine.dmabuf"',
});
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  // A backslash at the end of the line belongs to the unterminated string too.
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n]?)*/,
  label: "an unterminated string (no closing '\"' on the line)",
});

const H = '[0-9A-Fa-f]';
export const BdfSeg = createToken({
  name: 'BdfSeg',
  pattern: new RegExp(`${H}{4}:${H}{2}:${H}{2}\\.${H}${WORD_END}`),
  label: 'a BDF such as 0000:03:00.0',
});
export const BdfShort = createToken({
  name: 'BdfShort',
  pattern: new RegExp(`${H}{2}:${H}{2}\\.${H}${WORD_END}`),
  label: 'a BDF such as 03:00.0',
});
export const PciId = createToken({
  name: 'PciId',
  pattern: new RegExp(`${H}{4}:${H}{4}${WORD_END}`),
  label: 'a PCI id such as 8086:2030',
});
export const Size = createToken({
  name: 'Size',
  pattern: new RegExp(`[0-9]+(?:_[0-9]+)*(?:KiB|MiB|GiB|TiB|K|M|G|T)${WORD_END}`),
  label: 'a size such as 64M',
});
export const Integer = createToken({
  name: 'Integer',
  pattern: new RegExp(`(?:0[xX]${H}+(?:_${H}+)*|[0-9]+(?:_[0-9]+)*)${WORD_END}`),
  label: 'a number such as 0x8000_0000',
});

export const LBrace = createToken({ name: 'LBrace', pattern: /{/, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/, label: "'}'" });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./, label: "'..'" });
export const Arrow = createToken({ name: 'Arrow', pattern: /->/, label: "'->'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });

export const Name = createToken({ name: 'Name', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

/** Every reserved word of §3. Order does not matter here: they are sorted below. */
const KEYWORDS = [
  'use', 'platform', 'cpu', 'intel', 'amd', 'hygon', 'arm', 'other', 'family', 'kernel',
  'move_notify', 'forcedac', 'swiotlb_off', 'swiotlb_force', 'cc_guest', 'disable_acs_redir',
  'iommu', 'vtd', 'amd-vi', 'smmu', 'mode', 'dma', 'lazy', 'identity', 'reserve', 'aperture',
  'memory', 'node', 'host_bridge', 'id', 'window', 'offset', 'link', 'xgmi', 'nvlink',
  'platform_device', 'dma_mask', 'dma_range', 'size', 'off', 'private', 'parent', 'iommufd', 'kvm',
  'root_port', 'switch', 'port', 'acs', 'acs_ctl', 'sv', 'tb', 'rr', 'cr', 'uf', 'ec', 'dt',
  'gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint', 'bar', 'prefetchable', 'bus_dma_limit',
  'ats', 'tph', 'untrusted', 'vf', 'buffer', 'from', 'heap', 'driver', 'amdgpu', 'vfio-pci',
  'p2pmem', 'placement', 'vram', 'system', 'range', 'at', 'fallback', 'caching', 'cached', 'wc',
  'uncached', 'share', 'as', 'attach', 'static', 'dynamic', 'peer2peer', 'via', 'sgt', 'pfn',
  'mmap', 'devices', 'expect', 'bus_addr', 'thru_host_bridge', 'not_supported', 'fails', 'bus',
  'iova', 'phys', 'swiotlb', 'address',
] as const;

export type Keyword = (typeof KEYWORDS)[number];

const keywordTokens = new Map<string, TokenType>();
for (const word of KEYWORDS) {
  keywordTokens.set(
    word,
    createToken({
      name: `KW_${word.replace('-', '_')}`,
      // A plain string is matched without a regex; `longer_alt` turns `gpu0` back into a name.
      pattern: word,
      longer_alt: Name,
      label: `'${word}'`,
    }),
  );
}

/** The token type of a keyword, for the parser. */
export function kw(word: Keyword): TokenType {
  const t = keywordTokens.get(word);
  if (!t) throw new Error(`not a keyword: ${word}`);
  return t;
}

export function isKeyword(word: string): boolean {
  return keywordTokens.has(word);
}

export const keywordList: readonly string[] = KEYWORDS;

// Longer keywords first so that `amd-vi` and `amdgpu` win over `amd`.
const sortedKeywordTokens = [...keywordTokens.entries()].sort((a, b) => b[0].length - a[0].length).map((e) => e[1]);

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  BdfSeg,
  BdfShort,
  PciId,
  Size,
  Integer,
  LBrace,
  RBrace,
  DotDot,
  Arrow,
  Comma,
  ...sortedKeywordTokens,
  Name,
];

export const dmabufLexer = new Lexer(allTokens, {
  positionTracking: 'full',
  ensureOptimizations: false,
  skipValidations: true,
});
