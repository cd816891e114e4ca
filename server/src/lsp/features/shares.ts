// `dmabuf/shares` (protocol.ts): every share of a model with its result, for the CLI
// and the client's commands; and the model the view requests draw (views.ts). A file
// that is not open is analysed from the disk.

import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { toSharesResult } from '../convert';
import { SHARES_METHOD, type SharesParams, type SharesResult } from '../protocol';
import { registerViews } from '../views';
import { errorText } from '../workspace';
import type { Features } from './register';
import { DISTRO_RELEASES, type KernelVersion, NEWEST_RELEASE, OLDEST_RELEASE, modelledRelease, parseKernelVersion, releaseText } from '../../ground/release';

export function registerShares(f: Features): void {
  f.connection.onRequest(SHARES_METHOD, (p: SharesParams) => {
    try {
      return shares(f, p);
    } catch (e) {
      f.connection.console.error(`${SHARES_METHOD} failed: ${errorText(e)}`);
      return new ResponseError(ErrorCodes.InternalError, `${SHARES_METHOD} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  registerViews(f.connection, (uri) => f.ws.modelAt(uri)); // dmabuf/topology, dmabuf/matrix
}

function shares(f: Features, p: SharesParams): SharesResult | ResponseError {
  if (!p || typeof p.uri !== 'string' || p.uri.length === 0) {
    return new ResponseError(ErrorCodes.InvalidParams, `${SHARES_METHOD} needs { uri: string }`);
  }
  let kernel: { text: string; version: KernelVersion } | undefined;
  if (p.kernel !== undefined) {
    const v = typeof p.kernel === 'string' ? parseKernelVersion(p.kernel) : undefined;
    if (!v || !modelledRelease(v.release)) {
      return new ResponseError(ErrorCodes.InvalidParams, `${SHARES_METHOD}: kernel '${String(p.kernel)}' is not a release the engine models (${releaseText(OLDEST_RELEASE)} to ${releaseText(NEWEST_RELEASE)}, or ${Object.keys(DISTRO_RELEASES).join(', ')})`);
    }
    kernel = { text: p.kernel, version: v };
  }
  const a = f.ws.modelAt(p.uri, kernel);
  return a instanceof ResponseError ? a : toSharesResult(p.uri, a, p.explain !== false);
}
