// Issue 27: a path that is swapped between a regular file, a FIFO, symbolic links (one
// leading out of the workspace) and a directory while the server and the CLI read it.
// Every request must be answered (a result or an error, never a hang), the server must
// stay alive, and a `use` must never read the file outside the workspace. Bounded: the
// swapping lasts RUN_MS, each request has its own timeout.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharesResult } from '../../server/src/lsp/protocol';
import { withTimeout } from '../helpers/lspClient';
import { ROOT, TestClient } from '../lsp/helpers';
import { Workspace } from './workspace';

const RUN_MS = 4000;
const REQUEST_MS = 3000;
const CLI_MS = 10000;
const PLATFORM = 'platform p { cpu intel }\n';
/** Only the file outside the workspace has this word; a `use` that reads it leaks it into a syntax error. */
const SECRET = 'OUTSIDESECRET';

const ws = new Workspace('dmabuf-race-');
const fifo = join(ws.base, 'template.fifo');
let client: TestClient;
let swapper: ChildProcess | undefined;

/** Wakes whatever is blocked opening one of the FIFOs (they are all links of `fifo`): a writer appears and leaves. */
function releaseFifos(): void {
  try {
    closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
  } catch {
    // nothing to release
  }
}

beforeAll(async () => {
  execFileSync('mkfifo', [fifo]);
  writeFileSync(join(ws.base, 'outside.dmabuf'), `${PLATFORM}${SECRET}\n`);
  ws.write('inside.dmabuf', PLATFORM);
  ws.write('victim.dmabuf', PLATFORM);
  ws.write('user.dmabuf', 'use "victim.dmabuf"\nbuffer b from heap { size 4K }\n');
  client = await TestClient.start({ rootDir: ws.root });
});

/** Kills the swapper and waits until it has exited: nothing swaps after this. */
async function stopSwapper(): Promise<void> {
  const s = swapper;
  if (s === undefined || s.exitCode !== null || s.signalCode !== null) return;
  const exited = new Promise<void>((r) => s.once('exit', () => r()));
  s.kill();
  await exited;
}

afterAll(async () => {
  await stopSwapper();
  releaseFifos();
  await client?.stop();
  releaseFifos();
  ws.remove();
});

interface CliRun {
  readonly status: number | null;
  readonly signal: string | null;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** dmabuf-lint on `files` (default: both), killed after CLI_MS. */
function lintOnce(files = ['victim.dmabuf', 'user.dmabuf'], env: Record<string, string> = {}): Promise<CliRun> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), '--format', 'json', ...files], {
      cwd: ws.root,
      env: { ...process.env, GITHUB_ACTIONS: '', NO_COLOR: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CLI_MS,
    });
    let stdout = '';
    let stderr = '';
    p.stdout!.setEncoding('utf8');
    p.stdout!.on('data', (d: string) => (stdout += d));
    p.stderr!.setEncoding('utf8');
    p.stderr!.on('data', (d: string) => (stderr += d));
    p.on('close', (status, signal) => resolve({ status, signal, ms: performance.now() - t0, stdout, stderr }));
  });
}

