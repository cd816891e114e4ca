// The commands `dmabuf.showTopology` and `dmabuf.showMatrix`: a webview beside the
// editor that shows the active .dmabuf model (its topology as SVG, or its P2P matrix),
// follows the active .dmabuf editor, refreshes when a file of the model is saved, and
// reveals the declaration of a node or share when it is clicked. Glue only: the server
// draws (dmabuf/topology, dmabuf/matrix); the page is server/src/view/html.ts.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  MATRIX_METHOD,
  TOPOLOGY_METHOD,
  type ViewFilterJson,
  type MatrixParams,
  type MatrixResult,
  type TopologyParams,
  type TopologyResult,
  type ViewPlace,
} from '../../server/src/lsp/viewProtocol';
import { matrixTable, webviewHtml, type UpdateMessage, type ViewKind, type WebviewMessage } from '../../server/src/view/html';

const LANGUAGE = 'dmabuf';

const TITLES: Record<ViewKind, string> = { topology: 'Topology', matrix: 'P2P matrix' };

function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

function toRange(p: ViewPlace): vscode.Range {
  return new vscode.Range(p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character);
}

/** One webview panel of one kind, showing one model at a time. */
class ViewPanel {
  readonly panel: vscode.WebviewPanel;
  /** The root file of the model shown. */
  private root: vscode.Uri | undefined;
  /** The column of the editor the model came from: where clicked declarations open. */
  private sourceColumn: vscode.ViewColumn | undefined;
  private files = new Set<string>();
  private nodes = new Map<string, ViewPlace>();
  private shares = new Map<string, ViewPlace>();
  private last: UpdateMessage | undefined;
  private ready = false;
  /** Bumped per request: an older answer that arrives late is dropped. */
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly kind: ViewKind,
    private readonly client: () => LanguageClient | undefined,
    onDispose: () => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(
      `dmabuf.${kind}`,
      TITLES[kind],
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [], enableFindWidget: true },
    );
    this.panel.webview.html = this.page({ type: 'update', body: '', status: 'Loading\u2026' });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m: WebviewMessage) => void this.received(m)),
      this.panel.onDidDispose(() => {
        for (const d of this.disposables) d.dispose();
        onDispose();
      }),
    );
  }

  private page(u: UpdateMessage): string {
    const nonce = randomBytes(18).toString('base64');
    const title = this.root ? `${TITLES[this.kind]}: ${fileName(this.root)}` : TITLES[this.kind];
    return webviewHtml({ kind: this.kind, nonce, cspSource: this.panel.webview.cspSource, title, body: u.body, status: u.status });
  }

  /** What the view shows of a big machine (dmabuf: Filter topology and matrix…); empty: all. */
  filter: ViewFilterJson = {};

  /** Shows the model of `doc` (when it is another model than the one shown, or `force`). */
  async show(doc: vscode.TextDocument, column: vscode.ViewColumn | undefined, force = false): Promise<void> {
    // A file of the model shown (the root, or one it `use`s: where a click may lead) keeps it.
    const same = this.root?.toString() === doc.uri.toString() || this.files.has(doc.uri.toString());
    this.sourceColumn = column ?? this.sourceColumn;
    if (same && !force) return;
    this.root = doc.uri;
    this.panel.title = `${TITLES[this.kind]}: ${fileName(doc.uri)}`;
    await this.refresh();
  }

  /** A file was saved: refresh when it is part of the model shown. */
  async saved(doc: vscode.TextDocument): Promise<void> {
    if (this.root && (this.files.has(doc.uri.toString()) || doc.uri.toString() === this.root.toString())) await this.refresh();
  }

  async refresh(): Promise<void> {
    const root = this.root;
    if (!root) return;
    const gen = ++this.generation;
    const client = this.client();
    let update: UpdateMessage;
    try {
      if (!client || !client.isRunning()) throw new Error('the language server is not running (dmabuf: Restart server)');
      if (this.kind === 'topology') {
        const params: TopologyParams = { uri: root.toString(), svg: 'embedded', filter: this.filter };
        const r = await client.sendRequest<TopologyResult>(TOPOLOGY_METHOD, params);
        if (gen !== this.generation) return;
        this.files = new Set(r.files.map((f) => vscode.Uri.parse(f).toString()));
        this.nodes = new Map(r.nodes.filter((n) => n.place).map((n) => [n.id, n.place!]));
        this.shares = new Map(r.shares.map((s) => [s.id, s.place]));
        update = { type: 'update', body: r.svg, status: status(root, r.nodes.length, r.shares.length, r.errors) };
      } else {
        const params: MatrixParams = { uri: root.toString(), filter: this.filter };
        const r = await client.sendRequest<MatrixResult>(MATRIX_METHOD, params);
        if (gen !== this.generation) return;
        this.files = new Set(r.files.map((f) => vscode.Uri.parse(f).toString()));
        this.nodes = new Map(r.endpoints.map((e) => [e.name, e.place]));
        this.shares = new Map();
        update = { type: 'update', body: matrixTable({ ...r, title: fileName(root) }), status: status(root, r.endpoints.length, undefined, r.errors) };
      }
    } catch (e) {
      if (gen !== this.generation) return;
      update = { type: 'update', body: '', status: `${fileName(root)}: could not get the ${this.kind}: ${e instanceof Error ? e.message : String(e)}` };
    }
    this.last = update;
    if (this.ready) void this.panel.webview.postMessage(update);
  }

  private async received(m: WebviewMessage): Promise<void> {
    if (m.type === 'ready') {
      // The page (re)loaded (first show, or shown again after being hidden): give it the content.
      this.ready = true;
      if (this.last) void this.panel.webview.postMessage(this.last);
      return;
    }
    if (m.type !== 'reveal') return;
    const place = m.share !== undefined ? this.shares.get(m.share) : m.node !== undefined ? this.nodes.get(m.node) : undefined;
    if (!place) return;
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(place.uri));
      const range = toRange(place);
      const editor = await vscode.window.showTextDocument(doc, { viewColumn: this.sourceColumn ?? vscode.ViewColumn.One, selection: range, preserveFocus: false });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } catch (e) {
      void vscode.window.showErrorMessage(`dmabuf: cannot open ${place.uri}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function status(root: vscode.Uri, nodes: number, shares: number | undefined, errors: number): string {
  const what = shares === undefined ? `${nodes} PCI endpoint${nodes === 1 ? '' : 's'}` : `${nodes} nodes, ${shares} share${shares === 1 ? '' : 's'}`;
  const errs = errors > 0 ? ` \u2014 ${errors} error${errors === 1 ? '' : 's'} in the model (see Problems)` : '';
  return `${fileName(root)}: ${what}${errs}. Click a node or share to go to its declaration.`;
}

function activeModelEditor(): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (active?.document.languageId === LANGUAGE) return active;
  return vscode.window.visibleTextEditors.find((e) => e.document.languageId === LANGUAGE);
}

const CLASSES = ['gpu', 'nic', 'nvme', 'accel', 'fpga', 'endpoint'];

/** Asks for a filter (the CLI's --only, --host-bridge, --node); undefined when cancelled. */
async function askFilter(current: ViewFilterJson): Promise<ViewFilterJson | undefined> {
  const picked = await vscode.window.showQuickPick(
    CLASSES.map((c) => ({ label: c, picked: current.only?.includes(c) ?? false })),
    { canPickMany: true, title: 'dmabuf: endpoint classes to show (none: all)' },
  );
  if (!picked) return undefined;
  const where = await vscode.window.showInputBox({
    title: 'dmabuf: host bridges (hb0,hb3) or NUMA nodes (node 1) to show; empty: all',
    value: [...(current.hostBridges ?? []), ...(current.nodes ?? []).map((n) => `node ${n}`)].join(','),
  });
  if (where === undefined) return undefined;
  const parts = where.split(',').map((w) => w.trim()).filter(Boolean);
  const nodes = parts.map((p) => /^node\s*(\d+)$/.exec(p)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  const hostBridges = parts.filter((p) => !/^node\s*\d+$/.test(p));
  return { only: picked.map((p) => p.label), hostBridges, nodes };
}

/** Registers the commands and the listeners that keep the panels in step. */
export function registerViews(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): void {
  const panels = new Map<ViewKind, ViewPanel>();
  let filter: ViewFilterJson = {};

  const open = async (kind: ViewKind) => {
    const editor = activeModelEditor();
    let panel = panels.get(kind);
    if (!editor) {
      if (panel) panel.panel.reveal(undefined, true);
      else void vscode.window.showInformationMessage('dmabuf: open a .dmabuf file first.');
      return;
    }
    if (!panel) {
      panel = new ViewPanel(kind, client, () => panels.delete(kind));
      panel.filter = filter;
      panels.set(kind, panel);
    } else panel.panel.reveal(undefined, true);
    await panel.show(editor.document, editor.viewColumn, true);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('dmabuf.showTopology', () => open('topology')),
    vscode.commands.registerCommand('dmabuf.showMatrix', () => open('matrix')),
    vscode.commands.registerCommand('dmabuf.filterViews', async () => {
      const f = await askFilter(filter);
      if (!f) return;
      filter = f;
      for (const p of panels.values()) {
        p.filter = f;
        void p.refresh();
      }
      if (panels.size === 0) void vscode.window.showInformationMessage('dmabuf: the filter applies to the topology and matrix views: open one (dmabuf: Show topology).');
    }),
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (!e || e.document.languageId !== LANGUAGE) return; // the webview itself, output, other files: keep the model
      for (const p of panels.values()) void p.show(e.document, e.viewColumn);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      for (const p of panels.values()) void p.saved(doc);
    }),
    { dispose: () => [...panels.values()].forEach((p) => p.panel.dispose()) },
  );
}
