// The fuzzer: `npm run fuzz -- --seconds N [--seed S]` (all options: --help).
//
// Each input (fuzz/gen.ts: generated from the grammar, or a sample or generated model
// with its characters, bytes, tokens, statements or line ends mutated) goes through
// the in-process checks of fuzz/checks.ts, in worker threads side by side (fuzz/
// isolate.ts, `--jobs`); every Nth input also goes to one long-lived server process over
// the protocol, whose checks take turns. A progress line every `--report-every` seconds
// gives the rate and the resident memory of the server and of the fuzzer. A failing
// input is kept in test/robustness/corpus/ (one per kind of failure), where
// test/robustness/corpus.test.ts replays it for ever.
// Ends with `fuzz: N inputs, F failures, T s`; exit status 1 when F > 0.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { encodeWtf8, ServerSession, signature, type Failure } from './checks';
import { nextInput, Rng, type Input } from './gen';
import { IsolatedChecker, workerMain } from './isolate';

interface Options {
  seconds: number;
  /** Stop after this many inputs (or at the end of `seconds`, whichever comes first). */
  inputs: number;
  /** Worker threads checking inputs side by side. */
  jobs: number;
  /** Seconds between two progress lines (inputs, rate, memory). */
  reportEvery: number;
  seed: number;
  serverEvery: number;
  timeLimitMs: number;
  corpus: string;
  server: boolean;
  save: boolean;
  /** Check only the input made from this seed (as printed by a FAIL line). */
  replay: number | undefined;
}

const HELP = `usage: npm run fuzz -- [--seconds N] [--inputs N] [--seed S] [--jobs J] [--server-every K] [--time-limit MS] [--report-every S] [--no-server] [--no-save] [--replay SEED]

  --seconds N       how long to run (default 60)
  --inputs N        stop after N inputs, if that comes first (default: no limit)
  --jobs J          worker threads checking inputs side by side (default: 2, or 1 on one core)
  --seed S          the seed of the run (default: from the clock; printed at the start)
  --server-every K  send every Kth input to a real server process as well (default 20)
  --time-limit MS   the bound on the in-process checks of one input (default 2000)
  --report-every S  a progress line (inputs, inputs/s, failures, server and fuzzer RSS) every S seconds (default 30)
  --no-server       in-process checks only
  --no-save         do not write failing inputs to test/robustness/corpus/
  --replay SEED     check the one input made from SEED (the seed of a FAIL line), through the server too
`;

function parseArgs(argv: readonly string[], root: string): Options {
  const o: Options = {
    seconds: 60,
    inputs: Infinity,
    jobs: Math.min(2, availableParallelism()),
    reportEvery: 30,
    seed: Date.now() % 0x1_0000_0000,
    serverEvery: 20,
    timeLimitMs: 2000,
    corpus: join(root, 'test/robustness/corpus'),
    server: true,
    save: true,
    replay: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--seconds') o.seconds = num();
    else if (a === '--seed') o.seed = num() >>> 0;
    else if (a === '--inputs') o.inputs = Math.floor(num());
    else if (a === '--jobs') o.jobs = Math.max(1, Math.floor(num()));
    else if (a === '--report-every') o.reportEvery = Math.max(1, num());
    else if (a === '--server-every') o.serverEvery = Math.max(1, Math.floor(num()));
    else if (a === '--time-limit') o.timeLimitMs = num();
    else if (a === '--no-server') o.server = false;
    else if (a === '--no-save') o.save = false;
    else if (a === '--replay') o.replay = num() >>> 0;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${HELP}`);
  }
  return o;
}

function samplesOf(root: string): string[] {
  const out: string[] = [];
  for (const dir of ['samples', 'test/conformance']) {
    const d = join(root, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) if (f.endsWith('.dmabuf')) out.push(readFileSync(join(d, f), 'utf8'));
  }
  return out;
}

/** Writes a failing input to the corpus: `<hash>.dmabuf`, its used files under `<hash>.use/`, and why under `<hash>.why.txt`. */
function save(dir: string, input: Input, failures: readonly Failure[], seed: number): string {
  const h = createHash('sha1').update(encodeWtf8(input.text));
  for (const [name, text] of Object.entries(input.files).sort()) h.update(`\0${name}\0`).update(encodeWtf8(text));
  const hash = h.digest('hex').slice(0, 12);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${hash}.dmabuf`);
  writeFileSync(file, encodeWtf8(input.text));
  for (const [name, text] of Object.entries(input.files)) {
    const p = join(dir, `${hash}.use`, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, encodeWtf8(text));
  }
  const why = [`input seed ${seed} (${input.how})`, ...failures.map((f) => `${f.kind}: ${f.message}`)].join('\n');
  writeFileSync(join(dir, `${hash}.why.txt`), why.slice(0, 20000) + '\n');
  return file;
}

