// The language server's two transports in dmabuf-lint (cli/src/server.ts): inside the
// CLI's process (the default: one Node start) and `--spawn`, its own process over stdio.
// Both must print the same for every command.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lint, ROOT } from './run';

const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-spawn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SLOW = 60000;
const SPY = pathToFileURL(join(ROOT, 'test/cli/spawnSpy.mjs')).href;

/** Runs dmabuf-lint with a spy on child_process.spawn; returns the run and what it spawned. */
function spied(args: readonly string[], name: string) {
  const log = join(tmp, `${name}.log`);
  const r = lint(args, { env: { NODE_OPTIONS: `--import ${SPY}`, DMABUF_SPAWN_LOG: log } });
  const spawned = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { r, spawned };
}

describe('dmabuf-lint: the server in process and with --spawn', () => {
  it('lints in its own process by default, and spawns dist/server.js --stdio with --spawn', () => {
    const inProcess = spied(['--format', 'json', 'samples/01-vfio-switch.dmabuf'], 'in');
    const spawned = spied(['--spawn', '--format', 'json', 'samples/01-vfio-switch.dmabuf'], 'spawn');
    expect(inProcess.r.status).toBe(0);
    expect(inProcess.spawned).toEqual([]);
    expect(spawned.spawned).toHaveLength(1);
    expect(spawned.spawned[0]).toMatch(/dist\/server\.js --stdio$/);
    expect(spawned.r.stdout).toBe(inProcess.r.stdout);
  }, SLOW);

  it.each([
    ['json of every sample', ['--format', 'json', 'samples']],
    ['sarif of every sample', ['--format', 'sarif', 'samples']],
    ['pretty with a rule setting', ['--rule', 'acs-redirect=error', 'samples/05-hgx-acs-redirect.dmabuf']],
    ['explain', ['explain', 'samples/01-vfio-switch.dmabuf', 'doorbells->gpu0']],
    ['--format-check', ['--format-check', 'samples']],
    ['graph --dot', ['graph', 'samples/01-vfio-switch.dmabuf', '--dot', '-']],
    ['matrix --csv', ['matrix', 'samples/07-epyc-cross-socket.dmabuf', '--csv']],
  ])('%s: the same output and exit status', (_name, args) => {
    const a = lint(args);
    const b = lint(['--spawn', ...args]);
    expect(a.stdout.length).toBeGreaterThan(0);
    expect({ status: b.status, stdout: b.stdout, stderr: b.stderr }).toEqual({ status: a.status, stdout: a.stdout, stderr: a.stderr });
  }, SLOW);
});
