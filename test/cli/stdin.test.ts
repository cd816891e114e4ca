// dmabuf-lint --stdin: an editor's unsaved buffer or a pre-commit hook's staged text,
// linted by the server as an open document standing for --stdin-filename.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLine, lint, ROOT, type JsonDoc } from './run';

const SLOW = 60000;
const SAMPLE = 'samples/02-vfio-switch-iommu.dmabuf';
const sampleText = readFileSync(join(ROOT, SAMPLE), 'utf8');

describe('dmabuf-lint --stdin', () => {
  it('gives the same diagnostics and shares as linting the file itself', () => {
    const fromFile = JSON.parse(lint(['--format', 'json', SAMPLE]).stdout) as JsonDoc;
    const r = lint(['--stdin', '--stdin-filename', SAMPLE, '--format', 'json'], { input: sampleText });
    expect(r.stderr).toBe('');
    const fromStdin = JSON.parse(r.stdout) as JsonDoc;
    expect(fromStdin.files[0]!.path).toBe(SAMPLE);
    expect(fromStdin.files[0]!.shares.length).toBeGreaterThan(0);
    expect(fromStdin).toEqual(fromFile);
  }, SLOW);

  it('lints the text it is given, not the file on disk of that name', () => {
    const edited = sampleText + '\nshare doorbells -> gpu9 { attach dynamic }\n';
    const r = lint(['--stdin', '--stdin-filename', SAMPLE, '--format', 'json'], { input: edited });
    const doc = JSON.parse(r.stdout) as JsonDoc;
    const unknown = doc.files[0]!.diagnostics.filter((d) => d.code === 'unknown-name');
    expect(unknown.map((d) => d.message)).toEqual([expect.stringContaining("'gpu9'")]);
    expect(unknown[0]!.range.start.line).toBe(edited.split('\n').length - 2);
    expect(r.status).toBe(1);
  }, SLOW);

  it("resolves the text's `use` from the folder of --stdin-filename", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmabuf-stdin-'));
    const platform = sampleText.slice(sampleText.indexOf('platform'), sampleText.indexOf('\nbuffer'));
    writeFileSync(join(dir, 'machine.dmabuf'), platform + '\n');
    const text = 'use "machine.dmabuf"\n\nbuffer b from nic0 driver vfio-pci { size 64K }\nshare b -> gpu0 { attach dynamic move_notify peer2peer }\n';
    const r = lint(['--stdin', '--stdin-filename', 'design.dmabuf', '--format', 'json'], { input: text, cwd: dir });
    const doc = JSON.parse(r.stdout) as JsonDoc;
    expect(doc.files[0]!.diagnostics.filter((d) => d.code === 'use-not-found' || d.code === 'unknown-name')).toEqual([]);
    expect(doc.files[0]!.shares.map((s) => s['name'])).toEqual(['b->gpu0']);
  }, SLOW);

  it('shows the source line of the text read, with the caret, in pretty output', () => {
    const r = lint(['--stdin', '--no-color'], { input: 'platform p { cpu intel }\nshare nothing -> nobody\n' });
    expect(r.stdout).toContain('stdin.dmabuf:2:7 error unknown-name');
    expect(r.stdout).toContain('2 | share nothing -> nobody');
    expect(r.stdout).toMatch(/\| {7}\^{7}\n/);
  }, SLOW);

  it('stops with one line (exit 2) on text that is not UTF-8 or is over 4 MiB', () => {
    const bad = lint(['--stdin'], { input: Buffer.from([0x70, 0xff, 0x0a]) });
    expect(bad.status).toBe(2);
    expect(expectOneLine(bad)).toMatch(/'stdin\.dmabuf' is not valid UTF-8 \(byte 0xff at line 1, byte 2\)/);
    const big = lint(['--stdin', '--stdin-filename', 'big.dmabuf'], { input: '// x\n'.repeat(900_000) });
    expect(big.status).toBe(2);
    expect(expectOneLine(big)).toMatch(/'big\.dmabuf' is larger than 4 MiB/);
  }, SLOW);

  it('refuses --stdin with paths, explain or --format-check, and --stdin-filename alone', () => {
    for (const args of [
      ['--stdin', SAMPLE],
      ['--stdin-filename', 'x.dmabuf'],
      ['--stdin', '--format-check'],
      ['--stdin', 'explain', SAMPLE, 'x'],
      ['--stdin', '--stdin-filename'],
      ['-'],
    ]) {
      const r = lint(args, { input: '' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(expectOneLine(r), args.join(' ')).toMatch(/^dmabuf-lint: .*\(see --help\)$/);
    }
  }, SLOW);
});
