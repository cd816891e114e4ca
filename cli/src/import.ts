// `dmabuf-lint import`: a `platform` block from the machine's own description (lspci
// output, a dmabuf-snapshot folder, hwloc XML). As everything in dmabuf-lint, a client
// of the language server: it reads the files and sends them with `dmabuf/import`; the
// server parses, writes the model and checks the real IOMMU groups against the engine.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { IMPORT_METHOD, type ImportParams, type ImportResult, type ImportSourceKind } from '../../server/src/lsp/importProtocol';
import { readRegularFile, type ReadFailure } from '../../server/src/lsp/readRegular';
import { readFailureReason, reason } from './inputs';
import { LanguageServer, ServerError } from './server';

const IMPORT_USAGE = `usage: dmabuf-lint import --lspci TREE [--verbose VVV] [--groups G] [-o OUT] [--name NAME]
       dmabuf-lint import --sysfs DIR [--groups G] [-o OUT] [--name NAME]
       dmabuf-lint import --hwloc FILE [--groups G] [-o OUT] [--name NAME]

Writes the platform block of a model from the machine it describes (docs/import.md):
PCIe tree with BDFs and vendor:device ids, host bridges and their root devices, BARs,
ACS bits, NUMA nodes, CPU and IOMMU, as far as the source shows them. What the source
does not show is a TODO comment in the output that says what to add; nothing is
guessed.

Sources:
  --lspci TREE      the output of lspci -tvnn (or -tv); with --verbose VVV, the output
                    of sudo lspci -vvvnn for classes, BARs, ACS bits, NUMA nodes and the
                    IOMMU groups. Either file may be given alone (TREE may be -vvvnn).
                    Every lspci form is told by its content (-t, -tv, -tvnn, -v, -vvv,
                    -k, -nnk, plain; a paste with prompts, fences or CRLF too); a flat
                    list (-nnk, plain) gives classes, ids and drivers, not the tree.
  --groups G        an IOMMU group listing (find /sys/kernel/iommu_groups -type l, or
                    the usual "IOMMU Group N" loop): compared with the engine's groups
  --sysfs DIR       a folder written by dmabuf-snapshot (bin/dmabuf-snapshot)
  --hwloc FILE      the XML of lstopo --of xml (hwloc 1.x or 2.x)

Options:
  -o, --output OUT  write the model to OUT (not over an existing file unless --force);
                    default: standard output
  --force           overwrite OUT
  --name NAME       the platform's name (default: imported)
  -h, --help        print this text

When the source has the real IOMMU groups (sysfs, or lspci -vvv run where pciutils
prints them), they are compared with the groups the engine computes for the imported
model, and every difference is printed as a warning naming the devices.

Exit status: 0 written; 2 bad usage, a file that cannot be read, an input that is not
the output named, or the language server failed.
`;

/** The most bytes read from the inputs (the server refuses more). */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/** The largest single file of a snapshot folder that is sent. */
const MAX_SNAPSHOT_FILE = 4 * 1024 * 1024;

class Usage extends Error {}
class Failure extends Error {}

interface ImportOptions {
  readonly kind: ImportSourceKind | undefined;
  readonly source: string | undefined;
  readonly verbose: string | undefined;
  readonly groups: string | undefined;
  readonly output: string | undefined;
  readonly force: boolean;
  readonly name: string | undefined;
  readonly help: boolean;
}

/** True when the command word of argv (its first argument that is not an option) is `import`. */
export function importCommand(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a.startsWith('-') && a !== '-') continue;
    return a === 'import';
  }
  return false;
}

