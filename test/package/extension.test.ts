// What the VS Code extension contributes beyond the language server: the icon, the
// walkthrough, the snippets and the marketplace fields, checked as a user meets them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../../server/src/syntax/parser';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  icon: string;
  repository: { url: string };
  categories: string[];
  keywords: string[];
  contributes: {
    commands: { command: string }[];
    snippets: { language: string; path: string }[];
    walkthroughs: { steps: { description: string; media: { markdown: string }; completionEvents: string[] }[] }[];
  };
};
/** The files `vsce package` puts in the .vsix. */
const vsix = execFileSync(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

describe('the extension package', () => {
  it('packages (vsce refuses, for example, a `files` list beside .vscodeignore)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmabuf-vsix-'));
    try {
      const out = join(dir, 'x.vsix');
      execFileSync(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--baseContentUrl', 'https://dmabuf-lens.dev/', '--baseImagesUrl', 'https://dmabuf-lens.dev/', '--out', out], { cwd: ROOT, stdio: 'pipe' });
      expect(statSync(out).size).toBeGreaterThan(100_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  it('has a 128×128 PNG icon, shipped in the .vsix', () => {
    const png = readFileSync(join(ROOT, pkg.icon));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    expect(vsix).toContain(pkg.icon);
  });

  it('has the marketplace fields and a CHANGELOG', () => {
    expect(pkg.repository.url).toMatch(/^https:\/\//);
    expect(pkg.categories).toEqual(expect.arrayContaining(['Programming Languages', 'Linters']));
    expect(pkg.keywords).toEqual(expect.arrayContaining(['dma-buf', 'p2pdma']));
    expect(vsix).toContain('CHANGELOG.md');
    expect(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')).toMatch(/^## 0\.1\.0/m);
  });

  it('walkthrough: every step links a declared command, completes on it, and its page ships in the .vsix', () => {
    const commands = new Set(pkg.contributes.commands.map((c) => c.command));
    const steps = pkg.contributes.walkthroughs[0]!.steps;
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const s of steps) {
      const linked = [...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]!);
      expect(linked.length, s.description).toBe(1);
      expect(commands.has(linked[0]!), linked[0]).toBe(true);
      expect(s.completionEvents).toEqual([`onCommand:${linked[0]}`]);
      expect(existsSync(join(ROOT, s.media.markdown)), s.media.markdown).toBe(true);
      expect(vsix).toContain(s.media.markdown);
    }
    // The first step opens a sample: the samples ship with the extension.
    expect(vsix).toContain('samples/02-vfio-switch-iommu.dmabuf');
  });

  it('snippets: each one, with its default choices, parses without a syntax error where it belongs', () => {
    const file = pkg.contributes.snippets[0]!;
    expect(file.language).toBe('dmabuf');
    expect(vsix).toContain(file.path.replace(/^\.\//, ''));
    const snippets = JSON.parse(readFileSync(join(ROOT, file.path), 'utf8')) as Record<string, { prefix: string; body: string[] }>;
    expect(Object.keys(snippets).length).toBeGreaterThanOrEqual(8);
    const expand = (body: string[]) =>
      body
        .join('\n')
        .replace(/\$\{\d+:([^}]*)\}/g, '$1')
        .replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, '$1')
        .replace(/\$\d+/g, '');
    // Where each kind of statement is written.
    const inPlatform = (t: string) => `platform p {\n  cpu intel\n${t}\n}\n`;
    const inHostBridge = (t: string) => inPlatform(`  host_bridge hb9 id 8086:2030 {\n    window 0x40_0000_0000 .. 0x7f_ffff_ffff\n${t}\n  }`);
    const inRootPort = (t: string) => inHostBridge(`root_port rpx 00:02.0 {\n${t}\n}`);
    const where: Record<string, (t: string) => string> = { host_bridge: inPlatform, root_port: inHostBridge, switch: inRootPort, gpu: inRootPort, nic: inRootPort };
    for (const [name, s] of Object.entries(snippets)) {
      const text = (where[s.prefix] ?? ((t: string) => t))(expand(s.body));
      expect(parse(text).errors.map((e) => e.message), `${name}:\n${text}`).toEqual([]);
    }
  });
});
