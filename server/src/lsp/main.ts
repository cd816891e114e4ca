// Entry point of the language server (bundled to dist/server.js). The transport comes
// from the command line: `--stdio` (the default), `--node-ipc` (the VS Code client),
// `--socket=PORT` or `--pipe=NAME`.

import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { version } from '../../../package.json';
import { startServer } from './server';

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
