// Cancellation for long requests. A handler runs to its end once started (the analysis
// is synchronous), so long requests yield to the event loop at checkpoints: there the
// connection reads `$/cancelRequest` and `didChange`, and the request gives up when it
// was cancelled or when its document moved on to a newer version (a stale result is
// dropped, never sent).

import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';

/**
 * Lets queued messages (cancellations, changes) be handled before going on. A message
 * that arrived during a long synchronous analysis takes three turns of the event loop
 * to reach its handler: the stream reader hands it on from a setImmediate (its
 * semaphore), the connection cancels a running request right there but queues any
 * other message and dispatches it from another setImmediate. One turn was not enough:
 * a request cancelled (or a document changed) in the middle of an analysis was
 * answered as if nothing had happened.
 */
const YIELD_TURNS = 3;

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => {
    let n = 0;
    const next = () => (++n >= YIELD_TURNS ? resolve() : setImmediate(next));
    setImmediate(next);
  });
}

function cancelledError(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

export function contentModifiedError(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.ContentModified, 'the document changed while the request ran: its result was dropped');
}

/** For `textDocument/diagnostic`: the client should ask again. */
export function retriggerError(): ResponseError<{ retriggerRequest: boolean }> {
  return new ResponseError(LSPErrorCodes.ServerCancelled, 'the document changed while its diagnostics were computed', { retriggerRequest: true });
}

/**
 * A checkpoint: yields, then throws when `token` is cancelled or `fresh()` says the
 * result would be stale.
 */
export function checkpoint(token: CancellationToken, fresh: () => boolean, stale: () => ResponseError<unknown>): () => Promise<void> {
  return async () => {
    await yieldTurn();
    if (token.isCancellationRequested) throw cancelledError();
    if (!fresh()) throw stale();
  };
}
