// A minimal LSP client for the benchmark: the real bundled server (dist/server.js) over
// its stdio, spoken to with vscode-jsonrpc, as the editor and test/lsp/helpers.ts do.
// Times are taken in this process: from just before a message is written to the moment
// its answer (or the matching publishDiagnostics) has been read and decoded.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface Position {
  readonly line: number;
  readonly character: number;
}

export interface Publish {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: readonly unknown[];
  /** performance.now() when it was read. */
  readonly at: number;
}

interface Waiter {
  readonly uri: string;
  readonly pred: (p: Publish) => boolean;
  readonly resolve: (p: Publish) => void;
}

export class BenchClient {
  private readonly waiters: Waiter[] = [];
  private versions = new Map<string, number>();
  private stderr = '';
  /** Milliseconds from spawn to the answer to `initialize`. */
  startupMs = 0;

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
  ) {
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    conn.onNotification('textDocument/publishDiagnostics', (p: Omit<Publish, 'at'>) => {
      const pub: Publish = { ...p, at: performance.now() };
      for (const w of [...this.waiters]) {
        if (w.uri === pub.uri && w.pred(pub)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(pub);
        }
      }
    });
    conn.onNotification(() => {});
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    conn.onRequest(() => null);
  }

  /** Starts `node server --stdio` in `rootDir`; `settings` go in initializationOptions (as dmabuf-lint sends them). */
  static async start(server: string, rootDir: string, settings?: Record<string, unknown>): Promise<BenchClient> {
    const t0 = performance.now();
    const proc = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new BenchClient(proc, conn);
    conn.listen();
    const root = pathToFileURL(rootDir).href;
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: 'bench' }],
      capabilities: {},
      initializationOptions: settings ? { settings } : undefined,
    });
    client.startupMs = performance.now() - t0;
    await conn.sendNotification('initialized', {});
    return client;
  }

  /** The next publishDiagnostics for `uri` that satisfies `pred`. Register before sending what causes it. */
  next(uri: string, pred: (p: Publish) => boolean = () => true, timeoutMs = 120_000): Promise<Publish> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no publishDiagnostics for ${uri} within ${timeoutMs} ms\n${this.stderr}`));
      }, timeoutMs);
      const waiter: Waiter = {
        uri,
        pred,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** didOpen; resolves with the time to the first diagnostics (the server runs the full engine on open). */
  async open(uri: string, text: string): Promise<{ ms: number; publish: Publish }> {
    this.versions.set(uri, 1);
    const first = this.next(uri, (p) => p.version === 1);
    const t0 = performance.now();
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dmabuf', version: 1, text } });
    const publish = await first;
    return { ms: publish.at - t0, publish };
  }

  /** An incremental one-range edit; resolves with the time to the diagnostics of the new version. */
  async edit(uri: string, range: { start: Position; end: Position }, text: string): Promise<{ ms: number; publish: Publish }> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const next = this.next(uri, (p) => p.version === version);
    const t0 = performance.now();
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    const publish = await next;
    return { ms: publish.at - t0, publish };
  }

  /** didSave; resolves with the time to the next diagnostics (the full engine runs on save). */
  async save(uri: string): Promise<{ ms: number; publish: Publish }> {
    const next = this.next(uri);
    const t0 = performance.now();
    await this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
    const publish = await next;
    return { ms: publish.at - t0, publish };
  }

  /** didClose; resolves once the server has cleared the document's diagnostics. */
  async close(uri: string): Promise<void> {
    const cleared = this.next(uri, (p) => p.diagnostics.length === 0);
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await cleared;
  }

  /** A request and its round-trip time. */
  async timed<R>(method: string, params: unknown): Promise<{ ms: number; result: R }> {
    const t0 = performance.now();
    const result = await this.conn.sendRequest<R>(method, params);
    return { ms: performance.now() - t0, result };
  }

  /** Resident set size and its high-water mark of the server process, from /proc (Linux), in bytes. */
  memory(): { rss: number; peakRss: number } | undefined {
    try {
      const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
      try {
        await this.conn.sendRequest('shutdown');
        await this.conn.sendNotification('exit');
      } catch {
        // gone already
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill();
    }
    this.conn.dispose();
  }
}
