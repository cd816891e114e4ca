// The language server inside the test process: the server's own source (no dist/)
// spoken to by the shared JSON-RPC client (test/helpers/lspClient.ts) over a pair of
// in-memory streams. What an editor sees of a feature, without spawning anything: a
// handler edited is a handler tested.

import { LspClient, type LspClientOptions } from '../helpers/lspClient';
import { startServer } from '../../server/src/lsp/server';

export type InProcessOptions = Omit<LspClientOptions, 'server'>;

export const InProcessClient = {
  /** Starts the server in this process and initializes it; `stop()` shuts it down. */
  start(o: InProcessOptions): Promise<LspClient> {
    return LspClient.inProcess(o, (c) => {
      startServer(c);
    });
  },
};
export type InProcessClient = LspClient;
