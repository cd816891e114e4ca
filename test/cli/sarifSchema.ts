// The SARIF 2.1.0 validator of the SARIF tests and the GitHub Action's test (the schema
// and how it is handed to Ajv: see the head of sarif.test.ts).
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run';

export function sarifValidator(): ValidateFunction {
  const raw = JSON.parse(readFileSync(join(ROOT, 'test/cli/sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  const { $schema: _draft, id, ...rest } = raw;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ $id: id as string, ...rest });
}
