// dmabuf-lint is a client of the language server: one server process for the whole
// run, spoken to with JSON-RPC over its stdio.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { TextEdit } from 'vscode-languageserver-textdocument';
import { SHARES_METHOD, type SharesParams, type SharesResult } from '../../server/src/lsp/protocol';
import { version } from '../../package.json';

export class ServerError extends Error {}

/** Where the bundled server is: next to the bundled CLI (dist/server.js). */
function serverPath(): string {
  return path.join(__dirname, 'server.js');
}

export class LanguageServer {
  private readonly proc: ChildProcess;
  private readonly conn: MessageConnection;
  private stderr = '';
  private exited: string | undefined;
  private readonly exitPromise: Promise<void>;

  private constructor(script: string) {
    this.proc = spawn(process.execPath, [script, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.exitPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = signal ? `killed by ${signal}` : `exit status ${code}`;
        resolve();
      });
      this.proc.on('error', (e) => {
        this.exited = e.message;
        resolve();
      });
    });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
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
        processId: process.pid,
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

  /** shutdown + exit, then make sure the process is gone. */
  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await Promise.race([this.conn.sendRequest('shutdown'), this.exitPromise, delay(2000)]);
        await this.conn.sendNotification('exit');
      } catch {
        // already gone
      }
      await Promise.race([this.exitPromise, delay(2000)]);
      if (!this.exited) this.proc.kill();
    }
    this.conn.dispose();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
