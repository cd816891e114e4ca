// dmabuf-lint: a command-line client of the dmabuf language server. It never analyses
// by itself: it finds the files, asks the server (`dmabuf/shares`, formatting) and prints.

import { ResponseError } from 'vscode-jsonrpc/node';
import { FILE_NOT_READABLE, type DiagnosticJson, type SharesResult } from '../../server/src/lsp/protocol';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileKey, isInside, uriToPath } from '../../server/src/lsp/uris';
import { version } from '../../package.json';
import { parseArgs, USAGE, UsageError, type Options } from './args';
import { discover, PathError, shownPath, type Candidate } from './discover';
import { explainJson, explainPretty, findShare, notFoundMessage } from './explain';
import { formatCheck, type FormatTarget } from './formatCheck';
import { runView, viewCommand } from './graph';
import { importCommand, runImport } from './import';
import { githubReport } from './github';
import { compareTable, comparePretty, compareSarif } from './compare';
import { InputError, readInput, readStdin } from './inputs';
import { jsonReport, prettyReport, Sources, summarize, type FileReport } from './report';
import { chooseRoots } from './roots';
import { sarifReport } from './sarif';
import { LanguageServer, ServerError, useSpawnedServer } from './server';

const EXIT_CLEAN = 0;
const EXIT_ERRORS = 1;
const EXIT_USAGE = 2;

/** A failure that ends the run with exit status 2 and one line on stderr. */
class Stop extends Error {}

function fail(message: string): number {
  process.stderr.write(`dmabuf-lint: ${message.split('\n')[0]}\n`);
  return EXIT_USAGE;
}

/** The folders given on the command line (a file's folder for a file) that lie outside `cwd`. */
function extraFolders(args: readonly string[], cwd: string): string[] {
  const out = new Set<string>();
  for (const a of args) {
    const abs = path.resolve(cwd, a);
    let dir = abs;
    try {
      if (!fs.statSync(abs).isDirectory()) dir = path.dirname(abs);
    } catch {
      continue; // a glob: its files are checked with the current directory as workspace
    }
    if (!isInside(cwd, dir)) out.add(dir);
  }
  return [...out];
}

function useColor(opts: Options): boolean {
  return opts.color ?? (process.stdout.isTTY === true && !process.env['NO_COLOR']);
}

/**
 * Runs `fn` with one language server for the whole run, stopped at the end whatever
 * happens. `meanwhile` runs while the server process starts (reading the inputs); if it
 * throws, the server is stopped and the error goes on.
 */
async function withServer<T>(opts: Options, cwd: string, rules: Options['rules'], fn: (s: LanguageServer) => Promise<T>, meanwhile: () => void = () => {}): Promise<T> {
  let server: LanguageServer | undefined;
  try {
    server = LanguageServer.launch(cwd, extraFolders(opts.paths, cwd), rules);
    meanwhile(); // on failure, `finally` stops the server the ordinary way
    await server.ready;
    return await fn(server);
  } catch (e) {
    if (e instanceof ServerError || (e instanceof ResponseError && e.code !== FILE_NOT_READABLE)) throw new Stop(e.message);
    throw e;
  } finally {
    await server?.stop();
  }
}

/** `dmabuf/shares` for every file, all requests in flight at once (the server answers in order). */
async function analyseAll(server: LanguageServer, cands: readonly Candidate[], explain = false, kernel?: string): Promise<SharesResult[]> {
  const all = cands.map((c) =>
    server.shares(c.abs, { explain, kernel }).catch((e: unknown) => {
      if (e instanceof ResponseError && e.code === FILE_NOT_READABLE) throw new Stop(`cannot read '${c.shown}'`);
      throw e;
    }),
  );
  // Wait for every answer before failing, so no rejection is left unhandled.
  const settled = await Promise.allSettled(all);
  const bad = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (bad) throw bad.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<SharesResult>).value);
}

function onlyErrors(d: readonly DiagnosticJson[]): DiagnosticJson[] {
  return d.filter((x) => x.severity === 'error');
}

/**
 * `--stdin`: the text is opened in the server as an unsaved document at the file it
 * stands for, so the server analyses the text, not the disk (and resolves its `use`s
 * from that file's folder), exactly as an editor's buffer.
 */
