// The esbuild options every Node bundle of this repository uses: the extension, the
// server and the CLI (scripts/build.mjs), the tools (scripts/run-bundled.mjs) and the
// VS Code test suite (test/vscode/run.mjs). Node 20 is the oldest runtime we support.
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
};
