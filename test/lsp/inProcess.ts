// The language server inside the test process: the server's own source (no dist/)
// connected to a JSON-RPC client over a pair of in-memory streams. What an editor sees
// of a feature, without spawning anything: a handler edited is a handler tested.

import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import type { InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver';
import { startServer } from '../../server/src/lsp/server';

export interface InProcessOptions {
  /** The workspace folder (an absolute path). */
  readonly rootDir: string;
  readonly capabilities?: Record<string, unknown>;
  readonly initializationOptions?: unknown;
}

type Waiter = { uri: string; pred: (d: PublishDiagnosticsParams) => boolean; resolve: (d: PublishDiagnosticsParams) => void };

export class InProcessClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: { type: number; message: string }[] = [];
  /** The refresh requests the server sent (workspace/…/refresh), by method. */
  readonly refreshes: string[] = [];
  initializeResult!: InitializeResult;
  private readonly waiters: Waiter[] = [];
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly conn: MessageConnection,
    private readonly server: Connection,
  ) {
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.pred(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    conn.onNotification('window/logMessage', (p: { type: number; message: string }) => this.logs.push(p));
    for (const m of ['workspace/diagnostic/refresh', 'workspace/inlayHint/refresh', 'workspace/semanticTokens/refresh']) {
      conn.onRequest(m, () => {
        this.refreshes.push(m);
        return null;
      });
    }
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  }

  static async start(o: InProcessOptions): Promise<InProcessClient> {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const server = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
    startServer(server);
    server.listen();
    const conn = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    const client = new InProcessClient(conn, server);
    conn.listen();
    const root = pathToFileURL(o.rootDir).href;
    client.initializeResult = await conn.sendRequest<InitializeResult>('initialize', {
      processId: null,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: 'root' }],
      capabilities: o.capabilities ?? {},
      initializationOptions: o.initializationOptions,
    });
    await conn.sendNotification('initialized', {});
    return client;
  }

  /** Opens a document; resolves once its first diagnostics arrive. */
  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const first = this.waitForDiagnostics(uri, (p) => p.version === 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dmabuf', version: 1, text } });
    return first;
  }

  /** Replaces the text of an open document; returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  async save(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The next diagnostics for `uri` that satisfy `pred`. */
  waitForDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        uri,
        pred,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      };
      this.waiters.push(waiter);
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest<R>(method, params);
  }

  /** Shuts the server down (no `exit`: that would end the test process). */
  async stop(): Promise<void> {
    await this.conn.sendRequest('shutdown');
    this.conn.dispose();
    this.server.dispose();
  }
}
