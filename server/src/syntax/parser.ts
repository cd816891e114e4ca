// The parser of docs/language.md §3, built on chevrotain's EmbeddedActionsParser so that it
// returns the typed tree of ast.ts directly.
//
// Recovery works on two levels:
// - `use`, `platform`, `buffer` and `share` can only start a top-level statement, so
//   the token stream is cut before each of them and every statement is parsed on its
//   own: a missing `}` or a stray token never spills into the next statement;
// - inside a statement chevrotain's single-token insertion/deletion and in-repetition
//   re-sync keep the rest of a block.

import { EmbeddedActionsParser, EOF, type IToken, type TokenType, type IParserErrorMessageProvider } from 'chevrotain';
import type * as A from './ast';
import * as T from './lexer';
import { kw, type Keyword } from './lexer';
import { STATEMENT_STARTERS, type BlockKind } from './blocks';
import { closeByIndent, namedAfter, repairTypo, statementTypo } from './recover';
import { LineIndex, SourceSpan } from './lineIndex';
import { bdfParts, integerValue, pciIdParts, sizeValue, stringValue } from './values';

type Rule<R> = (idx?: number) => R;

const MAX_U64 = (1n << 64n) - 1n;

/** The statement keywords that may appear inside each block, for error messages. */
const BLOCK_CONTENTS: Record<string, string> = {
  platformDecl: 'cpu, kernel, iommu, memory, host_bridge, link, platform_device, iommufd or kvm',
  kernelDecl: 'version, move_notify, forcedac, swiotlb_off, swiotlb_force, cc_guest or disable_acs_redir',
  iommuDecl: 'reserve or aperture',
  hostBridgeDecl: 'window, root_port, switch, port or an endpoint (gpu, nic, nvme, accel, fpga, endpoint)',
  rootPortDecl: 'switch, port or an endpoint',
  switchDecl: 'port or an endpoint',
  portDecl: 'switch, port or an endpoint',
  epBlock: 'bar, dma_mask, bus_dma_limit, ats, tph, untrusted, acs, acs_ctl, acs_cap, iommu or vf',

  platformDeviceDecl: 'dma_mask, dma_range, iommu or parent',
  bufferDecl: 'size, placement, bar, range, at, fallback or caching',
  shareDecl: 'attach, move_notify, peer2peer, via, devices, ats, tph, caching or expect',
};

function describe(tok: IToken): string {
  if (tok.tokenType === EOF) return 'the end of the statement';
  if (tok.tokenType === T.Name) return `'${tok.image}'`;
  if (tok.tokenType === T.UnterminatedComment) return 'an unterminated comment';
  if (tok.tokenType === T.UnterminatedString) return 'an unterminated string';
  return `'${tok.image}'`;
}

/** The whole message when the offending token is an unterminated comment or string. */
function unterminated(tok: IToken | undefined): string | undefined {
  if (tok?.tokenType === T.UnterminatedComment) return "unterminated comment: '/*' without '*/'";
  if (tok?.tokenType === T.UnterminatedString) return "unterminated string: no closing '\"' on the line";
  return undefined;
}

function label(t: TokenType): string {
  return t.LABEL ?? t.name;
}

function oneOf(labels: string[]): string {
  const uniq = [...new Set(labels)];
  if (uniq.length <= 1) return uniq[0] ?? 'something else';
  if (uniq.length > 8) return `${uniq.slice(0, 8).join(', ')}, …`;
  return `${uniq.slice(0, -1).join(', ')} or ${uniq[uniq.length - 1]}`;
}

/** The block kind of each rule that reads a block (blocks.ts), for the keywords a misspelled word may have meant. */
const BLOCK_OF_RULE: Record<string, BlockKind> = {
  platformDecl: 'platform',
  kernelDecl: 'kernel',
  iommuDecl: 'iommu',
  hostBridgeDecl: 'hostBridge',
  rootPortDecl: 'bridge',
  switchDecl: 'bridge',
  portDecl: 'bridge',
  epBlock: 'endpoint',
  platformDeviceDecl: 'pdev',
  bufferDecl: 'buffer',
  shareDecl: 'share',
};

/**
 * The keywords the parser would have taken where it stopped at a token, noted as the
 * message is built, so that a misspelled word can be repaired (`repairTypo`).
 */
const expectedAt = new WeakMap<IToken, readonly string[]>();

function noteExpected(actual: IToken | undefined, types: readonly (TokenType | undefined)[]): void {
  if (!actual) return;
  const words = types.flatMap((t) => (t && t.name.startsWith('KW_') ? [String(t.LABEL).slice(1, -1)] : []));
  if (words.length > 0) expectedAt.set(actual, words);
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    const u = unterminated(actual);
    if (u) return u;
    const after = previous && previous.image ? ` after '${previous.image}'` : '';
    if (expected === T.RBrace && BLOCK_CONTENTS[ruleName] && actual.tokenType !== EOF) {
      const kind = BLOCK_OF_RULE[ruleName];
      if (kind) expectedAt.set(actual, STATEMENT_STARTERS[kind]);
      return `unexpected ${describe(actual)}: expected ${BLOCK_CONTENTS[ruleName]}, or '}' to close the block`;
    }
    noteExpected(actual, [expected]);
    if (expected === T.RBrace) return `expected '}' to close the block${after}`;
    if (expected === EOF) return `unexpected ${describe(actual)}: every statement starts with its keyword`;
    return `expected ${label(expected)}${after}, found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    const u = unterminated(firstRedundant);
    if (u) return u;
    return `unexpected ${describe(firstRedundant)}: every statement starts with its keyword`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, ruleName }) {
    const u = unterminated(actual[0]);
    if (u) return u;
    const firsts = expectedPathsPerAlt.flatMap((paths) => paths.map((p) => (p[0] ? label(p[0]) : '')));
    noteExpected(actual[0], expectedPathsPerAlt.flatMap((paths) => paths.map((p) => p[0])));
    const after = previous && previous.image ? ` after '${previous.image}'` : '';
    const found = actual[0] ? describe(actual[0]) : 'nothing';
    if (ruleName === 'sizeValue') return `expected a size such as 64M${after}, found ${found}`;
    return `expected ${oneOf(firsts.filter((s) => s))}${after}, found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, previous }) {
    const u = unterminated(actual[0]);
    if (u) return u;
    const firsts = expectedIterationPaths.map((p) => (p[0] ? label(p[0]) : ''));
    noteExpected(actual[0], expectedIterationPaths.map((p) => p[0]));
    const after = previous && previous.image ? ` after '${previous.image}'` : '';
    return `expected ${oneOf(firsts)}${after}, found ${actual[0] ? describe(actual[0]) : 'nothing'}`;
  },
};

