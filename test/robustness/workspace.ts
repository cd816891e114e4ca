// A throw-away workspace folder on disk for the robustness tests, and small helpers.

import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';

export class Workspace {
  /** The folder that holds the workspace folder and things outside it. */
  readonly base: string;
  /** The workspace folder. */
  readonly root: string;

  constructor(prefix = 'dmabuf-robust-') {
    this.base = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
    this.root = join(this.base, 'ws');
    mkdirSync(this.root);
  }

  /** Writes a file below the workspace folder (or, with `../`, beside it); returns its path. */
  write(relative: string, content: string | Uint8Array): string {
    const p = join(this.root, relative);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  }

  path(relative: string): string {
    return join(this.root, relative);
  }

  uri(relative: string): string {
    return pathToFileURL(join(this.root, relative)).href;
  }

  remove(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}

/** A chain of files: `f0.dmabuf` uses `f1.dmabuf` … up to `f<n>.dmabuf`, the last with a platform. */
export function useChain(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`f${i}.dmabuf`] = `use "f${i + 1}.dmabuf"\n`;
  files[`f${n}.dmabuf`] = 'platform p { cpu intel }\n';
  return files;
}

export function only(diags: readonly Diagnostic[], code: string): Diagnostic[] {
  return diags.filter((d) => d.code === code);
}
