// Command-line options of dmabuf-lint.

import { MAX_FILE_BYTES } from './inputs';
import { DIAGNOSTIC_CODES } from '../../server/src/ground/codes';
import { DISTRO_RELEASES, NEWEST_RELEASE, OLDEST_RELEASE, modelledRelease, parseKernelVersion, releaseText } from '../../server/src/ground/release';

function knownRelease(text: string): boolean {
  const v = parseKernelVersion(text);
  return v !== undefined && modelledRelease(v.release);
}

type Format = 'pretty' | 'json' | 'sarif' | 'github';
type Level = 'off' | 'info' | 'warning' | 'error';

const FORMATS: readonly Format[] = ['pretty', 'json', 'sarif', 'github'];

export interface Options {
  /** `lint` (the default), `explain FILE SHARE` or `compare FILE --kernel A,B…`. */
  readonly command: 'lint' | 'explain' | 'compare';
  /** `--kernel`: the releases (one for lint and explain; several for compare). */
  readonly kernels: readonly string[];
  /** The output format: given with --format, else github under GitHub Actions, else pretty. */
  readonly format: Format;
  /** True when --format was given. */
  readonly formatGiven: boolean;
  readonly color: boolean | undefined;
  readonly help: boolean;
  readonly version: boolean;
  /** Errors only, in every format. */
  readonly quiet: boolean;
  /** Exit 1 when more warnings than this are reported. */
  readonly maxWarnings: number | undefined;
  /** Check the layout of the files instead of linting them. */
  readonly formatCheck: boolean;
  /** lint: the paths and globs; explain: [FILE]. */
  readonly paths: readonly string[];
  /** explain: the share's name. */
  readonly share: string | undefined;
  /** Severity per diagnostic code (`--rule code=severity`). */
  readonly rules: Readonly<Record<string, Level>>;
  /** Lint the text on standard input instead of files (`--stdin`). */
  readonly stdin: boolean;
  /** `--stdin-filename F`: the file the text on standard input stands for. */
  readonly stdinFilename: string | undefined;
}

export class UsageError extends Error {}

const MIB = MAX_FILE_BYTES / 1024 / 1024;

export const USAGE = `usage: dmabuf-lint [options] [PATH|GLOB]...
       dmabuf-lint [options] --format-check [PATH|GLOB]...
       dmabuf-lint [options] --stdin [--stdin-filename FILE] < TEXT
       dmabuf-lint [options] explain FILE SHARE
       dmabuf-lint [options] compare FILE --kernel R1,R2,...

Checks dma-buf design files (*.dmabuf). dmabuf-lint is a client of the dmabuf
language server: it starts one server for the whole run (inside its own process,
or with --spawn as a process of its own), asks it to analyse every model, and
prints the server's diagnostics and the shares it computed.

Arguments:
  PATH              a file, or a folder searched recursively for *.dmabuf files
                    (folders starting with '.' and node_modules are skipped);
                    default: the current directory
  GLOB              a quoted pattern such as 'designs/**/*.dmabuf'
                    (*, **, ?, [abc], {a,b})

Commands:
  explain FILE SHARE
                    explain one share of the model whose root is FILE: the
                    engine's steps, the computed result (mapType, distance, path,
                    placement, addressKind, ok, segments, IOMMU group) and the
                    diagnostics at the share. SHARE is the share's name, 'B->I' or
                    its 'as' name (quote it: '>' is special to the shell). Formats:
                    pretty or json. A path named 'explain' is written './explain'.
  compare FILE --kernel R1,R2,...
                    the model whose root is FILE on each kernel release (6.8,
                    6.12, 7.3, or ubuntu-24.04, rhel-9, debian-12 ...): one row per
                    share, one column per release, each with the map type, the
                    address kind and ok or fails, then what changed between
                    neighbouring columns and the diagnostics that say why.
                    Formats: pretty, json or sarif (a note per share that changes)
  graph FILE [--svg OUT] [--dot OUT]
                    draw the model whose root is FILE: SVG laid out by ELK, or
                    Graphviz DOT ('-': standard output)
  matrix FILE [--csv | --json]
                    the P2P matrix of every pair of PCI endpoints, map type and
                    distance as the engine computes them (dmabuf-lint graph --help)
  import --lspci TREE [--verbose VVV] | --sysfs DIR | --hwloc FILE [-o OUT]
                    write the platform block of a model from lspci output, a
                    dmabuf-snapshot folder or hwloc XML (dmabuf-lint import --help)

Options:
  --format FORMAT   the output:
                      pretty  diagnostics with the source line, a table of the
                              shares and a summary (the default)
                      json    one JSON document (docs/language.md section 7)
                      sarif   SARIF 2.1.0, for code scanning (GitHub
                              codeql-action/upload-sarif and other viewers)
                      github  GitHub Actions annotations (::error file=...::),
                              the default when GITHUB_ACTIONS=true
  -q, --quiet       report errors only (every format; pretty also leaves out the
                    table of shares); warnings still count for --max-warnings
  --max-warnings N  exit 1 when more than N warnings are reported (N >= 0)
  --rule CODE=LEVEL the severity of a diagnostic code: off, info, warning or
                    error (repeatable), as the editor's dmabuf.rules setting
  --kernel R        evaluate every model on kernel release R (6.8, 7.3,
                    ubuntu-24.04, rhel-9, debian-12 ...) instead of its own
                    \`kernel { version }\` (docs/language.md); compare: a list
  --format-check    check the layout instead: ask the server to format every root
                    file and every file it uses, print a unified diff for each file
                    that is not formatted (a file with syntax errors is reported as
                    'not formatted: has syntax errors'), exit 1 if any is not;
                    nothing is linted and the files are not changed
  --stdin           lint the text read from standard input (an editor's unsaved
                    buffer, a pre-commit hook) instead of files
  --stdin-filename FILE
                    the file that text stands for: its name in the output, and
                    where its \`use\`s are resolved from (default: stdin.dmabuf in
                    the current directory)
  --no-color        no colours (also when NO_COLOR is set or stdout is not a
                    terminal); --color forces them
  --spawn           run the language server as a process of its own, spoken to
                    over its stdio as an editor does (any command; the output is
                    the same, the run takes one more Node start)
  -h, --help        print this text
  -V, --version     print the version

Models: every file given or found is the root of a model, except a file that another
file given or found pulls in with \`use\`: that one is checked only as part of the
model of the file that uses it (files that use each other in a cycle: the first one
is the root). Diagnostics in a used file are reported with the root file (json:
under the root, the message prefixed with the used file's place; pretty, sarif,
github: at their place in the used file). \`use\` may only read files below the current directory or
below a folder given on the command line.

Files: a file given or found must be a readable regular file of at most ${MIB} MiB,
in UTF-8; otherwise dmabuf-lint stops before checking anything (exit status 2). A
used file over ${MIB} MiB is not read: a use-not-found error at its \`use\`.

Exit status:
  0  no error reported (and no more warnings than --max-warnings)
  1  an error reported, more warnings than --max-warnings, or (--format-check) a
     file not formatted; explain: an error at the share
  2  bad usage, a path that cannot be read, a file that is not UTF-8 or is too
     large, explain: no such share; or the language server failed
`;

