// End-to-end test of "dmabuf: Show topology" and "dmabuf: Show P2P matrix" in a real VS Code:
// the same code-server (VS Code 1.100 in the browser, the packaged dmabuf-lens.vsix) and
// Chromium as test/e2e/vscode.e2e.mjs, which runs first. A person's view: run the command
// from the command palette, see the webview beside the editor, click a node and land on
// its declaration, switch files and see the view follow, save an edit and see it
// refresh, then the matrix. No CSP violation or script error in the webviews.
//
// Run by test/e2e/run.sh (vscode), with the environment that test/e2e/lib.mjs reads.
/* global document */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, logger, position, screenshots, SHOTS, until, URL_, workbench } from './lib.mjs';

const XGMI = '12-xgmi-private.dmabuf';
const HGX = '05-hgx-acs-redirect.dmabuf';
const log = logger('vscode-views-e2e');

const { browser, page } = await launch(1600);
/**
 * Any CSP violation (VS Code itself reports none), and any error of a webview frame (the
 * workbench's own console, e.g. a 404 of its static files, is not this test's business).
 */
const webviewProblems = [];
page.on('console', (m) => {
  const text = m.text();
  const url = m.location()?.url ?? '';
  if (/Content.Security.Policy|Refused to (execute|load|apply)/i.test(text)) webviewProblems.push(`${url}: ${text}`);
  else if (m.type() === 'error' && /\/webview\//.test(url)) webviewProblems.push(`${url}: ${text}`);
});
page.on('pageerror', (e) => webviewProblems.push(`page error: ${e.message}`));
const shot = screenshots(page, 'vscode-views', log);
const { textOf, activeTab, editorText, cursorText, openFile, runCommand } = workbench(page);

/** The webview frame that has `selector` (the inner frame of VS Code's webview iframe). */
function webviewFrame(selector, what) {
  return until(
    what,
    async () => {
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        try {
          if (await f.evaluate((s) => document.querySelector(s) !== null, selector)) return f;
        } catch {
          // a frame that is going away
        }
      }
      return undefined;
    },
    60_000,
  );
}

let failed = false;
try {
  await page.goto(URL_);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await until('the explorer to list the samples', async () => (await textOf('.explorer-folders-view')).includes(XGMI), 90_000);
  log('workbench ready');

  // 1. Show topology for sample 12, beside the editor.
  await openFile(XGMI, 'share kvcache -> gpu1');
  await runCommand('dmabuf: Show topology');
  let frame = await webviewFrame('svg.dmabuf-topology [data-node="gpu1"]', 'the topology webview of sample 12');
  assert.equal(await frame.locator('[data-share="kvcache->gpu1"]').getAttribute('class'), 'route private over-link');
  assert.match(await frame.locator('[data-share="kvcache->nic0"]').getAttribute('class'), /route thru-host-bridge/);
  assert.equal(await frame.locator('[data-node="link:0"]').count(), 1);
  await until('the tab "Topology: 12-xgmi-private.dmabuf"', async () => (await textOf('.tab .label-name')).includes(`Topology: ${XGMI}`));
  log('the topology of sample 12 is beside the editor');
  await shot('topology');

  // 2. A click on a node opens its declaration.
  await frame.locator('[data-node="nic0"]').click();
  const nic0 = position(XGMI, 'nic nic0');
  await until(`the cursor on line ${nic0.line} of ${XGMI}`, async () => (await activeTab()) === XGMI && (await cursorText()).includes(`Ln ${nic0.line},`));
  log(`clicking nic0 selects its declaration (line ${nic0.line})`);

  // 3. The view follows the active .dmabuf editor.
  await openFile(HGX, 'platform hgx');
  frame = await webviewFrame('svg.dmabuf-topology [data-node="nic7"]', 'the topology webview to follow to sample 05');
  assert.equal(await frame.locator('[data-share]').count(), 3);
  log('the topology follows the active editor to sample 05');

  // 4. A saved edit refreshes it: a fourth share.
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('share weights -> nic1');
  await until('the edit', async () => (await editorText()).includes('share weights -> nic1'));
  await page.keyboard.press('Control+S');
  frame = await webviewFrame('svg.dmabuf-topology [data-share="weights->nic1"]', 'the topology to show the saved share');
  assert.equal(await frame.locator('[data-share]').count(), 4);
  log('after the save, the new share weights->nic1 is drawn');
  await shot('topology-after-save');
  await frame.locator('[data-share="weights->nic6"]').dispatchEvent('click');
  const share = position(HGX, 'share weights -> nic6');
  await until(`the cursor on the share (line ${share.line})`, async () => (await activeTab()) === HGX && (await cursorText()).includes(`Ln ${share.line + 1},`));
  log('clicking the route weights->nic6 selects the share');

  // 5. The P2P matrix.
  await runCommand('dmabuf: Show P2P matrix');
  const matrix = await webviewFrame('table.p2p-matrix td[data-provider="gpu0"][data-client="nic6"]', 'the P2P matrix webview');
  assert.equal((await matrix.locator('td[data-provider="gpu0"][data-client="nic6"]').textContent()).trim(), 'HB 8');
  assert.equal(await matrix.locator('table.p2p-matrix td').count(), 16 * 16);
  await shot('matrix');
  await matrix.locator('th[scope="row"][data-node="nic7"]').click();
  const nic7 = position(HGX, 'nic nic7');
  await until(`the cursor on nic7 (line ${nic7.line})`, async () => (await activeTab()) === HGX && (await cursorText()).includes(`Ln ${nic7.line},`));
  log('the matrix shows HB 8 for gpu0 -> nic6; clicking nic7 selects its declaration');

  assert.deepEqual(webviewProblems, [], 'CSP violations or errors in the webviews');
} catch (e) {
  failed = true;
  console.error(`vscode-views-e2e FAILED: ${e instanceof Error ? e.stack : String(e)}`);
  try {
    await page.screenshot({ path: join(SHOTS, 'vscode-views-failure.png') });
  } catch {
    // no screenshot
  }
} finally {
  await browser.close();
}
log(failed ? 'FAIL' : 'PASS');
process.exit(failed ? 1 : 0);
