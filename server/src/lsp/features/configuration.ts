// The settings (`dmabuf` section) and the workspace folders: read at initialize, then
// pulled (workspace/configuration) or pushed (didChangeConfiguration) as the client can.
// A change re-analyses every open model.

import { DidChangeConfigurationNotification, type InitializeParams, type InitializeResult } from 'vscode-languageserver/node';
import { version } from '../../../../package.json';
import { clientCaps, serverCapabilities } from '../capabilities';
import { parseSettings } from '../settings';
import { uriToPath } from '../uris';
import { errorText } from '../workspace';
import type { DiagnosticsFeature } from './diagnostics';
import type { Features } from './register';

export class ConfigurationFeature {
  constructor(
    private readonly f: Features,
    private readonly diagnostics: DiagnosticsFeature,
  ) {}

  initialize(p: InitializeParams): InitializeResult {
    const ws = this.f.ws;
    const folderUris = p.workspaceFolders?.map((x) => x.uri) ?? (p.rootUri ? [p.rootUri] : []);
    ws.files.folders = folderUris.map(uriToPath).filter((x): x is string => x !== undefined);
    if (ws.files.folders.length === 0 && p.rootPath) ws.files.folders = [p.rootPath];
    ws.caps = clientCaps(p);
    // Settings may come with initialize (`initializationOptions.settings` = the `dmabuf`
    // section): clients without workspace/configuration, such as dmabuf-lint, use that.
    const init = (p.initializationOptions as { settings?: unknown } | undefined)?.settings;
    if (init !== undefined) ws.settings = parseSettings(init, (m) => this.f.connection.console.warn(m));
    return { capabilities: serverCapabilities(ws.caps), serverInfo: { name: 'dmabuf-language-server', version } };
  }

  async initialized(): Promise<void> {
    const { connection, ws } = this.f;
    try {
      if (ws.caps.configDynamic) await connection.client.register(DidChangeConfigurationNotification.type, { section: 'dmabuf' });
      if (ws.caps.foldersChange) {
        connection.workspace.onDidChangeWorkspaceFolders((e) => {
          try {
            const removed = new Set(e.removed.map((x) => uriToPath(x.uri)));
            const added = e.added.map((x) => uriToPath(x.uri)).filter((x): x is string => x !== undefined);
            ws.files.folders = [...ws.files.folders.filter((x) => !removed.has(x)), ...added];
            this.diagnostics.everythingChanged();
          } catch (err) {
            connection.console.error(`didChangeWorkspaceFolders failed: ${errorText(err)}`);
          }
        });
      }
    } catch (e) {
      connection.console.error(`initialized: ${errorText(e)}`);
    }
    await this.changed(undefined);
  }

  /** Reads the settings (pulled when the client can, else pushed) and re-analyses if they changed. */
  async changed(pushed: unknown): Promise<void> {
    const { connection, ws } = this.f;
    try {
      let raw: unknown;
      if (ws.caps.configPull) raw = await connection.workspace.getConfiguration({ section: 'dmabuf' });
      else raw = pushed && typeof pushed === 'object' ? (pushed as Record<string, unknown>)['dmabuf'] : undefined;
      if (raw === undefined && !ws.caps.configPull && pushed === undefined) return;
      const next = parseSettings(raw, (m) => connection.console.warn(m));
      if (JSON.stringify(next) === JSON.stringify(ws.settings)) return;
      ws.settings = next;
      this.diagnostics.everythingChanged();
    } catch (e) {
      connection.console.error(`configuration: ${errorText(e)}`);
    }
  }
}
