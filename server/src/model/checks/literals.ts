// Literal values.

import type { Check } from './context';

/**
 * Addresses and sizes are u64 in the kernel (resource_size_t, dma_addr_t): a literal
 * that does not fit in 64 bits is one kstrtoull (lib/kstrtox.c) refuses with -ERANGE.
 */
export const checkLiteralWidth: Check = (g, c) => {
  for (const f of g.files) for (const lit of f.parse.wideLiterals) c.invalid(`${lit.text} does not fit in 64 bits`, { uri: f.uri, span: lit.span });
};
