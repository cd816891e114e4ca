// The benchmark (`npm run bench -- [options]`, see USAGE): every phase of the analysis on
// generated models of 100 to 100,000 lines, the real server over stdio, the CLI on
// 1,000 files, memory, and optionally CPU profiles. bench/bench.mjs bundles this file
// with esbuild and runs it with `node --expose-gc`.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { dmabufLexer } from '../server/src/syntax/lexer';
import { parse } from '../server/src/syntax/parser';
import { LineIndex } from '../server/src/syntax/lineIndex';
import type { ShareDecl, BufferDecl } from '../server/src/syntax/ast';
import { buildModel } from '../server/src/model/build';
import { runEngine } from '../server/src/engine/run';
import { runRules } from '../server/src/rules/index';
import { analyze, type ModelHost } from '../server/src/analysis/analyze';
import { changeDebounceMs } from '../server/src/lsp/server';
import { generateFiles, generateModel, mulberry32 } from './generate';
import { BenchClient, type Position } from './lsp';
import { formatProfile, summarizeProfile, type ProfileSummary } from './profile';
import type { ModelFile } from '../server/src/model/types';

const USAGE = `usage: npm run bench -- [options]

  --sizes 100,1000      model sizes in lines (default 100,1000,10000,100000)
  --quick               a short run: sizes up to 10,000, fewer runs, 200 CLI files
  --runs N              timed runs per phase and size (default 7; 5 at 100,000 lines)
  --seed N              generator seed (default 1)
  --json FILE           write every figure as JSON
  --profile             also CPU-profile the full analysis (node --cpu-prof) at 10,000
                        and 100,000 lines (or the sizes given) and summarise the profiles
  --profile-dir DIR     where the .cpuprofile files go (default: a new temporary folder)
  --server-lines N      model size for the server measurements (default 10000)
  --cli-files N         files for the CLI run (default 1000, 100 lines each)
  --share-lines N       lines of the share model (default 50000: 10,065 shares at seed 1)
  --no-phases --no-server --no-cli --no-memory --no-shares --no-cold   skip a part
                        (cold: the CLI on one small model and on 10,000 lines against
                        node -e 0, and a fresh process' first analysis at 10,000 lines)
  --summarize FILE [--bundle JS]   summarise a .cpuprofile of the analysis (e.g. of the
                        server, written by bench/profile-preload.mjs; JS: the bundle it
                        ran, default dist/server.js) and exit
`;

const ROOT = process.env['DMABUF_BENCH_ROOT'] ?? process.cwd();
const BUNDLE = process.argv[1]!;
const SERVER = join(ROOT, 'dist/server.js');
const CLI = join(ROOT, 'dist/cli.js');

// ---------------------------------------------------------------------------- options