function probesFor(r: Rng, text: string): number[] {
  return [r.int(text.length + 1), r.int(text.length + 1), r.int(text.length + 1)];
}

async function main(): Promise<void> {
  const root = process.env['DMABUF_FUZZ_ROOT'] ?? process.cwd();
  const o = parseArgs(process.argv.slice(2), root);
  const samples = samplesOf(root);
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  process.stdout.write(`fuzz: seed ${o.seed}, ${o.seconds} s${Number.isFinite(o.inputs) ? ` or ${o.inputs} inputs` : ''}, ${o.jobs} jobs, ${samples.length} samples, server every ${o.server ? o.serverEvery : '—'} inputs, time limit ${o.timeLimitMs} ms\n`);

  const workspace = mkdtempSync(join(tmpdir(), 'dmabuf-fuzz-'));
  const serverJs = join(root, 'dist/server.js');
  let server: ServerSession | undefined;
  const startServer = async () => {
    server = await ServerSession.start(serverJs, workspace);
  };
  if (o.server) await startServer();

  if (o.replay !== undefined) {
    const r = new Rng(o.replay);
    const input = nextInput(r, samples);
    const probes = probesFor(r, input.text);
    const checker = new IsolatedChecker(__filename, 60_000);
    const failures = [...(await checker.check(input, { timeLimitMs: o.timeLimitMs, probes })).failures];
    await checker.stop();
    if (server) failures.push(...(await server.check(input, [], 30_000)));
    process.stdout.write(`input of seed ${o.replay} (${input.how}, ${input.text.length} chars):\n${JSON.stringify(input.text.slice(0, 2000))}\n`);
    for (const f of failures) process.stdout.write(`  ${f.kind}: ${f.message}\n`);
    if (server) await server.stop();
    rmSync(workspace, { recursive: true, force: true });
    process.stdout.write(`fuzz: 1 inputs, ${failures.length > 0 ? 1 : 0} failures, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    process.exitCode = failures.length > 0 ? 1 : 0;
    return;
  }

  const checkers = Array.from({ length: o.jobs }, () => new IsolatedChecker(__filename, 60_000));
  const master = new Rng(o.seed);
  const bySignature = new Map<string, number>();
  let generated = 0;
  let inputs = 0;
  let failed = 0;
  let serverInputs = 0;
  let slowest = 0;
  let rssFirst: number | undefined;
  let rssMax = 0;
  const totals = { shares: 0, findings: 0, fixes: 0, formatted: 0, withShares: 0 };
  const record = (input: Input, index: number, seed: number, failures: Failure[]) => {
    if (failures.length === 0) return;
    failed++;
    const sigs = [...new Set(failures.map(signature))];
    const fresh = sigs.filter((s) => !bySignature.has(s));
    for (const s of sigs) bySignature.set(s, (bySignature.get(s) ?? 0) + 1);
    const where = o.save && fresh.length > 0 ? save(o.corpus, input, failures, seed) : undefined;
    process.stdout.write(`FAIL input ${index} (seed ${seed}, ${input.how}, ${input.text.length} chars)${where ? ` kept as ${where}` : ''}\n`);
    for (const f of failures.slice(0, 5)) process.stdout.write(`  ${f.kind}: ${f.message.split('\n').slice(0, 6).join('\n    ')}\n`);
  };

  // One server for the whole run: its checks take turns, while the workers go on.
  let serverTurn: Promise<unknown> = Promise.resolve();
  const throughServer = (input: Input, probes: readonly number[]): Promise<Failure[]> => {
    const turn = serverTurn.then(async () => {
      if (!server) return [];
      const lines = input.text.split(/\r\n|\r|\n/);
      const positions = probes.map((p) => {
        const line = p % lines.length;
        return { line, character: p % ((lines[line]?.length ?? 0) + 1) };
      });
      const failures = await server.check(input, positions, 30_000);
      serverInputs++;
      const rss = server.rss;
      if (rss !== undefined) {
        if (serverInputs === 50) rssFirst = rss;
        rssMax = Math.max(rssMax, rss);
      }
      if (!server.alive) {
        await server.stop();
        await startServer();
      }
      return failures;
    });
    serverTurn = turn.catch(() => undefined);
    return turn;
  };

  // Each lane takes the next input (in the order of the master seed, so that input N
  // is the same whatever the number of jobs) and checks it in its own worker.
  const lane = async (checker: IsolatedChecker) => {
    while (performance.now() < deadline && generated < o.inputs) {
      const index = generated++;
      const seed = master.u32();
      const r = new Rng(seed);
      const input = nextInput(r, samples);
      const probes = probesFor(r, input.text);
      const res = await checker.check(input, { timeLimitMs: o.timeLimitMs, probes });
      slowest = Math.max(slowest, res.slowest.ms);
      totals.shares += res.stats.shares;
      totals.findings += res.stats.findings;
      totals.fixes += res.stats.fixes;
      totals.formatted += res.stats.formatted;
      if (res.stats.shares > 0) totals.withShares++;
      const failures = [...res.failures];
      if (server && index % o.serverEvery === 0 && input.text.length < 1_000_000) failures.push(...(await throughServer(input, probes)));
      record(input, index, seed, failures);
      inputs++;
    }
  };

  let last = { at: started, inputs: 0 };
  const report = setInterval(() => {
    const now = performance.now();
    const s = (now - started) / 1000;
    const recent = (inputs - last.inputs) / ((now - last.at) / 1000);
    last = { at: now, inputs };
    const serverRss = server?.rss;
    process.stdout.write(
      `fuzz: ${inputs} inputs, ${failed} failures, ${s.toFixed(0)} s, ${(inputs / s).toFixed(1)} inputs/s (${recent.toFixed(1)} in the last ${o.reportEvery} s), ${serverInputs} through the server` +
        `${serverRss !== undefined ? `, server RSS ${(serverRss / 1024).toFixed(0)} MiB` : ''}, fuzzer RSS ${(process.memoryUsage.rss() / 1048576).toFixed(0)} MiB\n`,
    );
  }, o.reportEvery * 1000);
  await Promise.all(checkers.map(lane));
  clearInterval(report);
  if (server) await server.stop();
  await Promise.all(checkers.map((c) => c.stop()));
  rmSync(workspace, { recursive: true, force: true });
  const seconds = (performance.now() - started) / 1000;
  if (bySignature.size > 0) {
    process.stdout.write('failures by kind:\n');
    for (const [s, n] of [...bySignature].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${n}× ${s}\n`);
  }
  process.stdout.write(
    `fuzz: seed ${o.seed}, ${serverInputs} inputs through the server, slowest single operation ${slowest.toFixed(0)} ms, ` +
      `${(inputs / seconds).toFixed(1)} inputs/s${rssFirst !== undefined ? `, server RSS ${(rssFirst / 1024).toFixed(0)} MiB after 50 inputs, at most ${(rssMax / 1024).toFixed(0)} MiB` : ''}\n`,
  );
  process.stdout.write(
    `fuzz: exercised ${totals.withShares} inputs with shares computed (${totals.shares} shares), ${totals.findings} diagnostics, ` +
      `${totals.fixes} quick fixes applied and undone, ${totals.formatted} inputs formatted\n`,
  );
  process.stdout.write(`fuzz: ${inputs} inputs, ${failed} failures, ${seconds.toFixed(0)} s\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (isMainThread) {
  main().catch((e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  });
} else {
  workerMain();
}
