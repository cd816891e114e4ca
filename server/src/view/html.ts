// The HTML of the VS Code webviews ("Show topology", "Show P2P matrix"), as pure
// functions so that it can be loaded and checked in a browser outside VS Code. The page
// passes a strict Content-Security-Policy: nothing remote, styles and the one script
// only with the page's nonce, no inline handlers or style attributes. Colours come from
// the VS Code theme (`--vscode-*` variables) through the diagram's `--dl-*` variables.
// Clicking a node, a share or an endpoint posts `{ type: 'reveal', … }` to the
// extension; the extension posts `{ type: 'update', body, status }` to refresh.

import { MATRIX_LEGEND, SHORT, type MatrixView } from './matrix';
import { escapeXml, SVG_CSS } from './svg';

export type ViewKind = 'topology' | 'matrix';

interface WebviewPage {
  readonly kind: ViewKind;
  /** A fresh random value per page (base64 or hex). */
  readonly nonce: string;
  /** `webview.cspSource`: the origin of the webview's own resources. */
  readonly cspSource: string;
  readonly title: string;
  /** The SVG (rendered with `standalone: false`) or the matrix table (matrixTable). */
  readonly body: string;
  /** A line above the view: the file, or why there is nothing to show. */
  readonly status?: string;
}

/** What the page posts to the extension. */
export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'reveal'; readonly node?: string; readonly share?: string };

/** What the extension posts to the page. */
export interface UpdateMessage {
  readonly type: 'update';
  readonly body: string;
  readonly status: string;
}

