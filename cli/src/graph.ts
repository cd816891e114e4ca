// `dmabuf-lint graph FILE --svg OUT --dot OUT` and `dmabuf-lint matrix FILE [--csv|--json]`:
// the views of the editor, from the command line. As everything else in dmabuf-lint, a
// client of the language server: it asks `dmabuf/topology` or `dmabuf/matrix` and writes
// what the server rendered (the text and CSV of the matrix are rendered here from the
// server's numbers, which are the engine's).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResponseError } from 'vscode-jsonrpc/node';
import { FILE_NOT_READABLE } from '../../server/src/lsp/protocol';
import { isInside } from '../../server/src/lsp/uris';
import {
  MATRIX_METHOD,
  TOPOLOGY_METHOD,
  type MatrixParams,
  type MatrixResult,
  type TopologyParams,
  type TopologyResult,
} from '../../server/src/lsp/viewProtocol';
import { matrixCsv, matrixText } from '../../server/src/view/matrix';
import { InputError, readInput } from './inputs';
import { LanguageServer, ServerError } from './server';
import { DIAGNOSTIC_CODES } from '../../server/src/ground/codes';
import { COLLAPSE_ABOVE, FILTER_CLASSES } from '../../server/src/view/filter';
import type { ViewFilterJson } from '../../server/src/lsp/viewProtocol';

const VIEW_COMMANDS = ['graph', 'matrix'] as const;
type ViewCommand = (typeof VIEW_COMMANDS)[number];

const VIEW_USAGE = `usage: dmabuf-lint graph FILE [--svg OUT] [--dot OUT] [FILTER]... [--rule CODE=LEVEL]...
       dmabuf-lint matrix FILE [--csv | --json] [--width N] [FILTER]... [--rule CODE=LEVEL]...

graph   draws the model whose root is FILE, as the editor's "Show topology" does: the
        CPU, RAM, host bridges and the PCIe tree (switches with their ports,
        endpoints, VFs), the importers that are not PCI functions and the links
        beside it, IOMMU groups as shaded boxes, ACS redirect marked, and every share
        as a route from exporter to importer coloured by its outcome, with a legend.
          --svg OUT   write SVG (laid out by ELK) to OUT ('-': standard output)
          --dot OUT   write Graphviz DOT to OUT ('-': standard output)
        At least one of them; both may be given.
matrix  prints the P2P matrix, like nvidia-smi topo -m: every pair of PCI endpoints
        with the map type and distance of pci_p2pdma_map_type() (the engine's own
        answers). Rows are providers (the BAR's owner), columns clients.
          --csv       one row per ordered pair: provider, client, mapType, distance,
                      commonAncestor, acsRedirects, link, path
          --json      the server's answer as JSON

Filters, for big machines (both commands; what is left out is counted per host bridge):
  --only CLASSES       endpoints of these classes only, with the bridges above them:
                       gpu, nic, nvme, accel, fpga, endpoint (comma-separated)
  --host-bridge NAMES  below these host bridges only (hb0,hb3)
  --node N             below the host bridges of NUMA node N (comma-separated)
Without --only, a model of more than ${COLLAPSE_ABOVE} PCI functions shows its generic endpoints on
root buses (uncore, chipset functions no share uses) as one node per host bridge.
  --width N            matrix text: fit N columns (default: the terminal's width when
                       standard output is one); wider tables number their columns and
                       are cut into pages

The output is written also when the model has errors (a note on stderr says how
many; dmabuf-lint FILE lists them). Exit status: 0 written; 2 bad usage, a file that
cannot be read, or the language server failed. A file named 'graph' or 'matrix' is
written './graph'.
`;

class Usage extends Error {}

interface ViewOptions {
  readonly command: ViewCommand;
  readonly file: string;
  readonly svg: string | undefined;
  readonly dot: string | undefined;
  readonly format: 'text' | 'csv' | 'json';
  readonly rules: Readonly<Record<string, string>>;
  readonly filter: ViewFilterJson;
  readonly width: number | undefined;
  readonly help: boolean;
}

/** Options of dmabuf-lint that take a value as the next argument (to find the command word). */
const VALUE_OPTIONS = new Set(['--format', '--max-warnings', '--rule', '--svg', '--dot', '--only', '--host-bridge', '--node', '--width']);