/** What a malformed size was meant to be: `1g` → `1G`, `64KB` → `64K`; undefined when it cannot be told. */
function meantSize(image: string): { text: string; value: bigint } | undefined {
  const m = /^([0-9][0-9_]*)([kmgtKMGT])(?:i?b|I?B)?$/.exec(image);
  if (!m) return undefined;
  const text = `${m[1]}${m[2]!.toUpperCase()}`;
  return { text, value: sizeValue(text) };
}

/** What a malformed BDF was meant to be, padded: `3:0.0` → `03:00.0`; undefined when it cannot be told. */
function meantBdf(image: string): string | undefined {
  const m = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/.exec(image);
  if (!m) return undefined;
  const seg = m[1] === undefined ? '' : `${m[1].padStart(4, '0')}:`;
  return `${seg}${m[2]!.padStart(2, '0')}:${m[3]!.padStart(2, '0')}.${m[4]}`;
}

/** The token a name rule gives when there is no name: empty, like chevrotain's inserted tokens. */
function missingToken(): IToken {
  return {
    image: '',
    startOffset: NaN,
    endOffset: NaN,
    startLine: NaN,
    endLine: NaN,
    startColumn: NaN,
    endColumn: NaN,
    tokenType: T.Name,
    tokenTypeIdx: T.Name.tokenTypeIdx!,
    isInsertedInRecovery: true,
  };
}

class DmabufParser extends EmbeddedActionsParser {
  lines: LineIndex = new LineIndex('');