interface Options {
  sizes: number[];
  quick: boolean;
  runs: number | undefined;
  seed: number;
  json: string | undefined;
  profile: boolean;
  profileDir: string | undefined;
  serverLines: number;
  cliFiles: number;
  phases: boolean;
  server: boolean;
  cli: boolean;
  memory: boolean;
  /** Cold starts: node -e 0, the CLI on a one-share model and on 10,000 lines, first analyses. */
  cold: boolean;
  /** The 10,000-share model: its lines (generateModel), 0 to skip. */
  shareLines: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    sizes: [100, 1000, 10_000, 100_000],
    quick: false,
    runs: undefined,
    seed: 1,
    json: undefined,
    profile: false,
    profileDir: undefined,
    serverLines: 10_000,
    cliFiles: 1000,
    phases: true,
    server: true,
    cli: true,
    memory: true,
    cold: true,
    shareLines: 50_000,
  };
  let sizesGiven = false;
  let cliGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value().replace(/_/g, ''));
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${a} needs a positive number`);
      return n;
    };
    if (a === '--sizes') {
      o.sizes = value().split(',').map((s) => Number(s.replace(/_/g, '')));
      if (o.sizes.some((n) => !Number.isFinite(n) || n < 40)) throw new Error('--sizes: numbers of at least 40 lines');
      sizesGiven = true;
    } else if (a === '--quick') o.quick = true;
    else if (a === '--runs') o.runs = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--json') o.json = resolve(value());
    else if (a === '--profile') o.profile = true;
    else if (a === '--profile-dir') o.profileDir = resolve(value());
    else if (a === '--server-lines') o.serverLines = num();
    else if (a === '--cli-files') {
      o.cliFiles = num();
      cliGiven = true;
    } else if (a === '--no-phases') o.phases = false;
    else if (a === '--no-server') o.server = false;
    else if (a === '--no-cli') o.cli = false;
    else if (a === '--no-memory') o.memory = false;
    else if (a === '--no-cold') o.cold = false;
    else if (a === '--share-lines') o.shareLines = num();
    else if (a === '--no-shares') o.shareLines = 0;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.quick) {
    if (!sizesGiven) o.sizes = [100, 1000, 10_000];
    if (!cliGiven) o.cliFiles = 200;
  }
  o.sizes.sort((a, b) => a - b);
  return o;
}

// ---------------------------------------------------------------------------- statistics

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Nearest-rank percentile. */
function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** GC pauses of this process (perf_hooks), to charge them to the phase they happened in. */
const gcEntries: { start: number; end: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcEntries.push({ start: e.startTime, end: e.startTime + e.duration });
});
gcObserver.observe({ entryTypes: ['gc'] });
const flushGc = () => new Promise<void>((r) => setTimeout(r, 5));

function gcWithin(windows: readonly [number, number][]): number {
  let ms = 0;
  for (const e of gcEntries) {
    for (const [a, b] of windows) {
      const lo = Math.max(a, e.start);
      const hi = Math.min(b, e.end);
      if (hi > lo) ms += hi - lo;
    }
  }
  return ms;
}

/** Results are stored here so that no timed call can be optimised away. */
const sink: { value: unknown } = { value: undefined };

interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samplesMs: readonly number[];
  /** Calls per timed sample (small models are timed in batches). */
  readonly inner: number;
  /** GC pause time / wall time over the timed samples. */
  readonly gcShare: number;
}

/**
 * A full GC, a warm-up (at least `warmup` calls and 300 ms of them, so the JIT has
 * settled and the young generation has grown as it does in a long-lived server), then
 * `runs` timed samples of at least ~20 ms of calls each. No GC is forced between
 * samples: a forced full GC shrinks V8's young generation, which made the next samples
 * slower than a server's steady state (parse at 10,000 lines: +25% in an A/B test).
 */
async function time(fn: () => unknown, runs: number, warmup: number): Promise<Timing> {
  let est = Infinity;
  sink.value = undefined;
  gc();
  const tw = performance.now();
  for (let i = 0; i < warmup || (performance.now() - tw < 300 && i < 5000); i++) {
    const t = performance.now();
    sink.value = fn();
    est = Math.min(est, performance.now() - t);
  }
  const inner = Math.max(1, Math.min(2000, Math.ceil(20 / Math.max(est, 0.001))));
  const samples: number[] = [];
  const windows: [number, number][] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let k = 0; k < inner; k++) sink.value = fn();
    const t1 = performance.now();
    samples.push((t1 - t0) / inner);
    windows.push([t0, t1]);
  }
  await flushGc();
  const wall = windows.reduce((s, [a, b]) => s + (b - a), 0);
  return { medianMs: median(samples), minMs: Math.min(...samples), maxMs: Math.max(...samples), samplesMs: samples, inner, gcShare: wall > 0 ? gcWithin(windows) / wall : 0 };
}

// ---------------------------------------------------------------------------- output

interface PhaseRow extends Timing {
  readonly phase: string;
  readonly lines: number;
  readonly perKLineMs: number;
}

interface TargetResult {
  readonly name: string;
  readonly value: number | undefined;
  readonly unit: string;
  readonly limit: number;
  readonly pass: boolean | undefined;
  readonly note: string;
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------- phases

/** A ModelHost for one in-memory file, with no parse cache (every analysis parses). */
function hostOf(text: string): ModelHost {
  return { readFile: () => text, resolveUse: () => ({ refused: 'the benchmark model uses no files' }) };
}

const URI = 'file:///bench/model.dmabuf';

const PHASE_NOTES: Record<string, string> = {
  lex: 'dmabufLexer.tokenize(text)',
  parse: 'parse(text), lexing included',
  'parse-lex': 'parse minus lex (the parser, spans, line index)',
  build: 'buildModel(files)',
  engine: 'runEngine(model)',
  rules: 'runRules(model, engine, {}, findings)',
  analyze: 'analyze(): the full analysis, end to end',
  'analyze-names': 'analyze({ engine: false }): syntax and names (what the server runs on a change)',
  'JSON.parse': 'JSON.parse of the syntax tree as JSON (the reference)',
};

interface JsonRef {
  readonly lines: number;
  readonly textBytes: number;
  readonly jsonBytes: number;
  readonly jsonParseMs: number;
  readonly analyzeMs: number;
  /** analyze time / JSON.parse time: at most 10 means at least 1/10 of its throughput. */
  readonly ratio: number;
}

async function phases(o: Options, rows: PhaseRow[], refs: JsonRef[]): Promise<void> {
  for (const lines of o.sizes) {
    const big = lines >= 100_000;
    const runs = o.runs ?? (o.quick ? (big ? 3 : 5) : big ? 5 : 7);
    const warmup = big ? 1 : lines >= 10_000 ? 2 : 5;
    const text = generateModel({ lines, seed: o.seed });
    const pr = parse(text);
    const files: ModelFile[] = [{ uri: URI, text, parse: pr, usedFrom: undefined }];
    const model = buildModel(files);
    const engine = runEngine(model);
    const json = JSON.stringify(pr.model, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    const host = hostOf(text);
    const add = async (phase: string, fn: () => unknown) => {
      const t = await time(fn, runs, warmup);
      rows.push({ phase, lines, perKLineMs: t.medianMs / (lines / 1000), ...t });
      log(`  ${String(lines).padStart(6)} lines  ${phase.padEnd(13)} ${fmt(t.medianMs).padStart(8)} ms  (${runs} runs × ${t.inner}, GC ${(t.gcShare * 100).toFixed(0)}%)`);
      return t;
    };
    log(`phases at ${lines} lines (${model.functions.length} PCI functions, ${model.buffers.length} buffers, ${model.shares.length} shares, ${(text.length / 1024).toFixed(0)} KiB)`);
    const lex = await add('lex', () => dmabufLexer.tokenize(text));
    const parsed = await add('parse', () => parse(text));
    rows.push({ ...parsed, lines, phase: 'parse-lex', medianMs: parsed.medianMs - lex.medianMs, perKLineMs: (parsed.medianMs - lex.medianMs) / (lines / 1000), samplesMs: [], gcShare: NaN });
    await add('build', () => buildModel(files));
    await add('engine', () => runEngine(model));
    await add('rules', () => runRules(model, engine, {}, [...model.findings]));
    const full = await add('analyze', () => analyze(URI, host));
    await add('analyze-names', () => analyze(URI, host, { engine: false }));
    const jp = await add('JSON.parse', () => JSON.parse(json));
    refs.push({ lines, textBytes: Buffer.byteLength(text), jsonBytes: Buffer.byteLength(json), jsonParseMs: jp.medianMs, analyzeMs: full.medianMs, ratio: full.medianMs / jp.medianMs });
    sink.value = undefined;
    gc();
  }
}

// ---------------------------------------------------------------------------- memory

interface MemoryResult {
  readonly lines: number;
  readonly baseline: NodeJS.MemoryUsage;
  readonly afterText: NodeJS.MemoryUsage;
  /** After the analysis, its result still held, after a full GC. */
  readonly afterAnalysis: NodeJS.MemoryUsage;
  /** The process' peak resident set (getrusage maxrss), bytes. */
  readonly peakRss: number;
  /** Heap the analysis result keeps alive. */
  readonly retainedHeap: number;
  /** One analysis in a fresh process, no warm-up (what the CLI and a first open pay). */
  readonly coldAnalyzeMs: number;
}

/**
 * In a fresh process: read the model (generated by the parent, so that the generator's
 * garbage does not inflate the RSS), analyse it once, GC, measure.
 */
function memoryChild(file: string, lines: number): void {
  gc();
  const baseline = process.memoryUsage();
  const text = readFileSync(file, 'utf8');
  gc();
  const afterText = process.memoryUsage();
  const t = performance.now();
  const a = analyze(URI, hostOf(text));
  const coldAnalyzeMs = performance.now() - t;
  gc();
  const afterAnalysis = process.memoryUsage();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const r: MemoryResult = { lines, baseline, afterText, afterAnalysis, peakRss, retainedHeap: afterAnalysis.heapUsed - afterText.heapUsed, coldAnalyzeMs };
  sink.value = a;
  process.stdout.write(JSON.stringify(r) + '\n');
}

function memory(lines: number, seed: number, dir: string): MemoryResult {
  const file = join(dir, `memory-${lines}.dmabuf`);
  writeFileSync(file, generateModel({ lines, seed }));
  const r = spawnSync(process.execPath, ['--expose-gc', BUNDLE, '--memory-child', file, String(lines)], { encoding: 'utf8', maxBuffer: 1 << 26, env: process.env });
  if (r.status !== 0) throw new Error(`memory child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as MemoryResult;
}

// ---------------------------------------------------------------------------- server

