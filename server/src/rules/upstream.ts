// Codes found before the engine runs: by the parser, the `use` resolution and the model
// builder. Their modules carry the code, severity and docs; the finding is made upstream.
// (invalid-value is found upstream too, and at the shares the engine refuses with it:
// invalidValue.ts.)

import type { Rule } from './rule';

const upstream = (code: Rule['code'], kernel: string, summary: string): Rule => ({ code, severity: 'error', kernel, summary });

export const syntaxError = upstream('syntax-error', '(docs/language.md §3)', 'The text does not follow the grammar; parsing recovers and goes on.');
export const unknownName = upstream('unknown-name', '(docs/language.md §1: names are global to a model)', 'A reference to a name that the model does not declare.');
export const duplicateName = upstream('duplicate-name', '(docs/language.md §1)', 'A name declared twice in one model.');
export const missingPlatform = upstream('missing-platform', '(docs/language.md §1)', 'Buffers or shares with no platform in the model.');
export const useNotFound = upstream('use-not-found', '(docs/language.md §1)', 'A `use` whose file does not exist or lies outside the workspace folder.');
export const distroKernel: Rule = {
  ...upstream('distro-kernel', '(docs/language.md, `version`)', 'A distribution kernel is evaluated as its mainline base release; its backports may differ.'),
  severity: 'info',
};
