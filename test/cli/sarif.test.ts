// --format sarif, validated against the SARIF 2.1.0 JSON schema.
//
// test/cli/sarif-schema-2.1.0.json is the SARIF 2.1.0 schema as published on npm in
// `@microsoft/jest-sarif@1.0.0-beta.0` (MIT, github.com/microsoft/sarif-js-sdk), file
// `lib/schemas/sarif-2.1.0-rtm.5.json`, copied byte for byte (sha256 2d99159a…a4de4f8;
// `@microsoft/sarif-matcher-utils@1.0.0-beta.0` ships the identical file). It is the
// schemastore.org copy of the 2.1.0 schema ("2.1.0-rtm.5", the final release candidate
// that OASIS published as sarif-schema-2.1.0.json). No npm package was found that ships
// a file named sarif-schema-2.1.0.json itself.
//
// The schema is draft-04 (`id`, not `$id`), which Ajv 8 does not read natively: the
// test hands Ajv the same schema with `id` as `$id` and without `$schema`, nothing else
// changed. `strict: false` because the schema has `required` names that are not in
// `properties` (legal JSON Schema, refused by Ajv's strict mode), and
// `unicodeRegExp: false` because one `pattern` (the language tag) is not a valid
// regular expression under the `u` flag.

import type { ValidateFunction } from 'ajv';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../server/src/rules/index';
import { lint, ROOT } from './run';
import { sarifValidator } from './sarifSchema';
import { DIAGNOSTIC_CODES } from '../../server/src/ground/codes';

interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface PhysicalLocation {
  artifactLocation: { uri: string; uriBaseId?: string };
  region: Region;
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: {
          id: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string };
          helpUri: string;
          defaultConfiguration: { level: string };
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex?: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: PhysicalLocation }[];
      relatedLocations?: { id: number; physicalLocation: PhysicalLocation; message: { text: string } }[];
    }[];
  }[];
}

let validate: ValidateFunction;
beforeAll(() => {
  validate = sarifValidator();
});

function valid(doc: unknown): boolean {
  const ok = validate(doc);
  if (!ok) throw new Error(`not valid SARIF 2.1.0:\n${JSON.stringify(validate.errors?.slice(0, 10), null, 2)}`);
  return ok;
}

