// The one JSON-RPC client of the language server, shared by the tests (test/lsp/helpers.ts,
// test/lsp/inProcess.ts), the benchmark (bench/lsp.ts) and the fuzzer (fuzz/checks.ts):
// either the real bundled server (dist/server.js, built by `npm run build`) started as
// `node server --stdio` and spoken to with vscode-jsonrpc over its stdio, as the editor
// does, or a server started inside this process over a pair of in-memory streams.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { InitializeResult, PublishDiagnosticsParams, Range } from 'vscode-languageserver';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';

export interface LspClientOptions {
  /** The server bundle (dist/server.js); unused by `inProcess`. */
  readonly server: string;
  /** The workspace root. */
  readonly rootDir: string;
  /** The name of the one workspace folder. */
  readonly folderName?: string;
  /** Capabilities the client claims. */
  readonly capabilities?: Record<string, unknown>;
  /** Answers workspace/configuration (and the capability is claimed) when given; else null per item. */
  readonly configuration?: (section: string | undefined) => unknown;
  readonly initializationOptions?: unknown;
  /** How long `initialize` may take. */
  readonly initializeTimeoutMs?: number;
  /** At most this many publishDiagnostics are kept in `published` (the older half is dropped). */
  readonly keepPublished?: number;
  /** At most this many characters of the server's stderr are kept (the newest). */
  readonly keepStderr?: number;
  /** More handlers, registered before the connection listens. */
  readonly onConnection?: (conn: MessageConnection) => void;
}

/** A publishDiagnostics and performance.now() when it was read and decoded. */
export interface Published {
  readonly params: PublishDiagnosticsParams;
  readonly at: number;
}

interface Waiter {
  readonly uri: string;
  readonly pred: (p: PublishDiagnosticsParams) => boolean;
  readonly resolve: (p: Published) => void;
}

/** The refresh requests a server may send; the client answers them and counts them in `refreshes`. */
const REFRESHES = ['workspace/diagnostic/refresh', 'workspace/inlayHint/refresh', 'workspace/semanticTokens/refresh'];

