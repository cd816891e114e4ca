// Codes found before the engine runs: by the parser, the `use` resolution and the model
// builder. Their modules carry the code, severity and docs; the finding is made upstream.

import type { Rule } from './rule';

const upstream = (code: Rule['code'], kernel: string, summary: string): Rule => ({ code, severity: 'error', kernel, summary });

export const syntaxError = upstream('syntax-error', '(docs/language.md §3)', 'The text does not follow the grammar; parsing recovers and goes on.');
export const unknownName = upstream('unknown-name', '(docs/language.md §1: names are global to a model)', 'A reference to a name that the model does not declare.');
export const duplicateName = upstream('duplicate-name', '(docs/language.md §1)', 'A name declared twice in one model.');
export const invalidValue = upstream('invalid-value', 'pci_assign_resource, vfio_pci_core_feature_dma_buf, dma_set_mask', 'A value out of range: BDF, BAR placement, buffer size, DMA mask.');
export const missingPlatform = upstream('missing-platform', '(docs/language.md §1)', 'Buffers or shares with no platform in the model.');
export const useNotFound = upstream('use-not-found', '(docs/language.md §1)', 'A `use` whose file does not exist or lies outside the workspace folder.');
