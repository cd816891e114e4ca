// End-to-end test in a real VS Code: code-server (VS Code 1.100 in the browser) with the
// packaged dmabuf-lens.vsix installed, driven through Debian's Chromium by playwright-core.
// A person's view: open a .dmabuf file, read the Problems panel, hover a share, apply a
// quick fix, edit a value. Every wait polls a condition with a deadline; no fixed sleeps.
//
// Run by test/e2e/run.sh, which starts code-server and sets the environment that
// test/e2e/lib.mjs reads.
/* global document */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, logger, position, screenshots, SHOTS, until, URL_, workbench, WORKSPACE } from './lib.mjs';

const IOMMU = '02-vfio-switch-iommu.dmabuf';
const QUICKFIX = 'quickfix.dmabuf';
const log = logger('vscode-e2e');

const { browser, page } = await launch(1400);
const shot = screenshots(page, 'vscode', log);
const { textOf, editorText, openFile, goTo } = workbench(page);
const problemsText = () => textOf('.markers-panel');
const activeTabDirty = () => page.evaluate(() => document.querySelector('.part.editor .editor-group-container.active .tab.active')?.classList.contains('dirty') ?? false);

let failed = false;
try {
  // 1. The workbench, with the workspace folder in the explorer.
  await page.goto(URL_);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await until('the explorer to list the samples', async () => (await textOf('.explorer-folders-view')).includes(IOMMU), 90_000);
  log('workbench ready');

  // 2. Open sample 02: the server publishes acs-redirect and p2p-host-bridge.
  await openFile(IOMMU, 'share doorbells -> gpu0');
  await page.keyboard.press('Control+Shift+M');
  const problems = await until(
    'the Problems panel to list acs-redirect and p2p-host-bridge',
    async () => {
      const t = await problemsText();
      return t.includes('acs-redirect') && t.includes('p2p-host-bridge') ? t : undefined;
    },
    60_000,
  );
  assert.match(problems, /02-vfio-switch-iommu\.dmabuf/);
  for (const code of ['acs-redirect', 'p2p-host-bridge']) {
    const times = problems.split('\n').filter((l) => l.trim() === code || l.includes(`(${code})`)).length;
    assert.equal(times, 1, `${code} is listed ${times} times in the Problems panel:\n${problems}`);
  }
  log('Problems panel lists acs-redirect and p2p-host-bridge, once each');
  await shot('problems');

  // 3. Hover the share name: the hover gives the map type and the IOVA. The panel is
  // closed (Ctrl+J) for the room.
  await page.keyboard.press('Control+J');
  await until('the panel to close', async () => (await problemsText()) === '');
  const share = position(IOMMU, 'share doorbells');
  await goTo(share.line, share.column + 'share '.length); // scrolls the share into view
  const nameToken = page
    .locator('.part.editor .editor-group-container.active .view-line')
    .filter({ hasText: /share\s+doorbells/ })
    .locator('span span', { hasText: /^doorbells$/ })
    .first();
  const hover = await until(
    'a hover with 0xffff0000',
    async () => {
      const box = await nameToken.boundingBox();
      if (!box) return undefined;
      await page.mouse.move(box.x + box.width / 2 + (Date.now() % 3), box.y + box.height / 2);
      const t = await textOf('.monaco-hover');
      return t.includes('0xffff0000') ? t : undefined;
    },
    30_000,
  );
  assert.match(hover, /THRU_HOST_BRIDGE/);
  // Make the hover taller, as a person would: drag its free edge (the sash away from the line).
  const hoverBox = () => page.locator('.monaco-resizable-hover').filter({ hasText: '0xffff0000' }).first().boundingBox();
  let previous = '';
  let still = 0;
  const before = await until('the hover to settle', async () => {
    const box = await hoverBox();
    const key = JSON.stringify(box);
    still = box && key === previous ? still + 1 : 0;
    previous = key;
    return still >= 3 ? box : undefined;
  });
  await page.mouse.move(before.x + before.width / 2, before.y + before.height / 2, { steps: 5 }); // onto the hover
  const sash = await page
    .locator('.monaco-resizable-hover', { hasText: '0xffff0000' })
    .locator(':scope > .monaco-sash.horizontal:not(.disabled)')
    .first()
    .boundingBox();
  if (sash) {
    const up = sash.y < before.y + before.height / 2;
    const x = sash.x + sash.width / 2;
    const y = sash.y + sash.height / 2;
    // Not past the editor: the hover goes when the mouse leaves it.
    const editor = await page.locator('.part.editor .editor-group-container.active .monaco-editor').first().boundingBox();
    const to = up ? Math.max(y - 200, editor.y + 40) : Math.min(y + 200, editor.y + editor.height - 40);
    await page.mouse.move(x, y, { steps: 5 });
    await page.mouse.down();
    await page.mouse.move(x, to, { steps: 10 });
    await page.mouse.up();
    await until('the hover to grow', async () => ((await hoverBox())?.height ?? 0) > before.height + Math.abs(to - y) / 2, 10_000);
  }
  // The hover starts with the two warnings; scroll it (mouse wheel) until the share's
  // map type and its DMA address are both in sight.
  await until('the map type and the address in sight in the hover', async () => {
    const seen = await page.evaluate(() => {
      const hoverEl = [...document.querySelectorAll('.monaco-hover')].find((h) => h.getClientRects().length > 0);
      if (!hoverEl) return false;
      const h = hoverEl.getBoundingClientRect();
      const inSight = (el) => {
        const r = el?.getBoundingClientRect();
        return r !== undefined && r.top >= h.top && r.bottom <= h.bottom;
      };
      const cell = [...hoverEl.querySelectorAll('td')].find((td) => td.innerText.includes('THRU_HOST_BRIDGE'));
      const segment = [...hoverEl.querySelectorAll('li')].find((li) => li.innerText.includes('0xffff0000'));
      return inSight(cell) && inSight(segment);
    });
    if (seen) return true;
    const box = await page.locator('.monaco-hover').filter({ hasText: '0xffff0000' }).first().boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 30);
    }
    return false;
  });
  log(`hover on line ${share.line} shows THRU_HOST_BRIDGE and 0xffff0000`);
  await shot('hover');
  await page.keyboard.press('Escape');
  await page.mouse.move(5, 450);
  await page.keyboard.press('Control+Shift+M');
  await until('the Problems panel again', async () => (await problemsText()).includes('acs-redirect'));

  // 4. A quick fix: quickfix.dmabuf has a dynamic share without move_notify (missing-notifier).
  await openFile(QUICKFIX, 'attach dynamic peer2peer');
  await until('missing-notifier in the Problems panel', async () => (await problemsText()).includes('missing-notifier'), 60_000);
  assert.match(await editorText(), /share doorbells -> gpu0\s*fails: missing-notifier/, 'the inlay hint says the share fails');
  const qf = position(QUICKFIX, 'share doorbells');
  await goTo(qf.line, qf.column + 'share '.length);
  await page.keyboard.press('Control+.');
  const action = page.locator('.action-widget .monaco-list-row', { hasText: 'Add move_notify' }).first();
  await action.waitFor({ state: 'visible', timeout: 30_000 });
  log('the quick fix menu offers "Add move_notify"');
  await shot('quickfix-menu');
  // Choose it with the keyboard (a mouse click lands on the menu's pointer block).
  await until('"Add move_notify" to be the focused entry', async () => {
    if ((await textOf('.action-widget .monaco-list-row.focused')).includes('Add move_notify')) return true;
    await page.keyboard.press('ArrowDown');
    return false;
  });
  await page.keyboard.press('Enter');
  await until('the fix in the text', async () => /attach dynamic peer2peer move_notify/.test(await editorText()));
  await page.keyboard.press('Control+S');
  await until('the save', async () => !(await activeTabDirty()));
  // While typing only syntax and name checks run; the save runs the mapping engine again:
  // its inlay hint now gives the share's map type instead of the failure.
  await until('the engine to map the fixed share (inlay hint BUS_ADDR)', async () => /share doorbells -> gpu0\s*BUS_ADDR/.test(await editorText()), 60_000);
  await until('missing-notifier to go', async () => !(await problemsText()).includes('missing-notifier'), 10_000);
  assert.match(readFileSync(join(WORKSPACE, QUICKFIX), 'utf8'), /peer2peer move_notify/);
  log('after the quick fix and save, missing-notifier is gone');
  await shot('quickfix-applied');

  // 5. Edit a value in sample 02: size 64K -> size 0 gives invalid-value as you type.
  await openFile(IOMMU, 'share doorbells -> gpu0');
  assert.ok(!(await problemsText()).includes('invalid-value'), 'no invalid-value before the edit');
  const size = position(IOMMU, '{ size 64K }');
  await goTo(size.line, size.column + '{ size '.length);
  for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.type('0');
  await until('the edit', async () => /doorbells from nic0 driver vfio-pci \{ size 0 \}/.test(await editorText()));
  await until('invalid-value in the Problems panel', async () => (await problemsText()).includes('invalid-value'), 60_000);
  log('after size 64K -> size 0, the Problems panel lists invalid-value');
  await shot('edit-invalid-value');
} catch (e) {
  failed = true;
  console.error(`vscode-e2e FAILED: ${e instanceof Error ? e.stack : String(e)}`);
  try {
    await page.screenshot({ path: join(SHOTS, 'vscode-failure.png') });
    console.error(`vscode-e2e: the screen at the failure is in ${join(SHOTS, 'vscode-failure.png')}`);
  } catch {
    // no screenshot
  }
} finally {
  await browser.close();
}
log(failed ? 'FAIL' : 'PASS');
process.exit(failed ? 1 : 0);
