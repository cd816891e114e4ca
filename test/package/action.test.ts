// The GitHub Action (action.yml, composite): its lint step run the way the runner runs
// it, in a workspace of its own, with the inputs as INPUT_* variables.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { sarifValidator } from '../cli/sarifSchema';

const ROOT = resolve(__dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-action-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Step {
  name: string;
  id?: string;
  shell?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

/** A fresh workspace with the samples, and the lint step run in it as the runner would. */
function runLintStep(inputs: Record<string, string>): { status: number | null; stdout: string; stderr: string; outputs: Record<string, string>; workspace: string } {
  const workspace = mkdtempSync(join(tmp, 'ws-'));
  cpSync(join(ROOT, 'samples'), join(workspace, 'samples'), { recursive: true });
  const outputFile = join(workspace, '..', `${workspace.split('/').pop()}.output`);
  writeFileSync(outputFile, '');
  const env: Record<string, string> = { ...(process.env as Record<string, string>), GITHUB_ACTION_PATH: ROOT, GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: outputFile, GITHUB_ACTIONS: 'true' };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  const r = spawnSync('bash', [join(ROOT, 'action/lint.sh')], { cwd: workspace, env, encoding: 'utf8', timeout: 60000 });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs, workspace };
}

describe('action.yml', () => {
  const action = yaml.load(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

  it('is a composite action whose steps run the scripts of action/ and upload the SARIF it wrote', () => {
    expect(action.runs.using).toBe('composite');
    const runs = action.runs.steps.filter((s) => s.run);
    expect(runs.every((s) => s.shell === 'bash')).toBe(true);
    expect(runs.map((s) => s.run)).toEqual(['bash "$GITHUB_ACTION_PATH/action/setup.sh"', 'bash "$GITHUB_ACTION_PATH/action/lint.sh"']);
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with?.['sarif_file']).toBe('${{ steps.lint.outputs.sarif }}');
    expect(upload?.if).toContain('always()');
  });

  it('declares every input and step output it uses', () => {
    const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    const used = new Set([...text.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]!));
    expect([...used].filter((u) => !(u in action.inputs))).toEqual([]);
    const lint = action.runs.steps.find((s) => s.id === 'lint')!;
    for (const [name, input] of Object.entries(lint.env ?? {})) expect(input, name).toMatch(/^\$\{\{ inputs\.[a-z-]+ \}\}$/);
    for (const o of Object.values(action.outputs)) expect(o.value).toMatch(/^\$\{\{ steps\.lint\.outputs\.(sarif|errors|warnings) \}\}$/);
  });
});

describe('action/lint.sh, as the runner calls it', () => {
  it('writes schema-valid SARIF, annotates, sets the outputs and fails on errors', () => {
    const r = runLintStep({ paths: 'samples/', sarif: 'out/dmabuf.sarif', 'fail-on-error': 'true' });
    expect(r.status).toBe(1);
    expect(r.outputs['sarif']).toBe('out/dmabuf.sarif');
    const sarif = JSON.parse(readFileSync(join(r.workspace, 'out/dmabuf.sarif'), 'utf8')) as { runs: { results: { level: string }[] }[] };
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const errors = sarif.runs[0]!.results.filter((x) => x.level === 'error').length;
    expect(errors).toBeGreaterThan(0);
    expect(r.outputs['errors']).toBe(String(errors));
    expect(r.stdout).toMatch(/^::error file=samples\/[^,]+\.dmabuf,line=\d+,/m);
  }, 60000);

  it('lints a glob, takes extra options, and can report without failing', () => {
    const r = runLintStep({ paths: 'samples/0[12]-*.dmabuf', args: '--rule acs-redirect=off', 'fail-on-error': 'false' });
    expect(r.status).toBe(0);
    const sarif = JSON.parse(readFileSync(join(r.workspace, 'dmabuf-lint.sarif'), 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const files = new Set(sarif.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri));
    expect([...files].every((f) => /samples\/0[12]-/.test(f))).toBe(true);
    expect(sarif.runs[0]!.results.some((x) => x.ruleId === 'acs-redirect')).toBe(false);
  }, 60000);

  it('stops with exit 2 and no SARIF output when dmabuf-lint cannot run (a path that does not exist)', () => {
    const r = runLintStep({ paths: 'no-such-folder/' });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('::error::dmabuf-lint could not run');
    expect(r.outputs['sarif']).toBeUndefined();
  }, 60000);
});
