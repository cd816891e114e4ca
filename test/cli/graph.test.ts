// dmabuf-lint graph FILE --svg OUT --dot OUT, and dmabuf-lint matrix FILE [--csv|--json].

import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, lint, ROOT } from './run';
import { parseXml } from '../view/xml';

const SAMPLE2 = 'samples/02-vfio-switch-iommu.dmabuf';
const SAMPLE12 = 'samples/12-xgmi-private.dmabuf';
const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-graph-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dmabuf-lint graph', () => {
  it('--svg and --dot write both files', () => {
    const svg = join(tmp, 'two.svg');
    const dot = join(tmp, 'two.dot');
    const r = lint(['graph', SAMPLE2, '--svg', svg, '--dot', dot]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${SAMPLE2}: 10 nodes, 1 share -> ${svg}, ${dot}\n`);
    const doc = parseXml(readFileSync(svg, 'utf8'));
    expect(doc.name).toBe('svg');
    const text = readFileSync(svg, 'utf8');
    expect(text).toContain('data-share="doorbells-&gt;gpu0"');
    expect(text).toMatch(/class="route thru-host-bridge"/);
    expect(readFileSync(dot, 'utf8')).toMatch(/^digraph "02-vfio-switch-iommu.dmabuf" \{/);
  }, 60000);

  it("'-' writes to standard output; --svg= works too", () => {
    const r = lint(['graph', '--svg=-', SAMPLE12]);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(r.stdout).toContain('data-node="link:0"');
    const d = lint(['graph', SAMPLE12, '--dot', '-']);
    expect(d.status).toBe(0);
    expect(d.stdout).toContain('class="route private"');
  }, 60000);

  it('writes the picture of a model with errors, and says so on stderr', () => {
    const file = join(tmp, 'broken.dmabuf');
    writeFileSync(file, readFileSync(join(ROOT, SAMPLE2), 'utf8').replace('expect thru_host_bridge,', 'expect bus_addr,'));
    const out = join(tmp, 'broken.svg');
    const r = lint(['graph', 'broken.dmabuf', '--svg', out], { cwd: tmp });
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(r.stderr).toMatch(/^dmabuf-lint: note: broken.dmabuf has 1 error /);
  }, 60000);

  it('bad usage and unreadable input: exit 2, one line on stderr, nothing written', () => {
    const cases: [string[], RegExp][] = [
      [['graph', SAMPLE2], /graph needs --svg OUT or --dot OUT/],
      [['graph', '--svg', join(tmp, 'x.svg')], /graph takes one FILE \(got 0 arguments\)/],
      [['graph', SAMPLE2, SAMPLE12, '--svg', join(tmp, 'x.svg')], /graph takes one FILE \(got 2 arguments\)/],
      [['graph', SAMPLE2, '--svg', '-', '--dot', '-'], /only one of --svg and --dot/],
      [['graph', SAMPLE2, '--csv'], /--csv is for matrix/],
      [['graph', SAMPLE2, '--svg'], /--svg needs a file/],
      [['graph', SAMPLE2, '--bogus'], /unknown option '--bogus'/],
      [['graph', 'samples/none.dmabuf', '--svg', join(tmp, 'x.svg')], /'samples\/none.dmabuf'.*no such file/],
      [['graph', 'samples', '--svg', join(tmp, 'x.svg')], /graph takes one file: 'samples' is a directory/],
      [['graph', SAMPLE2, '--svg', join(tmp, 'no/such/dir/x.svg')], /cannot write/],
      [['matrix', SAMPLE2, '--csv', '--json'], /--csv and --json cannot be used together/],
      [['matrix', SAMPLE2, '--svg', 'x.svg'], /--svg and --dot are for graph/],
      [['matrix'], /matrix takes one FILE/],
      [['matrix', SAMPLE2, '--rule', 'nope=off'], /'nope' is not a diagnostic code/],
    ];
    for (const [args, message] of cases) {
      const r = lint(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(expectOneLine(r)).toMatch(message);
    }
    expect(existsSync(join(tmp, 'x.svg'))).toBe(false);
  }, 120000);

  it('--help prints the usage of graph and matrix', () => {
    const r = lint(['graph', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: dmabuf-lint graph FILE \[--svg OUT\] \[--dot OUT\]/);
    expect(r.stdout).toContain('dmabuf-lint matrix FILE [--csv | --json]');
    const main = lint(['--help']).stdout;
    expect(main).toContain('graph FILE [--svg OUT] [--dot OUT]');
    expect(main).toContain('matrix FILE [--csv | --json]');
  });

  it('a file named graph is a path when written ./graph', () => {
    mkdirSync(join(tmp, 'p'), { recursive: true });
    writeFileSync(join(tmp, 'p', 'graph'), readFileSync(join(ROOT, SAMPLE2), 'utf8'));
    const r = lint(['./graph'], { cwd: join(tmp, 'p') });
    expect(r.stdout).toContain('doorbells->gpu0');
  }, 60000);
});

describe('dmabuf-lint matrix', () => {
  it('prints the matrix as text, nvidia-smi style', () => {
    const r = lint(['matrix', SAMPLE2]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`P2P matrix of ${SAMPLE2}`);
    expect(lines).toContain('      gpu0  nic0');
    expect(lines).toContain('gpu0  X     HB 4');
    expect(lines).toContain('nic0  HB 4  X');
    expect(r.stdout).toContain('legend:');
  }, 60000);

  it('--csv: one row per ordered pair', () => {
    const r = lint(['matrix', SAMPLE2, '--csv']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\r\n')).toEqual([
      'provider,client,mapType,distance,commonAncestor,acsRedirects,link,path',
      'gpu0,gpu0,BUS_ADDR,0,gpu0,,,gpu0',
      'gpu0,nic0,THRU_HOST_BRIDGE,4,sw0,sw0.gpu0 sw0.nic0,,gpu0 sw0.gpu0 sw0 sw0.nic0 nic0',
      'nic0,gpu0,THRU_HOST_BRIDGE,4,sw0,sw0.nic0 sw0.gpu0,,nic0 sw0.nic0 sw0 sw0.gpu0 gpu0',
      'nic0,nic0,BUS_ADDR,0,nic0,,,nic0',
      '',
    ]);
  }, 60000);

  it('--json: the server\'s answer; a link shows in the cells', () => {
    const r = lint(['matrix', '--json', SAMPLE12]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { version: number; path: string; endpoints: { name: string }[]; cells: { mapType: string; link: string | null }[][] };
    expect(doc.version).toBe(1);
    expect(doc.path).toBe(SAMPLE12);
    const names = doc.endpoints.map((e) => e.name);
    const g0 = names.indexOf('gpu0');
    const g1 = names.indexOf('gpu1');
    expect(doc.cells[g0]![g1]!.link).toBe('xgmi');
    expect(doc.cells[g0]![g1]!.mapType).toBe('THRU_HOST_BRIDGE');
    const text = lint(['matrix', SAMPLE12]);
    expect(text.stdout).toMatch(/gpu0 +HB \d +X +HB \d \+xgmi/);
  }, 60000);
});