interface Latency {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly samplesMs: readonly number[];
}

const latency = (xs: number[]): Latency => ({ count: xs.length, p50Ms: percentile(xs, 50), p95Ms: percentile(xs, 95), maxMs: Math.max(...xs), samplesMs: xs });

interface ServerResult {
  readonly lines: number;
  readonly startupMs: number;
  readonly diagnostics: number;
  readonly openMs: readonly number[];
  readonly openMedianMs: number;
  readonly debounceMs: number;
  /** The debounce of a 100-, 1,000- and 10,000-line model (changeDebounceMs). */
  readonly debounceBySize: Record<number, number>;
  /** analyzeOn: save (the default): a change runs syntax and names only. An edit inside a share. */
  readonly changeMs: readonly number[];
  /** The same for an edit inside a device (the platform statement). */
  readonly deviceChangeMs: readonly number[];
  readonly deviceChangeNetMedianMs: number;
  readonly changeMedianMs: number;
  readonly changeNetMedianMs: number;
  /** analyzeOn: change: a change runs the full engine. */
  readonly changeFullMs: readonly number[];
  readonly changeFullMedianMs: number;
  readonly changeFullNetMedianMs: number;
  readonly saveMs: readonly number[];
  readonly saveMedianMs: number;
  readonly hoverShare: Latency;
  readonly hoverOther: Latency;
  readonly completion: Latency;
  readonly rss: { rss: number; peakRss: number } | undefined;
  readonly large: { lines: number; openMs: number; rss: { rss: number; peakRss: number } | undefined } | undefined;
}

function positionsIn(text: string, seed: number) {
  const pr = parse(text);
  const li = new LineIndex(text);
  const rnd = mulberry32(seed);
  const shares = pr.model.items.filter((i): i is ShareDecl => i.kind === 'Share');
  const buffers = pr.model.items.filter((i): i is BufferDecl => i.kind === 'Buffer');
  const inSpan = (s: { startOffset: number; endOffset: number }) => li.positionAt(s.startOffset + Math.floor(rnd() * (s.endOffset - s.startOffset)));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return {
    /** Anywhere in a share declaration. */
    share: (n: number) => Array.from({ length: n }, () => inSpan(pick(shares).span)),
    /** Anywhere in a buffer declaration: names (exporter, buffer) and keywords. */
    buffer: (n: number) => Array.from({ length: n }, () => inSpan(pick(buffers).span)),
    /** Where a name is expected: the importer of a share, the exporter of a buffer. */
    completion: (n: number) =>
      Array.from({ length: n }, (_, i) => {
        if (i % 2 === 0) {
          const s = pick(shares.filter((x) => x.importer));
          return li.positionAt(s.importer!.span.startOffset);
        }
        const b = pick(buffers.filter((x) => x.exporter));
        return li.positionAt(b.exporter!.span.startOffset);
      }),
    /** An edit inside a device of the platform: its first BAR size, and the size that replaces it. */
    device: (() => {
      const m = / size (16G|8G)\b/.exec(text.slice(0, pr.model.items.find((i) => i.kind === 'Platform')?.span.endOffset ?? 0));
      if (!m) throw new Error('no 16G or 8G BAR in the platform of the model');
      const at = m.index + ' size '.length;
      return { range: { start: li.positionAt(at), end: li.positionAt(at + m[1]!.length) }, word: m[1]! };
    })(),
    /** A one-word edit: the word of an `attach` item, and the word that replaces it. */
    attach: (() => {
      for (const s of shares) {
        for (const it of s.items) {
          if (it.kind === 'Attach') return { range: { start: li.positionAt(it.mode.span.startOffset), end: li.positionAt(it.mode.span.endOffset) }, word: it.mode.value };
        }
      }
      throw new Error('no attach item in the model');
    })(),
  };
}

/**
 * `reps` + 1 edits that put `other` in place of the word at `at` and back, alternately
 * (the first is a warm-up); `after` runs after each. The times to the new diagnostics.
 */
async function toggleWord(client: BenchClient, uri: string, at: { range: { start: Position; end: Position }; word: string }, other: string, reps: number, after?: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  let word = at.word;
  let range = at.range;
  for (let r = -1; r < reps; r++) {
    const next = word === at.word ? other : at.word;
    const c = await client.edit(uri, range, next);
    range = { start: range.start, end: { line: range.start.line, character: range.start.character + next.length } };
    word = next;
    await after?.();
    if (r >= 0) out.push(c.ms);
  }
  return out;
}

