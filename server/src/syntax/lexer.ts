// Tokens of docs/language.md §2. BDFs, PCI ids, sizes and integers are told apart by
// pattern order (most specific first); keywords are reserved words with a longer
// alternative of Name, so `gpu0` is a name and `gpu` a keyword.

import { createToken, Lexer, type ILexingError, type ILexingResult, type IToken, type TokenType } from 'chevrotain';

const WORD_END = '(?![A-Za-z0-9_])';

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
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
/**
 * A kernel release or distribution kernel, the value of `version` in a kernel block (an
 * extension of version 1, docs/language.md "`version`"): `6.8`, `v7.3`, `5.15.0`,
 * `ubuntu-24.04`, `rhel-9`. Neither form is any other token of §2 (a name has no `-`, a
 * number no `.`), so no valid version-1 text lexes differently.
 */
export const Release = createToken({
  name: 'Release',
  pattern: /(?<![A-Za-z0-9_])(?:(?:ubuntu|debian|rhel)-[0-9]+(?:\.[0-9]+)?|v?[0-9]{1,2}\.[0-9]{1,3}(?:\.[0-9]{1,3})?)(?![A-Za-z0-9_.:])/,
  label: 'a kernel release such as 6.8 or ubuntu-24.04',
});
export const Size = createToken({
  name: 'Size',
  // Never from inside a run of digits (see `Garbage`): a number starts where its run does.
  pattern: new RegExp(`(?<![0-9])[0-9]+(?:_[0-9]+)*(?:KiB|MiB|GiB|TiB|K|M|G|T)${WORD_END}`),
  label: 'a size such as 64M',
});
export const Integer = createToken({
  name: 'Integer',
  pattern: new RegExp(`(?:0[xX]${H}+(?:_${H}+)*|(?<![0-9])[0-9]+(?:_[0-9]+)*)${WORD_END}`),
  label: 'a number such as 0x8000_0000',
});

// Malformed literals: one token each, so that a mistake is one error in the words of the
// language ("write bus:dev.fn") and not a stray number and a stray character. Each is a
// category member of the token it was meant to be, so the parser takes it in that place
// and reports it once (parser.ts `malformed`); no version-1 text contains one.

/** Digits and colons that are not a BDF or a PCI id: `3:0.0`, `03:00`, `86:20`. */
export const MalformedBdf = createToken({
  name: 'MalformedBdf',
  pattern: new RegExp(`(?<![0-9A-Za-z_])[0-9]${H}*(?::${H}*)+(?:\\.${H}*)?${WORD_END}`),
  label: 'a BDF such as 03:00.0',
  categories: [BdfShort, PciId],
});
/** A number run into letters: `1g`, `64KB`, `0x1g`. */
export const MalformedNumber = createToken({
  name: 'MalformedNumber',
  pattern: /(?<![0-9A-Za-z_])[0-9][0-9A-Za-z_]*/,
  label: 'a number such as 0x8000_0000',
  categories: [Integer],
});

