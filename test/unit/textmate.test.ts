// The TextMate grammar (syntaxes/dmabuf.tmLanguage.json) and the language configuration
// (language-configuration.json), checked with the same engine VS Code uses
// (vscode-textmate + vscode-oniguruma) against docs/language.md §2 and every sample.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TextMate from 'vscode-textmate';
import type * as Oniguruma from 'vscode-oniguruma';

// Both packages are UMD bundles whose named exports Node's ESM loader cannot see.
const requireCjs = createRequire(import.meta.url);
const vsctm = requireCjs('vscode-textmate') as typeof TextMate;
const onig = requireCjs('vscode-oniguruma') as typeof Oniguruma;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GRAMMAR_PATH = join(ROOT, 'syntaxes/dmabuf.tmLanguage.json');
const SAMPLES_DIR = join(ROOT, 'samples');
const SCOPE = 'source.dmabuf';

interface Token {
  line: number;
  start: number;
  end: number;
  text: string;
  scopes: string[];
}

let grammar: TextMate.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(join(ROOT, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  // loadWASM is idempotent: a second call returns the first promise.
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new onig.OnigScanner(patterns),
      createOnigString: (s: string) => new onig.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === SCOPE ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null,
  });
  const loaded = await registry.loadGrammar(SCOPE);
  if (!loaded) throw new Error(`grammar ${SCOPE} did not load`);
  grammar = loaded;
});

/** Tokenizes `text` line by line, carrying the rule stack over, as the editor does. */
function tokenize(text: string): Token[][] {
  let state = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line, lineNo) => {
    const result = grammar.tokenizeLine(line, state);
    expect(result.stoppedEarly, `tokenizing stopped early on line ${lineNo + 1}`).toBe(false);
    state = result.ruleStack;
    return result.tokens
      .map((t) => {
        const end = Math.min(t.endIndex, line.length);
        return { line: lineNo, start: t.startIndex, end, text: line.slice(t.startIndex, end), scopes: t.scopes };
      })
      .filter((t) => t.end > t.start);
  });
}

/** The `nth` token whose text is exactly `text` (so it also checks token boundaries). */
function token(lines: Token[][], text: string, nth = 0): Token {
  const found = lines.flat().filter((t) => t.text === text);
  if (found.length <= nth) {
    const dump = lines.flat().map((t) => `${JSON.stringify(t.text)}: ${t.scopes.slice(1).join(' ')}`);
    throw new Error(`no token #${nth} with text ${JSON.stringify(text)}; tokens:\n${dump.join('\n')}`);
  }
  return found[nth];
}

const has = (t: Token, scopePrefix: string): boolean =>
  t.scopes.some((s) => s === scopePrefix || s.startsWith(`${scopePrefix}.`));
const scopeOf = (t: Token): string => t.scopes.slice(1).join(' ');

const KEYWORD_SCOPES = ['keyword', 'storage.type', 'constant.language', 'support.constant'];
const isKeyword = (t: Token): boolean => KEYWORD_SCOPES.some((s) => has(t, s));
const isName = (t: Token): boolean => has(t, 'variable.other') || has(t, 'entity.name');

function expectScope(lines: Token[][], text: string, scopePrefix: string, nth = 0): Token {
  const t = token(lines, text, nth);
  expect(has(t, scopePrefix), `${JSON.stringify(text)} has "${scopeOf(t)}", expected ${scopePrefix}`).toBe(true);
  return t;
}

function expectKeyword(lines: Token[][], text: string, nth = 0): void {
  const t = token(lines, text, nth);
  expect(isKeyword(t), `${JSON.stringify(text)} has "${scopeOf(t)}", expected a keyword scope`).toBe(true);
}

function expectPlainName(lines: Token[][], text: string, nth = 0): void {
  const t = token(lines, text, nth);
  expect(isKeyword(t), `${JSON.stringify(text)} has "${scopeOf(t)}", expected no keyword scope`).toBe(false);
  expect(isName(t), `${JSON.stringify(text)} has "${scopeOf(t)}", expected a name scope`).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Keyword lists: from the grammar itself, and the terminals of docs/language.md §3.

const rawGrammar = JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8')) as unknown;

/** Every word inside a keyword-boundary alternation `(?<![A-Za-z0-9_-])(?:a|b|c)` of the grammar. */
function grammarKeywords(): Set<string> {
  const words = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      for (const m of node.matchAll(/\(\?<!\[A-Za-z0-9_-\]\)\((?:\?:)?([A-Za-z0-9_|-]+)\)/g)) {
        for (const w of m[1].split('|')) words.add(w);
      }
    } else if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      Object.values(node).forEach(walk);
    }
  };
  walk(rawGrammar);
  return words;
}