async function server(o: Options, dir: string): Promise<ServerResult> {
  const lines = o.serverLines;
  const text = generateModel({ lines, seed: o.seed });
  const pos = positionsIn(text, o.seed);
  const uri = pathToFileURL(join(dir, 'model.dmabuf')).href;
  const reps = o.quick ? 3 : 7;
  const client = await BenchClient.start(SERVER, dir);
  try {
    // open: a fresh document each time (closing it in between); one warm-up first.
    const openMs: number[] = [];
    let diagnostics = 0;
    for (let r = -1; r < Math.min(reps, 5); r++) {
      const u = pathToFileURL(join(dir, `open${r + 1}.dmabuf`)).href;
      const { ms, publish } = await client.open(u, text);
      diagnostics = publish.diagnostics.length;
      if (r >= 0) openMs.push(ms);
      await client.close(u);
    }
    log(`  open-to-diagnostics ${fmt(median(openMs))} ms (${diagnostics} diagnostics)`);

    // change (a one-word edit) then save, alternately.
    await client.open(uri, text);
    const rss = client.memory();
    const changeMs: number[] = [];
    const saveMs: number[] = [];
    const otherMode = pos.attach.word === 'static' ? 'dynamic' : 'static';
    changeMs.push(...(await toggleWord(client, uri, pos.attach, otherMode, reps, async () => void saveMs.push((await client.save(uri)).ms))));
    saveMs.shift(); // the warm-up's
    const debounce = changeDebounceMs(text.length);
    log(`  change-to-diagnostics ${fmt(median(changeMs))} ms raw, ${fmt(median(changeMs) - debounce)} ms net of the ${debounce} ms debounce; save-to-diagnostics ${fmt(median(saveMs))} ms`);

    // An edit inside a device (in the platform statement), to the names diagnostics.
    const deviceChangeMs = await toggleWord(client, uri, pos.device, pos.device.word === '16G' ? '8G' : '16G', reps);
    await client.save(uri);
    log(`  change-to-diagnostics inside a device ${fmt(median(deviceChangeMs))} ms raw, ${fmt(median(deviceChangeMs) - debounce)} ms net`);

    // hover and completion on the analysed document (the last save ran the full engine).
    const hover = async (ps: Position[]) => {
      for (const p of ps.slice(0, 5)) await client.timed('textDocument/hover', { textDocument: { uri }, position: p });
      const out: number[] = [];
      for (const p of ps) out.push((await client.timed('textDocument/hover', { textDocument: { uri }, position: p })).ms);
      return latency(out);
    };
    const hoverShare = await hover(pos.share(50));
    const hoverOther = await hover(pos.buffer(50));
    const cps = pos.completion(55);
    for (const p of cps.slice(0, 5)) await client.timed('textDocument/completion', { textDocument: { uri }, position: p });
    const cms: number[] = [];
    for (const p of cps.slice(5)) cms.push((await client.timed('textDocument/completion', { textDocument: { uri }, position: p })).ms);
    const completion = latency(cms);
    log(`  hover in shares p50 ${fmt(hoverShare.p50Ms)} p95 ${fmt(hoverShare.p95Ms)} ms; hover in buffers p50 ${fmt(hoverOther.p50Ms)} p95 ${fmt(hoverOther.p95Ms)} ms; completion p50 ${fmt(completion.p50Ms)} p95 ${fmt(completion.p95Ms)} ms`);

    // analyzeOn: change, in a second server: every change runs the full engine.
    const full = await BenchClient.start(SERVER, dir, { analyzeOn: 'change' });
    let changeFullMs: number[] = [];
    try {
      await full.open(uri, text);
      changeFullMs = await toggleWord(full, uri, pos.attach, otherMode, reps);
    } finally {
      await full.stop();
    }
    log(`  change-to-diagnostics with analyzeOn: change ${fmt(median(changeFullMs))} ms raw, ${fmt(median(changeFullMs) - debounce)} ms net`);

    // The largest model, opened once, for the server's own memory.
    let large: ServerResult['large'];
    const maxLines = Math.max(...o.sizes);
    if (maxLines > lines) {
      const big = await BenchClient.start(SERVER, dir);
      try {
        const u = pathToFileURL(join(dir, 'large.dmabuf')).href;
        const { ms } = await big.open(u, generateModel({ lines: maxLines, seed: o.seed }));
        large = { lines: maxLines, openMs: ms, rss: big.memory() };
        log(`  open-to-diagnostics at ${maxLines} lines ${fmt(ms)} ms; server RSS ${large.rss ? mb(large.rss.rss) : '?'} (peak ${large.rss ? mb(large.rss.peakRss) : '?'})`);
      } finally {
        await big.stop();
      }
    }
    return {
      lines,
      startupMs: client.startupMs,
      diagnostics,
      openMs,
      openMedianMs: median(openMs),
      debounceMs: debounce,
      debounceBySize: Object.fromEntries([100, 1000, 10_000].map((n) => [n, changeDebounceMs(generateModel({ lines: n, seed: o.seed }).length)])),
      changeMs,
      changeMedianMs: median(changeMs),
      changeNetMedianMs: median(changeMs) - debounce,
      deviceChangeMs,
      deviceChangeNetMedianMs: median(deviceChangeMs) - debounce,
      changeFullMs,
      changeFullMedianMs: median(changeFullMs),
      changeFullNetMedianMs: median(changeFullMs) - debounce,
      saveMs,
      saveMedianMs: median(saveMs),
      hoverShare,
      hoverOther,
      completion,
      rss,
      large,
    };
  } finally {
    await client.stop();
  }
}

// ---------------------------------------------------------------------------- CLI

interface CliResult {
  readonly files: number;
  readonly linesEach: number;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** CPU time (user + sys) of the CLI and its server per run, Linux only: steadier than wall time on a loaded machine. */
  readonly cpuMs: readonly number[] | undefined;
  /** `node dist/cli.js --version`: Node's start and the CLI's load, no server. */
  readonly processStartMs: number;
  readonly outputBytes: number;
}

/** CPU time of this process' terminated, waited-for descendants (Linux /proc), in ms. */
function childrenCpuMs(): number | undefined {
  try {
    // Fields after the command name: cutime and cstime are fields 16 and 17, in clock ticks (USER_HZ, 100 on Linux).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function cli(o: Options, dir: string): CliResult {
  const files = o.cliFiles;
  const models = join(dir, 'models');
  mkdirSync(models, { recursive: true });
  for (const f of generateFiles(files, 100, o.seed)) writeFileSync(join(models, f.name), f.text);
  const run = (args: string[]) => {
    const c = childrenCpuMs();
    const t = performance.now();
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
    const ms = performance.now() - t;
    const c2 = childrenCpuMs();
    return { ms, cpuMs: c === undefined || c2 === undefined ? undefined : c2 - c, r };
  };
  const startMs = median([0, 1, 2].map(() => run(['--version']).ms));
  const runs = o.quick ? 1 : 3;
  const times: number[] = [];
  const cpu: number[] = [];
  let outputBytes = 0;
  for (let i = 0; i < runs; i++) {
    const { ms, cpuMs, r } = run(['--format', 'json', 'models']);
    if (cpuMs !== undefined) cpu.push(cpuMs);
    if (r.status !== 0 && r.status !== 1) throw new Error(`dmabuf-lint exited ${r.status}: ${r.stderr}`);
    const n = (JSON.parse(r.stdout) as { summary: { files: number } }).summary.files;
    if (n !== files) throw new Error(`dmabuf-lint reported ${n} files, expected ${files}`);
    outputBytes = r.stdout.length;
    times.push(ms);
    log(`  CLI run ${i + 1}: ${fmt(ms)} ms for ${files} files${cpuMs === undefined ? '' : ` (CPU ${fmt(cpuMs)} ms)`}`);
  }
  return { files, linesEach: 100, runsMs: times, medianMs: median(times), cpuMs: cpu.length === runs ? cpu : undefined, processStartMs: startMs, outputBytes };
}

// ---------------------------------------------------------------------------- 10,000 shares

/**
 * Issue 4's measure: a model of about 10,000 shares analysed in well under a second.
 * generateModel at 50,000 lines has 10,065 shares (seed 1) among 6,416 buffers and
 * 2,974 PCI functions. Three figures: analyze() warm in this process (a running
 * server), analyze() once in a fresh process (a server's first analysis: no JIT
 * warm-up, a young heap), and dmabuf-lint end to end (two processes start, 10,000 shares
 * and their diagnostics go through JSON-RPC and are printed as JSON).
 */
interface ShareModelResult {
  readonly lines: number;
  readonly shares: number;
  readonly diagnostics: number;
  readonly warm: Timing;
  readonly coldMs: readonly number[];
  readonly cliMs: readonly number[];
  readonly cliOutputBytes: number;
}

function coldChild(file: string): void {
  const text = readFileSync(file, 'utf8');
  const t = performance.now();
  sink.value = analyze(URI, hostOf(text));
  process.stdout.write(`${performance.now() - t}\n`);
}

async function sharesPart(o: Options, dir: string): Promise<ShareModelResult> {
  const text = generateModel({ lines: o.shareLines, seed: o.seed });
  const file = join(dir, 'shares.dmabuf');
  writeFileSync(file, text);
  const first = analyze(URI, hostOf(text));
  log(`  ${o.shareLines} lines: ${first.shares.length} shares, ${first.findings.length} findings`);
  const warm = await time(() => analyze(URI, hostOf(text)), o.runs ?? (o.quick ? 3 : 7), 2);
  log(`  warm analyze ${fmt(warm.medianMs)} ms (min ${fmt(warm.minMs)})`);
  sink.value = undefined;
  gc();
  const coldMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [BUNDLE, '--cold-child', file], { encoding: 'utf8', env: process.env });
    if (r.status !== 0) throw new Error(`cold child failed (${r.status}): ${r.stderr}`);
    coldMs.push(Number(r.stdout.trim()));
  }
  log(`  cold analyze ${coldMs.map(fmt).join(', ')} ms`);
  const cliMs: number[] = [];
  let cliOutputBytes = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [CLI, '--format', 'json', file], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
    cliMs.push(performance.now() - t);
    if (r.status !== 0 && r.status !== 1) throw new Error(`dmabuf-lint exited ${r.status}: ${r.stderr}`);
    const shares = (JSON.parse(r.stdout) as { files: { shares: unknown[] }[] }).files[0]?.shares.length;
    if (shares !== first.shares.length) throw new Error(`dmabuf-lint reported ${shares} shares, expected ${first.shares.length}`);
    cliOutputBytes = r.stdout.length;
  }
  log(`  dmabuf-lint --format json ${cliMs.map(fmt).join(', ')} ms`);
  return { lines: o.shareLines, shares: first.shares.length, diagnostics: first.findings.length, warm, coldMs, cliMs, cliOutputBytes };
}

