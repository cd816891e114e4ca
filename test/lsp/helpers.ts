// Test helpers for the language server: the real bundled server (dist/server.js, built by
// `npm run build`, which `npm ci` runs as `prepare`) over a real stdio stream with
// vscode-jsonrpc, and marker-based fixtures in the style of Langium's test helpers.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, InitializeResult, Position, PublishDiagnosticsParams, Range } from 'vscode-languageserver';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER = join(ROOT, 'dist/server.js');

export function fileUri(relative: string): string {
  return pathToFileURL(join(ROOT, relative)).href;
}

// ---------------------------------------------------------------------------- markers

/**
 * A fixture with markers: `<|>` marks a cursor position, `<|…|>` a range (the markers
 * themselves are removed). Positions and ranges are zero-based, in marker order.
 */
export interface Marked {
  readonly text: string;
  readonly positions: Position[];
  readonly ranges: Range[];
}

export function marked(source: string): Marked {
  let text = '';
  const positions: Position[] = [];
  const ranges: Range[] = [];
  const open: Position[] = [];
  let line = 0;
  let character = 0;
  const here = (): Position => ({ line, character });
  for (let i = 0; i < source.length; ) {
    if (source.startsWith('<|>', i)) {
      positions.push(here());
      i += 3;
    } else if (source.startsWith('<|', i)) {
      open.push(here());
      i += 2;
    } else if (source.startsWith('|>', i) && open.length > 0) {
      ranges.push({ start: open.pop()!, end: here() });
      i += 2;
    } else {
      const c = source[i]!;
      text += c;
      if (c === '\n') {
        line++;
        character = 0;
      } else character++;
      i++;
    }
  }
  if (open.length > 0) throw new Error('fixture: a `<|` without its `|>`');
  return { text, positions, ranges };
}

// ---------------------------------------------------------------------------- client

export interface StartOptions {
  /** The workspace root (default: the repository). */
  readonly rootDir?: string;
  /** Capabilities the test client claims. */
  readonly capabilities?: Record<string, unknown>;
  /** Answers workspace/configuration (claimed when given). */
  readonly configuration?: (section: string | undefined) => unknown;
  readonly initializationOptions?: unknown;
}

type Waiter = { uri: string; pred: (d: PublishDiagnosticsParams) => boolean; resolve: (d: PublishDiagnosticsParams) => void };

export class TestClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: { type: number; message: string }[] = [];
  private readonly waiters: Waiter[] = [];
  private versions = new Map<string, number>();
  initializeResult!: InitializeResult;
  private stderr = '';

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
  ) {
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => (this.stderr += d));
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
  }

  static async start(options: StartOptions = {}): Promise<TestClient> {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build first`);
    const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new TestClient(proc, conn);
    conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((it) => (options.configuration ? options.configuration(it.section) : null)),
    );
    conn.onRequest('client/registerCapability', () => null);
    conn.listen();
    const rootDir = options.rootDir ?? ROOT;
    client.initializeResult = await conn.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootDir).href,
      workspaceFolders: [{ uri: pathToFileURL(rootDir).href, name: 'root' }],
      capabilities: {
        ...(options.configuration ? { workspace: { configuration: true } } : {}),
        ...(options.capabilities ?? {}),
      },
      initializationOptions: options.initializationOptions,
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

  /** An incremental edit of an open document; returns the new version. */
  async edit(uri: string, range: Range, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  async save(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The next diagnostics for `uri` that satisfy `pred` (also one already received after `since`). */
  waitForDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        const last = [...this.published].reverse().find((p) => p.uri === uri);
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(last)}\n${this.stderr}`));
      }, timeoutMs);
      const waiter: Waiter = {
        uri,
        pred,
        resolve: (d) => {
          clearTimeout(timer);
          resolvePromise(d);
        },
      };
      this.waiters.push(waiter);
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest<R>(method, params);
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async stop(): Promise<void> {
    if (this.alive) {
      const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
      try {
        await this.conn.sendRequest('shutdown');
        await this.conn.sendNotification('exit');
      } catch {
        // gone already
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (this.alive) this.proc.kill();
    }
    this.conn.dispose();
  }
}

export function codes(diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => String(d.code));
}

/** An answer read straight from the server's output (see `rawExchange`). */
export interface RawAnswer {
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

/** JSON-RPC 2.0 messages as one buffer of frames (Content-Length headers). */
function rpcFrames(messages: readonly object[]): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...m }), 'utf8');
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
    }),
  );
}

/**
 * Writes JSON-RPC messages straight to the server, `first` in one write (so that the
 * server reads them together: a cancellation or a change queued right behind a request)
 * and `later` after `delayMs`, and collects the answers to the requests with the given
 * string ids from its output.
 */
export function rawExchange(
  client: TestClient,
  first: readonly object[],
  ids: readonly string[],
  opts: { readonly later?: readonly object[]; readonly delayMs?: number; readonly timeoutMs?: number } = {},
): Promise<Map<string, RawAnswer>> {
  const out = client.proc.stdout!;
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const got = new Map<string, RawAnswer>();
    const onData = (chunk: Buffer | string) => {
      buf = Buffer.concat([buf, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
      for (;;) {
        const head = buf.indexOf('Content-Length: ');
        const sep = head < 0 ? -1 : buf.indexOf('\r\n\r\n', head);
        if (sep < 0) break;
        const len = Number(buf.subarray(head + 16, sep).toString('ascii'));
        if (buf.length < sep + 4 + len) break;
        const body = buf.subarray(sep + 4, sep + 4 + len).toString('utf8');
        buf = buf.subarray(sep + 4 + len);
        try {
          const msg = JSON.parse(body) as RawAnswer & { id?: unknown };
          if (typeof msg.id === 'string' && ids.includes(msg.id)) got.set(msg.id, msg);
        } catch {
          // a frame joined in the middle
        }
      }
      if (ids.every((id) => got.has(id))) {
        clearTimeout(timer);
        out.off('data', onData);
        resolve(got);
      }
    };
    const timer = setTimeout(() => {
      out.off('data', onData);
      reject(new Error(`no answer to ${ids.filter((i) => !got.has(i)).join(', ')} within ${timeoutMs} ms`));
    }, timeoutMs);
    out.on('data', onData);
    client.proc.stdin!.write(rpcFrames(first));
    const later = opts.later ?? [];
    if (later.length > 0) setTimeout(() => client.proc.stdin!.write(rpcFrames(later)), opts.delayMs ?? 0);
  });
}
