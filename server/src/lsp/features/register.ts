// How a feature answers a request on one document: `register` fetches the document
// and the phase the feature needs (the document's parse, or its model's analysis with
// or without the engine) before the feature runs, and makes sure no handler ever
// crashes the server: an error is logged and answered with the feature's fallback
// (in a long request, a ResponseError thrown on purpose is answered as that error).

import { ResponseError, type CancellationToken, type Connection, type Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Phase } from '../../ground/findings';
import { checkpoint, contentModifiedError } from '../cancel';
import { errorText, type PhaseResult, type Workspace } from '../workspace';

/** A checkpoint of a long request: yields, then throws once cancelled or stale (cancel.ts). */
export type Step = () => Promise<void>;

/** What a feature's handler gets: the document, at the phase it asked for. */
interface ContextAt<P extends Phase> {
  readonly doc: TextDocument;
  readonly phase: P;
  /** The document at `phase`: its parse, or the analysis of the model it roots. */
  readonly result: PhaseResult[P];
  readonly ws: Workspace;
  readonly connection: Connection;
  /** Checkpoints between models; a no-op in a short request. */
  readonly step: Step;
  offsetAt(position: Position): number;
}

/** One ContextAt per phase, so that testing `ctx.phase` narrows `ctx.result`. */
export type RequestContext<P extends Phase> = P extends Phase ? ContextAt<P> : never;

/** The phase a request needs, fixed or chosen per request. */
export type PhaseOf<Params, P extends Phase> = P | ((doc: TextDocument, params: Params) => P);

export interface RequestOptions<R> {
  /** The request, in the log ("hover failed: …"). */
  readonly name: string;
  /** What the request answers when there is no document or the handler failed. */
  readonly fallback: NoInfer<R>;
  /**
   * A long request (cancel.ts): it yields at checkpoints (at the start, between models,
   * at the end), answers RequestCancelled once cancelled, and drops a result whose
   * document changed meanwhile (ContentModified, or `stale()`).
   */
  readonly long?: boolean;
  readonly stale?: () => ResponseError<unknown>;
  /** Also over the size cap (the diagnostics, whose answer says so). */
  readonly overCapOk?: boolean;
}

/** The `connection.onX` a handler is registered with. */
type On<Params, R> = (handler: (params: Params, token: CancellationToken) => R | Promise<R>) => unknown;

export interface Features {
  readonly ws: Workspace;
  readonly connection: Connection;
}

const noStep: Step = () => Promise.resolve();

/**
 * Registers a request on one document: `on(handler)` with a handler that finds the
 * open document of the params, fetches it at the phase, and runs `fn` guarded.
 */
export function register<Params, R, P extends Phase>(
  f: Features,
  on: On<Params, R>,
  phase: PhaseOf<Params, P>,
  fn: (ctx: RequestContext<P>, params: Params) => R,
  o: RequestOptions<R> & { readonly long?: false },
): void;
export function register<Params, R, P extends Phase>(
  f: Features,
  on: On<Params, R>,
  phase: PhaseOf<Params, P>,
  fn: (ctx: RequestContext<P>, params: Params) => R | Promise<R>,
  o: RequestOptions<R> & { readonly long: true },
): void;
export function register<Params, R, P extends Phase>(
  f: Features,
  on: On<Params, R>,
  phase: PhaseOf<Params, P>,
  fn: (ctx: RequestContext<P>, params: Params) => R | Promise<R>,
  o: RequestOptions<R>,
): void {
  const run = (doc: TextDocument, params: Params, step: Step) => fn(contextAt(f, doc, typeof phase === 'function' ? phase(doc, params) : phase, step), params);
  const failed = (e: unknown): R => {
    f.connection.console.error(`${o.name} failed: ${errorText(e)}`);
    return o.fallback;
  };
  // The overloads make a short request's `fn` answer at once.
  on(o.long ? longHandler(f, run, failed, o) : shortHandler(f, run as (doc: TextDocument, params: Params, step: Step) => R, failed, o));
}

function contextAt<P extends Phase>(f: Features, doc: TextDocument, phase: P, step: Step): RequestContext<P> {
  const ctx: ContextAt<P> = { doc, phase, result: f.ws.at(doc, phase), ws: f.ws, connection: f.connection, step, offsetAt: (pos) => doc.offsetAt(pos) };
  return ctx as RequestContext<P>; // TypeScript does not resolve the conditional type of a generic P
}

/** A short request: answered at once; any error is logged and answered with the fallback. */
function shortHandler<Params, R>(f: Features, run: (doc: TextDocument, params: Params, step: Step) => R, failed: (e: unknown) => R, o: RequestOptions<R>) {
  return (params: Params): R => {
    try {
      const doc = f.ws.requestDoc(params, o.overCapOk);
      if (!doc) return o.fallback;
      return run(doc, params, noStep);
    } catch (e) {
      return failed(e);
    }
  };
}

/** A long request: checkpoints at its start and end, and those `run` takes (RequestOptions.long). */
function longHandler<Params, R>(f: Features, run: (doc: TextDocument, params: Params, step: Step) => R | Promise<R>, failed: (e: unknown) => R, o: RequestOptions<R>) {
  return async (params: Params, token: CancellationToken): Promise<R> => {
    const doc = f.ws.requestDoc(params, o.overCapOk);
    if (!doc) return o.fallback;
    const version = doc.version;
    const step = checkpoint(token, () => f.ws.documents.get(doc.uri)?.version === version, o.stale ?? contentModifiedError);
    try {
      await step();
      const result = await run(doc, params, step);
      await step();
      return result;
    } catch (e) {
      if (e instanceof ResponseError) throw e; // answered as that error
      return failed(e);
    }
  };
}
