// `dmabuf/import` (importProtocol.ts): LSP glue around import/index.ts. The params are
// checked here; everything the import means lives in server/src/import.

import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { ImportError, runImport } from '../import/index';
import { IMPORT_FAILED, IMPORT_METHOD, type ImportParams, type ImportResult } from './importProtocol';

/** The most text one request may carry (a snapshot of a large machine is a few MiB). */
const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** The most files one snapshot may carry. */
const MAX_SNAPSHOT_FILES = 200_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(message: string): ResponseError {
  return new ResponseError(ErrorCodes.InvalidParams, `${IMPORT_METHOD}: ${message}`);
}

/** Checks the params and runs the import: the result, or the error to answer with. */
function handleImport(params: unknown): ImportResult | ResponseError {
  if (!isRecord(params)) return bad('needs { kind, inputs }');
  const { kind, inputs, name } = params;
  if (kind !== 'lspci' && kind !== 'sysfs' && kind !== 'hwloc') return bad("kind must be 'lspci', 'sysfs' or 'hwloc'");
  if (!isRecord(inputs)) return bad('needs inputs: { tree?, verbose?, xml?, snapshotFiles? }');
  if (name !== undefined && typeof name !== 'string') return bad('name must be a string');
  let bytes = 0;
  const text = (k: string): string | undefined => {
    const v = inputs[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw bad(`inputs.${k} must be a string`);
    bytes += v.length;
    return v;
  };
  let p: ImportParams;
  try {
    let snapshotFiles: Record<string, string> | undefined;
    const files = inputs['snapshotFiles'];
    if (files !== undefined && files !== null) {
      if (!isRecord(files)) return bad('inputs.snapshotFiles must map paths to texts');
      const entries = Object.entries(files);
      if (entries.length > MAX_SNAPSHOT_FILES) return bad(`a snapshot of more than ${MAX_SNAPSHOT_FILES} files is refused`);
      snapshotFiles = {};
      for (const [path, v] of entries) {
        if (typeof v !== 'string') return bad(`inputs.snapshotFiles['${path}'] must be a string`);
        bytes += v.length + path.length;
        snapshotFiles[path] = v;
      }
    }
    p = { kind, name: name as string | undefined, inputs: { tree: text('tree'), verbose: text('verbose'), groups: text('groups'), xml: text('xml'), snapshotFiles } };
  } catch (e) {
    if (e instanceof ResponseError) return e;
    throw e;
  }
  if (bytes > MAX_IMPORT_BYTES) return bad(`the inputs are larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`);
  try {
    const r = runImport({ kind: p.kind, name: p.name, ...p.inputs });
    return {
      text: r.text,
      notes: r.notes,
      groupCheck: r.groupCheck ? { ...r.groupCheck, differences: [...r.groupCheck.differences] } : null,
      summary: r.summary,
    };
  } catch (e) {
    if (e instanceof ImportError) return new ResponseError(IMPORT_FAILED, e.message);
    throw e;
  }
}

export function registerImportRequest(connection: Connection): void {
  connection.onRequest(IMPORT_METHOD, (params: unknown) => {
    try {
      return handleImport(params);
    } catch (e) {
      connection.console.error(`${IMPORT_METHOD} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return new ResponseError(ErrorCodes.InternalError, `${IMPORT_METHOD} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
