// What the two VS Code e2e tests share (test/e2e/vscode.e2e.mjs and
// vscode-views.e2e.mjs): the environment test/e2e/run.sh sets, a polling wait, the
// browser, and a person's moves in the workbench (Quick Open, Go to Line, reading what
// is visible).
//
// The environment:
//   E2E_URL          code-server's URL, e.g. http://127.0.0.1:41234/
//   E2E_WORKSPACE    the folder code-server opens (copies of samples/*.dmabuf and quickfix.dmabuf)
//   E2E_SCREENSHOTS  where the step screenshots go (test/e2e/screenshots)
//   E2E_CACHE        the folder with node_modules/playwright-core (test/e2e/.cache)
//   CHROMIUM         the browser (default /usr/bin/chromium)
/* global document */

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set (run test/e2e/run.sh)`);
  return v;
};
export const URL_ = env('E2E_URL');
export const WORKSPACE = env('E2E_WORKSPACE');
export const SHOTS = env('E2E_SCREENSHOTS');
const CACHE = env('E2E_CACHE');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');

/** A logger that prefixes each line with `name` and the seconds since the test started. */
export function logger(name) {
  const t0 = Date.now();
  return (msg) => console.log(`${name} [${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
}

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeout` ms. */
export async function until(what, fn, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await delay(100); // the polling interval, not a wait for something to happen
  }
}

/** Debian's Chromium through playwright-core, headless, and one page of `width` × 900. */
export async function launch(width) {
  const { chromium } = createRequire(join(CACHE, 'package.json'))('playwright-core');
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  return { browser, page };
}

/** Numbered screenshots `<prefix>-NN-<name>.png` in E2E_SCREENSHOTS. */
export function screenshots(page, prefix, log) {
  let step = 0;
  return async (name) => {
    const file = join(SHOTS, `${prefix}-${String(++step).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    log(`screenshot ${file}`);
    return file;
  };
}

/** 1-based line and column of the first `needle` in the workspace copy of `file`. */
export function position(file, needle) {
  const lines = readFileSync(join(WORKSPACE, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} in ${file}`);
  return { line: i + 1, column: lines[i].indexOf(needle) + 1 };
}

/** What a person reads and does in the workbench of `page`. */
export function workbench(page) {
  /** The visible text of an element (VS Code renders spaces as U+00A0), or '' when absent or hidden. */
  const textOf = (selector) =>
    page.evaluate((sel) => {
      const out = [];
      for (const el of document.querySelectorAll(sel)) if (el.offsetParent !== null || el.getClientRects().length > 0) out.push(el.innerText);
      return out.join('\n').replace(/\u00a0/g, ' ');
    }, selector);
  const activeTab = () => textOf('.part.editor .editor-group-container.active .tab.active .label-name');
  const editorText = () => textOf('.part.editor .editor-group-container.active .monaco-editor .view-lines');
  const cursorText = () => textOf('.statusbar-item[id="status.editor.selection"]');

  /** Opens the quick input with `keys` and types `text` into it. */
  async function quickInput(keys, text) {
    await page.keyboard.press(keys);
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(text);
    return input;
  }

  /** Quick Open (Ctrl+P) the file `name` of the workspace and wait until its editor shows `expect`. */
  async function openFile(name, expect) {
    await quickInput('Control+P', name);
    await until(`quick open to select ${name}`, async () => (await textOf('.quick-input-widget .monaco-list-row.focused')).includes(name));
    await page.keyboard.press('Enter');
    await until(`the editor tab ${name}`, async () => (await activeTab()) === name);
    await until(`the text of ${name}`, async () => (await editorText()).includes(expect));
  }

  /** Go to line:column (1-based) with Ctrl+G. */
  async function goTo(line, column) {
    await quickInput('Control+G', `:${line}:${column}`);
    await page.keyboard.press('Enter');
    await until(`the cursor at ${line}:${column}`, async () => (await cursorText()).includes(`Ln ${line}, Col ${column}`));
  }

  /** Runs a command from the command palette (F1) by its title. */
  async function runCommand(title) {
    await quickInput('F1', `>${title}`);
    await until(`the command ${title}`, async () => (await textOf('.quick-input-widget .monaco-list-row.focused')).includes(title));
    await page.keyboard.press('Enter');
  }

  return { textOf, activeTab, editorText, cursorText, quickInput, openFile, goTo, runCommand };
}
