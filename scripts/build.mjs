// Bundles the extension client, the language server and the CLI with esbuild.
// Run by `npm ci` (prepare) so that the bins work right after install.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { nodeBundle } from './bundle-options.mjs';

const watch = process.argv.includes('--watch');
mkdirSync('dist', { recursive: true });

const common = { ...nodeBundle, sourcemap: true, metafile: true };

/**
 * elkjs (3.3 MB, the topology view's layout) goes to its own file, dist/elk.js, which the
 * server requires on the first layout (server/src/view/layout.ts imports it lazily).
 * Inside server.js it cost every server start about 60 ms of compiling.
 */
const elkApart = {
  name: 'elk-apart',
  setup(b) {
    b.onResolve({ filter: /^elkjs\/lib\/elk\.bundled\.js$/ }, () => ({ path: './elk.js', external: true }));
  },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js', plugins: [elkApart] },
  { entryPoints: ['node_modules/elkjs/lib/elk.bundled.js'], outfile: 'dist/elk.js', sourcemap: false },
  { entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js' },
];

const results = await Promise.all(entries.map((e) => build({ ...common, ...e })));

/**
 * Every file the bundles were built from, for test/lsp/globalSetup.ts: the tests
 * rebuild dist/ when one of them (or this script) is newer than the bundles.
 */
const inputs = new Set(['package.json', 'scripts/build.mjs', 'scripts/bundle-options.mjs']);
for (const r of results) for (const input of Object.keys(r.metafile.inputs)) inputs.add(input);
const outputs = entries.map((e) => e.outfile);
writeFileSync('dist/inputs.json', JSON.stringify({ outputs, inputs: [...inputs].sort() }, null, 1) + '\n');
if (watch) console.log('built; watch mode is not implemented, rerun `npm run build`');
