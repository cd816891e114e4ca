// Runs the bundled dmabuf-lint (dist/cli.js, which starts dist/server.js): `npm run build` first.

import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/cli.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  /** Run as another user (the unreadable-file test when the suite runs as root). */
  readonly uid?: number;
  readonly gid?: number;
  /** Written to the CLI's standard input (`--stdin`). */
  readonly input?: string | Buffer;
}

export function lint(args: readonly string[], o: RunOptions = {}): Run {
  // GitHub Actions chooses --format github: the tests say what they want.
  const env: Record<string, string | undefined> = { ...process.env, GITHUB_ACTIONS: undefined, NO_COLOR: undefined, ...o.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: o.cwd ?? ROOT,
    encoding: 'utf8',
    env: env as NodeJS.ProcessEnv,
    timeout: 60000,
    ...(o.input !== undefined ? { input: o.input } : {}),
    ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid ?? o.uid } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The §7 document, as far as the tests read it. */
export interface JsonDoc {
  version: number;
  files: {
    path: string;
    diagnostics: { code: string; severity: string; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[];
    shares: Record<string, unknown>[];
  }[];
  summary: { files: number; errors: number; warnings: number; infos: number };
}

/** One line on stderr, no stack trace, nothing on stdout. */
export function expectOneLine(r: Run): string {
  const lines = r.stderr.trim().split('\n');
  if (lines.length !== 1 || /\n\s+at /.test(r.stderr) || r.stdout !== '') {
    throw new Error(`expected one line on stderr and nothing on stdout, got:\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return lines[0]!;
}