  /**
   * `validate`: run chevrotain's grammar validations (ambiguities, left recursion…). They
   * cost every process start about 15 ms and cannot change while the grammar does not,
   * so only `checkGrammar()` (run by the tests) asks for them.
   */
  constructor(validate = false) {
    super(T.allTokens, { recoveryEnabled: true, errorMessageProvider: messages, maxLookahead: 2, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  // --------------------------------------------------------------- helpers

  private spanOf(startOffset: number, endOffset: number): A.Span {
    return new SourceSpan(startOffset, endOffset, this.lines);
  }

  /** The range of a token; an inserted (virtual) token gets an empty range after the previous one. */
  tokSpan(t: IToken): A.Span {
    if (t.isInsertedInRecovery || Number.isNaN(t.startOffset)) {
      const prev = this.LA(0);
      const at = prev && !Number.isNaN(prev.startOffset) ? T.tokenEnd(prev) : 0;
      return this.spanOf(at, at);
    }
    return this.spanOf(t.startOffset, T.tokenEnd(t));
  }

  /** From a token that started a node to the last token consumed. */
  spanFrom(first: IToken): A.Span {
    const start = this.tokSpan(first).startOffset;
    const last = this.LA(0);
    const end = last && !Number.isNaN(last.startOffset) ? T.tokenEnd(last) : start;
    return this.spanOf(start, Math.max(start, end));
  }

  name(t: IToken): A.Name {
    const n = { text: t.image, span: this.tokSpan(t) };
    if (t.tokenType === T.DashedName) {
      const fixed = t.image.replace(/-/g, '_');
      this.malformed(t, `names may not contain '-': write '${fixed}' (a '-' belongs only to keywords such as vfio-pci)`, fixed);
    }
    return n;
  }

  /** Errors of literals that were read in place of what they were meant to be (lexer.ts, "Malformed literals"). */
  valueErrors: A.SyntaxError[] = [];

  private malformed(t: IToken, message: string, replace?: string): void {
    this.valueErrors.push({ message, span: this.tokSpan(t), ...(replace === undefined ? {} : { replace }) });
  }

  /** Whether the next token is on the line of the token before it (a keyword as a name must be: see `nameTok`). */
  private nextOnSameLine(): boolean {
    const prev = this.LA(0);
    const next = this.LA(1);
    if (!prev || Number.isNaN(prev.startOffset) || Number.isNaN(next.startOffset)) return false;
    return this.lines.positionAt(T.tokenEnd(prev)).line === this.lines.positionAt(next.startOffset).line;
  }

  word<W extends string>(t: IToken): A.Word<W> {
    // The token type's keyword, not the image: a misspelled keyword repaired by `repairTypo` keeps its text.
    return { value: (T.keywordOf(t.tokenType) ?? t.image) as W, span: this.tokSpan(t) };
  }

  int(t: IToken): A.IntLit {
    if (t.tokenType === T.MalformedNumber || t.tokenType === T.MalformedBdf) {
      this.malformed(t, `'${t.image}' is not a number: write decimal digits or 0x and hex digits, with '_' between digits if you like (0x8000_0000)`);
      return { value: 0n, text: t.image, span: this.tokSpan(t) };
    }
    return this.noteWidth({ value: integerValue(t.image), text: t.image, span: this.tokSpan(t) });
  }

  size(t: IToken): A.SizeLit {
    if (t.tokenType === T.MalformedNumber || t.tokenType === T.MalformedBdf) {
      const meant = meantSize(t.image);
      const hint = meant ? `: did you mean '${meant.text}'?` : '';
      this.malformed(
        t,
        `'${t.image}' is not a size: write a decimal number with K, M, G or T (or KiB, MiB, GiB, TiB) right after it, upper case, or a plain number of bytes${hint}`,
        meant?.text,
      );
      // The size meant, so that the buffer is not also reported as having none.
      return { value: meant?.value ?? 0n, text: t.image, span: this.tokSpan(t) };
    }
    return this.noteWidth({ value: sizeValue(t.image), text: t.image, span: this.tokSpan(t) });
  }

  /** Literals wider than 64 bits, noted once as they are converted (the model reports them). */
  wideLiterals: A.IntLit[] = [];

  private noteWidth(lit: A.IntLit): A.IntLit {
    if (lit.value > MAX_U64) this.wideLiterals.push(lit);
    return lit;
  }

  /** A rule that consumes one of several keywords and returns it as a token. */
  private wordRule(name: string, words: Keyword[]): Rule<IToken> {
    return this.RULE(name, () => this.OR(words.map((w) => ({ ALT: () => this.CONSUME(kw(w)) }))));
  }

  // --------------------------------------------------------------- shared pieces

  sizeValue = this.RULE('sizeValue', (): IToken => this.OR([{ ALT: () => this.CONSUME(T.Size) }, { ALT: () => this.CONSUME(T.Integer) }]));

  bdf = this.RULE('bdf', (): A.BdfLit => {
    const t = this.OR([{ ALT: () => this.CONSUME(T.BdfSeg) }, { ALT: () => this.CONSUME(T.BdfShort) }]);
    return this.ACTION(() => {
      if (t.tokenType !== T.MalformedBdf) return { ...bdfParts(t.image), text: t.image, span: this.tokSpan(t) };
      const meant = meantBdf(t.image);
      const hint = meant ? `: did you mean '${meant}'?` : '';
      this.malformed(t, `'${t.image}' is not a BDF: write bus:device.function in hex, two digits for bus and device and one for the function (03:00.0), with an optional 4-digit segment (0000:03:00.0)${hint}`, meant);
      return { ...bdfParts(meant ?? ''), text: t.image, span: this.tokSpan(t) };
    });
  });

  pciId = this.RULE('pciId', (): A.PciIdLit => {
    const t = this.CONSUME(T.PciId);
    return this.ACTION(() => {
      if (t.tokenType === T.MalformedBdf) this.malformed(t, `'${t.image}' is not a PCI id: write vendor:device as four hex digits each (8086:2030)`);
      return { ...pciIdParts(t.image), text: t.image, span: this.tokSpan(t) };
    });
  });

  /**
   * A name; a keyword is one too where the grammar expects a name (`buffer vram from
   * gpu0`, `share bar -> nic0`), when it stands on the line of the word before it: a
   * keyword at the start of the next line begins the next statement, and the name is
   * what is missing. A version-1 file has no keyword in a name's place, so none changes.
   */
  nameTok = this.RULE(
    'nameTok',
    (): IToken =>
      this.OR([{ ALT: () => this.CONSUME(T.Name) }, { GATE: () => this.nextOnSameLine(), ALT: () => this.CONSUME(T.KeywordName) }]),
    { recoveryValueFunc: () => missingToken() },
  );

  addrRange = this.RULE('addrRange', (): A.AddrRange => {
    const first = this.CONSUME1(T.Integer);
    let lastTok: IToken | undefined;
    let sizeTok: IToken | undefined;
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.DotDot);
          lastTok = this.CONSUME2(T.Integer);
        },
      },
      {
        ALT: () => {
          this.CONSUME(kw('size'));
          sizeTok = this.SUBRULE(this.sizeValue);
        },
      },
    ]);
    return this.ACTION(() => ({
      kind: 'AddrRange' as const,
      first: this.int(first),
      lastLit: lastTok ? this.int(lastTok) : undefined,
      sizeLit: sizeTok ? this.size(sizeTok) : undefined,
      span: this.spanFrom(first),
    }));
  });

  // --------------------------------------------------------------- top level

  /** One top-level statement followed by the end of its slice of tokens (see parse()). */
  /** The statement read by the last `statement()`, kept even when stray tokens follow it. */
  lastStatement: A.TopItem | undefined;

  statement = this.RULE('statement', (): A.TopItem => {
    const node = this.OR([
      { ALT: () => this.SUBRULE(this.useDecl) },
      { ALT: () => this.SUBRULE(this.platformDecl) },
      { ALT: () => this.SUBRULE(this.bufferDecl) },
      { ALT: () => this.SUBRULE(this.shareDecl) },
    ]);
    this.ACTION(() => {
      this.lastStatement = node;
    });
    this.CONSUME(EOF);
    return node;
  });

  useDecl = this.RULE('useDecl', (): A.UseDecl => {
    const k = this.CONSUME(kw('use'));
    const s = this.CONSUME(T.StringLiteral);
    return this.ACTION(() => ({
      kind: 'Use' as const,
      path: { value: stringValue(s.image), span: this.tokSpan(s) },
      span: this.spanFrom(k),
    }));
  });

  platformDecl = this.RULE('platformDecl', (): A.PlatformDecl => {
    const k = this.CONSUME(kw('platform'));
    const n = this.SUBRULE(this.nameTok);
    const items: A.PlatformItem[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const item = this.SUBRULE(this.platformItem);
      if (item) items.push(item);
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: 'Platform' as const, name: this.name(n), items, span: this.spanFrom(k) }));
  });

  platformItem = this.RULE('platformItem', (): A.PlatformItem | undefined =>
    this.OR([
      { ALT: () => this.SUBRULE(this.cpuDecl) },
      { ALT: () => this.SUBRULE(this.kernelDecl) },
      { ALT: () => this.SUBRULE(this.iommuDecl) },
      { ALT: () => this.SUBRULE(this.memoryDecl) },
      { ALT: () => this.SUBRULE(this.hostBridgeDecl) },
      { ALT: () => this.SUBRULE(this.linkDecl) },
      { ALT: () => this.SUBRULE(this.platformDeviceDecl) },
      { ALT: () => this.SUBRULE(this.iommufdDecl) },
      { ALT: () => this.SUBRULE(this.kvmDecl) },
    ]),
  );

  cpuVendor = this.wordRule('cpuVendor', ['intel', 'amd', 'hygon', 'arm', 'other']);

  cpuDecl = this.RULE('cpuDecl', (): A.CpuDecl | undefined => {
    const k = this.CONSUME(kw('cpu'));
    const v = this.SUBRULE(this.cpuVendor);
    let fam: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(kw('family'));
      fam = this.CONSUME(T.Integer);
    });
    return this.ACTION(() =>
      v
        ? {
            kind: 'Cpu' as const,
            vendor: this.word<A.CpuVendor>(v),
            family: fam ? this.int(fam) : undefined,
            span: this.spanFrom(k),
          }
        : undefined,
    );
  });

  kernelFlag = this.wordRule('kernelFlag', ['move_notify', 'forcedac', 'swiotlb_off', 'swiotlb_force', 'cc_guest']);

  kernelDecl = this.RULE('kernelDecl', (): A.KernelDecl => {
    const k = this.CONSUME(kw('kernel'));
    const options: A.KernelOpt[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const f = this.SUBRULE(this.kernelFlag);
            this.ACTION(() => {
              const span = this.tokSpan(f);
              options.push({ kind: 'KernelFlag', flag: this.word<A.KernelFlag>(f), span });
            });
          },
        },
        {
          // `version` is not reserved (a version-1 file may use it as a name): it is a
          // word only here, at the start of a kernel-block statement.
          GATE: () => this.LA(1).image === 'version',
          ALT: () => {
            const v = this.CONSUME(T.Name);
            const r = this.CONSUME(T.Release);
            this.ACTION(() =>
              options.push({ kind: 'KernelVersion', value: r.isInsertedInRecovery || !r.image ? undefined : { text: r.image, span: this.tokSpan(r) }, span: this.spanFrom(v) }),
            );
          },
        },
        {
          ALT: () => {
            const d = this.CONSUME(kw('disable_acs_redir'));
            const bdfs: A.BdfLit[] = [];
            const b0 = this.SUBRULE1(this.bdf);
            if (b0) bdfs.push(b0);
            this.MANY1(() => {
              this.CONSUME(T.Comma);
              const b = this.SUBRULE2(this.bdf);
              if (b) bdfs.push(b);
            });
            this.ACTION(() => options.push({ kind: 'DisableAcsRedir', bdfs, span: this.spanFrom(d) }));
          },
        },
      ]);
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: 'Kernel' as const, options, span: this.spanFrom(k) }));
  });

  iommuType = this.wordRule('iommuType', ['vtd', 'amd-vi', 'smmu']);
  iommuMode = this.wordRule('iommuMode', ['dma', 'lazy', 'identity']);

  iommuDecl = this.RULE('iommuDecl', (): A.IommuDecl | undefined => {
    const k = this.CONSUME(kw('iommu'));
    const t = this.SUBRULE(this.iommuType);
    let mode: IToken | undefined;
    const reserves: A.AddrRange[] = [];
    const apertures: A.IntLit[] = [];
    this.OPTION(() => {
      this.CONSUME(kw('mode'));
      mode = this.SUBRULE(this.iommuMode);
    });
    this.OPTION1(() => {
      this.CONSUME(T.LBrace);
      this.MANY(() => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(kw('reserve'));
              const r = this.SUBRULE(this.addrRange);
              if (r) reserves.push(r);
            },
          },
          {
            ALT: () => {
              this.CONSUME(kw('aperture'));
              const a = this.CONSUME(T.Integer);
              this.ACTION(() => apertures.push(this.int(a)));
            },
          },
        ]);
      });
      this.CONSUME(T.RBrace);
    });
    return this.ACTION(() =>
      t
        ? {
            kind: 'Iommu' as const,
            type: this.word<A.IommuType>(t),
            mode: mode ? this.word<A.IommuMode>(mode) : undefined,
            reserves,
            apertures,
            span: this.spanFrom(k),
          }
        : undefined,
    );
  });

  memoryDecl = this.RULE('memoryDecl', (): A.MemoryDecl | undefined => {
    const k = this.CONSUME(kw('memory'));
    const n = this.SUBRULE(this.nameTok);
    const range = this.SUBRULE(this.addrRange);
    let node: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(kw('node'));
      node = this.CONSUME(T.Integer);
    });
    return this.ACTION(() =>
      range
        ? {
            kind: 'Memory' as const,
            name: this.name(n),
            range,
            node: node ? this.int(node) : undefined,
            span: this.spanFrom(k),
          }
        : undefined,
    );
  });

  hostBridgeDecl = this.RULE('hostBridgeDecl', (): A.HostBridgeDecl => {
    const k = this.CONSUME(kw('host_bridge'));
    const n = this.SUBRULE(this.nameTok);
    let id: A.PciIdLit | undefined;
    let node: IToken | undefined;
    const windows: A.WindowDecl[] = [];
    const children: A.PciNode[] = [];
    this.OPTION(() => {
      this.CONSUME(kw('id'));
      id = this.SUBRULE(this.pciId);
    });
    this.OPTION1(() => {
      this.CONSUME(kw('node'));
      node = this.CONSUME(T.Integer);
    });
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR([
        { ALT: () => { const w = this.SUBRULE(this.windowDecl); if (w) windows.push(w); } },
        { ALT: () => { const c = this.SUBRULE(this.pciNode); if (c) children.push(c); } },
      ]);
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({
      kind: 'HostBridge' as const,
      name: this.name(n),
      id,
      node: node ? this.int(node) : undefined,
      windows,
      children,
      span: this.spanFrom(k),
    }));
  });

  windowDecl = this.RULE('windowDecl', (): A.WindowDecl | undefined => {
    const k = this.CONSUME(kw('window'));
    const range = this.SUBRULE(this.addrRange);
    let off: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(kw('offset'));
      off = this.CONSUME(T.Integer);
    });
    return this.ACTION(() => (range ? { kind: 'Window' as const, range, offset: off ? this.int(off) : undefined, span: this.spanFrom(k) } : undefined));
  });

  linkType = this.wordRule('linkType', ['xgmi', 'nvlink']);

  linkDecl = this.RULE('linkDecl', (): A.LinkDecl | undefined => {
    const k = this.CONSUME(kw('link'));
    const t = this.SUBRULE(this.linkType);
    const members: IToken[] = [];
    members.push(this.SUBRULE1(this.nameTok));
    this.CONSUME1(T.Comma);
    members.push(this.SUBRULE2(this.nameTok));
    this.MANY(() => {
      this.CONSUME2(T.Comma);
      members.push(this.SUBRULE3(this.nameTok));
    });
    return this.ACTION(() =>
      t
        ? {
            kind: 'Link' as const,
            type: this.word<A.LinkType>(t),
            members: members.filter((m) => m && !m.isInsertedInRecovery).map((m) => this.name(m)),
            span: this.spanFrom(k),
          }
        : undefined,
    );
  });

  pdevIommu = this.wordRule('pdevIommu', ['dma', 'identity', 'off', 'private']);

  platformDeviceDecl = this.RULE('platformDeviceDecl', (): A.PlatformDeviceDecl => {
    const k = this.CONSUME(kw('platform_device'));
    const n = this.SUBRULE(this.nameTok);
    const items: A.PdevItem[] = [];
    this.OPTION(() => {
      this.CONSUME(T.LBrace);
      this.MANY(() => {
        this.OR([
          {
            ALT: () => {
              const s = this.CONSUME(kw('dma_mask'));
              const v = this.CONSUME1(T.Integer);
              this.ACTION(() => items.push({ kind: 'DmaMask', bits: this.int(v), span: this.spanFrom(s) }));
            },
          },
          {
            ALT: () => {
              const s = this.CONSUME(kw('dma_range'));
              const bus = this.CONSUME2(T.Integer);
              this.CONSUME(T.Arrow);
              const cpu = this.CONSUME3(T.Integer);
              this.CONSUME(kw('size'));
              const size = this.SUBRULE(this.sizeValue);
              this.ACTION(() => {
                if (size) items.push({ kind: 'DmaRange', bus: this.int(bus), cpu: this.int(cpu), size: this.size(size), span: this.spanFrom(s) });
              });
            },
          },
          {
            ALT: () => {
              const s = this.CONSUME(kw('iommu'));
              const m = this.SUBRULE(this.pdevIommu);
              this.ACTION(() => {
                if (m) items.push({ kind: 'IommuOverride', mode: this.word<A.PdevIommu>(m), span: this.spanFrom(s) });
              });
            },
          },
          {
            ALT: () => {
              const s = this.CONSUME(kw('parent'));
              const p = this.SUBRULE1(this.nameTok);
              this.ACTION(() => items.push({ kind: 'Parent', parent: this.name(p), span: this.spanFrom(s) }));
            },
          },
        ]);
      });
      this.CONSUME(T.RBrace);
    });
    return this.ACTION(() => ({ kind: 'PlatformDevice' as const, name: this.name(n), items, span: this.spanFrom(k) }));
  });

  iommufdDecl = this.RULE('iommufdDecl', (): A.IommufdDecl => {
    const k = this.CONSUME(kw('iommufd'));
    const n = this.SUBRULE(this.nameTok);
    return this.ACTION(() => ({ kind: 'Iommufd' as const, name: this.name(n), span: this.spanFrom(k) }));
  });

  kvmDecl = this.RULE('kvmDecl', (): A.KvmDecl => {
    const k = this.CONSUME(kw('kvm'));
    const n = this.SUBRULE(this.nameTok);
    return this.ACTION(() => ({ kind: 'Kvm' as const, name: this.name(n), span: this.spanFrom(k) }));
  });

  // --------------------------------------------------------------- PCIe tree

  pciNode = this.RULE('pciNode', (): A.PciNode =>
    this.OR([
      { ALT: () => this.SUBRULE(this.rootPortDecl) },
      { ALT: () => this.SUBRULE(this.switchDecl) },
      { ALT: () => this.SUBRULE(this.portDecl) },
      { ALT: () => this.SUBRULE(this.endpointDecl) },
    ]),
  );

  acsBit = this.wordRule('acsBit', ['sv', 'tb', 'rr', 'cr', 'uf', 'ec', 'dt']);

  /** `acs`, or the registers as lspci shows them: `acs_ctl BITS` and/or `acs_cap BITS` (an extension, docs/language.md). */
  acsDecl = this.RULE('acsDecl', (): A.AcsDecl => {
    let first: IToken | undefined;
    let ctl: IToken[] | undefined;
    let cap: IToken[] | undefined;
    this.OR([
      { ALT: () => { first = this.CONSUME(kw('acs')); } },
      {
        ALT: () => {
          this.AT_LEAST_ONE(() => {
            this.OR1([
              {
                ALT: () => {
                  const k = this.CONSUME(kw('acs_ctl'));
                  first ??= k;
                  const bits: IToken[] = [];
                  this.AT_LEAST_ONE1(() => bits.push(this.SUBRULE(this.acsBit)));
                  ctl = bits;
                },
              },
              {
                ALT: () => {
                  const k = this.CONSUME(kw('acs_cap'));
                  first ??= k;
                  const bits: IToken[] = [];
                  this.AT_LEAST_ONE2(() => bits.push(this.SUBRULE1(this.acsBit)));
                  cap = bits;
                },
              },
            ]);
          });
        },
      },
    ]);
    const words = (bits: IToken[] | undefined) => bits?.filter((b) => b && !b.isInsertedInRecovery).map((b) => this.word<A.AcsBit>(b));
    return this.ACTION(() => ({ kind: 'Acs' as const, ctl: words(ctl), cap: words(cap), span: this.spanFrom(first!) }));
  });

  /** `root_port`, `switch` and `port` share a shape: NAME [BDF] [acs] [{ children }]. */
  private bridgeRule<K extends 'RootPort' | 'Switch' | 'Port'>(ruleName: string, keyword: Keyword, kind: K, blockRequired: boolean) {
    return this.RULE(ruleName, () => {
      const k = this.CONSUME(kw(keyword));
      const n = this.SUBRULE(this.nameTok);
      let bdf: A.BdfLit | undefined;
      let acs: A.AcsDecl | undefined;
      const children: A.PciNode[] = [];
      this.OPTION(() => { bdf = this.SUBRULE(this.bdf); });
      this.OPTION1(() => { acs = this.SUBRULE(this.acsDecl); });
      const block = () => {
        this.CONSUME(T.LBrace);
        this.MANY(() => {
          const c = this.SUBRULE(this.pciNode);
          if (c) children.push(c);
        });
        this.CONSUME(T.RBrace);
      };
      if (blockRequired) block();
      else this.OPTION2(block);
      return this.ACTION(() => ({ kind, name: this.name(n), bdf, acs, children, span: this.spanFrom(k) }));
    });
  }

  rootPortDecl: Rule<A.RootPortDecl> = this.bridgeRule('rootPortDecl', 'root_port', 'RootPort', false);
  switchDecl: Rule<A.SwitchDecl> = this.bridgeRule('switchDecl', 'switch', 'Switch', true);
  portDecl: Rule<A.PortDecl> = this.bridgeRule('portDecl', 'port', 'Port', false);

  endpointClass = this.wordRule('endpointClass', ['gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint']);
  epIommu = this.wordRule('epIommu', ['dma', 'identity', 'private']);
  epFlag = this.wordRule('epFlag', ['ats', 'tph', 'untrusted']);
  importerKind = this.wordRule('importerKind', [
    'rdma-odp', 'rdma-pinned', 'rdma-pinned-revocable', 'amdgpu', 'xe', 'v4l2', 'drm-prime', 'devmem-tcp', 'io-uring-zcrx', 'iommufd',
  ]);

  /** Extension: `importer K` (a share item and an endpoint item). */
  importerItem = this.RULE('importerItem', (): A.ImporterItem | undefined => {
    const s = this.CONSUME(kw('importer'));
    const k = this.SUBRULE(this.importerKind);
    return this.ACTION(() => (k ? { kind: 'Importer' as const, importer: this.word<A.ImporterKindName>(k), span: this.spanFrom(s) } : undefined));
  });

  endpointDecl = this.RULE('endpointDecl', (): A.EndpointDecl => {
    const c = this.SUBRULE(this.endpointClass);
    const n = this.SUBRULE(this.nameTok);
    let bdf: A.BdfLit | undefined;
    let id: A.PciIdLit | undefined;
    let items: A.EpItem[] = [];
    this.OPTION(() => { bdf = this.SUBRULE(this.bdf); });
    this.OPTION1(() => {
      this.CONSUME(kw('id'));
      id = this.SUBRULE(this.pciId);
    });
    this.OPTION2(() => { items = this.SUBRULE(this.epBlock); });
    return this.ACTION(() => ({
      kind: 'Endpoint' as const,
      cls: this.word<A.EndpointClass>(c),
      name: this.name(n),
      bdf,
      id,
      items: items ?? [],
      span: this.spanFrom(c),
    }));
  });

  epBlock = this.RULE('epBlock', (): A.EpItem[] => {
    const items: A.EpItem[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const item = this.SUBRULE(this.epItem);
      if (item) items.push(item);
    });
    this.CONSUME(T.RBrace);
    return items;
  });

  epItem = this.RULE('epItem', (): A.EpItem | undefined =>
    this.OR([
      { ALT: () => this.SUBRULE(this.barDecl) },
      {
        ALT: () => {
          const s = this.CONSUME(kw('dma_mask'));
          const v = this.CONSUME1(T.Integer);
          return this.ACTION(() => ({ kind: 'DmaMask' as const, bits: this.int(v), span: this.spanFrom(s) }));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('bus_dma_limit'));
          const v = this.CONSUME2(T.Integer);
          return this.ACTION(() => ({ kind: 'BusDmaLimit' as const, limit: this.int(v), span: this.spanFrom(s) }));
        },
      },
      {
        ALT: () => {
          const f = this.SUBRULE(this.epFlag);
          return this.ACTION(() => ({ kind: 'EpFlag' as const, flag: this.word<'ats' | 'tph' | 'untrusted'>(f), span: this.tokSpan(f) }));
        },
      },
      { ALT: () => this.SUBRULE(this.acsDecl) },
      {
        ALT: () => {
          const s = this.CONSUME(kw('iommu'));
          const m = this.SUBRULE(this.epIommu);
          return this.ACTION(() => (m ? { kind: 'IommuOverride' as const, mode: this.word<A.EpIommu>(m), span: this.spanFrom(s) } : undefined));
        },
      },
      { ALT: () => this.SUBRULE(this.importerItem) },
      {
        ALT: () => {
          const s = this.CONSUME(kw('no_odp'));
          return this.ACTION(() => ({ kind: 'NoOdp' as const, span: this.tokSpan(s) }));
        },
      },
      { ALT: () => this.SUBRULE(this.vfDecl) },
    ]),
  );

  barDecl = this.RULE('barDecl', (): A.BarDecl | undefined => {
    const k = this.CONSUME(kw('bar'));
    const idx = this.CONSUME(T.Integer);
    const range = this.SUBRULE(this.addrRange);
    let pf = false;
    this.OPTION(() => {
      this.CONSUME(kw('prefetchable'));
      pf = true;
    });
    return this.ACTION(() => (range ? { kind: 'Bar' as const, index: this.int(idx), range, prefetchable: pf, span: this.spanFrom(k) } : undefined));
  });

  vfDecl = this.RULE('vfDecl', (): A.VfDecl => {
    const k = this.CONSUME(kw('vf'));
    const n = this.SUBRULE(this.nameTok);
    let bdf: A.BdfLit | undefined;
    let items: A.EpItem[] = [];
    this.OPTION(() => { bdf = this.SUBRULE(this.bdf); });
    this.OPTION1(() => { items = this.SUBRULE(this.epBlock); });
    return this.ACTION(() => ({ kind: 'Vf' as const, name: this.name(n), bdf, items: items ?? [], span: this.spanFrom(k) }));
  });

  // --------------------------------------------------------------- buffers

  driverName = this.wordRule('driverName', ['amdgpu', 'vfio-pci', 'p2pmem', 'nvidia', 'xe', 'i915', 'nouveau', 'habanalabs', 'rdma']);
  exportFlag = this.wordRule('exportFlag', ['force_pcie', 'coherent', 'passthru', 'p2p_unsupported_chipset', 'dcc']);
  placementWord = this.wordRule('placementWord', ['vram', 'system']);
  cachingWord = this.wordRule('cachingWord', ['cached', 'wc', 'uncached']);

  bufferDecl = this.RULE('bufferDecl', (): A.BufferDecl => {
    const k = this.CONSUME(kw('buffer'));
    const n = this.SUBRULE1(this.nameTok);
    let exporter: IToken | undefined;
    let heap: IToken | undefined;
    let driver: IToken | undefined;
    let version: IToken | undefined;
    const items: A.BufItem[] = [];
    this.CONSUME(kw('from'));
    // `heap` first: a keyword may be a name (`nameTok`), but `from heap` keeps its version-1 meaning.
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [{ ALT: () => { heap = this.CONSUME(kw('heap')); } }, { ALT: () => { exporter = this.SUBRULE2(this.nameTok); } }],
    });
    this.OPTION(() => {
      this.CONSUME(kw('driver'));
      driver = this.SUBRULE(this.driverName);
      this.OPTION1(() => { version = this.CONSUME(T.Integer); });
    });
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const item = this.SUBRULE(this.bufItem);
      if (item) items.push(item);
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({
      kind: 'Buffer' as const,
      name: this.name(n),
      exporter: exporter && !exporter.isInsertedInRecovery ? this.name(exporter) : undefined,
      heap: heap ? this.word<'heap'>(heap) : undefined,
      driver: driver ? this.word<A.DriverName>(driver) : undefined,
      driverVersion: version ? this.int(version) : undefined,
      items,
      span: this.spanFrom(k),
    }));
  });

  bufItem = this.RULE('bufItem', (): A.BufItem | undefined =>
    this.OR([
      {
        ALT: () => {
          const s = this.CONSUME1(kw('size'));
          const v = this.SUBRULE1(this.sizeValue);
          return this.ACTION(() => (v ? { kind: 'BufSize' as const, size: this.size(v), span: this.spanFrom(s) } : undefined));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('placement'));
          const p = this.SUBRULE(this.placementWord);
          return this.ACTION(() => (p ? { kind: 'Placement' as const, placement: this.word<'vram' | 'system'>(p), span: this.spanFrom(s) } : undefined));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('bar'));
          const idx = this.CONSUME1(T.Integer);
          let off: IToken | undefined;
          this.OPTION(() => {
            this.CONSUME1(kw('offset'));
            off = this.SUBRULE2(this.sizeValue);
          });
          return this.ACTION(() => ({
            kind: 'BufBar' as const,
            index: this.int(idx),
            offset: off ? this.size(off) : undefined,
            span: this.spanFrom(s),
          }));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('range'));
          this.CONSUME2(kw('offset'));
          const off = this.SUBRULE3(this.sizeValue);
          this.CONSUME2(kw('size'));
          const size = this.SUBRULE4(this.sizeValue);
          return this.ACTION(() =>
            off && size ? { kind: 'BufRange' as const, offset: this.size(off), size: this.size(size), span: this.spanFrom(s) } : undefined,
          );
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('at'));
          const a = this.CONSUME2(T.Integer);
          return this.ACTION(() => ({ kind: 'At' as const, address: this.int(a), span: this.spanFrom(s) }));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('fallback'));
          this.CONSUME(kw('system'));
          return this.ACTION(() => ({ kind: 'Fallback' as const, span: this.spanFrom(s) }));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('caching'));
          const c = this.SUBRULE(this.cachingWord);
          return this.ACTION(() => (c ? { kind: 'BufCaching' as const, caching: this.word<A.Caching>(c), span: this.spanFrom(s) } : undefined));
        },
      },
      {
        ALT: () => {
          const f = this.SUBRULE(this.exportFlag);
          return this.ACTION(() => (f ? { kind: 'ExportFlag' as const, flag: this.word<A.ExportFlag>(f), span: this.spanFrom(f) } : undefined));
        },
      },
    ]),
  );

  // --------------------------------------------------------------- shares

  attachMode = this.wordRule('attachMode', ['static', 'dynamic']);
  shareFlag = this.wordRule('shareFlag', ['move_notify', 'peer2peer', 'ats', 'tph']);
  viaWord = this.wordRule('viaWord', ['sgt', 'pfn', 'mmap']);
  expectWord = this.wordRule('expectWord', [
    'bus_addr', 'thru_host_bridge', 'not_supported', 'fails', 'vram', 'system', 'bus', 'iova', 'phys', 'swiotlb',
  ]);

  shareDecl = this.RULE('shareDecl', (): A.ShareDecl => {
    const k = this.CONSUME(kw('share'));
    const b = this.SUBRULE1(this.nameTok);
    let importer: IToken | undefined;
    let cpu: IToken | undefined;
    let alias: IToken | undefined;
    const items: A.ShareItem[] = [];
    this.CONSUME(T.Arrow);
    // `cpu` first: `-> cpu` is the CPU (version 1), never a device named cpu.
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [{ ALT: () => { cpu = this.CONSUME(kw('cpu')); } }, { ALT: () => { importer = this.SUBRULE2(this.nameTok); } }],
    });
    this.OPTION(() => {
      this.CONSUME(kw('as'));
      alias = this.SUBRULE3(this.nameTok);
    });
    this.OPTION1(() => {
      this.CONSUME(T.LBrace);
      this.MANY(() => {
        const item = this.SUBRULE(this.shareItem);
        if (item) items.push(item);
      });
      this.CONSUME(T.RBrace);
    });
    return this.ACTION(() => ({
      kind: 'Share' as const,
      buffer: this.name(b),
      importer: importer && !importer.isInsertedInRecovery ? this.name(importer) : undefined,
      cpu: cpu ? this.word<'cpu'>(cpu) : undefined,
      alias: alias && !alias.isInsertedInRecovery ? this.name(alias) : undefined,
      items,
      span: this.spanFrom(k),
    }));
  });

  shareItem = this.RULE('shareItem', (): A.ShareItem | undefined =>
    this.OR([
      { ALT: () => this.SUBRULE1(this.importerItem) },
      {
        ALT: () => {
          const s = this.CONSUME(kw('attach'));
          const m = this.SUBRULE(this.attachMode);
          return this.ACTION(() => (m ? { kind: 'Attach' as const, mode: this.word<'static' | 'dynamic'>(m), span: this.spanFrom(s) } : undefined));
        },
      },
      {
        ALT: () => {
          const f = this.SUBRULE(this.shareFlag);
          return this.ACTION(() => ({
            kind: 'ShareFlag' as const,
            flag: this.word<'move_notify' | 'peer2peer' | 'ats' | 'tph'>(f),
            span: this.tokSpan(f),
          }));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('via'));
          const v = this.SUBRULE(this.viaWord);
          return this.ACTION(() => (v ? { kind: 'Via' as const, via: this.word<'sgt' | 'pfn' | 'mmap'>(v), span: this.spanFrom(s) } : undefined));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('devices'));
          const names: IToken[] = [this.SUBRULE1(this.nameTok)];
          this.MANY(() => {
            this.CONSUME(T.Comma);
            names.push(this.SUBRULE2(this.nameTok));
          });
          return this.ACTION(() => ({
            kind: 'Devices' as const,
            devices: names.filter((n) => !n.isInsertedInRecovery).map((n) => this.name(n)),
            span: this.spanFrom(s),
          }));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('caching'));
          const c = this.SUBRULE(this.cachingWord);
          return this.ACTION(() => (c ? { kind: 'ShareCaching' as const, caching: this.word<A.Caching>(c), span: this.spanFrom(s) } : undefined));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('expect'));
          const exps: A.ExpectItem[] = [];
          const e0 = this.SUBRULE1(this.expectation);
          if (e0) exps.push(e0);
          this.MANY1(() => {
            this.CONSUME1(T.Comma);
            const e = this.SUBRULE2(this.expectation);
            if (e) exps.push(e);
          });
          return this.ACTION(() => ({ kind: 'Expect' as const, items: exps, span: this.spanFrom(s) }));
        },
      },
    ]),
  );

  expectation = this.RULE('expectation', (): A.ExpectItem =>
    this.OR([
      {
        ALT: () => {
          const w = this.SUBRULE(this.expectWord);
          return this.ACTION(() => ({ kind: 'ExpectWord' as const, what: this.word<A.Expectation>(w), span: this.tokSpan(w) }));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(kw('address'));
          const a = this.CONSUME(T.Integer);
          return this.ACTION(() => ({ kind: 'ExpectAddress' as const, address: this.int(a), span: this.spanFrom(s) }));
        },
      },
    ]),
  );
}