async function lintStdin(opts: Options, cwd: string): Promise<{ cands: Candidate[]; results: SharesResult[]; texts: Map<string, string> }> {
  const abs = path.resolve(cwd, opts.stdinFilename ?? 'stdin.dmabuf');
  const shown = opts.stdinFilename ?? shownPath(abs, cwd);
  const text = readStdin(shown);
  const results = await withServer(opts, cwd, opts.rules, async (s) => {
    s.open(abs, text);
    return [await s.shares(abs, { explain: false, kernel: opts.kernels[0] })];
  });
  return { cands: [{ abs, shown }], results, texts: new Map([[results[0]!.uri, text]]) };
}

async function lint(opts: Options, cwd: string): Promise<number> {
  let cands: Candidate[];
  let results: SharesResult[];
  let texts = new Map<string, string>();
  if (opts.stdin) ({ cands, results, texts } = await lintStdin(opts, cwd));
  else {
    cands = discover(opts.paths, cwd);
    if (opts.formatCheck) return runFormatCheck(opts, cwd, cands);
    // The inputs are checked while the server starts; none is sent before all are good.
    const check = () => cands.forEach((c) => readInput(c.abs, c.shown));
    results = cands.length === 0 ? [] : await withServer(opts, cwd, opts.rules, (s) => analyseAll(s, cands, false, opts.kernels[0]), check);
  }
  const keyed = results.map((r) => ({ key: fileKey(r.uri), files: r.files.map(fileKey) }));
  const all: FileReport[] = chooseRoots(keyed).map((i) => {
    const r = results[i]!;
    const own = fileKey(r.uri);
    // The root file's own diagnostics first, then those in the files it uses.
    const diagnostics = [...r.diagnostics.filter((d) => fileKey(d.uri) === own), ...r.diagnostics.filter((d) => fileKey(d.uri) !== own)];
    return { path: cands[i]!.shown, uri: r.uri, diagnostics, shares: r.shares, ...(r.engineWithheld ? { engineWithheld: r.engineWithheld } : {}) };
  });
  const reports = opts.quiet ? all.map((f) => ({ ...f, diagnostics: onlyErrors(f.diagnostics) })) : all;

  let text: string;
  switch (opts.format) {
    case 'json':
      text = JSON.stringify(jsonReport(reports, cwd), null, 2) + '\n';
      break;
    case 'sarif':
      text = JSON.stringify(sarifReport(reports, cwd, version), null, 2) + '\n';
      break;
    case 'github':
      text = githubReport(reports, cwd, opts.quiet);
      break;
    default:
      text = prettyReport(reports, cwd, { color: useColor(opts), quiet: opts.quiet }, new Sources(texts));
  }
  process.stdout.write(text);

  const total = summarize(all);
  if (total.errors > 0) return EXIT_ERRORS;
  if (opts.maxWarnings !== undefined && total.warnings > opts.maxWarnings) {
    process.stderr.write(`dmabuf-lint: ${total.warnings} warning${total.warnings === 1 ? '' : 's'}, more than --max-warnings ${opts.maxWarnings}\n`);
    return EXIT_ERRORS;
  }
  return EXIT_CLEAN;
}

async function runFormatCheck(opts: Options, cwd: string, cands: readonly Candidate[]): Promise<number> {
  if (cands.length === 0) {
    process.stdout.write('0 files checked: all formatted\n');
    return EXIT_CLEAN;
  }
  let texts: string[] = [];
  const check = () => {
    texts = cands.map((c) => readInput(c.abs, c.shown));
  };
  // The rules do not matter here, except that syntax errors must be reported: defaults.
  const result = await withServer(opts, cwd, {}, async (server) => {
    const results = await analyseAll(server, cands);
    const keyed = results.map((r) => ({ key: fileKey(r.uri), files: r.files.map(fileKey) }));
    const roots = chooseRoots(keyed);
    // Every root file and every file it uses, each once, in that order.
    const textOf = new Map(cands.map((c, i) => [fileKey(c.abs), texts[i]!]));
    const seen = new Set<string>();
    const targets: FormatTarget[] = [];
    for (const i of roots) {
      const r = results[i]!;
      for (const uri of r.files) {
        const key = fileKey(uri);
        const abs = uriToPath(uri);
        if (seen.has(key) || abs === undefined) continue;
        seen.add(key);
        const shown = shownPath(abs, cwd);
        const text = textOf.get(key) ?? readInput(abs, shown);
        const hasSyntaxErrors = r.diagnostics.some((d) => d.code === 'syntax-error' && fileKey(d.uri) === key);
        targets.push({ abs, shown, text, hasSyntaxErrors });
      }
    }
    return formatCheck(server, targets);
  }, check);
  process.stdout.write(result.output);
  return result.notFormatted > 0 ? EXIT_ERRORS : EXIT_CLEAN;
}

