// dmabuf-lint end to end: the bundled dist/cli.js (which starts dist/server.js).
// Formats, exit statuses, --quiet, --max-warnings, colours, roots.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, lint, ROOT, type JsonDoc } from './run';
import { DIAGNOSTIC_CODES } from '../../server/src/ground/codes';

const SYNTAX_ERROR = 'platform p {\n  cpu intel2\n}\n';
const SAMPLE2 = 'samples/02-vfio-switch-iommu.dmabuf';
/** For the tests that run dmabuf-lint several times (a loaded CI machine is slow). */
const SLOW = 60000;

const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-lint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * samples/02 with a wrong expectation: an error (expect-mismatch) and two warnings
 * (acs-redirect, p2p-host-bridge); `--rule acs-redirect=info` makes one an info.
 */
const mixed = join(tmp, 'mixed');
mkdirSync(mixed);
writeFileSync(join(mixed, 'mixed.dmabuf'), readFileSync(join(ROOT, SAMPLE2), 'utf8').replace('expect thru_host_bridge,', 'expect bus_addr,'));

describe('dmabuf-lint: options', () => {
  it('--help prints the usage, every option, the exit codes, the root rule and the size limit', () => {
    const r = lint(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: dmabuf-lint/);
    for (const opt of ['--format', 'pretty', 'json', 'sarif', 'github', 'GITHUB_ACTIONS', '--quiet', '--max-warnings', '--rule', '--format-check', '--no-color', '--color', '--help', '--version', 'explain FILE SHARE']) {
      expect(r.stdout, opt).toContain(opt);
    }
    expect(r.stdout).toMatch(/Exit status:\n\s+0 .*\n\s+1 .*/);
    expect(r.stdout).toMatch(/^\s+2\s+bad usage/m);
    expect(r.stdout).toContain('root of a model');
    expect(r.stdout).toContain('4 MiB');
    expect(r.stdout).toContain('UTF-8');
  });

  it('--version prints the package version', () => {
    const r = lint(['--version']);
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('a bad option exits 2 with one line on stderr', () => {
    for (const args of [
      ['--bogus'],
      ['--format', 'xml', 'samples'],
      ['--format'],
      ['--rule', 'nope=off'],
      ['--rule', 'acs-redirect=loud'],
      ['--max-warnings'],
      ['--max-warnings', '-1'],
      ['--max-warnings', 'many'],
      ['explain', 'samples/01-vfio-switch.dmabuf'],
      ['explain', '--format', 'sarif', 'samples/01-vfio-switch.dmabuf', 'x'],
      ['--format-check', '--format', 'json', 'samples'],
      ['-'],
    ]) {
      const r = lint(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(expectOneLine(r), args.join(' ')).toMatch(/^dmabuf-lint: .*\(see --help\)$/);
    }
  }, SLOW);
});

describe('dmabuf-lint: exit status', () => {
  it('0 when no error is reported', () => {
    const r = lint(['samples/01-vfio-switch.dmabuf']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('1 when an error is reported', () => {
    writeFileSync(join(tmp, 'broken.dmabuf'), SYNTAX_ERROR);
    const r = lint(['broken.dmabuf'], { cwd: tmp });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('broken.dmabuf:2:7 error syntax-error ');
  });

  it('1 when a map fails and nothing else is wrong: a 16 TiB heap buffer shared with a NIC', () => {
    const huge = [
      'platform p {',
      '  memory high 0x1_0000_0000 size 64G',
      '  host_bridge hb0 { window 0x40_0000_0000 .. 0x7f_ffff_ffff',
      '    root_port rp0 00:01.0 { nic nic0 01:00.0 { bar 0 0x60_0000_0000 size 1M } } }',
      '}',
      'buffer big from heap { size 16T }',
      'share big -> nic0',
      '',
    ].join('\n');
    const r = lint(['--stdin', '--no-color'], { input: huge });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('stdin.dmabuf:7:1 error invalid-value big->nic0 fails: system_heap_allocate() cannot get 16T of pages');
  });

  it('2 for a path that does not exist', () => {
    const r = lint(['samples/does-not-exist.dmabuf']);
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toBe("dmabuf-lint: cannot read 'samples/does-not-exist.dmabuf': no such file or directory");
  });

  it('--max-warnings N: 1 when more than N warnings, else 0', () => {
    // samples/02 has two warnings and no error.
    expect(lint(['--max-warnings', '2', SAMPLE2]).status).toBe(0);
    expect(lint(['--max-warnings=5', SAMPLE2]).status).toBe(0);
    const over = lint(['--max-warnings', '1', SAMPLE2]);
    expect(over.status).toBe(1);
    expect(over.stderr).toBe('dmabuf-lint: 2 warnings, more than --max-warnings 1\n');
    const zero = lint(['--format', 'json', '--max-warnings=0', SAMPLE2]);
    expect(zero.status).toBe(1);
    expect((JSON.parse(zero.stdout) as JsonDoc).summary.warnings).toBe(2); // the output is unchanged
    // Warnings hidden by --quiet still count.
    expect(lint(['--quiet', '--max-warnings', '1', SAMPLE2]).status).toBe(1);
    // Infos are not warnings.
    expect(lint(['--max-warnings', '0', '--rule', 'acs-redirect=info', '--rule', 'p2p-host-bridge=info', SAMPLE2]).status).toBe(0);
  }, SLOW);

  it('--rule changes a severity, and an error made of a warning exits 1', () => {
    const r = lint(['--format', 'json', '--rule', 'p2p-host-bridge=error', SAMPLE2]);
    const doc = JSON.parse(r.stdout) as JsonDoc;
    expect(doc.files[0]!.diagnostics).toContainEqual(expect.objectContaining({ code: 'p2p-host-bridge', severity: 'error' }));
    expect(r.status).toBe(1);
    const off = JSON.parse(lint(['--format', 'json', '--rule', 'p2p-host-bridge=off', SAMPLE2]).stdout) as JsonDoc;
    expect(off.files[0]!.diagnostics.map((d) => d.code)).toEqual(['acs-redirect']);
  }, SLOW);
});

describe('dmabuf-lint: pretty', () => {
  it('names file:line:col, shows the source line, the shares table and the summary, no colours when not a terminal', () => {
    writeFileSync(join(tmp, 'broken.dmabuf'), SYNTAX_ERROR);
    const r = lint(['broken.dmabuf'], { cwd: tmp });
    expect(r.stdout).toContain('broken.dmabuf:2:7 error syntax-error ');
    expect(r.stdout).toContain('  cpu intel2');
    expect(r.stdout).toMatch(/\|\s+\^{6}\n/);
    expect(r.stdout).toMatch(/1 file, 1 error, 0 warnings, 0 infos\n$/);
    expect(r.stdout).not.toContain('\x1b['); // not a TTY: no colours
  });

  it('puts the caret under the error on the first line of a file that starts with a BOM', () => {
    writeFileSync(join(tmp, 'bom.dmabuf'), '\ufeffplatform p { cpu intel2 }\n');
    const r = lint(['bom.dmabuf'], { cwd: tmp });
    expect(r.stdout).toContain('bom.dmabuf:1:18 error syntax-error ');
    const lines = r.stdout.split('\n');
    const source = lines.find((l) => l.includes('platform p { cpu intel2 }'))!;
    const caret = lines[lines.indexOf(source) + 1]!;
    expect(source).not.toContain('\ufeff');
    expect(caret.indexOf('^')).toBe(source.indexOf('intel2'));
    expect(caret.trimEnd().endsWith('^'.repeat('intel2'.length))).toBe(true);
  });

  it('is the default, with the shares table', () => {
    const r = lint([SAMPLE2]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^samples\/02-vfio-switch-iommu\.dmabuf:\d+:\d+ warning p2p-host-bridge /m);
    expect(r.stdout).toMatch(/^doorbells->gpu0\s+THRU_HOST_BRIDGE\s+iova\s+0xffff0000 \+0x10000\s+yes$/m);
    expect(r.stdout).toMatch(/1 file, 0 errors, 2 warnings, 0 infos\n$/);
  });

  it('--color forces colours; --no-color and NO_COLOR turn them off', () => {
    expect(lint(['--color', SAMPLE2]).stdout).toContain('\x1b[');
    expect(lint(['--color', '--no-color', SAMPLE2]).stdout).not.toContain('\x1b[');
    expect(lint(['--no-color', SAMPLE2]).stdout).not.toContain('\x1b[');
    expect(lint([SAMPLE2], { env: { NO_COLOR: '1' } }).stdout).not.toContain('\x1b[');
    // Colours never reach the machine formats.
    for (const f of ['json', 'sarif', 'github']) expect(lint(['--color', '--format', f, SAMPLE2]).stdout, f).not.toContain('\x1b[');
  }, SLOW);

  it('--quiet: errors only, no table, the summary counts errors', () => {
    const r = lint(['--quiet', 'mixed.dmabuf'], { cwd: mixed });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^mixed\.dmabuf:\d+:\d+ error expect-mismatch /m);
    expect(r.stdout).not.toMatch(/ warning | info /);
    expect(r.stdout).not.toContain('map type');
    expect(r.stdout).toMatch(/\n1 file, 1 error\n$/);
  });
});

describe('dmabuf-lint: json', () => {
  it('--format json samples/ prints the §7 document, one entry per root file', () => {
    const r = lint(['--format', 'json', 'samples/']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as JsonDoc;
    expect(Object.keys(doc)).toEqual(['version', 'files', 'summary']);
    expect(doc.version).toBe(1);
    const samples = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.dmabuf')).sort();
    expect(doc.files.map((f) => f.path)).toEqual(samples.map((f) => `samples/${f}`));
    for (const f of doc.files) {
      expect(Object.keys(f)).toEqual(['path', 'diagnostics', 'shares']);
      for (const d of f.diagnostics) {
        expect(Object.keys(d)).toEqual(['code', 'severity', 'message', 'range']);
        expect(['error', 'warning', 'info']).toContain(d.severity);
        expect(DIAGNOSTIC_CODES).toContain(d.code);
      }
      expect(f.shares.length).toBeGreaterThan(0);
    }
    const all = doc.files.flatMap((f) => f.diagnostics);
    expect(doc.summary).toEqual({
      files: doc.files.length,
      errors: all.filter((d) => d.severity === 'error').length,
      warnings: all.filter((d) => d.severity === 'warning').length,
      infos: all.filter((d) => d.severity === 'info').length,
    });
    expect(r.status).toBe(doc.summary.errors > 0 ? 1 : 0);
  });

  it('--quiet: errors only, and the summary counts what is listed', () => {
    const full = JSON.parse(lint(['--format', 'json', '--rule', 'acs-redirect=info', 'mixed.dmabuf'], { cwd: mixed }).stdout) as JsonDoc;
    expect(full.summary).toEqual({ files: 1, errors: 1, warnings: 1, infos: 1 });
    const r = lint(['--format', 'json', '--quiet', '--rule', 'acs-redirect=info', 'mixed.dmabuf'], { cwd: mixed });
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as JsonDoc;
    expect(doc.files[0]!.diagnostics.map((d) => [d.code, d.severity])).toEqual([['expect-mismatch', 'error']]);
    expect(doc.summary).toEqual({ files: 1, errors: 1, warnings: 0, infos: 0 });
    expect(doc.files[0]!.shares).toEqual(full.files[0]!.shares);
  });

  it('a file that another given file uses is not a root of its own', () => {
    const dir = join(tmp, 'model');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    const sample = readFileSync(join(ROOT, 'samples/01-vfio-switch.dmabuf'), 'utf8');
    const cut = sample.indexOf('buffer doorbells');
    writeFileSync(join(dir, 'lib/machine.dmabuf'), sample.slice(0, cut));
    writeFileSync(join(dir, 'main.dmabuf'), 'use "lib/machine.dmabuf"\n\n' + sample.slice(cut));
    const r = lint(['--format', 'json', '.'], { cwd: dir });
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as JsonDoc;
    expect(doc.files.map((f) => f.path)).toEqual(['main.dmabuf']);
    expect(doc.files[0]!.shares.map((s) => s['name'])).toEqual(['doorbells->gpu0']);
    expect(r.status).toBe(0);
  });

  it('a glob that matches nothing exits 2', () => {
    const r = lint(['samples/*.nothing']);
    expect(r.status).toBe(2);
    expect(expectOneLine(r)).toContain('samples/*.nothing');
  });
});

describe('dmabuf-lint: github', () => {
  const annotation = /^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),endLine=(\d+)(?:,endColumn=(\d+))?,title=([a-z0-9-]+)::(.*)$/;

  it('prints one annotation per diagnostic: error, warning, notice', () => {
    const r = lint(['--format', 'github', '--rule', 'acs-redirect=info', 'mixed.dmabuf'], { cwd: mixed });
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    const notes = lines.filter((l) => l.startsWith('::'));
    expect(notes).toHaveLength(3);
    for (const l of notes) expect(l).toMatch(annotation);
    const by = Object.fromEntries(notes.map((l) => [annotation.exec(l)![7], annotation.exec(l)!]));
    expect(by['expect-mismatch']![1]).toBe('error');
    expect(by['p2p-host-bridge']![1]).toBe('warning');
    expect(by['acs-redirect']![1]).toBe('notice');
    for (const m of Object.values(by)) expect(m[2]).toBe('mixed.dmabuf');
    // Line and column of the share head (samples/02 line 26, 1-based), as in pretty.
    expect(by['p2p-host-bridge']!.slice(3, 6)).toEqual(['26', '1', '26']);
    // Related information is part of the message, newlines escaped.
    expect(by['acs-redirect']![8]).toContain('%0A  mixed.dmabuf:18:13: sw0.nic0');
    expect(lines[lines.length - 1]).toBe('dmabuf-lint: 1 file, 1 error, 1 warning, 1 info');
  });

  it('is chosen when GITHUB_ACTIONS=true and no --format is given; --format wins', () => {
    const auto = lint([SAMPLE2], { env: { GITHUB_ACTIONS: 'true' } });
    expect(auto.status).toBe(0);
    expect(auto.stdout).toMatch(/^::warning file=samples\/02-vfio-switch-iommu\.dmabuf,line=26,/m);
    const pretty = lint(['--format', 'pretty', SAMPLE2], { env: { GITHUB_ACTIONS: 'true' } });
    expect(pretty.stdout).not.toContain('::warning');
    expect(pretty.stdout).toContain('map type');
    const elsewhere = lint([SAMPLE2], { env: { GITHUB_ACTIONS: 'false' } });
    expect(elsewhere.stdout).not.toContain('::warning');
  }, SLOW);

  it('--quiet leaves out warnings and notices', () => {
    const r = lint(['--format', 'github', '--quiet', 'mixed.dmabuf'], { cwd: mixed });
    const notes = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^::error file=mixed\.dmabuf,.*title=expect-mismatch::/);
  });

  it('escapes what would end a property or the message', () => {
    const dir = join(tmp, 'odd, name');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a:b.dmabuf'), SYNTAX_ERROR);
    const r = lint(['--format', 'github', '.'], { cwd: dir });
    expect(r.stdout).toMatch(/^::error file=a%3Ab\.dmabuf,line=2,col=7,/m);
    expect(r.status).toBe(1);
  });
});
