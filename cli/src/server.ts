// dmabuf-lint is a client of the language server: one server for the whole run, spoken
// to with JSON-RPC. By default the server runs inside the CLI's process (dist/server.js
// required as a module, over a pair of in-memory streams): one Node process starts
// instead of two, which is most of a small run's time (docs/performance.md). `--spawn`
// starts it as its own process over its stdio, as an editor does.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type MessageReader,
  type MessageWriter,
} from 'vscode-jsonrpc/node';
import type { TextEdit } from 'vscode-languageserver-textdocument';
import { SHARES_METHOD, type SharesParams, type SharesResult } from '../../server/src/lsp/protocol';
import { version } from '../../package.json';

export class ServerError extends Error {}

/** Where the bundled server is: next to the bundled CLI (dist/server.js). */
function serverPath(): string {
  return path.join(__dirname, 'server.js');
}

/** What dist/server.js exports when required (server/src/lsp/main.ts). */
interface ServerModule {
  serveInProcess(reader: MessageReader, writer: MessageWriter): { dispose(): void };
}

let spawnServer = false;

/** `--spawn`: the server runs as its own process (the editor's way) instead of in this one. */
export function useSpawnedServer(on: boolean): void {
  spawnServer = on;
}

export class LanguageServer {
  /** The spawned process, or undefined when the server runs in this process. */
  private readonly proc: ChildProcess | undefined;
  /** The in-process server's connection (disposed by `stop`: `exit` would end this process). */
  private readonly inProcess: { dispose(): void } | undefined;
  private readonly conn: MessageConnection;
  private stderr = '';
  private exited: string | undefined;
  private readonly exitPromise: Promise<void>;

  private constructor(script: string) {
    if (spawnServer) {
      const proc = spawn(process.execPath, [script, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      this.proc = proc;
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (d: string) => {
        this.stderr = (this.stderr + d).slice(-4000);
      });
      this.exitPromise = new Promise((resolve) => {
        proc.on('exit', (code, signal) => {
          this.exited = signal ? `killed by ${signal}` : `exit status ${code}`;
          resolve();
        });
        proc.on('error', (e) => {
          this.exited = e.message;
          resolve();
        });
      });
      this.conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    } else {
      const toServer = new PassThrough();
      const toClient = new PassThrough();
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the server bundle, loaded at run time (not bundled into cli.js)
      const server = require(script) as ServerModule;
      this.inProcess = server.serveInProcess(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
      this.exitPromise = new Promise(() => {}); // it cannot exit apart from this process
      this.conn = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    }
    // Server log messages are for editors; a linter keeps quiet about them.
    this.conn.onNotification(() => {});
    this.conn.onRequest(() => null);
    this.conn.onError(() => {});
    this.conn.listen();
  }

  /**
   * @param rootDir the workspace root (the current directory)
   * @param moreFolders further folders `use` may read from (those given on the command line)
   * @param rules the `dmabuf.rules` setting
   */
  static async start(rootDir: string, moreFolders: readonly string[], rules: Readonly<Record<string, string>>): Promise<LanguageServer> {
    const s = LanguageServer.launch(rootDir, moreFolders, rules);
    await s.ready;
    return s;
  }

  /**
   * Spawns the server and sends `initialize` at once, without waiting: the caller may work
   * while the server starts, then awaits `ready` (or calls `stop`).
   */
  static launch(rootDir: string, moreFolders: readonly string[], rules: Readonly<Record<string, string>>): LanguageServer {
    const script = serverPath();
    if (!fs.existsSync(script)) throw new ServerError(`the language server is missing: ${script} (run npm run build)`);
    const s = new LanguageServer(script);
    s.ready = s
      .request('initialize', {
        // In process, no watchdog: the server would poll this process' id forever.
        processId: spawnServer ? process.pid : null,
        clientInfo: { name: 'dmabuf-lint', version },
        rootUri: pathToFileURL(rootDir).href,
        workspaceFolders: [rootDir, ...moreFolders].map((f) => ({ uri: pathToFileURL(f).href, name: path.basename(f) || f })),
        capabilities: {},
        initializationOptions: { settings: { analyzeOn: 'save', rules } },
      })
      .then(() => s.conn.sendNotification('initialized', {}));
    // Whoever awaits `ready` sees a failure; do not report it twice.
    s.ready.catch(() => {});
    return s;
  }

  /** Resolves once `initialize` has been answered and `initialized` sent. */
  ready: Promise<void> = Promise.resolve();

  /** The full analysis of the model whose root is `file`. */
  /** The analysis of one file; `explain: false` leaves out the steps (see SharesParams). */
  shares(file: string, options: { explain: boolean; kernel?: string | undefined }): Promise<SharesResult> {
    const params: SharesParams = { uri: pathToFileURL(file).href, explain: options.explain, ...(options.kernel ? { kernel: options.kernel } : {}) };
    return this.request<SharesResult>(SHARES_METHOD, params);
  }

  /** Opens a document with the given text (the server then reads it from us, not the disk). */
  open(file: string, text: string): string {
    const uri = pathToFileURL(file).href;
    this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dmabuf', version: 1, text } }).catch(() => {});
    return uri;
  }

  close(uri: string): void {
    this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } }).catch(() => {});
  }

  /** textDocument/formatting of an open document: the edits that format it. */
  formatting(uri: string): Promise<TextEdit[] | null> {
    return this.request<TextEdit[] | null>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  }

  /** Any request (the views' dmabuf/topology and dmabuf/matrix: cli/src/graph.ts). */
  async request<R>(method: string, params: unknown): Promise<R> {
    if (this.exited) throw new ServerError(this.deathMessage());
    const died = this.exitPromise.then(() => {
      throw new ServerError(this.deathMessage());
    });
    try {
      return await Promise.race([this.conn.sendRequest<R>(method, params), died]);
    } catch (e) {
      if (e instanceof ResponseError || e instanceof ServerError) throw e;
      throw new ServerError(this.exited ? this.deathMessage() : `the language server did not answer ${method}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private deathMessage(): string {
    const last = this.stderr.trim().split('\n').filter(Boolean).pop();
    return `the language server stopped (${this.exited ?? 'unknown'})${last ? `: ${last}` : ''}`;
  }

  /** shutdown + exit, then make sure the process is gone (in process: shutdown, then dispose both ends). */
  async stop(): Promise<void> {
    if (this.inProcess) {
      try {
        await Promise.race([this.conn.sendRequest('shutdown'), delay(2000)]);
      } catch {
        // the answer does not matter: nothing is left to flush
      }
      this.inProcess.dispose();
    } else if (!this.exited) {
      try {
        await Promise.race([this.conn.sendRequest('shutdown'), this.exitPromise, delay(2000)]);
        await this.conn.sendNotification('exit');
      } catch {
        // already gone
      }
      await Promise.race([this.exitPromise, delay(2000)]);
      if (!this.exited) this.proc?.kill();
    }
    this.conn.dispose();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