/** `graph` or `matrix` when that is the command word of argv (its first argument that is not an option). */
export function viewCommand(argv: readonly string[]): ViewCommand | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a.startsWith('-') && a !== '-') {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return (VIEW_COMMANDS as readonly string[]).includes(a) ? (a as ViewCommand) : undefined;
  }
  return undefined;
}

function parseViewArgs(argv: readonly string[]): ViewOptions {
  let command: ViewCommand | undefined;
  const positional: string[] = [];
  let svg: string | undefined;
  let dot: string | undefined;
  let format: ViewOptions['format'] | undefined;
  let help = false;
  const rules: Record<string, string> = {};
  const only: string[] = [];
  const hostBridges: string[] = [];
  const nodes: number[] = [];
  let width: number | undefined;
  let onlyPaths = false;
  const valueOf = (i: number, name: string): { v: string | undefined; next: number } => {
    const a = argv[i]!;
    if (a === name) return { v: argv[i + 1], next: i + 1 };
    return { v: a.slice(name.length + 1), next: i };
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const is = (name: string) => a === name || a.startsWith(`${name}=`);
    if (onlyPaths || !a.startsWith('-') || a === '-') {
      if (!command && !onlyPaths) command = a as ViewCommand;
      else positional.push(a);
      continue;
    }
    if (a === '--') onlyPaths = true;
    else if (a === '-h' || a === '--help') help = true;
    else if (a === '--no-color' || a === '--no-colour' || a === '--color' || a === '--colour' || a === '-q' || a === '--quiet') {
      // nothing to colour or leave out
    } else if (is('--svg') || is('--dot')) {
      const name = is('--svg') ? '--svg' : '--dot';
      const { v, next } = valueOf(i, name);
      i = next;
      if (v === undefined || v === '') throw new Usage(`${name} needs a file to write ('-' for standard output)`);
      if (name === '--svg') svg = v;
      else dot = v;
    } else if (a === '--csv' || a === '--json') {
      const f = a === '--csv' ? 'csv' : 'json';
      if (format && format !== f) throw new Usage('--csv and --json cannot be used together');
      format = f;
    } else if (is('--only') || is('--host-bridge') || is('--node') || is('--width')) {
      const name = ['--only', '--host-bridge', '--node', '--width'].find(is)!;
      const { v, next } = valueOf(i, name);
      i = next;
      if (v === undefined || v === '') throw new Usage(`${name} needs a value`);
      const list = v.split(',').map((x) => x.trim()).filter(Boolean);
      if (name === '--only') {
        const bad = list.find((c) => !(FILTER_CLASSES as readonly string[]).includes(c));
        if (bad) throw new Usage(`--only ${bad}: the classes are ${FILTER_CLASSES.join(', ')}`);
        only.push(...list);
      } else if (name === '--host-bridge') hostBridges.push(...list);
      else if (name === '--node') {
        const bad = list.find((n) => !/^\d+$/.test(n));
        if (bad) throw new Usage(`--node ${bad}: a NUMA node is a number`);
        nodes.push(...list.map(Number));
      } else {
        if (!/^\d+$/.test(v) || Number(v) < 20) throw new Usage(`--width ${v}: a number of columns, at least 20`);
        width = Number(v);
      }
    } else if (is('--rule')) {
      const { v, next } = valueOf(i, '--rule');
      i = next;
      const m = v === undefined ? null : /^([a-z0-9-]+)=(off|info|warning|error)$/.exec(v);
      if (!m) throw new Usage(`--rule needs CODE=LEVEL with LEVEL off, info, warning or error${v === undefined ? '' : `, not '${v}'`}`);
      if (!(DIAGNOSTIC_CODES as readonly string[]).includes(m[1]!)) throw new Usage(`--rule ${v}: '${m[1]}' is not a diagnostic code`);
      rules[m[1]!] = m[2]!;
    } else throw new Usage(`${command ?? 'graph'}: unknown option '${a}'`);
  }
  if (!command || !(VIEW_COMMANDS as readonly string[]).includes(command)) throw new Usage(`expected graph or matrix, not '${command ?? ''}'`);
  const filter: ViewFilterJson = { only, hostBridges, nodes };
  const opts = { command, file: positional[0] ?? '', svg, dot, format: format ?? 'text', rules, filter, width, help } as const;
  if (help) return opts;
  if (positional.length !== 1) throw new Usage(`${command} takes one FILE (got ${positional.length} arguments)`);
  if (command === 'graph') {
    if (format) throw new Usage(`--${format} is for matrix; graph writes --svg and --dot`);
    if (svg === undefined && dot === undefined) throw new Usage('graph needs --svg OUT or --dot OUT (or both)');
    if (svg === '-' && dot === '-') throw new Usage('only one of --svg and --dot can go to standard output');
    if (width !== undefined) throw new Usage('--width is for matrix text');
  } else if (svg !== undefined || dot !== undefined) throw new Usage('--svg and --dot are for graph; matrix prints text, --csv or --json');
  return opts;
}

