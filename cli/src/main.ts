// dmabuf-lint: a command-line client of the dmabuf language server. It never analyses
// by itself: it finds the files, asks the server (`dmabuf/shares`) and prints.

import { ResponseError } from 'vscode-jsonrpc/node';
import { FILE_NOT_READABLE, type SharesResult } from '../../server/src/lsp/protocol';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileKey, isInside } from '../../server/src/lsp/uris';
import { version } from '../../package.json';
import { parseArgs, USAGE, UsageError } from './args';
import { discover, PathError, type Candidate } from './discover';
import { jsonReport, prettyReport, summarize, type FileReport } from './report';
import { chooseRoots } from './roots';
import { LanguageServer, ServerError } from './server';

const EXIT_CLEAN = 0;
const EXIT_ERRORS = 1;
const EXIT_USAGE = 2;

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

async function run(argv: readonly string[]): Promise<number> {
  let opts;
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
  let cands: Candidate[];
  try {
    cands = discover(opts.paths, cwd);
  } catch (e) {
    if (e instanceof PathError) return fail(e.message);
    throw e;
  }

  const results: SharesResult[] = [];
  if (cands.length > 0) {
    let server: LanguageServer | undefined;
    try {
      server = await LanguageServer.start(cwd, extraFolders(opts.paths, cwd), opts.rules);
      for (const c of cands) {
        try {
          results.push(await server.shares(c.abs));
        } catch (e) {
          if (e instanceof ResponseError && e.code === FILE_NOT_READABLE) return fail(`cannot read '${c.shown}'`);
          throw e;
        }
      }
    } catch (e) {
      if (e instanceof ServerError || e instanceof ResponseError) return fail(e.message);
      throw e;
    } finally {
      await server?.stop();
    }
  }

  const keyed = results.map((r) => ({ key: fileKey(r.uri), files: r.files.map(fileKey) }));
  const reports: FileReport[] = chooseRoots(keyed).map((i) => {
    const r = results[i]!;
    const own = fileKey(r.uri);
    // The root file's own diagnostics first, then those in the files it uses.
    const diagnostics = [...r.diagnostics.filter((d) => fileKey(d.uri) === own), ...r.diagnostics.filter((d) => fileKey(d.uri) !== own)];
    return { path: cands[i]!.shown, uri: r.uri, diagnostics, shares: r.shares };
  });

  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify(jsonReport(reports, cwd), null, 2) + '\n');
  } else {
    const color = opts.color ?? (process.stdout.isTTY === true && !process.env['NO_COLOR']);
    process.stdout.write(prettyReport(reports, cwd, { color }));
  }
  return summarize(reports).errors > 0 ? EXIT_ERRORS : EXIT_CLEAN;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = fail(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  },
);