// ---------------------------------------------------------------------------- cold starts

/**
 * What a user waits for at a cold start, in one run so that the ratios share the
 * machine's load: `node -e 0`, dmabuf-lint on a one-share model (samples/01) and on a
 * 10,000-line model, start to exit (interleaved, round by round; the 10,000-line
 * figure is taken as its difference to the one-share run of the same round), and one
 * analysis of the 10,000-line model in each of several fresh processes.
 */
interface ColdResult {
  readonly lines: number;
  readonly nodeMs: readonly number[];
  readonly cliOneMs: readonly number[];
  readonly cliOneSpawnMs: readonly number[];
  readonly cliBigMs: readonly number[];
  /** Per round: the 10,000-line run minus the one-share run. */
  readonly cliBigAboveOneMs: readonly number[];
  readonly firstAnalysisMs: readonly number[];
}

function coldStarts(o: Options, dir: string): ColdResult {
  const lines = 10_000;
  const one = join(dir, 'one-share.dmabuf');
  copyFileSync(join(ROOT, 'samples/01-vfio-switch.dmabuf'), one);
  const big = join(dir, `cold-${lines}.dmabuf`);
  writeFileSync(big, generateModel({ lines, seed: o.seed }));
  const wall = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
    const ms = performance.now() - t;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  const rounds = o.quick ? 5 : 9;
  const out = { nodeMs: [] as number[], cliOneMs: [] as number[], cliOneSpawnMs: [] as number[], cliBigMs: [] as number[], cliBigAboveOneMs: [] as number[] };
  wall([CLI, '--format', 'json', one]); // the page cache and any compile cache, as a user's second run
  for (let r = 0; r < rounds; r++) {
    out.nodeMs.push(wall(['-e', '0']));
    const oneMs = wall([CLI, '--format', 'json', one]);
    out.cliOneMs.push(oneMs);
    out.cliOneSpawnMs.push(wall([CLI, '--spawn', '--format', 'json', one]));
    const bigMs = wall([CLI, '--format', 'json', big]);
    out.cliBigMs.push(bigMs);
    out.cliBigAboveOneMs.push(bigMs - oneMs);
  }
  log(`  node -e 0 ${fmt(median(out.nodeMs))} ms; dmabuf-lint one share ${fmt(median(out.cliOneMs))} ms (--spawn ${fmt(median(out.cliOneSpawnMs))} ms); ${lines} lines ${fmt(median(out.cliBigMs))} ms, ${fmt(median(out.cliBigAboveOneMs))} ms above the one-share run`);
  const firstAnalysisMs: number[] = [];
  for (let i = 0; i < (o.quick ? 3 : 5); i++) {
    const r = spawnSync(process.execPath, [BUNDLE, '--cold-child', big], { encoding: 'utf8', env: process.env });
    if (r.status !== 0) throw new Error(`cold child failed (${r.status}): ${r.stderr}`);
    firstAnalysisMs.push(Number(r.stdout.trim()));
  }
  log(`  first analysis in a fresh process at ${lines} lines: ${firstAnalysisMs.map(fmt).join(', ')} ms`);
  return { lines, ...out, firstAnalysisMs };
}

// ---------------------------------------------------------------------------- profiles

interface ProfileResult {
  readonly lines: number;
  readonly runs: number;
  readonly file: string;
  readonly summary: ProfileSummary;
}

function profileChild(lines: number, runs: number, seed: number): void {
  const text = generateModel({ lines, seed });
  const host = hostOf(text);
  for (let i = 0; i < runs; i++) sink.value = analyze(URI, host);
}

function profiles(o: Options): ProfileResult[] {
  const dir = o.profileDir ?? mkdtempSync(join(tmpdir(), 'dmabuf-profiles-'));
  mkdirSync(dir, { recursive: true });
  // The profiled process runs a copy of this bundle kept next to the profiles, so that
  // they can be read again later (and DevTools finds the source map).
  const bundle = join(dir, 'bench-run.cjs');
  copyFileSync(BUNDLE, bundle);
  if (existsSync(`${BUNDLE}.map`)) copyFileSync(`${BUNDLE}.map`, `${bundle}.map`);
  const sizes = o.sizes.filter((s) => s >= 10_000);
  const out: ProfileResult[] = [];
  for (const lines of sizes.length > 0 ? sizes : [Math.max(...o.sizes)]) {
    const runs = lines >= 100_000 ? 5 : lines >= 10_000 ? 30 : 200;
    const before = new Set(readdirSync(dir));
    const r = spawnSync(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `analysis-${lines}-${Date.now()}.cpuprofile`, '--cpu-prof-interval', '250', bundle, '--profile-child', String(lines), '--runs', String(runs), '--seed', String(o.seed)],
      { encoding: 'utf8', env: process.env },
    );
    if (r.status !== 0) throw new Error(`profile child failed (${r.status}): ${r.stderr}`);
    const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f)).map((f) => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (!file) throw new Error(`no profile written to ${dir}`);
    const summary = summarizeProfile(file, bundle);
    out.push({ lines, runs, file, summary });
    log(formatProfile(summary, `profile of analyze() at ${lines} lines`, runs));
  }
  return out;
}

