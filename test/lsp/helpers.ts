// Test helpers for the language server: the shared client of the real bundled server
// (test/helpers/lspClient.ts), marker-based fixtures in the style of Langium's test
// helpers, and raw JSON-RPC frames for the protocol tests.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic, Position, Range } from 'vscode-languageserver';
import { LspClient, type LspClientOptions } from '../helpers/lspClient';

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
interface Marked {
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

/** What a test may set; the server is dist/server.js and the workspace root defaults to the repository. */
type StartOptions = Omit<LspClientOptions, 'server' | 'rootDir'> & { readonly rootDir?: string };

/** The shared client (test/helpers/lspClient.ts), started on the repository's bundled server. */
export type TestClient = LspClient;
export const TestClient = {
  start: (options: StartOptions = {}): Promise<LspClient> => LspClient.start({ ...options, server: SERVER, rootDir: options.rootDir ?? ROOT }),
};

export function codes(diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => String(d.code));
}

/** An answer read straight from the server's output (see `rawExchange`). */
interface RawAnswer {
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
  client: LspClient,
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
