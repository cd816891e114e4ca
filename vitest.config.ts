import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/vscode/**', 'test/e2e/**', 'node_modules/**'],
    testTimeout: 20000,
    pool: 'forks',
    // The spawned suites run dist/: it is built from the current source first.
    globalSetup: ['test/lsp/globalSetup.ts'],
  },
});