describe('a path swapped under the readers (issue 27)', () => {
  it('every request of the server and every CLI run is answered, and no use reads outside the workspace', async () => {
    swapper = spawn(process.execPath, [fileURLToPath(new URL('./swapper.mjs', import.meta.url)), ws.path('victim.dmabuf'), fifo, ws.path('inside.dmabuf'), join(ws.base, 'outside.dmabuf'), PLATFORM], {
      stdio: 'ignore',
    });
    const end = performance.now() + RUN_MS;
    const problems: string[] = [];
    const counts = { results: 0, errors: 0, cliRuns: 0 };

    const serverLoop = async () => {
      for (let i = 0; performance.now() < end; i++) {
        const name = i % 2 === 0 ? 'victim.dmabuf' : 'user.dmabuf';
        const uri = ws.uri(name);
        try {
          const r = await withTimeout(client.request<SharesResult>('dmabuf/shares', { uri, explain: false }), REQUEST_MS, `dmabuf/shares ${name}`);
          counts.results++;
          if (name === 'user.dmabuf' && JSON.stringify(r.diagnostics).includes(SECRET)) problems.push(`user.dmabuf read the file outside the workspace: ${JSON.stringify(r.diagnostics)}`);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          if (/no answer/.test(message)) {
            problems.push(message);
            return; // a hung server answers nothing more
          }
          counts.errors++;
        }
      }
    };
    const cliLoop = async () => {
      while (performance.now() < end) {
        const r = await lintOnce();
        counts.cliRuns++;
        if (r.signal !== null || r.status === null || r.status > 2) problems.push(`dmabuf-lint: status ${r.status}, signal ${r.signal} after ${Math.round(r.ms)} ms: ${r.stderr.slice(0, 500)}`);
      }
    };
    await Promise.all([serverLoop(), cliLoop()]);
    await stopSwapper();
    releaseFifos();

    expect(problems).toEqual([]);
    expect(client.alive).toBe(true);
    // The swapping was seen: many answers, some of them errors (a directory, a FIFO).
    expect(counts.results + counts.errors).toBeGreaterThan(20);
    expect(counts.cliRuns).toBeGreaterThan(0);
    // Still serving once the path is a file again.
    writeFileSync(ws.path('victim.swapped.dmabuf'), PLATFORM);
    const r = await withTimeout(client.request<SharesResult>('dmabuf/shares', { uri: ws.uri('victim.swapped.dmabuf'), explain: false }), REQUEST_MS, 'dmabuf/shares after the race');
    expect(r.diagnostics).toEqual([]);
  }, 60000);

  // The same, deterministic: the name is swapped at the worst moment, just before each
  // open of it (swapAtOpen.mjs, preloaded into the CLI and the server it starts), after
  // every check the process made on the name. Reading by name after a stat hangs here.
  const preload = (swap: string) => ({
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${new URL('./swapAtOpen.mjs', import.meta.url).href}`,
    RACE_VICTIM: ws.path('victim.dmabuf'),
    RACE_SWAP: swap,
    RACE_FIFO: fifo,
    RACE_OUTSIDE: join(ws.base, 'outside.dmabuf'),
  });
  const reset = () => {
    rmSync(ws.path('victim.dmabuf'), { force: true, recursive: true });
    writeFileSync(ws.path('victim.dmabuf'), PLATFORM);
  };

  it('a root input that becomes a FIFO just before it is opened is refused, not waited on', async () => {
    reset();
    const r = await lintOnce(['victim.dmabuf'], preload('fifo'));
    releaseFifos();
    expect(r.signal, `killed after ${Math.round(r.ms)} ms`).toBeNull();
    expect(r.stderr.trim()).toBe("dmabuf-lint: cannot read 'victim.dmabuf': not a regular file");
    expect(r.status).toBe(2);
  }, 30000);

  it('a used file that becomes a FIFO just before the server opens it is a use-not-found', async () => {
    reset();
    const r = await lintOnce(['user.dmabuf'], preload('fifo'));
    releaseFifos();
    expect(r.signal, `killed after ${Math.round(r.ms)} ms: ${r.stderr}`).toBeNull();
    const doc = JSON.parse(r.stdout) as { files: { diagnostics: { code: string; message: string }[] }[] };
    expect(doc.files[0]!.diagnostics.map((d) => [d.code, d.message])).toContainEqual(['use-not-found', "'victim.dmabuf' is not a regular file"]);
    expect(r.status).toBe(1);
  }, 30000);

  it('a used file that becomes a link out of the workspace just before the server opens it is refused', async () => {
    reset();
    const r = await lintOnce(['user.dmabuf'], preload('link-out'));
    expect(r.signal, `killed after ${Math.round(r.ms)} ms: ${r.stderr}`).toBeNull();
    expect(r.stdout).not.toContain(SECRET);
    const doc = JSON.parse(r.stdout) as { files: { diagnostics: { code: string; message: string }[] }[] };
    const msgs = doc.files[0]!.diagnostics.filter((d) => d.code === 'use-not-found').map((d) => d.message);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/^'victim\.dmabuf' is a symbolic link to .*outside\.dmabuf, outside the workspace folder/);
    expect(r.status).toBe(1);
  }, 30000);
});
