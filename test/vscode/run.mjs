// The VS Code integration tests (not part of `npm test`): `npm run test:vscode`.
// Builds the extension, bundles the suite, downloads VS Code with @vscode/test-electron
// and runs test/vscode/suite/index.ts in its extension host.
//
// When VS Code cannot be downloaded (no network), or no display is available on Linux
// (no DISPLAY and no xvfb-run), the run is SKIPPED: it says so and exits 0.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { nodeBundle } from '../../scripts/bundle-options.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const skip = (why) => {
  console.log(`test/vscode: SKIPPED, ${why}. The VS Code integration tests did not run.`);
  process.exit(0);
};

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.DMABUF_UNDER_XVFB) {
  const hasXvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).status === 0;
  if (!hasXvfb) skip('no display: DISPLAY is not set and xvfb-run is not installed');
  const r = spawnSync('xvfb-run', ['-a', process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, DMABUF_UNDER_XVFB: '1' },
  });
  process.exit(r.status ?? 1);
}

execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
const suite = join(root, '.vscode-test/suite/index.js');
await build({ ...nodeBundle, entryPoints: [join(root, 'test/vscode/suite/index.ts')], outfile: suite, external: ['vscode'] });

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode(process.env.VSCODE_TEST_VERSION || 'stable');
} catch (e) {
  skip(`VS Code could not be downloaded (${e instanceof Error ? e.message : String(e)})`);
}

try {
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [
      root,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir',
      mkdtempSync(join(tmpdir(), 'dmabuf-vscode-')),
    ],
  });
  console.log('test/vscode: passed');
} catch (e) {
  console.error(`test/vscode: FAILED (${e instanceof Error ? e.message : String(e)})`);
  process.exit(1);
}