/** The quoted terminals of the grammar in §3 of the language description. */
function documentedTerminals(): string[] {
  const doc = readFileSync(join(ROOT, 'docs/language.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## 3. Grammar'));
  const block = /```\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('no grammar block in docs/language.md §3');
  return [...new Set([...block[1].matchAll(/"([^"\s]+)"/g)].map((m) => m[1]))];
}

const GRAMMAR_KEYWORDS = grammarKeywords();
const DOC_TERMINALS = documentedTerminals();
const DOC_KEYWORDS = DOC_TERMINALS.filter((t) => /^[A-Za-z_]/.test(t));
const ALL_KEYWORDS = new Set([...GRAMMAR_KEYWORDS, ...DOC_KEYWORDS]);

// ---------------------------------------------------------------------------------------------
// A reference lexer written from §2, independent of the grammar, for the sample checks.

type Kind = 'comment' | 'string' | 'bdf' | 'pci-id' | 'size' | 'integer' | 'punctuation' | 'keyword' | 'name';
interface Lexeme {
  kind: Kind;
  start: number;
  end: number;
  text: string;
}

const LEX_RULES: [Kind | 'space' | 'word', RegExp][] = [
  ['space', /\s+/y],
  ['comment', /\/\/[^\n]*|\/\*[\s\S]*?\*\//y],
  ['string', /"(?:[^"\\\n]|\\["\\])*"/y],
  ['bdf', /(?:[0-9A-Fa-f]{4}:)?[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f](?![A-Za-z0-9_:])/y],
  ['pci-id', /[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}(?![A-Za-z0-9_:])/y],
  ['size', /[0-9](?:_?[0-9])*(?:[KMGT]iB|[KMGT])(?![A-Za-z0-9_])/y],
  ['integer', /(?:0[xX][0-9A-Fa-f](?:_?[0-9A-Fa-f])*|[0-9](?:_?[0-9])*)(?![A-Za-z0-9_])/y],
  ['punctuation', /->|\.\.|[{},]/y],
  ['word', /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/y],
];

function referenceLex(text: string, file: string): Lexeme[] {
  const out: Lexeme[] = [];
  let pos = 0;
  outer: while (pos < text.length) {
    for (const [kind, re] of LEX_RULES) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m) continue;
      let lexeme = m[0];
      let k: Kind | 'space' | 'word' = kind;
      if (kind === 'word') {
        if (ALL_KEYWORDS.has(lexeme)) {
          k = 'keyword';
        } else {
          lexeme = /^[A-Za-z_][A-Za-z0-9_]*/.exec(lexeme)![0]; // names never contain '-'
          k = ALL_KEYWORDS.has(lexeme) ? 'keyword' : 'name';
        }
      }
      if (k !== 'space') out.push({ kind: k as Kind, start: pos, end: pos + lexeme.length, text: lexeme });
      pos += lexeme.length;
      continue outer;
    }
    throw new Error(`${file}: character ${JSON.stringify(text[pos])} at offset ${pos} is not a token of §2`);
  }
  return out;
}

/** Per character of `text` (absolute offset), the scopes of the grammar token covering it. */
function scopeMap(text: string): { scopes: (string[] | undefined)[]; starts: Set<number>; ends: Set<number> } {
  const lines = text.split('\n'); // keep '\r' so offsets add up; the grammar never sees it
  const tokens = tokenize(text);
  const scopes: (string[] | undefined)[] = new Array(text.length);
  const starts = new Set<number>();
  const ends = new Set<number>();
  let base = 0;
  lines.forEach((line, i) => {
    for (const t of tokens[i]) {
      starts.add(base + t.start);
      ends.add(base + t.end);
      for (let c = t.start; c < t.end; c++) scopes[base + c] = t.scopes;
    }
    base += line.length + 1;
  });
  return { scopes, starts, ends };
}

const EXPECTED_SCOPE: Record<Kind, string[]> = {
  comment: ['comment'],
  string: ['string.quoted.double'],
  bdf: ['constant.numeric.bdf'],
  'pci-id': ['constant.numeric.pci-id'],
  size: ['constant.numeric.size'],
  integer: ['constant.numeric.integer'],
  punctuation: ['punctuation'],
  keyword: KEYWORD_SCOPES,
  name: ['variable.other', 'entity.name'],
};

const hasPrefix = (scopes: string[], prefix: string): boolean =>
  scopes.some((s) => s === prefix || s.startsWith(`${prefix}.`));

// ---------------------------------------------------------------------------------------------

describe('dmabuf TextMate grammar', () => {
  it('is valid JSON with the expected scope name', () => {
    const g = rawGrammar as { scopeName?: string; patterns?: unknown[]; repository?: object };
    expect(g.scopeName).toBe(SCOPE);
    expect(Array.isArray(g.patterns)).toBe(true);
    expect(typeof g.repository).toBe('object');
  });

  it('scopes an endpoint line: BDF, hex integer, decimal integer, size, keywords, names, braces', () => {
    const lines = tokenize('nic nic0 04:00.0 { bar 0 0x60_0000_0000 size 64K }');
    expectKeyword(lines, 'nic');
    expectScope(lines, 'nic', 'storage.type');
    expectScope(lines, 'nic0', 'entity.name.type');
    expectScope(lines, '04:00.0', 'constant.numeric.bdf');
    expectScope(lines, '{', 'punctuation.section.block.begin');
    expectScope(lines, 'bar', 'keyword.other');
    expectScope(lines, '0', 'constant.numeric.integer.decimal');
    const hex = expectScope(lines, '0x60_0000_0000', 'constant.numeric.integer.hexadecimal');
    for (const wrong of ['constant.numeric.bdf', 'constant.numeric.pci-id', 'constant.numeric.size']) {
      expect(has(hex, wrong), `0x60_0000_0000 must not be ${wrong}`).toBe(false);
    }
    expectScope(lines, 'size', 'keyword.other');
    expectScope(lines, '64', 'constant.numeric.size');
    expectScope(lines, 'K', 'constant.numeric.size');
    expectScope(lines, '}', 'punctuation.section.block.end');
  });

  it('never confuses BDFs, PCI ids and integers', () => {
    const lines = tokenize(
      'root_port rp0 03:00.0 x 0000:03:00.0 y 00:1c.0 z ec:1f.7 host_bridge hb id 8086:2030 id 8086:a700 w 0x38_0000_0000',
    );
    for (const bdf of ['03:00.0', '0000:03:00.0', '00:1c.0', 'ec:1f.7']) {
      const t = expectScope(lines, bdf, 'constant.numeric.bdf');
      expect(has(t, 'constant.numeric.pci-id') || has(t, 'constant.numeric.integer'), bdf).toBe(false);
    }
    for (const id of ['8086:2030', '8086:a700']) {
      const t = expectScope(lines, id, 'constant.numeric.pci-id');
      expect(has(t, 'constant.numeric.bdf') || has(t, 'constant.numeric.integer'), id).toBe(false);
    }
    const hex = expectScope(lines, '0x38_0000_0000', 'constant.numeric.integer');
    expect(has(hex, 'constant.numeric.bdf') || has(hex, 'constant.numeric.pci-id')).toBe(false);
  });

  it('reads A..B as two integers around range punctuation', () => {
    const lines = tokenize('window 4096..8192\nwindow 0x8000_0000 .. 0xfbff_ffff');
    expectScope(lines, '4096', 'constant.numeric.integer.decimal');
    expectScope(lines, '..', 'punctuation.separator.range');
    expectScope(lines, '8192', 'constant.numeric.integer.decimal');
    expectScope(lines, '0x8000_0000', 'constant.numeric.integer.hexadecimal');
    expectScope(lines, '..', 'punctuation.separator.range', 1);
    expectScope(lines, '0xfbff_ffff', 'constant.numeric.integer.hexadecimal');
    expect(lines[0].filter((t) => t.text.trim()).map((t) => t.text)).toEqual(['window', '4096', '..', '8192']);
  });

  it('scopes integers in either hex case and every size unit', () => {
    const lines = tokenize('at 0xABCD_ef01 at 0X1F at 1_000 size 4K 64M 128G 1T 4KiB 2MiB 1GiB 1TiB');
    expectScope(lines, '0xABCD_ef01', 'constant.numeric.integer.hexadecimal');
    expectScope(lines, '0X1F', 'constant.numeric.integer.hexadecimal');
    expectScope(lines, '1_000', 'constant.numeric.integer.decimal');
    for (const [num, unit] of [['4', 'K'], ['64', 'M'], ['128', 'G'], ['1', 'T'], ['4', 'KiB'], ['2', 'MiB'],
      ['1', 'GiB'], ['1', 'TiB']]) {
      expectScope(lines, num, 'constant.numeric.size');
      expectScope(lines, unit, 'constant.numeric.size');
      expectScope(lines, unit, 'keyword.other.unit');
    }
    const sizeTokens = lines[0].filter((t) => has(t, 'constant.numeric.size'));
    expect(sizeTokens.every((t) => !has(t, 'constant.numeric.integer'))).toBe(true);
  });

  it('reads a->b as name, arrow, name', () => {
    const lines = tokenize('share a->b');
    expectScope(lines, 'share', 'keyword');
    expectPlainName(lines, 'a');
    expectScope(lines, '->', 'punctuation.separator.arrow');
    expectPlainName(lines, 'b');
    expect(lines[0].filter((t) => t.text.trim()).map((t) => t.text)).toEqual(['share', 'a', '->', 'b']);
    expect(lines.flat().filter((t) => has(t, 'punctuation.separator.arrow'))).toHaveLength(1);
  });

  it('scopes cpu after -> as the CPU importer, also across lines and comments', () => {
    const same = tokenize('share frame -> cpu as f_cpu { via mmap }');
    expectScope(same, 'cpu', 'constant.language');
    expectScope(same, 'as', 'keyword.other');
    expectScope(same, 'f_cpu', 'entity.name.variable');
    const split = tokenize('share frame ->\n  /* the CPU */\n  cpu\nplatform p { cpu amd family 0x19 }');
    expectScope(split, 'cpu', 'constant.language');
    expectScope(split, 'cpu', 'keyword.declaration', 1);
    expectScope(split, 'amd', 'constant.language');
    expectScope(split, 'family', 'keyword.other');
    const range = tokenize('platform_device dev0 { dma_range 0x0 -> 0x8000_0000 size 2G }');
    expectScope(range, '->', 'punctuation.separator.arrow');
    expectScope(range, '0x8000_0000', 'constant.numeric.integer.hexadecimal');
  });

  it('does not match keywords inside names', () => {
    const lines = tokenize('link xgmi gpu0, amdgpu_x, my_dma, dma_mask2, platformx, _gpu, gpu_');
    expectScope(lines, 'link', 'keyword');
    expectScope(lines, 'xgmi', 'constant.language');
    for (const n of ['gpu0', 'amdgpu_x', 'my_dma', 'dma_mask2', 'platformx', '_gpu', 'gpu_']) expectPlainName(lines, n);
    expectScope(lines, ',', 'punctuation.separator.comma');
  });

  it('keeps hyphenated keywords as one token', () => {
    const lines = tokenize('iommu amd-vi mode dma\nbuffer b from nic0 driver vfio-pci { size 4K }');
    expectScope(lines, 'amd-vi', 'constant.language');
    expectScope(lines, 'vfio-pci', 'constant.language');
    expect(lines.flat().some((t) => t.text === 'amd' || t.text === 'vi' || t.text === 'vfio')).toBe(false);
  });

  it('scopes every keyword of the grammar on its own, and not with a name character glued on', () => {
    expect(GRAMMAR_KEYWORDS.size).toBeGreaterThan(80);
    for (const k of ['use', 'gpu', 'host_bridge', 'window', 'acs_ctl', 'amd-vi', 'vfio-pci', 'cpu', 'address']) {
      expect(GRAMMAR_KEYWORDS.has(k), k).toBe(true);
    }
    for (const k of GRAMMAR_KEYWORDS) {
      expectKeyword(tokenize(k), k);
      expectKeyword(tokenize(`{${k}}`), k);
      for (const glued of [`${k}0`, `${k}_x`, `x_${k}`, `X${k}`]) {
        const toks = tokenize(glued).flat();
        expect(toks.filter(isKeyword).map((t) => t.text), `${glued} contains no keyword`).toEqual([]);
      }
    }
  });

  it('scopes every terminal of docs/language.md §3', () => {
    expect(DOC_KEYWORDS.length).toBeGreaterThan(80);
    for (const k of DOC_KEYWORDS) {
      expect(GRAMMAR_KEYWORDS.has(k), `§3 terminal ${k} is in a keyword list of the grammar`).toBe(true);
    }
    for (const p of DOC_TERMINALS.filter((t) => !/^[A-Za-z_]/.test(t))) {
      const t = token(tokenize(`x ${p} y`), p);
      expect(has(t, 'punctuation'), `${p} has "${scopeOf(t)}"`).toBe(true);
    }
  });

  it('names declared names after their keyword, also on a later line', () => {
    const lines = tokenize(
      [
        'platform server {',
        '  memory high 0x1_0000_0000 size 64G',
        '  switch sw0 01:00.0 acs { port p1 { vf v0 } }',
        '  gpu',
        '    // the GPU',
        '    gpu0 03:00.0 { }',
        '  platform_device dev0 { parent gpu0 }',
        '}',
        'buffer frame from gpu0 driver amdgpu { size 256M placement vram }',
      ].join('\n'),
    );
    expectScope(lines, 'server', 'entity.name.type');
    expectScope(lines, 'high', 'entity.name');
    expectScope(lines, 'sw0', 'entity.name.type');
    expectScope(lines, 'p1', 'entity.name.type');
    expectScope(lines, 'v0', 'entity.name.type');
    expectScope(lines, 'gpu0', 'entity.name.type');
    expectScope(lines, 'dev0', 'entity.name.type');
    expectScope(lines, 'gpu0', 'variable.other', 1); // parent gpu0: a reference
    expectScope(lines, 'frame', 'entity.name.variable');
    expectScope(lines, 'gpu0', 'variable.other', 2); // from gpu0: a reference
    expectScope(lines, 'amdgpu', 'constant.language');
    expectScope(lines, 'vram', 'constant.language');
  });

  it('scopes line comments and multi-line block comments', () => {
    const lines = tokenize('cpu intel // gpu0 acs {\n/* first gpu\n   second acs 03:00.0\n*/ kvm vm0');
    expectScope(lines, '//', 'comment.line.double-slash');
    expectScope(lines, '//', 'punctuation.definition.comment');
    expectScope(lines, ' gpu0 acs {', 'comment.line.double-slash');
    expectScope(lines, '/*', 'comment.block');
    const second = lines[2];
    expect(second.length).toBeGreaterThan(0);
    for (const t of second) expect(has(t, 'comment.block'), `${JSON.stringify(t.text)}: ${scopeOf(t)}`).toBe(true);
    expectScope(lines, '*/', 'comment.block');
    expectScope(lines, 'kvm', 'storage.type');
    expectScope(lines, 'vm0', 'entity.name.type');
  });

  it('scopes strings with \\" and \\\\ escapes as one string', () => {
    const text = 'use "dir/a \\"b\\" \\\\ // not a comment.dmabuf" // comment';
    const lines = tokenize(text);
    expectScope(lines, 'use', 'keyword');
    const first = text.indexOf('"');
    const last = text.lastIndexOf('"');
    const inString = lines[0].filter((t) => t.start >= first && t.end <= last + 1);
    expect(inString.map((t) => t.text).join('')).toBe(text.slice(first, last + 1));
    for (const t of inString) expect(has(t, 'string.quoted.double'), JSON.stringify(t.text)).toBe(true);
    expect(inString.filter((t) => has(t, 'constant.character.escape')).map((t) => t.text)).toEqual([
      '\\"', '\\"', '\\\\',
    ]);
    expect(inString.some((t) => has(t, 'comment'))).toBe(false);
    expectScope(lines, ' comment', 'comment.line');
  });

  it('marks text that is not a token as invalid', () => {
    const lines = tokenize('bar 0 0x1g size 4Kx at 03:00 $');
    expectScope(lines, '0x1g', 'invalid.illegal');
    expectScope(lines, '4Kx', 'invalid.illegal');
    expectScope(lines, '$', 'invalid.illegal');
    expect(lines.flat().some((t) => has(t, 'constant.numeric.bdf'))).toBe(false);
  });

  const samples = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.dmabuf')).sort();

  it('has samples to check', () => {
    expect(samples.length).toBeGreaterThan(0);
  });

  describe.each(samples)('samples/%s', (file) => {
    const text = readFileSync(join(SAMPLES_DIR, file), 'utf8');

    it('leaves no character unclassified and nothing invalid', () => {
      const { scopes } = scopeMap(text);
      for (let i = 0; i < text.length; i++) {
        if (/\s/.test(text[i])) continue;
        const s = scopes[i] ?? [];
        const where = `${file} offset ${i} (${JSON.stringify(text.slice(Math.max(0, i - 10), i + 10))})`;
        expect(s.filter((x) => x !== SCOPE), `unclassified character at ${where}`).not.toEqual([]);
        expect(s.filter((x) => x.startsWith('invalid')), `invalid at ${where}`).toEqual([]);
      }
    });

    it('agrees with the lexical rules of §2 token by token (keywords included)', () => {
      const { scopes, starts, ends } = scopeMap(text);
      for (const lx of referenceLex(text, file)) {
        const where = `${file}: ${lx.kind} ${JSON.stringify(lx.text)} at offset ${lx.start}`;
        expect(starts.has(lx.start) && ends.has(lx.end), `token boundaries of ${where}`).toBe(true);
        for (let i = lx.start; i < lx.end; i++) {
          if (lx.kind === 'comment' || lx.kind === 'string') {
            if (/\s/.test(text[i])) continue; // newlines inside block comments
          }
          const s = scopes[i] ?? [];
          const ok = EXPECTED_SCOPE[lx.kind].some((p) => hasPrefix(s, p));
          expect(ok, `${where} has "${s.join(' ')}"`).toBe(true);
          if (lx.kind === 'integer') {
            expect(['constant.numeric.bdf', 'constant.numeric.pci-id', 'constant.numeric.size']
              .some((p) => hasPrefix(s, p)), where).toBe(false);
          }
          if (lx.kind !== 'comment' && lx.kind !== 'string') {
            expect(hasPrefix(s, 'comment') || hasPrefix(s, 'string'), `${where} is not in a comment`).toBe(false);
          }
        }
      }
    });
  });
});

describe('language-configuration.json', () => {
  const config = JSON.parse(readFileSync(join(ROOT, 'language-configuration.json'), 'utf8')) as {
    comments: { lineComment: string; blockComment: [string, string] };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string }[];
    surroundingPairs: [string, string][];
    folding: { markers: { start: string; end: string } };
    wordPattern: string;
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  };

  it('declares comments, brackets and pairs', () => {
    expect(config.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
    expect(config.brackets).toEqual([['{', '}']]);
    const pairs = config.autoClosingPairs.map((p) => [p.open, p.close.trim()]);
    expect(pairs).toEqual(expect.arrayContaining([['{', '}'], ['"', '"'], ['/*', '*/']]));
    expect(config.surroundingPairs).toEqual(expect.arrayContaining([['{', '}'], ['"', '"']]));
  });

  it('has a word pattern that keeps dmabuf tokens whole and splits at ->', () => {
    const re = new RegExp(config.wordPattern, 'g');
    const words = 'iommu amd-vi driver vfio-pci 0000:03:00.0 03:00.0 8086:2030 0x38_0000_0000 a->b 4096..8192 gpu0'
      .match(re);
    expect(words).toEqual([
      'iommu', 'amd-vi', 'driver', 'vfio-pci', '0000:03:00.0', '03:00.0', '8086:2030', '0x38_0000_0000',
      'a', 'b', '4096', '8192', 'gpu0',
    ]);
  });

  it('indents after an open brace and outdents on a closing one', () => {
    const inc = new RegExp(config.indentationRules.increaseIndentPattern);
    const dec = new RegExp(config.indentationRules.decreaseIndentPattern);
    expect(inc.test('platform server {')).toBe(true);
    expect(inc.test('  switch sw0 01:00.0 acs { // upstream port')).toBe(true);
    expect(inc.test('  gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G }')).toBe(false);
    expect(inc.test('// platform {')).toBe(false);
    expect(dec.test('  }')).toBe(true);
    expect(dec.test('  gpu gpu0 {')).toBe(false);
  });

  it('folds braces and #region markers', () => {
    const start = new RegExp(config.folding.markers.start);
    const end = new RegExp(config.folding.markers.end);
    expect(start.test('// #region PCIe tree')).toBe(true);
    expect(end.test('  // #endregion')).toBe(true);
    expect(start.test('  host_bridge hb0 id 8086:2030 {')).toBe(true);
    expect(end.test('  }')).toBe(true);
    expect(start.test('  nic nic0 04:00.0 { bar 0 0x60_0000_0000 size 64K }')).toBe(false);
  });
});