export const LBrace = createToken({ name: 'LBrace', pattern: /{/, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/, label: "'}'" });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./, label: "'..'" });
export const Arrow = createToken({ name: 'Arrow', pattern: /->/, label: "'->'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });

export const Name = createToken({ name: 'Name', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });
/** A name with a '-' in it (`gpu-0`): names may not contain '-', but it is read as the name it was meant to be (parser.ts). */
export const DashedName = createToken({
  name: 'DashedName',
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)+/,
  label: 'a name',
  categories: [Name],
});
/**
 * The category of every keyword: one may stand where a name is expected (contextual
 * keywords: `buffer vram from gpu0`, `share bar -> nic0`; parser.ts `nameTok`).
 */
export const KeywordName = createToken({ name: 'KeywordName', pattern: Lexer.NA, label: 'a name' });

/** Every reserved word of §3. Order does not matter here: they are sorted below. */
const KEYWORDS = [
  'use', 'platform', 'cpu', 'intel', 'amd', 'hygon', 'arm', 'other', 'family', 'kernel',
  'move_notify', 'forcedac', 'swiotlb_off', 'swiotlb_force', 'cc_guest', 'disable_acs_redir',
  'iommu', 'vtd', 'amd-vi', 'smmu', 'mode', 'dma', 'lazy', 'identity', 'reserve', 'aperture',
  'memory', 'node', 'host_bridge', 'id', 'window', 'offset', 'link', 'xgmi', 'nvlink',
  'platform_device', 'dma_mask', 'dma_range', 'size', 'off', 'private', 'parent', 'iommufd', 'kvm',
  'root_port', 'switch', 'port', 'acs', 'acs_ctl', 'acs_cap', 'sv', 'tb', 'rr', 'cr', 'uf', 'ec', 'dt',
  'gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint', 'bar', 'prefetchable', 'bus_dma_limit',
  'ats', 'tph', 'untrusted', 'vf', 'buffer', 'from', 'heap', 'driver', 'amdgpu', 'vfio-pci',
  'p2pmem', 'placement', 'vram', 'system', 'range', 'at', 'fallback', 'caching', 'cached', 'wc',
  'uncached', 'share', 'as', 'attach', 'static', 'dynamic', 'peer2peer', 'via', 'sgt', 'pfn',
  'mmap', 'devices', 'expect', 'bus_addr', 'thru_host_bridge', 'not_supported', 'fails', 'bus',
  'iova', 'phys', 'swiotlb', 'address',
  // Exporter drivers and their export state (docs/language.md, "Exporter drivers").
  'nvidia', 'xe', 'i915', 'nouveau', 'habanalabs', 'rdma', 'force_pcie', 'coherent', 'passthru',
  'p2p_unsupported_chipset', 'dcc',
  // Extension: importer kinds (docs/language.md, "importer: what the importing driver does").
  'importer', 'rdma-odp', 'rdma-pinned', 'rdma-pinned-revocable', 'v4l2', 'drm-prime',
  'devmem-tcp', 'io-uring-zcrx', 'no_odp',
] as const;

export type Keyword = (typeof KEYWORDS)[number];

const keywordTokens = new Map<string, TokenType>();
/** Keywords with a '-', which `Name` cannot match: the inner lexer keeps their patterns. */
const DASHED = new Set<TokenType>();
for (const word of KEYWORDS) {
  keywordTokens.set(
    word,
    createToken({
      name: `KW_${word.replaceAll('-', '_')}`,
      // A plain string is matched without a regex; `longer_alt` turns `gpu0` back into a name.
      pattern: word,
      longer_alt: [DashedName, Name],
      label: `'${word}'`,
      categories: [KeywordName],
    }),
  );
  if (word.includes('-')) DASHED.add(keywordTokens.get(word)!);
}

/**
 * Where a token ends (exclusive). The lexer tracks offsets only (`positionTracking:
 * 'onlyOffset'`, so chevrotain leaves `endOffset` unset): a token's end is its start
 * plus its image, and lines and columns come from the `LineIndex` where they are needed.
 */
export function tokenEnd(t: IToken): number {
  return t.startOffset + t.image.length;
}

/** The token type of a keyword, for the parser. */
export function kw(word: Keyword): TokenType {
  const t = keywordTokens.get(word);
  if (!t) throw new Error(`not a keyword: ${word}`);
  return t;
}

const keywordOfType = new Map<TokenType, string>([...keywordTokens].map(([w, t]) => [t, w]));

/** The keyword a token type stands for (a repaired misspelling keeps its own image: parser.ts `word`). */
export function keywordOf(type: TokenType): string | undefined {
  return keywordOfType.get(type);
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
  MalformedBdf,
  Release,
  Size,
  Integer,
  MalformedNumber,
  LBrace,
  RBrace,
  DotDot,
  Arrow,
  Comma,
  ...sortedKeywordTokens,
  DashedName,
  Name,
  KeywordName,
];

// ---------------------------------------------------------------- lexer errors in linear time
//
// Chevrotain recovers from an unexpected character by trying every pattern (about 120
// here) at each following offset until one matches: 4 µs per character, so 4 MiB of
// bytes that start no token took 18 s to lex. And before numbers refused to start
// inside a run of digits (the `(?<![0-9])` above), a long run of digits followed by a
// letter was quadratic: each offset re-scanned the rest of the run (16,000 digits:
// 0.8 s; 1 MB: hours). `Garbage` is a token that the inner lexer matches only where no
// other token can start, over a whole run of such characters at once; `dmabufLexer`
// turns those tokens back into lexer errors, merged with the errors next to them, so
// its result (tokens, comments, errors with offsets and lengths) is exactly what the
// plain lexer gives, only without the per-character cost (docs/robustness.md).

/** The tokens that may start at a digit that follows another digit: BDFs, PCI ids and `0x…`. */
const STARTS_AFTER_DIGIT = new RegExp(
  `${H}{4}:${H}{2}:${H}{2}\\.${H}${WORD_END}|${H}{2}:${H}{2}\\.${H}${WORD_END}|${H}{4}:${H}{4}${WORD_END}|0[xX]${H}`,
  'y',
);

/** 1 for the ASCII characters that always start a token: letters, `_`, braces, `,`, `"`, white space. */
const ASCII_STARTS = new Uint8Array(128).map((_, c) => (/[A-Za-z_{},"\t\n\v\f\r ]/.test(String.fromCharCode(c)) ? 1 : 0));

/** True when no token of `allTokens` can start at `i` (a character that starts nothing, or a digit inside a run of digits that starts nothing). */
function startsNothing(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const next = text.charCodeAt(i + 1);
  if (c === 45 /* - */) return next !== 62 /* > */;
  if (c === 46 /* . */) return next !== 46;
  if (c === 47 /* / */) return next !== 47 && next !== 42 /* * */;
  if (c >= 48 && c <= 57) {
    const prev = text.charCodeAt(i - 1);
    if (!(prev >= 48 && prev <= 57)) return false;
    STARTS_AFTER_DIGIT.lastIndex = i;
    return !STARTS_AFTER_DIGIT.test(text);
  }
  if (c < 128) return ASCII_STARTS[c] === 0;
  return c !== 0xa0 && c !== 0xfeff; // white space; every other non-ASCII character starts nothing
}

/** Start characters for chevrotain's first-character table: every character that may start `Garbage`. */
function garbageStartHints(): number[] {
  const out: number[] = [];
  for (let c = 0; c < 256; c++) if (c !== 0xa0 && !(c < 128 && ASCII_STARTS[c] === 1)) out.push(c);
  // Above 255 chevrotain puts characters into buckets: one hint per bucket is enough.
  for (let c = 256; c < 65536; c += 255) out.push(c);
  out.push(65535);
  return out;
}

/** Characters at which no other token can start, as one token (inner lexer only: never in a result). */
const Garbage = createToken({
  name: 'Garbage',
  pattern: {
    exec: (text: string, offset: number) => {
      let i = offset;
      while (i < text.length && startsNothing(text, i)) i++;
      return i > offset ? ([text.slice(offset, i)] as [string]) : null;
    },
  },
  start_chars_hint: garbageStartHints(),
  line_breaks: false,
  group: 'garbage',
});

/**
 * What the inner lexer matches: `allTokens` without the keywords that are plain words
 * (they come out as `Name` and are looked up in `keywordTokens` afterwards, see
 * `dmabufLexer`). Trying ~100 keyword patterns at every word was most of the lexing time.
 */
const innerTokens = allTokens.filter((t) => !(t.name.startsWith('KW_') && /^[a-z0-9_]+$/.test(t.name.slice(3)) && !DASHED.has(t)));
const innerLexer = new Lexer([...innerTokens, Garbage], {
  positionTracking: 'onlyOffset',
  ensureOptimizations: false,
  skipValidations: true,
});

/** The lexer of §2: chevrotain's result for `allTokens`, errors included. */
export const dmabufLexer = {
  tokenize(text: string): ILexingResult {
    const r = innerLexer.tokenize(text);
    for (const t of r.tokens) {
      if (t.tokenType !== Name) continue;
      const k = keywordTokens.get(t.image);
      if (k) {
        t.tokenType = k;
        t.tokenTypeIdx = k.tokenTypeIdx!;
      }
    }
    const garbage = r.groups['garbage'];
    delete r.groups['garbage'];
    if (garbage === undefined || garbage.length === 0) return r;
    const pieces: ILexingError[] = [
      ...r.errors,
      ...garbage.map((t) => ({ offset: t.startOffset, line: undefined, column: undefined, length: t.image.length, message: '' })),
    ].sort((a, b) => a.offset - b.offset);
    const errors: ILexingError[] = [];
    for (const e of pieces) {
      const prev = errors[errors.length - 1];
      if (prev && prev.offset + prev.length === e.offset) prev.length += e.length;
      else errors.push({ ...e });
    }
    // Chevrotain's own wording.
    for (const e of errors) e.message = `unexpected character: ->${text.charAt(e.offset)}<- at offset: ${e.offset}, skipped ${e.length} characters.`;
    r.errors = errors;
    return r;
  },
};

/** Whether the inner lexer keeps chevrotain's first-character optimisation (a test checks it). */
export const lexerOptimized = (innerLexer as unknown as { canModeBeOptimized: Record<string, boolean> }).canModeBeOptimized['defaultMode'] === true;
