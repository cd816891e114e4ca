// Command-line options of dmabuf-lint.

import { DIAGNOSTIC_CODES } from '../../server/src/analysis/types';

export interface Options {
  readonly format: 'pretty' | 'json';
  readonly color: boolean | undefined;
  readonly help: boolean;
  readonly version: boolean;
  readonly paths: readonly string[];
  /** Severity per diagnostic code (`--rule code=severity`). */
  readonly rules: Readonly<Record<string, 'off' | 'info' | 'warning' | 'error'>>;
}

export class UsageError extends Error {}

export const USAGE = `usage: dmabuf-lint [options] [PATH|GLOB]...

Checks dma-buf design files (*.dmabuf): the dmabuf language server analyses each
model; this program prints its diagnostics and the shares it computed.

Arguments:
  PATH              a file, or a folder searched recursively for *.dmabuf files
                    (folders starting with '.' and node_modules are skipped);
                    default: the current directory
  GLOB              a quoted pattern such as 'designs/**/*.dmabuf'
                    (*, **, ?, [abc], {a,b})

Options:
  --format pretty   diagnostics with the source line, a table of the shares and a
                    summary (the default)
  --format json     one JSON document (docs/language.md section 7)
  --rule CODE=LEVEL the severity of a diagnostic code: off, info, warning or
                    error (repeatable), as the editor's dmabuf.rules setting
  --no-color        no colours (also when NO_COLOR is set or stdout is not a terminal)
  -h, --help        print this text
  -V, --version     print the version

Models: every file given or found is the root of a model, except a file that another
file given or found pulls in with \`use\`: that one is checked only as part of the
model of the file that uses it (files that use each other in a cycle: the first one
is the root). Diagnostics in a used file are reported under the root file, their
message prefixed with the used file's place. \`use\` may only read files below the
current directory or below a folder given on the command line.

Exit status: 0 no error reported, 1 an error reported, 2 bad usage or a path that
cannot be read.
`;

export function parseArgs(argv: readonly string[]): Options {
  let format: Options['format'] = 'pretty';
  let color: boolean | undefined;
  let help = false;
  let version = false;
  const paths: string[] = [];
  const rules: Record<string, 'off' | 'info' | 'warning' | 'error'> = {};
  let onlyPaths = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPaths || !a.startsWith('-') || a === '-') {
      if (a === '-') throw new UsageError("reading from standard input ('-') is not supported: give a path");
      paths.push(a);
      continue;
    }
    if (a === '--') onlyPaths = true;
    else if (a === '-h' || a === '--help') help = true;
    else if (a === '-V' || a === '--version') version = true;
    else if (a === '--no-color' || a === '--no-colour') color = false;
    else if (a === '--color' || a === '--colour') color = true;
    else if (a === '--format' || a.startsWith('--format=')) {
      const v = a === '--format' ? argv[++i] : a.slice('--format='.length);
      if (v === undefined) throw new UsageError('--format needs a value: pretty or json');
      if (v !== 'pretty' && v !== 'json') throw new UsageError(`--format ${v}: expected pretty or json`);
      format = v;
    } else if (a === '--rule' || a.startsWith('--rule=')) {
      const v = a === '--rule' ? argv[++i] : a.slice('--rule='.length);
      const m = v === undefined ? null : /^([a-z0-9-]+)=(off|info|warning|error)$/.exec(v);
      if (!m) throw new UsageError(`--rule needs CODE=LEVEL with LEVEL off, info, warning or error${v === undefined ? '' : `, not '${v}'`}`);
      if (!(DIAGNOSTIC_CODES as readonly string[]).includes(m[1]!)) throw new UsageError(`--rule ${v}: '${m[1]}' is not a diagnostic code`);
      rules[m[1]!] = m[2] as 'off' | 'info' | 'warning' | 'error';
    } else throw new UsageError(`unknown option '${a}'`);
  }
  return { format, color, help, version, rules, paths: paths.length > 0 ? paths : ['.'] };
}