// ---------------------------------------------------------------------------- main

function gitInfo(): { commit: string | undefined; dirty: boolean | undefined } {
  const rev = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const st = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
  return { commit: rev.status === 0 ? rev.stdout.trim() : undefined, dirty: st.status === 0 ? st.stdout.trim().length > 0 : undefined };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--memory-child') return memoryChild(argv[1]!, Number(argv[2]));
  if (argv[0] === '--cold-child') return coldChild(argv[1]!);
  if (argv[0] === '--profile-child') return profileChild(Number(argv[1]), Number(argv[3]), Number(argv[5] ?? 1));
  if (argv[0] === '--summarize' && argv[1]) {
    const bundle = argv[2] === '--bundle' && argv[3] ? resolve(argv[3]) : SERVER;
    const s = summarizeProfile(resolve(argv[1]), bundle);
    process.stdout.write(formatProfile(s, `analysis in ${argv[1]}`, 1) + `\n  outside the analysis: ${s.outsideMs.toFixed(0)} ms (idle, I/O, JSON-RPC)\n`);
    return;
  }
  let o: Options;
  try {
    o = parseOptions(argv);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') log('bench: warning: run with --expose-gc (npm run bench does) for steady measurements');
  const started = new Date();
  const loadBefore = loadavg();
  const meta = {
    date: started.toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? '?',
    cpus: cpus().length,
    memory: totalmem(),
    loadavgBefore: loadBefore,
    loadavgAfter: [] as number[],
    durationS: 0,
    ...gitInfo(),
  };
  log(`dmabuf-lens benchmark: ${meta.node}, ${meta.cpus} × ${meta.cpu}, load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')}; sizes ${o.sizes.join(', ')}; seed ${o.seed}`);

  const rows: PhaseRow[] = [];
  const refs: JsonRef[] = [];
  if (o.phases) await phases(o, rows, refs);
  gc();

  const work = mkdtempSync(join(tmpdir(), 'dmabuf-bench-work-'));
  let mem: MemoryResult | undefined;
  let srv: ServerResult | undefined;
  let cl: CliResult | undefined;
  let sh: ShareModelResult | undefined;
  let cold: ColdResult | undefined;
  try {
    if (o.cold) {
      log('cold starts (node -e 0, dmabuf-lint, first analyses)');
      cold = coldStarts(o, work);
    }
    if (o.memory) {
      const lines = Math.max(...o.sizes);
      mem = memory(lines, o.seed, work);
      log(`memory at ${lines} lines: heap used ${mb(mem.afterAnalysis.heapUsed)} (${mb(mem.retainedHeap)} held by the analysis), RSS ${mb(mem.afterAnalysis.rss)}, peak RSS ${mb(mem.peakRss)}; cold analysis ${fmt(mem.coldAnalyzeMs)} ms`);
    }
    if (o.server) {
      log(`server (${SERVER}) at ${o.serverLines} lines`);
      srv = await server(o, work);
    }
    if (o.cli) {
      log(`CLI (${CLI}) on ${o.cliFiles} files of 100 lines`);
      cl = cli(o, work);
    }
    if (o.shareLines > 0) {
      log(`share model (${o.shareLines} lines)`);
      sh = await sharesPart(o, work);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const prof = o.profile ? profiles(o) : [];

  // ------------------------------------------------------------ targets
  const at = (phase: string, lines: number) => rows.find((r) => r.phase === phase && r.lines === lines);
  const targets: TargetResult[] = [];
  const target = (name: string, value: number | undefined, unit: string, limit: number, note = '') =>
    targets.push({ name, value, unit, limit, pass: value === undefined || Number.isNaN(value) ? undefined : value <= limit, note });
  // Issue 23: where users wait. Ratios and differences come from the same run.
  if (cold) {
    const node0 = median(cold.nodeMs);
    target(
      'CLI, one small model (samples/01), start to exit, × node -e 0',
      median(cold.cliOneMs) / node0,
      '×',
      4,
      `${fmt(median(cold.cliOneMs))} ms / ${fmt(node0)} ms over ${cold.nodeMs.length} interleaved rounds; with --spawn (two processes) ${fmt(median(cold.cliOneSpawnMs))} ms = ${(median(cold.cliOneSpawnMs) / node0).toFixed(1)}×`,
    );
    target(
      'CLI, 10,000 lines cold, above the one-share run',
      median(cold.cliBigAboveOneMs),
      'ms',
      250,
      `median of the per-round differences; the 10,000-line run ${fmt(median(cold.cliBigMs))} ms`,
    );
  }
  target('server: full analysis, 10,000 lines, warm', at('analyze', 10_000)?.medianMs, 'ms', 50);
  const warm10k = at('analyze', 10_000)?.medianMs;
  if (cold && warm10k !== undefined) {
    target(
      'server: first analysis in a fresh process, 10,000 lines, × warm',
      median(cold.firstAnalysisMs) / warm10k,
      '×',
      2,
      `${fmt(median(cold.firstAnalysisMs))} ms (${cold.firstAnalysisMs.map(fmt).join(', ')}) / ${fmt(warm10k)} ms`,
    );
  }
  if (srv) {
    target(
      'typing: an edit inside a share to its names diagnostics, 10,000 lines, after the debounce',
      srv.lines === 10_000 ? srv.changeNetMedianMs : undefined,
      'ms',
      20,
      `raw ${fmt(srv.changeMedianMs)} ms with the ${srv.debounceMs} ms debounce; inside a device ${fmt(srv.deviceChangeNetMedianMs)} ms net; debounce by size: ${Object.entries(srv.debounceBySize)
        .map(([n, ms]) => `${Number(n).toLocaleString('en')} lines ${ms} ms`)
        .join(', ')}`,
    );
  }
  if (mem) target('memory: RSS after analysing 100,000 lines', mem.lines === 100_000 ? mem.afterAnalysis.rss / 1024 / 1024 : undefined, 'MB', 250, `peak RSS ${mb(mem.peakRss)}`);
  // Earlier issues' targets.
  target('full analysis, 100,000 lines', at('analyze', 100_000)?.medianMs, 'ms', 600);
  if (srv) {
    target(
      'change-to-diagnostics, server, 10,000 lines (net of debounce)',
      srv.lines === 10_000 ? srv.changeNetMedianMs : undefined,
      'ms',
      100,
      `raw ${fmt(srv.changeMedianMs)} ms including the ${srv.debounceMs} ms debounce, which alone makes a raw 100 ms impossible; analyzeOn: change: ${fmt(srv.changeFullNetMedianMs)} ms net`,
    );
    target('hover p95, server, 10,000 lines', srv.lines === 10_000 ? srv.hoverShare.p95Ms : undefined, 'ms', 10, `at share positions; names/keywords in buffers: p95 ${fmt(srv.hoverOther.p95Ms)} ms`);
  }
  for (const r of refs) target(`analysis / JSON.parse, ${r.lines} lines`, r.ratio, '×', 10, `JSON ${(r.jsonBytes / r.textBytes).toFixed(1)}× the source`);
  if (sh) {
    target(
      `full analysis, ${sh.shares.toLocaleString('en')}-share model (issue 4: well under a second)`,
      sh.warm.medianMs,
      'ms',
      1000,
      `a fresh process' first analysis ${fmt(median(sh.coldMs))} ms; dmabuf-lint end to end ${fmt(median(sh.cliMs))} ms`,
    );
  }
  if (cl) target(`CLI, ${cl.files} files of 100 lines`, cl.files === 1000 ? cl.medianMs : undefined, 'ms', 3000, `process start alone ${fmt(cl.processStartMs)} ms`);

  // ------------------------------------------------------------ growth
  const growth: {
    phase: string;
    perKLineMs: Record<number, number>;
    ratio: number | undefined;
    ratioWithoutGc: number | undefined;
    /** Per-line time at the largest size over the size before it (e.g. 100,000 over 10,000 lines). */
    lastStep: number | undefined;
    superlinear: boolean | undefined;
  }[] = [];
  for (const phase of [...new Set(rows.map((r) => r.phase))]) {
    const pts = rows.filter((r) => r.phase === phase && r.lines >= 1000);
    const perK: Record<number, number> = {};
    for (const r of rows.filter((x) => x.phase === phase)) perK[r.lines] = r.perKLineMs;
    // Time per line at the largest size over time per line at 1,000 lines (100-line
    // models are mostly fixed cost); and the same without the GC pauses, to tell an
    // algorithm that grows faster than the input from a heap that outgrows the young generation.
    const first = pts[0];
    const last = pts[pts.length - 1];
    const ratio = first && last && pts.length >= 2 ? last.perKLineMs / first.perKLineMs : undefined;
    const noGc = (r: PhaseRow) => r.perKLineMs * (1 - (Number.isNaN(r.gcShare) ? 0 : r.gcShare));
    const ratioWithoutGc = first && last && pts.length >= 2 && !Number.isNaN(first.gcShare) ? noGc(last) / noGc(first) : undefined;
    const prev = pts[pts.length - 2];
    const lastStep = prev && last ? last.perKLineMs / prev.perKLineMs : undefined;
    growth.push({ phase, perKLineMs: perK, ratio, ratioWithoutGc, lastStep, superlinear: ratio === undefined ? undefined : ratio > 1.5 });
  }

  // ------------------------------------------------------------ report
  const out: string[] = [];
  out.push('');
  out.push(`dmabuf-lens benchmark — ${meta.date}, ${meta.node}, ${meta.cpus} × ${meta.cpu}, load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}`);
  const targetOf = (phase: string, lines: number) => {
    const t =
      phase === 'analyze' && lines === 10_000
        ? targets.find((x) => x.name === 'server: full analysis, 10,000 lines, warm')
        : phase === 'analyze' && lines === 100_000
          ? targets.find((x) => x.name === 'full analysis, 100,000 lines')
          : undefined;
    if (t) return [`≤ ${t.limit} ms`, t.pass ? 'met' : 'NOT MET'];
    if (phase === 'JSON.parse') {
      const ref = refs.find((r) => r.lines === lines);
      return ref ? [`analyze ≤ 10×`, `${ref.ratio.toFixed(1)}× ${ref.ratio <= 10 ? 'met' : 'NOT MET'}`] : ['', ''];
    }
    return ['', ''];
  };
  if (rows.length > 0) {
    out.push('');
    out.push(
      table(
        ['phase', 'lines', 'median ms', 'min ms', 'ms / 1k lines', 'GC', 'runs', 'target', 'result'],
        rows.map((r) => [
          r.phase,
          r.lines.toLocaleString('en'),
          fmt(r.medianMs),
          r.samplesMs.length ? fmt(r.minMs) : '',
          fmt(r.perKLineMs),
          Number.isNaN(r.gcShare) ? '' : `${(r.gcShare * 100).toFixed(0)}%`,
          r.samplesMs.length ? `${r.samplesMs.length}×${r.inner}` : '',
          ...targetOf(r.phase, r.lines),
        ]),
        [false, true, true, true, true, true, true, false, false],
      ),
    );
    out.push('');
    out.push('Growth: ms per 1,000 lines at each size; ratio = per-line time at the largest size / at 1,000 lines');
    out.push('(linear ≈ 1; > 1.5 flagged), the same with the GC pauses taken out, and the last step alone');
    const sizes = [...new Set(rows.map((r) => r.lines))];
    out.push(
      table(
        ['phase', ...sizes.map((s) => s.toLocaleString('en')), 'ratio', 'without GC', 'last step', ''],
        growth.map((g) => [
          g.phase,
          ...sizes.map((s) => (g.perKLineMs[s] === undefined ? '' : fmt(g.perKLineMs[s]!))),
          g.ratio === undefined ? '' : g.ratio.toFixed(2),
          g.ratioWithoutGc === undefined ? '' : g.ratioWithoutGc.toFixed(2),
          g.lastStep === undefined ? '' : g.lastStep.toFixed(2),
          g.superlinear ? (g.ratioWithoutGc !== undefined && g.ratioWithoutGc <= 1.5 ? 'superlinear (GC)' : 'SUPERLINEAR') : '',
        ]),
        [false, ...sizes.map(() => true), true, true, true, false],
      ),
    );
  }
  if (srv) {
    out.push('');
    out.push(`Server (node dist/server.js --stdio), ${srv.lines.toLocaleString('en')}-line model, ${srv.diagnostics} diagnostics; start to initialize ${fmt(srv.startupMs)} ms`);
    out.push(
      table(
        ['measure', 'median / p50 ms', 'p95 ms', 'n', 'target', 'result'],
        [
          ['open-to-diagnostics (full engine)', fmt(srv.openMedianMs), '', String(srv.openMs.length), '', ''],
          [`change-to-diagnostics, raw (incl. ${srv.debounceMs} ms debounce)`, fmt(srv.changeMedianMs), '', String(srv.changeMs.length), '', ''],
          ['change-to-diagnostics, net of debounce (names only), an edit inside a share', fmt(srv.changeNetMedianMs), '', String(srv.changeMs.length), '≤ 20 ms', srv.changeNetMedianMs <= 20 ? 'met' : 'NOT MET'],
          ['change-to-diagnostics, net of debounce (names only), an edit inside a device', fmt(srv.deviceChangeNetMedianMs), '', String(srv.deviceChangeMs.length), '', ''],
          ['change-to-diagnostics, analyzeOn: change, net', fmt(srv.changeFullNetMedianMs), '', String(srv.changeFullMs.length), '', ''],
          ['save-to-diagnostics (full engine)', fmt(srv.saveMedianMs), '', String(srv.saveMs.length), '', ''],
          ['hover at share positions', fmt(srv.hoverShare.p50Ms), fmt(srv.hoverShare.p95Ms), String(srv.hoverShare.count), 'p95 ≤ 10 ms', srv.hoverShare.p95Ms <= 10 ? 'met' : 'NOT MET'],
          ['hover in buffer declarations (names, keywords)', fmt(srv.hoverOther.p50Ms), fmt(srv.hoverOther.p95Ms), String(srv.hoverOther.count), '', ''],
          ['completion (importer and exporter names)', fmt(srv.completion.p50Ms), fmt(srv.completion.p95Ms), String(srv.completion.count), '', ''],
        ],
        [false, true, true, true, false, false],
      ),
    );
    if (srv.rss) out.push(`Server memory with the ${srv.lines.toLocaleString('en')}-line model open: RSS ${mb(srv.rss.rss)}, peak ${mb(srv.rss.peakRss)}`);
    if (srv.large) out.push(`Server, ${srv.large.lines.toLocaleString('en')}-line model: open-to-diagnostics ${fmt(srv.large.openMs)} ms, RSS ${srv.large.rss ? mb(srv.large.rss.rss) : '?'}, peak ${srv.large.rss ? mb(srv.large.rss.peakRss) : '?'}`);
  }
  if (cl) {
    out.push('');
    out.push(`CLI: node dist/cli.js --format json DIR, ${cl.files} files of ${cl.linesEach} lines: median ${fmt(cl.medianMs)} ms of ${cl.runsMs.map(fmt).join(', ')} (process start alone ${fmt(cl.processStartMs)} ms)`);
    if (cl.cpuMs) out.push(`     CPU time (user + sys, CLI and server): ${cl.cpuMs.map(fmt).join(', ')} ms; output ${(cl.outputBytes / 1024 / 1024).toFixed(1)} MB`);
  }
  if (sh) {
    out.push('');
    out.push(`Share model: ${sh.lines.toLocaleString('en')} lines, ${sh.shares.toLocaleString('en')} shares, ${sh.diagnostics.toLocaleString('en')} diagnostics`);
    out.push(`     analyze() warm: median ${fmt(sh.warm.medianMs)} ms, min ${fmt(sh.warm.minMs)} ms (${sh.warm.samplesMs.length} runs, GC ${(sh.warm.gcShare * 100).toFixed(0)}%)`);
    out.push(`     analyze() in a fresh process: ${sh.coldMs.map(fmt).join(', ')} ms`);
    out.push(`     dmabuf-lint --format json FILE (start to exit): ${sh.cliMs.map(fmt).join(', ')} ms; output ${(sh.cliOutputBytes / 1024 / 1024).toFixed(1)} MB`);
  }
  if (cold) {
    out.push('');
    out.push(`Cold starts, ${cold.nodeMs.length} interleaved rounds (ms): node -e 0 ${cold.nodeMs.map(fmt).join(', ')}`);
    out.push(`     dmabuf-lint --format json, one share: ${cold.cliOneMs.map(fmt).join(', ')}; with --spawn: ${cold.cliOneSpawnMs.map(fmt).join(', ')}`);
    out.push(`     dmabuf-lint --format json, ${cold.lines.toLocaleString('en')} lines: ${cold.cliBigMs.map(fmt).join(', ')} (above the one-share run: ${cold.cliBigAboveOneMs.map(fmt).join(', ')})`);
    out.push(`     analyze() once in a fresh process, ${cold.lines.toLocaleString('en')} lines: ${cold.firstAnalysisMs.map(fmt).join(', ')}`);
  }
  if (mem) {
    out.push('');
    out.push(
      `Memory, ${mem.lines.toLocaleString('en')}-line model, fresh process, after GC with the analysis held: heap used ${mb(mem.afterAnalysis.heapUsed)} (analysis ${mb(mem.retainedHeap)}), RSS ${mb(mem.afterAnalysis.rss)}, peak RSS ${mb(mem.peakRss)}; cold analysis ${fmt(mem.coldAnalyzeMs)} ms`,
    );
  }
  if (refs.length > 0) {
    out.push('');
    out.push('JSON.parse reference (the syntax tree as JSON, bigints as strings):');
    out.push(
      table(
        ['lines', 'source', 'JSON', 'JSON.parse ms', 'analyze ms', 'analyze / JSON.parse', 'target'],
        refs.map((r) => [r.lines.toLocaleString('en'), `${(r.textBytes / 1024).toFixed(0)} KiB`, `${(r.jsonBytes / 1024).toFixed(0)} KiB`, fmt(r.jsonParseMs), fmt(r.analyzeMs), `${r.ratio.toFixed(1)}×`, r.ratio <= 10 ? '≤ 10× met' : '≤ 10× NOT MET']),
        [true, true, true, true, true, true, false],
      ),
    );
  }
  out.push('');
  out.push('Targets:');
  for (const t of targets) {
    out.push(`  ${t.pass === undefined ? 'n/a    ' : t.pass ? 'met    ' : 'NOT MET'}  ${t.name}: ${t.value === undefined ? 'not measured' : `${fmt(t.value)} ${t.unit}`} (limit ${t.limit} ${t.unit})${t.note ? ` — ${t.note}` : ''}`);
  }
  for (const p of prof) out.push('', formatProfile(p.summary, `Profile of analyze() at ${p.lines.toLocaleString('en')} lines`, p.runs));
  meta.loadavgAfter = loadavg();
  meta.durationS = (Date.now() - started.getTime()) / 1000;
  out.push('', `load average after ${meta.loadavgAfter.map((x) => x.toFixed(2)).join(' ')}; ${meta.durationS.toFixed(0)} s`);
  process.stdout.write(out.join('\n') + '\n');

  if (o.json) {
    const data = { meta, options: o, notes: PHASE_NOTES, phases: rows, growth, jsonReference: refs, server: srv, cli: cl, memory: mem, shares: sh, cold, profiles: prof, targets };
    writeFileSync(o.json, JSON.stringify(data, null, 2) + '\n');
    log(`figures written to ${o.json}`);
  }
  sink.value = undefined;
  gcObserver.disconnect();
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
