// The webview pages, outside VS Code: a strict Content-Security-Policy (nothing remote,
// the one script and the one stylesheet only with the page's nonce), no inline handlers
// or style attributes, the theme's colours, and the content. That the page runs under
// that policy in a browser without errors is test/e2e/view.e2e.mjs.

import { describe, expect, it } from 'vitest';
import { matrixTable, THEME_CSS, webviewCsp, webviewHtml } from '../../server/src/view/html';
import { buildMatrix } from '../../server/src/view/matrix';
import { OUTCOMES } from '../../server/src/view/topology';
import { analyzeSample, drawSample } from './draw';

const NONCE = 'bm9uY2Utb2YtdGhlLXRlc3Q=';
const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  if (!m) throw new Error('no CSP meta');
  const csp = m[1]!.replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0]!, d.slice(1)]),
  );
}

describe('webview pages', async () => {
  const { svg } = await drawSample('05-hgx-acs-redirect.dmabuf', false);
  const a = analyzeSample('05-hgx-acs-redirect.dmabuf');
  const pages = {
    topology: webviewHtml({ kind: 'topology', nonce: NONCE, cspSource: CSP_SOURCE, title: 'Topology: 05', body: svg, status: '05' }),
    matrix: webviewHtml({ kind: 'matrix', nonce: NONCE, cspSource: CSP_SOURCE, title: 'P2P matrix: 05', body: matrixTable(buildMatrix(a.model, a.engine, '05')), status: '05' }),
  };

  it.each(Object.entries(pages))('%s: a strict Content-Security-Policy', (_kind, html) => {
    const csp = cspOf(html);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual([`'nonce-${NONCE}'`]);
    expect(csp.get('style-src')).toEqual([CSP_SOURCE, `'nonce-${NONCE}'`]);
    for (const [, sources] of csp) {
      expect(sources).not.toContain("'unsafe-inline'");
      expect(sources).not.toContain("'unsafe-eval'");
      expect(sources).not.toContain('*');
    }
    expect(webviewCsp(NONCE, CSP_SOURCE)).toContain(`script-src 'nonce-${NONCE}'`);
  });

  it.each(Object.entries(pages))('%s: every script and stylesheet has the nonce; no inline handlers, style attributes or remote resources', (_kind, html) => {
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts).toEqual([`<script nonce="${NONCE}">`]);
    const styles = html.match(/<style\b[^>]*>/g) ?? [];
    expect(styles).toEqual([`<style nonce="${NONCE}">`]);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    // No URL but the SVG namespace (never fetched) and the webview's own origin in the policy.
    const urls = (html.match(/https?:\/\/[^\s"'<>);]+/g) ?? []).filter((u) => u !== 'http://www.w3.org/2000/svg' && u !== CSP_SOURCE);
    expect(urls).toEqual([]);
    expect(html).toContain('acquireVsCodeApi()');
  });

  it('maps every colour of the diagram to the theme', () => {
    for (const { outcome } of OUTCOMES) expect(THEME_CSS).toMatch(new RegExp(`--dl-${outcome}: var\\(--vscode-`));
    for (const v of ['--dl-fg', '--dl-bg', '--dl-node', '--dl-border', '--dl-edge', '--dl-acs', '--dl-group']) expect(THEME_CSS).toMatch(new RegExp(`${v}: (var|color-mix)\\(.*--vscode-`));
  });

  it('topology: the diagram inline, clickable nodes and shares, zoom buttons', () => {
    const html = pages.topology;
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="dmabuf-topology"');
    expect(html).toContain('data-node="gpu0"');
    expect(html).toContain('data-share="weights-&gt;nic0"');
    expect(html).toMatch(/data-zoom="fit"/);
    expect(html).toContain("vscode.postMessage({ type: 'reveal', share:");
  });

  it('matrix: a table with the endpoints as clickable headers', () => {
    const html = pages.matrix;
    expect(html).toContain('<table class="p2p-matrix">');
    expect(html).toContain('<th scope="col" data-node="gpu0"');
    expect(html).toContain('<th scope="row" data-node="nic7"');
    expect(html).not.toContain('<button');
  });

  it('escapes what it is given', () => {
    const html = webviewHtml({ kind: 'matrix', nonce: 'a"b', cspSource: CSP_SOURCE, title: '<x>', body: '', status: '<y>' });
    expect(html).toContain('<title>&lt;x&gt;</title>');
    expect(html).toContain('nonce="a&quot;b"');
    expect(html).toContain('&lt;y&gt;');
  });
});