const tmp = mkdtempSync(join(tmpdir(), 'dmabuf-sarif-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dmabuf-lint --format sarif', () => {
  it('the validator refuses what is not SARIF (the schema is really applied)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
    expect(
      validate({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }],
      }),
    ).toBe(false);
  }, 60000);

  it('samples/: one schema-valid run with every rule and a result per diagnostic', () => {
    const r = lint(['--format', 'sarif', 'samples/']);
    expect(r.stderr).toBe('');
    const log = JSON.parse(r.stdout) as SarifLog;
    expect(valid(log)).toBe(true);
    expect(r.status).toBe(log.runs[0]!.results.some((x) => x.level === 'error') ? 1 : 0);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0]!;
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run.tool.driver).toMatchObject({ name: 'dmabuf-lint', version: pkg.version, informationUri: 'https://dmabuf-lens.dev' });
    // Every diagnostic code, with the rule module's text and severity.
    expect(run.tool.driver.rules.map((x) => x.id)).toEqual([...DIAGNOSTIC_CODES]);
    for (const rule of run.tool.driver.rules) {
      const mod = RULES.find((m) => m.code === rule.id)!;
      expect(rule.shortDescription.text, rule.id).toContain(mod.summary.replace(/\.$/, ''));
      expect(rule.fullDescription.text.length, rule.id).toBeGreaterThan(rule.shortDescription.text.length);
      expect(rule.help.text, rule.id).toContain(`https://dmabuf-lens.dev/rules/${rule.id}`);
      expect(rule.helpUri).toBe(`https://dmabuf-lens.dev/rules/${rule.id}`);
      expect(rule.defaultConfiguration.level).toBe(mod.severity === 'info' ? 'note' : mod.severity);
    }
    // Same diagnostics as the JSON output.
    const json = JSON.parse(lint(['--format', 'json', 'samples/']).stdout) as { files: { path: string; diagnostics: { code: string; severity: string }[] }[] };
    const want = json.files.flatMap((f) => f.diagnostics.map((d) => `${f.path} ${d.code} ${d.severity === 'info' ? 'note' : d.severity}`)).sort();
    const got = run.results.map((x) => `${x.locations[0]!.physicalLocation.artifactLocation.uri} ${x.ruleId} ${x.level}`).sort();
    expect(got).toEqual(want);
    for (const x of run.results) {
      expect(run.tool.driver.rules[x.ruleIndex!]!.id).toBe(x.ruleId);
      expect(x.locations[0]!.physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    }
  }, 60000);

  it('regions are 1-based (endColumn after the last character) and related locations are given', () => {
    const r = lint(['--format', 'sarif', 'samples/02-vfio-switch-iommu.dmabuf']);
    const log = JSON.parse(r.stdout) as SarifLog;
    expect(valid(log)).toBe(true);
    const json = JSON.parse(lint(['--format', 'json', 'samples/02-vfio-switch-iommu.dmabuf']).stdout) as {
      files: { diagnostics: { code: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[] }[];
    };
    const acs = log.runs[0]!.results.find((x) => x.ruleId === 'acs-redirect')!;
    const range = json.files[0]!.diagnostics.find((d) => d.code === 'acs-redirect')!.range;
    expect(acs.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'samples/02-vfio-switch-iommu.dmabuf', uriBaseId: '%SRCROOT%' },
      region: { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 },
    });
    expect(acs.level).toBe('warning');
    expect(acs.relatedLocations!.length).toBe(2);
    expect(acs.relatedLocations![0]).toMatchObject({
      id: 1,
      physicalLocation: { artifactLocation: { uri: 'samples/02-vfio-switch-iommu.dmabuf', uriBaseId: '%SRCROOT%' }, region: { startLine: 18, startColumn: 13 } },
      message: { text: expect.stringContaining('sw0.nic0') },
    });
  }, 60000);

  it('errors, notes, a diagnostic in a used file, --quiet: still valid', () => {
    const dir = join(tmp, 'm');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    const sample = readFileSync(join(ROOT, 'samples/02-vfio-switch-iommu.dmabuf'), 'utf8').replace('expect thru_host_bridge,', 'expect bus_addr,');
    const cut = sample.indexOf('buffer doorbells');
    writeFileSync(join(dir, 'lib/machine.dmabuf'), sample.slice(0, cut) + '\nbuffer stray from nowhere { size 4K }\n');
    writeFileSync(join(dir, 'main.dmabuf'), 'use "lib/machine.dmabuf"\n\n' + sample.slice(cut));
    writeFileSync(join(dir, 'broken.dmabuf'), 'platform p {\n  cpu intel2\n}\n');
    const r = lint(['--format', 'sarif', '--rule', 'acs-redirect=info', '.'], { cwd: dir });
    expect(r.status).toBe(1);
    const log = JSON.parse(r.stdout) as SarifLog;
    expect(valid(log)).toBe(true);
    const results = log.runs[0]!.results;
    const levels = new Set(results.map((x) => x.level));
    expect(levels).toEqual(new Set(['error', 'warning', 'note']));
    expect(results.find((x) => x.ruleId === 'syntax-error')!.locations[0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'broken.dmabuf' },
      region: { startLine: 2, startColumn: 7 },
    });
    // The unknown exporter is in the used file: the result is there, not at the root.
    const unknown = results.find((x) => x.ruleId === 'unknown-name')!;
    expect(unknown.locations[0]!.physicalLocation.artifactLocation.uri).toBe('lib/machine.dmabuf');
    const quiet = JSON.parse(lint(['--format', 'sarif', '--quiet', '.'], { cwd: dir }).stdout) as SarifLog;
    expect(valid(quiet)).toBe(true);
    expect(quiet.runs[0]!.results.length).toBeGreaterThan(0);
    expect(quiet.runs[0]!.results.every((x) => x.level === 'error')).toBe(true);
    expect(quiet.runs[0]!.tool.driver.rules).toHaveLength(DIAGNOSTIC_CODES.length);
  }, 60000);

  it('no diagnostics: an empty result list, still valid', () => {
    const r = lint(['--format', 'sarif', 'samples/01-vfio-switch.dmabuf']);
    const log = JSON.parse(r.stdout) as SarifLog;
    expect(valid(log)).toBe(true);
    expect(log.runs[0]!.results).toEqual([]);
    expect(r.status).toBe(0);
  }, 60000);
});
