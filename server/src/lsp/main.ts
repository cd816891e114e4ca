// Entry point of the language server (bundled to dist/server.js). Run as a program, the
// transport comes from the command line: `--stdio` (the default), `--node-ipc` (the VS
// Code client), `--socket=PORT` or `--pipe=NAME`. Required as a module (dmabuf-lint
// does, cli/src/server.ts), it starts nothing: `serveInProcess` runs the same server
// over a message reader and writer that the caller holds, in the caller's process.

import { ProposedFeatures, createConnection, type MessageReader, type MessageWriter } from 'vscode-languageserver/node';
import { version } from '../../../package.json';
import { startServer } from './server';

/** The server over `reader` and `writer`; it never exits the process (the caller disposes it). */
export function serveInProcess(reader: MessageReader, writer: MessageWriter): { dispose(): void } {
  const connection = createConnection(ProposedFeatures.all, reader, writer);
  startServer(connection);
  connection.listen();
  return connection;
}

/** The server as a program (dist/server.js run by node, bin/dmabuf-language-server.js). */
export function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--version')) {
    process.stdout.write(`${version}\n`);
    process.exit(0);
  }
  if (args.includes('--help')) {
    process.stdout.write('usage: dmabuf-language-server [--stdio | --node-ipc | --socket=PORT | --pipe=NAME]\n');
    process.exit(0);
  }
  if (!args.some((a) => /^--(stdio|node-ipc|socket|pipe)(=|$)/.test(a))) process.argv.push('--stdio');

  const connection = createConnection(ProposedFeatures.all);

  // The server must keep serving: log what escapes a handler instead of dying.
  process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

  startServer(connection);
  connection.listen();
}

if (require.main === module) main();