/** Rejects after `ms` unless `p` settles first. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms);
    }),
  ]);
}

export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: { type: number; message: string }[] = [];
  /** The refresh requests the server sent (workspace/…/refresh), by method. */
  readonly refreshes: string[] = [];
  initializeResult!: InitializeResult;
  /** Milliseconds from spawn to the answer to `initialize`. */
  startupMs = 0;
  /** Rejects when the process exits: nothing need wait for a dead server. */
  readonly exited: Promise<never>;
  private readonly waiters: Waiter[] = [];
  private readonly versions = new Map<string, number>();
  private stderrText = '';

  /**
   * `server`: the server's process, or (in process) its connection, which `stop` disposes
   * instead of sending `exit` (that would end this process).
   */
  private constructor(
    private readonly server: { readonly proc: ChildProcess } | { readonly connection: Connection },
    readonly conn: MessageConnection,
    private readonly options: LspClientOptions,
  ) {
    const proc = 'proc' in server ? server.proc : undefined;
    this.exited = proc
      ? new Promise<never>((_, reject) => proc.once('exit', (code, signal) => reject(new Error(`the server exited (${code ?? signal})`))))
      : new Promise<never>(() => {});
    this.exited.catch(() => {});
    proc?.stderr?.setEncoding('utf8');
    proc?.stderr?.on('data', (d: string) => {
      this.stderrText += d;
      const keep = options.keepStderr ?? Infinity;
      if (this.stderrText.length > keep) this.stderrText = this.stderrText.slice(-keep);
    });
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => this.onPublish(p));
    conn.onNotification('window/logMessage', (p: { type: number; message: string }) => this.logs.push(p));
    conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((it) => (options.configuration ? options.configuration(it.section) : null)),
    );
    conn.onRequest('client/registerCapability', () => null);
    for (const m of REFRESHES) {
      conn.onRequest(m, () => {
        this.refreshes.push(m);
        return null;
      });
    }
    options.onConnection?.(conn);
  }

  /** The server's process (spawned clients only). */
  get proc(): ChildProcess {
    if (!('proc' in this.server)) throw new Error('an in-process server has no process');
    return this.server.proc;
  }

  /** Starts the server, initializes it and sends `initialized`. */
  static async start(options: LspClientOptions): Promise<LspClient> {
    const { server } = options;
    if (!existsSync(server)) throw new Error(`${server} is missing: run npm run build first`);
    const t0 = performance.now();
    const proc = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new LspClient({ proc }, conn, options);
    conn.listen();
    await client.initialize(t0);
    return client;
  }

  /**
   * The server of `startServer` (the server's own source, server/src/lsp/server.ts) inside
   * this process, over in-memory streams: no bundle, no process.
   */
  static async inProcess(options: Omit<LspClientOptions, 'server'>, startServer: (c: Connection) => void): Promise<LspClient> {
    const t0 = performance.now();
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const server = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
    startServer(server);
    server.listen();
    const conn = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    const client = new LspClient({ connection: server }, conn, { ...options, server: '(in process)' });
    conn.listen();
    await client.initialize(t0);
    return client;
  }

  private async initialize(t0: number): Promise<void> {
    const { options, conn } = this;
    const root = pathToFileURL(options.rootDir).href;
    const initialize = conn.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: options.folderName ?? 'root' }],
      capabilities: {
        ...(options.configuration ? { workspace: { configuration: true } } : {}),
        ...(options.capabilities ?? {}),
      },
      initializationOptions: options.initializationOptions,
    });
    this.initializeResult = await withTimeout(initialize, options.initializeTimeoutMs ?? 20_000, 'initialize');
    this.startupMs = performance.now() - t0;
    await conn.sendNotification('initialized', {});
  }

  private onPublish(params: PublishDiagnosticsParams): void {
    const at = performance.now();
    this.published.push(params);
    const keep = this.options.keepPublished ?? Infinity;
    if (this.published.length > keep) this.published.splice(0, this.published.length - Math.floor(keep / 2));
    for (const w of [...this.waiters]) {
      if (w.uri === params.uri && w.pred(params)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve({ params, at });
      }
    }
  }

  /** What the server wrote on stderr (the newest `keepStderr` characters). */
  get stderr(): string {
    return this.stderrText;
  }

  /** The stderr not taken yet; clears it. */
  takeStderr(): string {
    const s = this.stderrText;
    this.stderrText = '';
    return s;
  }

  /** The next publishDiagnostics for `uri` that satisfies `pred`, with the time it was read. Register before sending what causes it. */
  nextPublish(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<Published> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        const last = [...this.published].reverse().find((p) => p.uri === uri);
        const stderr = this.stderrText ? `\n${this.stderrText}` : '';
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 2000)}${stderr}`));
      }, timeoutMs);
      const waiter: Waiter = {
        uri,
        pred,
        resolve: (p) => {
          clearTimeout(timer);
          resolvePromise(p);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** The next diagnostics for `uri` that satisfy `pred`. */
  async waitForDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<PublishDiagnosticsParams> {
    return (await this.nextPublish(uri, pred, timeoutMs)).params;
  }

  /** Opens a document (version 1); resolves once its first diagnostics arrive. */
  async open(uri: string, text: string, timeoutMs?: number): Promise<PublishDiagnosticsParams> {
    return (await this.openTimed(uri, text, timeoutMs)).params;
  }

  /** didOpen, and the first diagnostics with the time they were read. */
  async openTimed(uri: string, text: string, timeoutMs?: number): Promise<Published> {
    this.versions.set(uri, 1);
    const first = this.nextPublish(uri, (p) => p.version === 1, timeoutMs);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dmabuf', version: 1, text } });
    return first;
  }

  /** The version the next change or edit of `uri` gets. */
  nextVersionOf(uri: string): number {
    return (this.versions.get(uri) ?? 1) + 1;
  }

  private nextVersion(uri: string): number {
    const version = this.nextVersionOf(uri);
    this.versions.set(uri, version);
    return version;
  }

  /** Replaces the text of an open document; returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const version = this.nextVersion(uri);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** An incremental edit of an open document; returns the new version. */
  async edit(uri: string, range: Range, text: string): Promise<number> {
    const version = this.nextVersion(uri);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  async save(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest<R>(method, params);
  }

  get alive(): boolean {
    if (!('proc' in this.server)) return !this.stopped;
    return this.server.proc.exitCode === null && this.server.proc.signalCode === null;
  }

  private stopped = false;

  /** shutdown and exit; kills the process if it has not exited after `exitWaitMs`. In process: shutdown, then both ends are disposed. */
  async stop(exitWaitMs = 3000): Promise<void> {
    if ('connection' in this.server) {
      if (!this.stopped) await withTimeout(this.conn.sendRequest('shutdown'), 5000, 'shutdown');
      this.stopped = true;
      this.conn.dispose();
      this.server.connection.dispose();
      return;
    }
    if (this.alive) {
      const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
      try {
        await withTimeout(this.conn.sendRequest('shutdown'), 5000, 'shutdown');
        await this.conn.sendNotification('exit');
      } catch {
        // gone already
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, exitWaitMs))]);
      if (this.alive) this.proc.kill();
    }
    this.conn.dispose();
  }
}