/** The one file of explain or compare, checked before the server is asked. */
function oneFile(opts: Options, cwd: string, command: string): Candidate {
  const arg = opts.paths[0]!;
  const abs = path.resolve(cwd, arg);
  let isDir = false;
  try {
    isDir = fs.statSync(abs).isDirectory();
  } catch {
    // readInput says why
  }
  if (isDir) throw new Stop(`${command} takes one file: '${arg}' is a directory`);
  readInput(abs, arg);
  return { abs, shown: shownPath(abs, cwd) };
}

/** `compare FILE --kernel A,B…`: the model on each release, one request per release. */
async function compare(opts: Options, cwd: string): Promise<number> {
  const file = oneFile(opts, cwd, 'compare');
  const results = await withServer(opts, cwd, opts.rules, (s) => Promise.all(opts.kernels.map(async (k) => (await analyseAll(s, [file], true, k))[0]!)));
  const table = compareTable(file.shown, opts.kernels, results);
  if (opts.format === 'json') process.stdout.write(JSON.stringify(table, null, 2) + '\n');
  else if (opts.format === 'sarif') process.stdout.write(JSON.stringify(compareSarif(table, file.abs, version), null, 2) + '\n');
  else process.stdout.write(comparePretty(table, { color: useColor(opts) }));
  return EXIT_CLEAN;
}

async function explain(opts: Options, cwd: string): Promise<number> {
  const arg = opts.paths[0]!;
  const share = opts.share!;
  const abs = path.resolve(cwd, arg);
  const shown = shownPath(abs, cwd);
  let isDir = false;
  try {
    isDir = fs.statSync(abs).isDirectory();
  } catch {
    // readInput says why
  }
  if (isDir) throw new Stop(`explain takes one file: '${arg}' is a directory`);
  readInput(abs, arg);
  const r = await withServer(opts, cwd, opts.rules, (s) => analyseAll(s, [{ abs, shown }], true, opts.kernels[0]));
  const result = r[0]!;
  const found = findShare(result, share);
  if (found.length === 0) throw new Stop(notFoundMessage(result, share, shown));
  const shownFound = opts.quiet ? found.map((f) => ({ ...f, diagnostics: onlyErrors(f.diagnostics) })) : found;
  if (opts.format === 'json') process.stdout.write(JSON.stringify(explainJson(shownFound, shown), null, 2) + '\n');
  else process.stdout.write(explainPretty(shownFound, cwd, { color: useColor(opts) }));
  return found.some((f) => f.diagnostics.some((d) => d.severity === 'error')) ? EXIT_ERRORS : EXIT_CLEAN;
}

async function run(all: readonly string[]): Promise<number> {
  // `--spawn` chooses the server's transport for every command (cli/src/server.ts).
  const argv = all.filter((a) => a !== '--spawn');
  useSpawnedServer(argv.length !== all.length);
  if (viewCommand(argv)) return runView(argv, process.cwd()); // graph, matrix: cli/src/graph.ts
  if (importCommand(argv)) return runImport(argv, process.cwd()); // import: cli/src/import.ts
  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return fail(`${e.message} (see --help)`);
    throw e;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return EXIT_CLEAN;
  }
  if (opts.version) {
    process.stdout.write(`${version}\n`);
    return EXIT_CLEAN;
  }
  const cwd = process.cwd();
  try {
    return opts.command === 'explain' ? await explain(opts, cwd) : opts.command === 'compare' ? await compare(opts, cwd) : await lint(opts, cwd);
  } catch (e) {
    if (e instanceof Stop || e instanceof PathError || e instanceof InputError) return fail(e.message);
    throw e;
  }
}

// vscode-jsonrpc leaves a rejected promise behind when a write to a server that has
// died fails; the death itself is reported by LanguageServer (one line, exit 2).
process.on('unhandledRejection', (e: unknown) => {
  const code = (e as { code?: string } | undefined)?.code;
  if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET') return;
  process.exitCode = fail(`internal error: ${e instanceof Error ? e.message : String(e)}`);
});

// `dmabuf-lint … | head`: the reader went away; the rest of the output has nowhere to go.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') process.exitCode = fail(`cannot write the output: ${e.message}`);
});

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = fail(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  },
);