/** Builds the parser with chevrotain's grammar validations on: throws if the grammar has a defect. */
export function checkGrammar(): void {
  new DmabufParser(true);
}

let instance: DmabufParser | undefined;
function parserInstance(): DmabufParser {
  instance ??= new DmabufParser();
  return instance;
}

const STATEMENT_STARTS = new Set<TokenType>([kw('use'), kw('platform'), kw('buffer'), kw('share')]);

/** The deepest nesting of `{` a statement may have (a PCIe tree is rarely deeper than 10). */
export const MAX_NESTING = 64;

/** The first `{` of tokens[from, to) that opens a block deeper than MAX_NESTING. */
function firstTooDeep(tokens: readonly IToken[], from: number, to: number): IToken | undefined {
  let depth = 0;
  for (let k = from; k < to; k++) {
    const t = tokens[k]!.tokenType;
    if (t === T.LBrace && ++depth > MAX_NESTING) return tokens[k];
    if (t === T.RBrace && depth > 0) depth--;
  }
  return undefined;
}

/** Parses a whole file. Never throws: the tree holds every statement that could be read. */
export function parse(text: string): A.ParseResult {
  const lines = new LineIndex(text);
  const spanOf = (s: number, e: number): A.Span => new SourceSpan(s, e, lines);
  const lexed = T.dmabufLexer.tokenize(text);
  const errors: A.SyntaxError[] = [];
  for (const e of lexed.errors) {
    const ch = text.charAt(e.offset);
    const shown = ch === '\0' ? 'NUL' : ch === '-' ? "'-' (names may not contain '-')" : JSON.stringify(ch);
    errors.push({ message: `unexpected character ${shown}`, span: spanOf(e.offset, e.offset + (e.length || 1)) });
  }
  const comments = (lexed.groups['comments'] ?? []).map((t) => ({ text: t.image, span: spanOf(t.startOffset, T.tokenEnd(t)) }));

  const parser = parserInstance();
  parser.lines = lines;
  const wideLiterals: A.IntLit[] = [];
  const items: A.TopItem[] = [];
  const tokens = lexed.tokens.slice();
  const budget = { tokens: REPAIR_BUDGET };
  /** Whether tokens[k] starts a top-level statement; a misspelled keyword there is repaired (`statementTypo`). */
  const startsStatement = (k: number, depth: number): boolean => {
    if (STATEMENT_STARTS.has(tokens[k]!.tokenType)) return !namedAfter(tokens, k, lines);
    if (depth > 0) return false;
    const typo = statementTypo(tokens, k, lines);
    if (!typo) return false;
    tokens[k] = typo.token;
    errors.push(typo.error);
    return true;
  };
  let i = 0;
  while (i < tokens.length) {
    const isStatement = startsStatement(i, 0);
    let j = i + 1;
    let depth = tokens[i]!.tokenType === T.LBrace ? 1 : 0;
    while (j < tokens.length && !startsStatement(j, depth)) {
      const t = tokens[j]!.tokenType;
      if (t === T.LBrace) depth++;
      else if (t === T.RBrace) depth--;
      j++;
    }
    if (!isStatement) {
      // Tokens before the first statement keyword: one error for the run.
      const first = tokens[i]!;
      const last = tokens[j - 1]!;
      errors.push({
        message: unterminated(first) ?? `unexpected '${first.image}': a model is made of use, platform, buffer and share statements`,
        span: spanOf(first.startOffset, tokenEnd(last)),
      });
      i = j;
      continue;
    }
    const tooDeep = firstTooDeep(tokens, i, j);
    if (tooDeep) {
      // Refused before parsing: the parser and every walk of the tree recurse per level.
      errors.push({
        message: `blocks nested deeper than ${MAX_NESTING} levels: this statement is not read`,
        span: spanOf(tooDeep.startOffset, tokenEnd(tooDeep)),
      });
      i = j;
      continue;
    }
    const closed = closeByIndent(tokens.slice(i, j), lines);
    errors.push(...closed.errors);
    const read = readStatement(parser, closed.tokens, lines, budget);
    errors.push(...read.errors);
    wideLiterals.push(...read.wideLiterals);
    if (read.node) items.push(read.node);
    i = j;
  }
  const model: A.Model = { kind: 'Model', items, span: spanOf(0, text.length) };
  return { model, errors: dedupe(errors), comments, wideLiterals };
}