export function webviewCsp(nonce: string, cspSource: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The theme: every `--dl-*` colour of the diagram mapped to a VS Code theme colour (with a fallback). */
export const THEME_CSS = `
:root { color-scheme: light dark; }
body { margin: 0; padding: 0; background: var(--vscode-editor-background, #ffffff); color: var(--vscode-editor-foreground, #1f2328); font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px); }
header { position: sticky; top: 0; z-index: 1; display: flex; gap: 8px; align-items: center; padding: 4px 8px; background: var(--vscode-editor-background, #ffffff); border-bottom: 1px solid var(--vscode-panel-border, #d0d7de); }
header .status { flex: 1; color: var(--vscode-descriptionForeground, #57606a); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
header button { color: var(--vscode-button-secondaryForeground, #1f2328); background: var(--vscode-button-secondaryBackground, #eaeef2); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 1px 8px; cursor: pointer; font: inherit; }
header button:hover { background: var(--vscode-button-secondaryHoverBackground, #d0d7de); }
main { padding: 8px; overflow: auto; }
svg.dmabuf-topology {
  --dl-fg: var(--vscode-editor-foreground, #1f2328);
  --dl-bg: var(--vscode-editor-background, #ffffff);
  --dl-muted: var(--vscode-descriptionForeground, #57606a);
  --dl-node: var(--vscode-editorWidget-background, #f6f8fa);
  --dl-node-strong: color-mix(in srgb, var(--vscode-editor-foreground, #1f2328) 10%, var(--vscode-editor-background, #ffffff));
  --dl-bridge: var(--vscode-editor-background, #ffffff);
  --dl-border: var(--vscode-editorWidget-border, #8c959f);
  --dl-edge: var(--vscode-editorLineNumber-foreground, #8c959f);
  --dl-memory: color-mix(in srgb, var(--vscode-charts-yellow, #bf8700) 16%, var(--vscode-editor-background, #ffffff));
  --dl-other: color-mix(in srgb, var(--vscode-charts-blue, #0969da) 14%, var(--vscode-editor-background, #ffffff));
  --dl-group: color-mix(in srgb, var(--vscode-charts-blue, #0969da) 9%, transparent);
  --dl-group-border: color-mix(in srgb, var(--vscode-charts-blue, #0969da) 45%, transparent);
  --dl-switch: color-mix(in srgb, var(--vscode-editor-foreground, #1f2328) 6%, transparent);
  --dl-acs: var(--vscode-errorForeground, #cf222e);
  --dl-bus-addr: var(--vscode-charts-green, #1a7f37);
  --dl-thru-host-bridge: var(--vscode-charts-orange, #bc4c00);
  --dl-not-supported: var(--vscode-charts-red, #cf222e);
  --dl-failed: var(--vscode-errorForeground, #82071e);
  --dl-system: var(--vscode-charts-blue, #0969da);
  --dl-private: var(--vscode-charts-purple, #8250df);
  --dl-none: var(--vscode-disabledForeground, #6e7781);
}
svg.dmabuf-topology .selected rect, svg.dmabuf-topology .selected .line { stroke: var(--vscode-focusBorder, #0969da); stroke-width: 3; }
table.p2p-matrix { border-collapse: collapse; font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 12px); }
table.p2p-matrix caption { text-align: left; padding: 4px 0 8px; color: var(--vscode-descriptionForeground, #57606a); }
table.p2p-matrix th, table.p2p-matrix td { border: 1px solid var(--vscode-panel-border, #d0d7de); padding: 3px 8px; text-align: center; white-space: nowrap; }
table.p2p-matrix th { font-weight: bold; background: var(--vscode-editorWidget-background, #f6f8fa); }
table.p2p-matrix th[data-node] { cursor: pointer; text-decoration: underline dotted; }
table.p2p-matrix th .sub { display: block; font-weight: normal; color: var(--vscode-descriptionForeground, #57606a); }
table.p2p-matrix td.bus-addr { color: var(--vscode-charts-green, #1a7f37); }
table.p2p-matrix td.thru-host-bridge { color: var(--vscode-charts-orange, #bc4c00); }
table.p2p-matrix td.not-supported { color: var(--vscode-charts-red, #cf222e); font-weight: bold; }
table.p2p-matrix td.self { color: var(--vscode-disabledForeground, #6e7781); }
table.p2p-matrix td.link { text-decoration: underline; text-decoration-color: var(--vscode-charts-purple, #8250df); }
dl.matrix-legend { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin-top: 12px; font-size: 12px; }
dl.matrix-legend dt { font-family: var(--vscode-editor-font-family, monospace); font-weight: bold; }
dl.matrix-legend dd { margin: 0; color: var(--vscode-descriptionForeground, #57606a); }
.empty { color: var(--vscode-descriptionForeground, #57606a); padding: 16px; }
`;

/** The page's one script: clicks to `reveal` messages, `update` messages to new content, zoom. */
const SCRIPT = `
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const view = document.getElementById('view');
  const status = document.getElementById('status');
  const state = vscode.getState() || {};
  let zoom = typeof state.zoom === 'number' ? state.zoom : 1;
  function applyZoom() {
    const svg = view.querySelector('svg.dmabuf-topology');
    if (!svg) return;
    const box = (svg.getAttribute('viewBox') || '').split(/\\s+/).map(Number);
    if (box.length !== 4 || !box.every(Number.isFinite)) return;
    svg.setAttribute('width', String(Math.round(box[2] * zoom)));
    svg.setAttribute('height', String(Math.round(box[3] * zoom)));
    vscode.setState({ zoom: zoom });
  }
  function fit() {
    const svg = view.querySelector('svg.dmabuf-topology');
    if (!svg) return;
    const box = (svg.getAttribute('viewBox') || '').split(/\\s+/).map(Number);
    if (box.length !== 4 || !(box[2] > 0)) return;
    zoom = Math.max(0.2, Math.min(2, (view.clientWidth - 16) / box[2]));
    applyZoom();
  }
  for (const b of document.querySelectorAll('button[data-zoom]')) {
    b.addEventListener('click', function () {
      const z = b.getAttribute('data-zoom');
      if (z === 'fit') fit();
      else {
        zoom = Math.max(0.2, Math.min(4, zoom * (z === 'in' ? 1.25 : 0.8)));
        applyZoom();
      }
    });
  }
  view.addEventListener('click', function (e) {
    const target = e.target instanceof Element ? e.target : null;
    const el = target && target.closest('[data-share], [data-node]');
    if (!el) return;
    for (const s of view.querySelectorAll('.selected')) s.classList.remove('selected');
    el.classList.add('selected');
    if (el.hasAttribute('data-share')) vscode.postMessage({ type: 'reveal', share: el.getAttribute('data-share') });
    else vscode.postMessage({ type: 'reveal', node: el.getAttribute('data-node') });
  });
  window.addEventListener('message', function (e) {
    const m = e.data;
    if (!m || m.type !== 'update' || typeof m.body !== 'string') return;
    const doc = new DOMParser().parseFromString('<!DOCTYPE html><html><body>' + m.body + '</body></html>', 'text/html');
    view.replaceChildren.apply(view, Array.from(doc.body.childNodes, function (n) { return document.importNode(n, true); }));
    status.textContent = typeof m.status === 'string' ? m.status : '';
    applyZoom();
  });
  applyZoom();
  vscode.postMessage({ type: 'ready' });
})();
`;

/** A complete webview page. */
export function webviewHtml(p: WebviewPage): string {
  const zoomButtons =
    p.kind === 'topology'
      ? '<button type="button" data-zoom="out" title="Zoom out">\u2212</button><button type="button" data-zoom="in" title="Zoom in">+</button><button type="button" data-zoom="fit" title="Fit to width">Fit</button>'
      : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeXml(webviewCsp(p.nonce, p.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(p.title)}</title>
<style nonce="${escapeXml(p.nonce)}">${SVG_CSS}${THEME_CSS}</style>
</head>
<body class="dmabuf-${p.kind}">
<header><span class="status" id="status">${escapeXml(p.status ?? '')}</span>${zoomButtons}</header>
<main id="view">${p.body}</main>
<script nonce="${escapeXml(p.nonce)}">${SCRIPT}</script>
</body>
</html>
`;
}

function cellClass(m: MatrixView, i: number, j: number): string {
  if (i === j) return 'cell self';
  const c = m.cells[i]![j]!;
  const cls = c.mapType === 'BUS_ADDR' ? 'bus-addr' : c.mapType === 'THRU_HOST_BRIDGE' ? 'thru-host-bridge' : 'not-supported';
  return `cell ${cls}${c.link ? ' link' : ''}`;
}

/** The P2P matrix as an HTML table (a fragment for the webview), with its legend. */
export function matrixTable(m: MatrixView): string {
  if (m.endpoints.length === 0) return '<p class="empty">No PCI endpoints in this model (or no platform).</p>';
  const head = (e: MatrixView['endpoints'][number]) =>
    `<th scope="col" data-node="${escapeXml(e.name)}" title="${escapeXml(`${e.name} ${e.bdf ?? ''} ${e.cls ?? ''}, under ${e.hostBridge}${e.iommuGroup === null ? '' : `, IOMMU group ${e.iommuGroup}`}`)}">${escapeXml(e.name)}<span class="sub">${escapeXml(e.bdf ?? '')}</span></th>`;
  const rows = m.endpoints.map((p, i) => {
    const cells = m.endpoints.map((c, j) => {
      const cell = m.cells[i]![j]!;
      const text = i === j ? 'X' : `${SHORT[cell.mapType]} ${cell.distance}${cell.link ? ` +${cell.link}` : ''}`;
      const title = `${p.name} \u2192 ${c.name}: ${cell.mapType}, distance ${cell.distance}\npath: ${cell.path.join(' \u2192 ')}${cell.acsRedirects.length ? `\nACS redirect: ${cell.acsRedirects.join(', ')}` : ''}${cell.link ? `\n${cell.link} link` : ''}`;
      return `<td class="${cellClass(m, i, j)}" data-provider="${escapeXml(p.name)}" data-client="${escapeXml(c.name)}" data-map-type="${cell.mapType}" data-distance="${cell.distance}" title="${escapeXml(title)}">${escapeXml(text)}</td>`;
    });
    return `<tr>${head(p).replace('scope="col"', 'scope="row"')}${cells.join('')}</tr>`;
  });
  const legend = MATRIX_LEGEND.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join('');
  return `<table class="p2p-matrix"><caption>${escapeXml(`P2P matrix${m.title ? ` of ${m.title}` : ''}: rows are providers (the BAR's owner), columns clients`)}</caption><thead><tr><th></th>${m.endpoints.map(head).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table><dl class="matrix-legend">${legend}</dl>`;
}
