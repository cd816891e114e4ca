// The benchmark's view of the shared LSP client (test/helpers/lspClient.ts): the real
// bundled server over its stdio, with each step timed in this process, from just before
// a message is written to the moment its answer (or the matching publishDiagnostics) has
// been read and decoded.

import { readFileSync } from 'node:fs';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { LspClient, type Published } from '../test/helpers/lspClient';

export interface Position {
  readonly line: number;
  readonly character: number;
}

/** Large models take long: the benchmark waits up to two minutes for diagnostics. */
const PUBLISH_TIMEOUT_MS = 120_000;

type Timed = { ms: number; publish: PublishDiagnosticsParams };

const timedFrom = (t0: number, p: Published): Timed => ({ ms: p.at - t0, publish: p.params });

export class BenchClient {
  private constructor(private readonly client: LspClient) {}

  /** Starts `node server --stdio` in `rootDir`; `settings` go in initializationOptions (as dmabuf-lint sends them). */
  static async start(server: string, rootDir: string, settings?: Record<string, unknown>): Promise<BenchClient> {
    const client = await LspClient.start({
      server,
      rootDir,
      folderName: 'bench',
      initializationOptions: settings ? { settings } : undefined,
      keepPublished: 0,
      keepStderr: 4000,
      initializeTimeoutMs: PUBLISH_TIMEOUT_MS,
      onConnection: (conn) => {
        conn.onNotification(() => {});
        conn.onRequest(() => null);
      },
    });
    return new BenchClient(client);
  }

  /** Milliseconds from spawn to the answer to `initialize`. */
  get startupMs(): number {
    return this.client.startupMs;
  }

  /** didOpen; resolves with the time to the first diagnostics (the server runs the full engine on open). */
  async open(uri: string, text: string): Promise<Timed> {
    const t0 = performance.now();
    return timedFrom(t0, await this.client.openTimed(uri, text, PUBLISH_TIMEOUT_MS));
  }

  /** An incremental one-range edit; resolves with the time to the diagnostics of the new version. */
  async edit(uri: string, range: { start: Position; end: Position }, text: string): Promise<Timed> {
    const version = this.client.nextVersionOf(uri);
    const next = this.client.nextPublish(uri, (p) => p.version === version, PUBLISH_TIMEOUT_MS);
    const t0 = performance.now();
    await this.client.edit(uri, range, text);
    return timedFrom(t0, await next);
  }

  /** didSave; resolves with the time to the next diagnostics (the full engine runs on save). */
  async save(uri: string): Promise<Timed> {
    const next = this.client.nextPublish(uri, () => true, PUBLISH_TIMEOUT_MS);
    const t0 = performance.now();
    await this.client.save(uri);
    return timedFrom(t0, await next);
  }

  /** didClose; resolves once the server has cleared the document's diagnostics. */
  async close(uri: string): Promise<void> {
    const cleared = this.client.nextPublish(uri, (p) => p.diagnostics.length === 0, PUBLISH_TIMEOUT_MS);
    await this.client.close(uri);
    await cleared;
  }

  /** A request and its round-trip time. */
  async timed<R>(method: string, params: unknown): Promise<{ ms: number; result: R }> {
    const t0 = performance.now();
    const result = await this.client.request<R>(method, params);
    return { ms: performance.now() - t0, result };
  }

  /** Resident set size and its high-water mark of the server process, from /proc (Linux), in bytes. */
  memory(): { rss: number; peakRss: number } | undefined {
    try {
      const status = readFileSync(`/proc/${this.client.proc.pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
    } catch {
      return undefined;
    }
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}