/** Repairs of misspelled keywords per statement, and the tokens all of a file's re-reads may take: a file full of typos stays linear. */
const MAX_REPAIRS = 8;
const REPAIR_BUDGET = 1_000_000;

interface Read {
  readonly node: A.TopItem | undefined;
  readonly errors: A.SyntaxError[];
  readonly wideLiterals: A.IntLit[];
}

/** One parse of one statement's tokens: the node, and its errors with their ranges. */
function readOnce(parser: DmabufParser, tokens: IToken[], lines: LineIndex): Read & { readonly first: IToken | undefined; readonly firstMessage: string } {
  parser.input = tokens;
  parser.lastStatement = undefined;
  parser.valueErrors = [];
  parser.wideLiterals = [];
  // When stray tokens follow a complete statement the rule gives up at them: keep
  // the statement that was read.
  const node = (parser.statement() as A.TopItem | undefined) ?? parser.lastStatement;
  const errors: A.SyntaxError[] = [...parser.valueErrors];
  const spanOf = (s: number, e: number): A.Span => new SourceSpan(s, e, lines);
  let first: IToken | undefined;
  let firstMessage = '';
  for (const e of parser.errors) {
    const tok = e.token;
    if (Number.isNaN(tok.startOffset) || tok.tokenType === EOF) {
      const prev = (e as { previousToken?: IToken }).previousToken;
      const lastTok = tokens[tokens.length - 1]!;
      const ref = prev && !Number.isNaN(prev.startOffset) ? prev : lastTok;
      const end = T.tokenEnd(ref);
      errors.push({ message: e.message, span: spanOf(end, end) });
      continue;
    }
    // A `}` left over once the parser re-synced after an earlier error is that error's echo, not a mistake of its own.
    if (tok.tokenType === T.RBrace && first && tok.startOffset > first.startOffset) continue;
    if (!first || tok.startOffset < first.startOffset) {
      first = tok;
      firstMessage = e.message;
    }
    errors.push({ message: e.message, span: spanOf(tok.startOffset, tokenEnd(tok)) });
  }
  return { node, errors, wideLiterals: parser.wideLiterals, first, firstMessage };
}

