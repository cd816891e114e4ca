// Bad input: one line on stderr, exit status 2, never a stack trace, and nothing checked.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, lint, ROOT } from './run';

const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-bad-'));
chmodSync(tmp, 0o755); // the unreadable-file case may run as another user
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GOOD = readFileSync(join(ROOT, 'samples/01-vfio-switch.dmabuf'), 'utf8');
const FOUR_MIB = 4 * 1024 * 1024;

function dir(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  chmodSync(d, 0o755);
  return d;
}

describe('dmabuf-lint: bad input', () => {
  it('a missing path', () => {
    const d = dir('missing');
    const r = lint(['nope.dmabuf'], { cwd: d });
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: cannot read 'nope.dmabuf': no such file or directory");
    const inMissingDir = lint(['no/such/dir'], { cwd: d });
    expect(inMissingDir.status).toBe(2);
    expect(expectOneLine(inMissingDir)).toBe("dmabuf-lint: cannot read 'no/such/dir': no such file or directory");
  }, 60000);

  it('a directory where a file is required (explain)', () => {
    const d = dir('isdir');
    mkdirSync(join(d, 'models'), { recursive: true });
    const r = lint(['explain', 'models', 'a->b'], { cwd: d });
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: explain takes one file: 'models' is a directory");
  }, 60000);

  it('a file that is not valid UTF-8, given or found in a folder', () => {
    const d = dir('latin1');
    writeFileSync(join(d, 'good.dmabuf'), GOOD);
    // "// Caf\xe9" in Latin-1 on line 2.
    writeFileSync(join(d, 'latin1.dmabuf'), Buffer.concat([Buffer.from('platform p {\n  // Caf'), Buffer.from([0xe9]), Buffer.from('\n}\n')]));
    const r = lint(['latin1.dmabuf'], { cwd: d });
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: 'latin1.dmabuf' is not valid UTF-8 (byte 0xe9 at line 2, byte 9)");
    const walked = lint(['--format', 'json', '.'], { cwd: d });
    expect(walked.status).toBe(2);
    expect(expectOneLine(walked)).toContain("'latin1.dmabuf' is not valid UTF-8");
  }, 60000);

  it('a file over 4 MiB; exactly 4 MiB is read', () => {
    const d = dir('large');
    const pad = (n: number) => GOOD + '/' + '*'.repeat(n - Buffer.byteLength(GOOD) - 4) + '*/\n';
    writeFileSync(join(d, 'big.dmabuf'), pad(FOUR_MIB + 1));
    const r = lint(['big.dmabuf'], { cwd: d });
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: 'big.dmabuf' is 4194305 bytes: files over 4 MiB (4194304 bytes) are not checked");
    writeFileSync(join(d, 'big.dmabuf'), pad(FOUR_MIB));
    const ok = lint(['--format', 'json', 'big.dmabuf'], { cwd: d });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  }, 60000);

  it('a file that is not readable', () => {
    const d = dir('perm');
    const f = join(d, 'secret.dmabuf');
    writeFileSync(f, GOOD);
    chmodSync(f, 0o000);
    // root reads everything: then the CLI runs as nobody.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = lint(['secret.dmabuf'], { cwd: d, ...asUser });
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: cannot read 'secret.dmabuf': permission denied");
    // Found in a folder: the same.
    const walked = lint(['.'], { cwd: d, ...asUser });
    expect(walked.status).toBe(2);
    expect(expectOneLine(walked)).toBe("dmabuf-lint: cannot read 'secret.dmabuf': permission denied");
  }, 60000);

  it('a path that is neither a file nor a folder, and a dangling link', () => {
    const d = dir('special');
    symlinkSync(join(d, 'gone.dmabuf'), join(d, 'dangling.dmabuf'));
    const r = lint(['dangling.dmabuf'], { cwd: d });
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: cannot read 'dangling.dmabuf': no such file or directory");
    const dev = lint(['/dev/null'], { cwd: d });
    expect(dev.status).toBe(2);
    expect(expectOneLine(dev)).toBe("dmabuf-lint: cannot read '/dev/null': not a regular file or a folder");
  }, 60000);

  it('a used file that is missing or too large is a diagnostic of the model, not a bad path', () => {
    const d = dir('use');
    writeFileSync(join(d, 'main.dmabuf'), 'use "missing.dmabuf"\nuse "huge.dmabuf"\n');
    writeFileSync(join(d, 'huge.dmabuf'), '/*' + '*'.repeat(FOUR_MIB + 10) + '*/\n');
    const r = lint(['--format', 'json', 'main.dmabuf'], { cwd: d });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { files: { diagnostics: { code: string; message: string }[] }[] };
    const useErrors = doc.files[0]!.diagnostics.filter((x) => x.code === 'use-not-found');
    expect(useErrors).toHaveLength(2);
    expect(useErrors[1]!.message).toContain('4 MiB');
  }, 60000);
});