function say(message: string): void {
  process.stderr.write(`dmabuf-lint: ${message.split('\n')[0]}\n`);
}

function write(out: string, text: string, cwd: string): void {
  if (out === '-') {
    process.stdout.write(text);
    return;
  }
  const abs = path.resolve(cwd, out);
  try {
    fs.writeFileSync(abs, text);
  } catch (e) {
    throw new InputError(`cannot write '${out}': ${(e as { code?: string }).code === 'ENOENT' ? 'no such directory' : e instanceof Error ? e.message : String(e)}`);
  }
}

/** Runs `graph` or `matrix`; returns the exit status (0, or 2 with one line on stderr). */
export async function runView(argv: readonly string[], cwd: string): Promise<number> {
  let opts: ViewOptions;
  try {
    opts = parseViewArgs(argv);
  } catch (e) {
    if (e instanceof Usage) {
      say(`${e.message} (see dmabuf-lint ${viewCommand(argv) ?? 'graph'} --help)`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(VIEW_USAGE);
    return 0;
  }
  const abs = path.resolve(cwd, opts.file);
  let server: LanguageServer | undefined;
  try {
    let isDir = false;
    try {
      isDir = fs.statSync(abs).isDirectory();
    } catch {
      // readInput says why
    }
    if (isDir) throw new InputError(`${opts.command} takes one file: '${opts.file}' is a directory`);
    readInput(abs, opts.file);
    const dir = path.dirname(abs);
    server = LanguageServer.launch(cwd, isInside(cwd, dir) ? [] : [dir], opts.rules);
    await server.ready;
    const uri = pathToFileURL(abs).href;
    let errors: number;
    if (opts.command === 'graph') {
      const params: TopologyParams = { uri, svg: 'standalone', dot: opts.dot !== undefined, filter: opts.filter };
      const r = await server.request<TopologyResult>(TOPOLOGY_METHOD, params);
      if (opts.svg !== undefined) write(opts.svg, r.svg, cwd);
      if (opts.dot !== undefined && r.dot !== null) write(opts.dot, r.dot, cwd);
      errors = r.errors;
      const to = [opts.svg !== undefined && opts.svg !== '-' ? opts.svg : undefined, opts.dot !== undefined && opts.dot !== '-' ? opts.dot : undefined].filter(Boolean);
      if (to.length > 0 && opts.svg !== '-' && opts.dot !== '-') {
        process.stdout.write(`${opts.file}: ${r.nodes.length} nodes, ${r.shares.length} share${r.shares.length === 1 ? '' : 's'} -> ${to.join(', ')}\n`);
      }
    } else {
      const params: MatrixParams = { uri, filter: opts.filter };
      const r = await server.request<MatrixResult>(MATRIX_METHOD, params);
      const m = { ...r, title: opts.file };
      if (opts.format === 'csv') process.stdout.write(matrixCsv(m));
      else if (opts.format === 'json') process.stdout.write(JSON.stringify({ version: 1, path: opts.file, title: r.title, endpoints: r.endpoints, cells: r.cells }, null, 2) + '\n');
      else process.stdout.write(matrixText(m, { width: opts.width ?? (process.stdout.isTTY ? process.stdout.columns : undefined) }));
      errors = r.errors;
    }
    if (errors > 0) say(`note: ${opts.file} has ${errors} error${errors === 1 ? '' : 's'} (dmabuf-lint ${opts.file} lists them); shown is what could be analysed`);
    return 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof ServerError) {
      say(e.message);
      return 2;
    }
    if (e instanceof ResponseError) {
      say(e.code === FILE_NOT_READABLE ? `cannot read '${opts.file}'` : e.message);
      return 2;
    }
    throw e;
  } finally {
    await server?.stop();
  }
}
