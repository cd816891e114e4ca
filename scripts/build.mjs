// Bundles the extension client, the language server and the CLI with esbuild.
// Run by `npm ci` (prepare) so that the bins work right after install.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
mkdirSync('dist', { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js' },
];

await Promise.all(entries.map((e) => build({ ...common, ...e })));
if (watch) console.log('built; watch mode is not implemented, rerun `npm run build`');