/**
 * Reads one statement; where the parser stops at a misspelled keyword, the word is read
 * as the keyword it is nearest to and the statement read again, so the rest of it is
 * read as written and the mistake is one error ("did you mean"). A repair is kept only
 * when the parser then gets past that word.
 */
function readStatement(parser: DmabufParser, tokens: IToken[], lines: LineIndex, budget: { tokens: number }): Read {
  let read = readOnce(parser, tokens, lines);
  const repairs: A.SyntaxError[] = [];
  for (let round = 0; read.first && round < MAX_REPAIRS && budget.tokens > 0; round++) {
    const fix = repairTypo(tokens, read.first, expectedAt.get(read.first), read.firstMessage, lines);
    if (!fix) break;
    budget.tokens -= tokens.length;
    const again = readOnce(parser, fix.tokens, lines);
    if (again.first && again.first.startOffset <= read.first.startOffset) break;
    repairs.push(fix.error);
    tokens = fix.tokens;
    read = again;
  }
  return { node: read.node, errors: [...repairs, ...read.errors], wideLiterals: read.wideLiterals };
}

/** Where an error at a token ends: an unterminated comment is shown at its `/*`, not to the end of the file. */
function tokenEnd(tok: IToken): number {
  if (tok.tokenType === T.UnterminatedComment) return tok.startOffset + 2;
  return T.tokenEnd(tok);
}

/** One error per place: recovery may report the same token twice. */
function dedupe(errors: A.SyntaxError[]): A.SyntaxError[] {
  const seen = new Set<string>();
  const out: A.SyntaxError[] = [];
  for (const e of errors.sort((a, b) => a.span.startOffset - b.span.startOffset)) {
    const key = `${e.span.startOffset}:${e.span.endOffset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}