function parseImportArgs(argv: readonly string[]): ImportOptions {
  let kind: ImportSourceKind | undefined;
  let source: string | undefined;
  let verbose: string | undefined;
  let groups: string | undefined;
  let output: string | undefined;
  let name: string | undefined;
  let force = false;
  let help = false;
  let seenCommand = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!seenCommand && a === 'import') {
      seenCommand = true;
      continue;
    }
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.length === 0) throw new Usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        help = true;
        break;
      case '--lspci':
      case '--sysfs':
      case '--hwloc': {
        const k = flag.slice(2) as ImportSourceKind;
        if (kind !== undefined) throw new Usage(`give one source: --${kind} and ${flag} both given`);
        kind = k;
        source = value();
        break;
      }
      case '--verbose':
        verbose = value();
        break;
      case '--groups':
        groups = value();
        break;
      case '-o':
      case '--output':
        output = value();
        break;
      case '--name':
        name = value();
        break;
      case '--force':
        force = true;
        break;
      default:
        throw new Usage(a.startsWith('-') ? `unknown option '${a}'` : `unexpected argument '${a}'`);
    }
  }
  if (!help) {
    if (kind === undefined) throw new Usage('import needs a source: --lspci FILE, --sysfs DIR or --hwloc FILE');
    if (verbose !== undefined && kind !== 'lspci') throw new Usage('--verbose goes with --lspci');
  }
  return { kind, source, verbose, groups, output, force, name, help };
}

/** Why a file of a snapshot folder was not read, in a few words. */
function skipReason(f: ReadFailure): string {
  switch (f.kind) {
    case 'too-large':
      return f.size !== undefined ? `${f.size} bytes, over ${MAX_SNAPSHOT_FILE / 1024 / 1024} MiB` : `over ${MAX_SNAPSHOT_FILE / 1024 / 1024} MiB`;
    case 'directory':
      return 'is a directory';
    case 'not-regular':
      return 'not a regular file';
    case 'symlink':
      return 'a symbolic link: not followed';
    case 'outside':
      return `leads to ${f.real}, outside the folder`;
    case 'changed':
      return 'changed while it was read';
    case 'missing':
    case 'error':
      return readFailureReason(f);
  }
}

