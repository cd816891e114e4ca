// End-to-end test of the views in a real browser: Debian's Chromium, driven by
// playwright-core.
//   1. `dmabuf-lint graph FILE --svg OUT` for every sample; each SVG is opened on its own
//      (file://) and must render without a console error, a page error or a failed
//      request, with every node and share of the language server's answer in the DOM,
//      laid out (non-empty boxes) and styled (the outcome colours applied), each share's
//      rendered line passing every node its TLPs traverse (the engine's `route`: for
//      THRU_HOST_BRIDGE up to a host bridge; sample 02 through rp0 and hb0, sample 01's
//      BUS_ADDR share not), or dotted with a cross when none are sent. A screenshot
//      of each goes to test/e2e/screenshots/view-NN-SAMPLE.png.
//   2. The webview pages of "Show topology" and "Show P2P matrix" (server/src/view/html.ts,
//      fed with the server's dmabuf/topology and dmabuf/matrix answers), served over HTTP
//      with their Content-Security-Policy and a fake acquireVsCodeApi, as VS Code loads
//      them: no CSP violation, no error; the page posts `ready`, clicks post `reveal`,
//      an `update` message replaces the content, zoom works, theme variables restyle it.
//      A script without the nonce is refused (the policy is in force).
//
// Run by test/e2e/run.sh (`bash test/e2e/run.sh view`), which builds dist/ and sets:
//   E2E_SCREENSHOTS  where the screenshots go (test/e2e/screenshots)
//   E2E_CACHE        the folder with node_modules/playwright-core (test/e2e/.cache)
//   CHROMIUM         the browser (default /usr/bin/chromium)
/* global document, window, getComputedStyle */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set (run test/e2e/run.sh view)`);
  return v;
};
const SHOTS = env('E2E_SCREENSHOTS', join(ROOT, 'test/e2e/screenshots'));
const CACHE = env('E2E_CACHE', join(ROOT, 'test/e2e/.cache'));
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const { chromium } = createRequire(join(CACHE, 'package.json'))('playwright-core');
const projectRequire = createRequire(join(ROOT, 'package.json'));
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = projectRequire('vscode-jsonrpc/node');
const esbuild = projectRequire('esbuild');

/** The sample whose picture is docs/images/topology.png (README, "A model"). */
const DOCS_SAMPLE = '02-vfio-switch-iommu.dmabuf';

const t0 = Date.now();
const log = (msg) => console.log(`view-e2e [${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const SAMPLES = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.dmabuf')).sort();
const TMP = mkdtempSync(join(tmpdir(), 'dmabuf-view-e2e-'));
mkdirSync(SHOTS, { recursive: true });

// ------------------------------------------------------------------ the server's answers

/** The bundled language server over stdio, as the CLI and VS Code talk to it. */
async function startServer() {
  const proc = spawn(process.execPath, [join(ROOT, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  conn.onNotification(() => {});
  conn.onRequest(() => null);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ROOT).href, workspaceFolders: [{ uri: pathToFileURL(ROOT).href, name: 'root' }], capabilities: {} });
  await conn.sendNotification('initialized', {});
  return {
    request: (method, params) => conn.sendRequest(method, params),
    async stop() {
      await conn.sendRequest('shutdown').catch(() => {});
      await conn.sendNotification('exit').catch(() => {});
      conn.dispose();
      if (proc.exitCode === null) proc.kill();
    },
  };
}

/** server/src/view/html.ts, bundled for this script (the extension bundles the same module). */
async function loadHtmlModule() {
  const out = await esbuild.build({ entryPoints: [join(ROOT, 'server/src/view/html.ts')], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error' });
  const file = join(TMP, 'html.mjs');
  writeFileSync(file, out.outputFiles[0].text);
  return import(pathToFileURL(file).href);
}

// ------------------------------------------------------------------ browser helpers

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--allow-file-access-from-files'],
});

/** A page that records console errors, page errors and failed requests. */
async function watchedPage(options = {}) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, ...options });
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return { page, problems };
}

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    log(`ok   ${name}`);
  } catch (e) {
    failures++;
    log(`FAIL ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}

const server = await startServer();
const html = await loadHtmlModule();
for (const f of readdirSync(SHOTS)) if (f.startsWith('view-')) rmSync(join(SHOTS, f));

try {
  // ---------------------------------------------------------------- 1. every sample's SVG
  for (const [i, sample] of SAMPLES.entries()) {
    await check(`SVG of ${sample} renders`, async () => {
      const out = join(TMP, sample.replace(/\.dmabuf$/, '.svg'));
      const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'graph', join('samples', sample), '--svg', out], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
      assert.equal(r.status, 0, `dmabuf-lint graph: ${r.stderr}`);
      const answer = await server.request('dmabuf/topology', { uri: pathToFileURL(join(ROOT, 'samples', sample)).href });
      const { page, problems } = await watchedPage();
      await page.goto(pathToFileURL(out).href);
      const seen = await page.evaluate(() => {
        const svg = document.documentElement;
        const box = (el) => {
          const b = el.getBoundingClientRect();
          return { w: b.width, h: b.height };
        };
        return {
          root: svg.localName,
          nodes: [...document.querySelectorAll('[data-node]')].map((el) => ({ id: el.getAttribute('data-node'), cls: el.getAttribute('class'), ...box(el) })),
          shares: [...document.querySelectorAll('[data-share]')].map((el) => {
            const line = el.querySelector('.line');
            // The nodes the rendered line passes: points every 2 units along it, against each node's box.
            const pts = [];
            if (line) for (let d = 0, n = line.getTotalLength(); d <= n; d += 2) pts.push(line.getPointAtLength(d));
            const touched = [...document.querySelectorAll('[data-node] > rect')]
              .filter((r) => {
                const b = r.getBBox();
                return pts.some((p) => p.x >= b.x - 2 && p.x <= b.x + b.width + 2 && p.y >= b.y - 2 && p.y <= b.y + b.height + 2);
              })
              .map((r) => r.parentElement.getAttribute('data-node'));
            return {
              id: el.getAttribute('data-share'),
              cls: el.getAttribute('class'),
              route: el.getAttribute('data-route'),
              arrow: line?.getAttribute('marker-end') ?? null,
              cross: el.querySelector('.fail-mark') !== null,
              touched,
              stroke: line ? getComputedStyle(line).stroke : '',
              ...box(line ?? el),
            };
          }),
          legend: [...document.querySelectorAll('.legend [data-legend]')].map((el) => el.getAttribute('data-legend')),
          font: getComputedStyle(svg).fontFamily,
        };
      });
      assert.equal(seen.root, 'svg');
      assert.deepEqual(seen.nodes.map((n) => n.id).sort(), answer.nodes.map((n) => n.id).sort(), 'every node of the server is in the DOM');
      for (const n of seen.nodes) assert.ok(n.w > 10 && n.h > 10, `node ${n.id} is drawn (${n.w}x${n.h})`);
      for (const n of answer.nodes) assert.ok(seen.nodes.find((x) => x.id === n.id).cls.split(' ').includes(n.kind), `node ${n.id} has class ${n.kind}`);
      assert.deepEqual(seen.shares.map((s) => s.id), answer.shares.map((s) => s.id), 'every share of the server is in the DOM');
      for (const s of answer.shares) {
        const el = seen.shares.find((x) => x.id === s.id);
        assert.ok(el.cls.split(' ').includes(s.outcome), `share ${s.id} has class ${s.outcome}`);
        assert.ok(el.w > 0 || el.h > 0, `share ${s.id} is drawn`);
        assert.match(el.stroke, /^rgb/, `share ${s.id} is coloured (${el.stroke})`);
        // Drawn where its TLPs go: the rendered line passes every node of the engine's route,
        // with an arrow; a share that sends none is dotted and ends in a cross.
        assert.equal(el.route, s.tlps.join(' '), `share ${s.id}: data-route is the engine's route`);
        if (s.tlps.length > 0) {
          for (const n of s.tlps) assert.ok(el.touched.includes(n), `share ${s.id}: the line passes ${n} (it passes ${el.touched.join(', ')})`);
          assert.equal(el.arrow, `url(#arrow-${s.outcome})`, `share ${s.id} has an arrow`);
          const hostBridges = answer.nodes.filter((n) => n.kind === 'host_bridge').map((n) => n.id);
          if (s.outcome === 'thru-host-bridge') assert.ok(el.touched.some((n) => hostBridges.includes(n)), `share ${s.id} (THRU_HOST_BRIDGE) reaches a host bridge`);
        } else {
          assert.ok(el.cls.split(' ').includes('no-traffic') && el.arrow === null && el.cross, `share ${s.id} sends no TLP: dotted, no arrow, a cross`);
        }
      }
      if (sample === '01-vfio-switch.dmabuf') {
        const s = seen.shares[0];
        assert.ok(!s.touched.includes('rp0') && !s.touched.includes('hb0'), `BUS_ADDR turns at the switch: ${s.touched.join(', ')}`);
      }
      if (sample === DOCS_SAMPLE) {
        const s = seen.shares[0];
        assert.equal(s.route, 'nic0 sw0.nic0 sw0 rp0 hb0 rp0 sw0 sw0.gpu0 gpu0');
        assert.ok(s.touched.includes('rp0') && s.touched.includes('hb0'), `THRU_HOST_BRIDGE goes up through rp0 to hb0: ${s.touched.join(', ')}`);
      }
      assert.ok(seen.legend.includes('bus-addr') && seen.legend.includes('private'), 'legend');
      assert.match(seen.font, /mono/i);
      assert.deepEqual(problems, []);
      const file = join(SHOTS, `view-${String(i + 1).padStart(2, '0')}-${sample.replace(/\.dmabuf$/, '')}.png`);
      await page.locator('svg').screenshot({ path: file });
      log(`screenshot ${file}`);
      if (sample === DOCS_SAMPLE) {
        const hi = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 2 });
        await hi.goto(pathToFileURL(out).href);
        await hi.locator('svg').screenshot({ path: join(SHOTS, 'view-docs-topology.png') });
        await hi.close();
      }
      await page.close();
    });
  }

  // ---------------------------------------------------------------- 2. the webview pages
  const pages = new Map();
  const http = createServer((req, res) => {
    const body = pages.get(req.url);
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end(); // the browser asks for it; a webview does not
      return;
    }
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${http.address().port}`;
  const nonce = randomBytes(18).toString('base64');
  const fakeVsCode = () => {
    window.__posted = [];
    window.__violations = [];
    window.__state = undefined;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => window.__state,
      setState: (s) => {
        window.__state = s;
      },
    });
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'}`));
  };
  /** The colours VS Code gives a webview (a dark theme), as its host sets them on <html>. */
  const darkTheme = () => {
    const s = document.documentElement.style;
    const vars = {
      '--vscode-editor-background': '#1e1e1e',
      '--vscode-editor-foreground': '#d4d4d4',
      '--vscode-editorWidget-background': '#252526',
      '--vscode-editorWidget-border': '#454545',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-errorForeground': '#f48771',
      '--vscode-panel-border': '#80808059',
    };
    for (const [k, v] of Object.entries(vars)) s.setProperty(k, v);
  };

  const topo = await server.request('dmabuf/topology', { uri: pathToFileURL(join(ROOT, 'samples/05-hgx-acs-redirect.dmabuf')).href, svg: 'embedded' });
  const other = await server.request('dmabuf/topology', { uri: pathToFileURL(join(ROOT, 'samples/12-xgmi-private.dmabuf')).href, svg: 'embedded' });
  const matrix = await server.request('dmabuf/matrix', { uri: pathToFileURL(join(ROOT, 'samples/05-hgx-acs-redirect.dmabuf')).href });
  pages.set('/topology', html.webviewHtml({ kind: 'topology', nonce, cspSource: origin, title: 'Topology: 05-hgx-acs-redirect.dmabuf', body: topo.svg, status: '05-hgx-acs-redirect.dmabuf' }));
  pages.set('/matrix', html.webviewHtml({ kind: 'matrix', nonce, cspSource: origin, title: 'P2P matrix: 05-hgx-acs-redirect.dmabuf', body: html.matrixTable({ ...matrix, title: '05-hgx-acs-redirect.dmabuf' }), status: '05-hgx-acs-redirect.dmabuf' }));

  await check('webview "Show topology" loads under its CSP, clicks reveal, updates and zooms', async () => {
    const { page, problems } = await watchedPage();
    await page.addInitScript(fakeVsCode);
    await page.goto(`${origin}/topology`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    assert.equal(await page.locator('svg.dmabuf-topology [data-node]').count(), topo.nodes.length);
    assert.equal(await page.locator('svg.dmabuf-topology [data-share]').count(), topo.shares.length);
    // The stylesheet (with the nonce) applies: routes are coloured, boxes shaded.
    const stroke = await page.locator('[data-share="weights->nic0"] .line').evaluate((el) => getComputedStyle(el).stroke);
    assert.equal(stroke, 'rgb(188, 76, 0)');
    // Click a node (a real click), then a route.
    await page.locator('[data-node="gpu0"]').click();
    await page.locator('[data-share="weights->nic6"]').dispatchEvent('click');
    const posted = await page.evaluate(() => window.__posted.filter((m) => m.type === 'reveal'));
    assert.deepEqual(posted, [
      { type: 'reveal', node: 'gpu0' },
      { type: 'reveal', share: 'weights->nic6' },
    ]);
    // Zoom in: the picture grows; the zoom is kept in the webview state.
    const w0 = Number(await page.locator('svg.dmabuf-topology').getAttribute('width'));
    await page.locator('button[data-zoom="in"]').click();
    const w1 = Number(await page.locator('svg.dmabuf-topology').getAttribute('width'));
    assert.ok(w1 > w0, `zoom in: ${w0} -> ${w1}`);
    assert.equal((await page.evaluate(() => window.__state)).zoom, 1.25);
    await page.locator('button[data-zoom="fit"]').click();
    // The theme: a dark VS Code theme restyles the page and the diagram.
    await page.evaluate(darkTheme);
    const bg = await page.locator('svg.dmabuf-topology .background').evaluate((el) => getComputedStyle(el).fill);
    assert.equal(bg, 'rgb(30, 30, 30)');
    const themed = await page.locator('[data-share="weights->nic0"] .line').evaluate((el) => getComputedStyle(el).stroke);
    assert.equal(themed, 'rgb(209, 134, 22)');
    await page.screenshot({ path: join(SHOTS, 'view-webview-topology.png') });
    // An update from the extension replaces the picture.
    await page.evaluate((body) => window.postMessage({ type: 'update', body, status: '12-xgmi-private.dmabuf' }, '*'), other.svg);
    await page.waitForFunction(() => document.querySelector('[data-node="link:0"]') !== null);
    assert.equal(await page.locator('#status').textContent(), '12-xgmi-private.dmabuf');
    assert.equal(await page.locator('svg.dmabuf-topology [data-share]').count(), other.shares.length);
    await page.locator('[data-node="gpu1"]').click();
    assert.deepEqual(await page.evaluate(() => window.__posted.at(-1)), { type: 'reveal', node: 'gpu1' });
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(problems, []);
    // The policy is in force: a script without the nonce does not run.
    const ran = await page.evaluate(async () => {
      window.__ran = false;
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.body.appendChild(s);
      await new Promise((r) => window.setTimeout(r, 50));
      return window.__ran;
    });
    assert.equal(ran, false, 'an inline script without the nonce ran');
    assert.ok((await page.evaluate(() => window.__violations)).some((v) => v.startsWith('script-src')), 'the refused script is reported');
    await page.close();
  });

  await check('webview "Show P2P matrix" loads under its CSP and clicks reveal', async () => {
    const { page, problems } = await watchedPage();
    await page.addInitScript(fakeVsCode);
    await page.goto(`${origin}/matrix`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    const n = matrix.endpoints.length;
    assert.equal(await page.locator('table.p2p-matrix td').count(), n * n);
    const cell = page.locator('td[data-provider="gpu0"][data-client="nic6"]');
    assert.equal(await cell.textContent(), 'HB 8');
    assert.equal(await cell.getAttribute('data-map-type'), matrix.cells[0][matrix.endpoints.findIndex((e) => e.name === 'nic6')].mapType);
    await page.locator('th[scope="row"][data-node="nic7"]').click();
    assert.deepEqual(await page.evaluate(() => window.__posted.at(-1)), { type: 'reveal', node: 'nic7' });
    await page.evaluate(darkTheme);
    const colour = await cell.evaluate((el) => getComputedStyle(el).color);
    assert.equal(colour, 'rgb(209, 134, 22)');
    await page.screenshot({ path: join(SHOTS, 'view-webview-matrix.png'), fullPage: true });
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(problems, []);
    await page.close();
  });
  http.close();
} finally {
  await server.stop();
  await browser.close();
  rmSync(TMP, { recursive: true, force: true });
}

log(`${failures === 0 ? 'passed' : `${failures} failed`}; screenshots in ${SHOTS}`);
process.exit(failures === 0 ? 0 : 1);