/** The value of `--name VALUE` or `--name=VALUE` at argv[i]; `next` moves past it. */
function valueOf(argv: readonly string[], i: number, name: string): { value: string | undefined; next: number } {
  const a = argv[i]!;
  if (a === name) return { value: argv[i + 1], next: i + 1 };
  return { value: a.slice(name.length + 1), next: i };
}

export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Options {
  let format: Format | undefined;
  let color: boolean | undefined;
  let help = false;
  let version = false;
  let quiet = false;
  let formatCheck = false;
  let maxWarnings: number | undefined;
  let stdin = false;
  let stdinFilename: string | undefined;
  const positional: string[] = [];
  /** Set when 'explain' came first and as a command, not after `--`. */
  let explain = false;
  let compare = false;
  let kernels: string[] = [];
  const rules: Record<string, Level> = {};
  let onlyPaths = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPaths || !a.startsWith('-') || a === '-') {
      if (a === '-') throw new UsageError("'-' is not a path: use --stdin to read standard input");
      if (a === 'explain' && !onlyPaths && positional.length === 0 && !explain && !compare) explain = true;
      else if (a === 'compare' && !onlyPaths && positional.length === 0 && !explain && !compare) compare = true;
      else positional.push(a);
      continue;
    }
    const is = (name: string) => a === name || a.startsWith(`${name}=`);
    if (a === '--') onlyPaths = true;
    else if (a === '-h' || a === '--help') help = true;
    else if (a === '-V' || a === '--version') version = true;
    else if (a === '--no-color' || a === '--no-colour') color = false;
    else if (a === '--color' || a === '--colour') color = true;
    else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '--format-check') formatCheck = true;
    else if (a === '--stdin') stdin = true;
    else if (is('--stdin-filename')) {
      const { value: v, next } = valueOf(argv, i, '--stdin-filename');
      i = next;
      if (v === undefined || v === '') throw new UsageError('--stdin-filename needs a file name');
      stdinFilename = v;
    }
    else if (is('--kernel')) {
      const { value: v, next } = valueOf(argv, i, '--kernel');
      i = next;
      if (v === undefined || v === '') throw new UsageError('--kernel needs a release such as 6.8 or ubuntu-24.04');
      kernels = v.split(',').map((k) => k.trim());
      const bad = kernels.find((k) => !knownRelease(k));
      if (bad !== undefined) throw new UsageError(`--kernel ${bad}: not a release the engine models (${releaseText(OLDEST_RELEASE)} to ${releaseText(NEWEST_RELEASE)}, or ${Object.keys(DISTRO_RELEASES).join(', ')})`);
    } else if (is('--format')) {
      const { value: v, next } = valueOf(argv, i, '--format');
      i = next;
      if (v === undefined) throw new UsageError(`--format needs a value: ${FORMATS.join(', ')}`);
      if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format ${v}: expected ${FORMATS.join(', ')}`);
      format = v as Format;
    } else if (is('--max-warnings')) {
      const { value: v, next } = valueOf(argv, i, '--max-warnings');
      i = next;
      if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
        throw new UsageError(`--max-warnings needs a whole number >= 0${v === undefined ? '' : `, not '${v}'`}`);
      }
      maxWarnings = Number(v);
    } else if (is('--rule')) {
      const { value: v, next } = valueOf(argv, i, '--rule');
      i = next;
      const m = v === undefined ? null : /^([a-z0-9-]+)=(off|info|warning|error)$/.exec(v);
      if (!m) throw new UsageError(`--rule needs CODE=LEVEL with LEVEL off, info, warning or error${v === undefined ? '' : `, not '${v}'`}`);
      if (!(DIAGNOSTIC_CODES as readonly string[]).includes(m[1]!)) throw new UsageError(`--rule ${v}: '${m[1]}' is not a diagnostic code`);
      rules[m[1]!] = m[2] as Level;
    } else throw new UsageError(`unknown option '${a}'`);
  }

  const formatGiven = format !== undefined;
  const input = { stdin, stdinFilename };
  if (help || version) {
    return { command: 'lint', format: format ?? 'pretty', formatGiven, color, help, version, quiet, maxWarnings, formatCheck, rules, paths: positional, share: undefined, kernels, ...input };
  }
  if (stdinFilename !== undefined && !stdin) throw new UsageError('--stdin-filename names the text of --stdin: give --stdin too');
  if (stdin && explain) throw new UsageError('--stdin cannot be used with explain: give the file');
  if (stdin && formatCheck) throw new UsageError('--stdin cannot be used with --format-check: give the files');
  if (stdin && positional.length > 0) throw new UsageError(`--stdin reads one model from standard input: no paths too (got '${positional[0]}')`);
  if (compare) {
    if (positional.length !== 1) throw new UsageError(`compare needs one FILE, e.g. compare design.dmabuf --kernel 6.8,7.3 (got ${positional.length} arguments)`);
    if (kernels.length < 2) throw new UsageError('compare needs --kernel with two releases or more, e.g. --kernel 6.8,6.12,7.3');
    if (format !== undefined && format !== 'pretty' && format !== 'json' && format !== 'sarif') throw new UsageError(`compare prints pretty, json or sarif, not ${format}`);
    if (stdin || formatCheck) throw new UsageError('compare takes one file: not --stdin or --format-check');
    return { command: 'compare', format: format ?? 'pretty', formatGiven, color, help, version, quiet, maxWarnings, formatCheck, rules, paths: [positional[0]!], share: undefined, kernels, ...input };
  }
  if (kernels.length > 1) throw new UsageError('--kernel takes one release here; several are for compare');
  if (explain) {
    if (positional.length !== 2) throw new UsageError(`explain needs FILE and SHARE, e.g. explain design.dmabuf 'buf->gpu0' (got ${positional.length} argument${positional.length === 1 ? '' : 's'})`);
    if (format !== undefined && format !== 'pretty' && format !== 'json') throw new UsageError(`explain prints pretty or json, not ${format}`);
    if (formatCheck) throw new UsageError('--format-check cannot be used with explain');
    if (maxWarnings !== undefined) throw new UsageError('--max-warnings cannot be used with explain');
    return { command: 'explain', format: format ?? 'pretty', formatGiven, color, help, version, quiet, maxWarnings, formatCheck, rules, paths: [positional[0]!], share: positional[1]!, kernels, ...input };
  }
  if (formatCheck && format !== undefined && format !== 'pretty') throw new UsageError(`--format-check prints unified diffs: it cannot be used with --format ${format}`);
  const auto: Format = env['GITHUB_ACTIONS'] === 'true' && !formatCheck ? 'github' : 'pretty';
  return {
    command: 'lint',
    format: format ?? auto,
    formatGiven,
    color,
    help,
    version,
    quiet,
    maxWarnings,
    formatCheck,
    rules,
    paths: positional.length > 0 || stdin ? positional : ['.'],
    share: undefined,
    kernels,
    ...input,
  };
}