/** The text of an lspci or hwloc input; opened without blocking (readRegular.ts): a FIFO is refused, never waited on. */
function readText(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const r = readRegularFile(abs, { maxBytes: MAX_INPUT_BYTES });
  if ('failure' in r) {
    const f = r.failure;
    if (f.kind === 'directory') throw new Failure(`'${file}' is a directory`);
    if (f.kind === 'too-large') throw new Failure(f.size !== undefined ? `'${file}' is ${f.size} bytes: over ${MAX_INPUT_BYTES / 1024 / 1024} MiB` : `'${file}' is over ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
    throw new Failure(`cannot read '${file}': ${f.kind === 'not-regular' ? 'not a regular file' : skipReason(f)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(r.bytes);
  } catch {
    throw new Failure(`'${file}' is not UTF-8 text`);
  }
}

/**
 * Every regular file below `dir` (symbolic links are not followed), by its path inside
 * `dir`. Each file is opened without following a link (O_NOFOLLOW), without blocking,
 * checked on its descriptor and must lie inside the folder: an entry swapped after the
 * listing (for a FIFO, a link, a directory) is skipped with the reason.
 */
function readSnapshot(dir: string, cwd: string): { files: Record<string, string>; skipped: string[] } {
  const root = path.resolve(cwd, dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch (e) {
    throw new Failure(`cannot read '${dir}': ${reason(e)}`);
  }
  if (!st.isDirectory()) throw new Failure(`'${dir}' is not a directory: --sysfs takes the folder dmabuf-snapshot wrote`);
  let realRoot: string;
  try {
    realRoot = fs.realpathSync.native(root);
  } catch (e) {
    throw new Failure(`cannot read '${dir}': ${reason(e)}`);
  }
  const files: Record<string, string> = {};
  const skipped: string[] = [];
  let total = 0;
  const walk = (rel: string) => {
    const here = path.join(root, rel);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(here, { withFileTypes: true });
    } catch (e) {
      skipped.push(`${rel || '.'}: ${reason(e)}`);
      return;
    }
    for (const e of entries.sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) {
        const got = readRegularFile(path.join(root, r), { maxBytes: MAX_SNAPSHOT_FILE, noFollow: true, inside: [realRoot] });
        if ('failure' in got) {
          skipped.push(`${r}: ${skipReason(got.failure)}`);
          continue;
        }
        total += got.bytes.length;
        if (total > MAX_INPUT_BYTES) throw new Failure(`'${dir}' holds more than ${MAX_INPUT_BYTES / 1024 / 1024} MiB: is it a dmabuf-snapshot folder?`);
        try {
          files[r] = new TextDecoder('utf-8', { fatal: true }).decode(got.bytes);
        } catch {
          skipped.push(`${r}: not UTF-8 text`);
        }
      }
    }
  };
  walk('');
  return { files, skipped };
}

function say(line: string): void {
  process.stderr.write(`dmabuf-lint: ${line}\n`);
}

/** Runs `dmabuf-lint import …`; the exit status. */
export async function runImport(argv: readonly string[], cwd: string): Promise<number> {
  let opts: ImportOptions;
  try {
    opts = parseImportArgs(argv);
  } catch (e) {
    if (e instanceof Usage) {
      say(`${e.message} (see dmabuf-lint import --help)`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(IMPORT_USAGE);
    return 0;
  }
  let server: LanguageServer | undefined;
  try {
    if (opts.output !== undefined && !opts.force && fs.existsSync(path.resolve(cwd, opts.output))) {
      throw new Failure(`'${opts.output}' exists: give --force to overwrite it`);
    }
    server = LanguageServer.launch(cwd, [], {});
    let params: ImportParams;
    const groups = opts.groups !== undefined ? readText(opts.groups, cwd) : undefined;
    const skippedFiles: string[] = [];
    if (opts.kind === 'sysfs') {
      const snap = readSnapshot(opts.source!, cwd);
      skippedFiles.push(...snap.skipped);
      params = { kind: 'sysfs', inputs: { snapshotFiles: snap.files, groups }, name: opts.name };
    } else if (opts.kind === 'hwloc') {
      params = { kind: 'hwloc', inputs: { xml: readText(opts.source!, cwd), groups }, name: opts.name };
    } else {
      params = {
        kind: 'lspci',
        inputs: { tree: readText(opts.source!, cwd), verbose: opts.verbose !== undefined ? readText(opts.verbose, cwd) : undefined, groups },
        name: opts.name,
      };
    }
    await server.ready;
    let result: ImportResult;
    try {
      result = await server.request<ImportResult>(IMPORT_METHOD, params);
    } catch (e) {
      if (e instanceof ResponseError) throw new Failure(`cannot import: ${e.message.replace(/^dmabuf\/import: /, '')}`);
      throw e;
    }
    for (const s of skippedFiles) say(`note: not read: ${s}`);
    for (const n of result.notes) say(`note: ${n}`);
    const g = result.groupCheck;
    if (g) {
      if (g.differences.length === 0) say(`IOMMU groups: ${g.compared} endpoints in ${g.realGroups} kernel groups, the engine forms the same groups`);
      else {
        say(`warning: IOMMU groups: ${g.compared} endpoints compared, ${g.differences.length} difference${g.differences.length === 1 ? '' : 's'} between the kernel's groups and the engine's:`);
        for (const d of g.differences) say(`warning: ${d}`);
      }
    }
    const s = result.summary;
    if (opts.output !== undefined) {
      const out = path.resolve(cwd, opts.output);
      const tmp = `${out}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, result.text);
        fs.renameSync(tmp, out);
      } catch (e) {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // nothing to clean
        }
        throw new Failure(`cannot write '${opts.output}': ${reason(e)}`);
      }
      say(`wrote ${opts.output}: ${s.written} of ${s.functions} PCI functions under ${s.hostBridges} host bridge${s.hostBridges === 1 ? '' : 's'}; see its TODO comments`);
    } else {
      process.stdout.write(result.text);
      say(`${s.written} of ${s.functions} PCI functions under ${s.hostBridges} host bridge${s.hostBridges === 1 ? '' : 's'} written; see the TODO comments`);
    }
    return 0;
  } catch (e) {
    if (e instanceof Failure || e instanceof ServerError) {
      say(e.message.split('\n')[0]!);
      return 2;
    }
    throw e;
  } finally {
    await server?.stop();
  }
}
