// The benchmark's model generator (bench/generate.ts): deterministic, the requested
// size, and valid: no syntax, unknown-name, duplicate-name or invalid-value error, with
// every exporter and importer kind present.
import { describe, expect, it } from 'vitest';
import { generateFiles, generateModel, mulberry32 } from '../../bench/generate';
import { analyzeText } from '../helpers/analyzeFile';

/** Findings the generator must never produce; the engine's findings are expected and fine. */
const FORBIDDEN = new Set(['syntax-error', 'unknown-name', 'duplicate-name', 'invalid-value', 'missing-platform', 'use-not-found']);

function lineCount(text: string): number {
  return text.split('\n').length - 1;
}

function check(lines: number, seed: number) {
  const text = generateModel({ lines, seed });
  expect(text.endsWith('\n')).toBe(true);
  const n = lineCount(text);
  expect(Math.abs(n - lines)).toBeLessThanOrEqual(Math.ceil(lines * 0.02));
  const a = analyzeText(text);
  const bad = a.findings.filter((f) => FORBIDDEN.has(f.code)).map((f) => `${f.code} at ${f.span.start.line + 1}:${f.span.start.character + 1}: ${f.message}`);
  expect(bad).toEqual([]);
  // Every exporter kind and every importer kind.
  expect(new Set(a.model.buffers.map((b) => b.driver))).toEqual(new Set(['amdgpu', 'vfio-pci', 'p2pmem', 'heap']));
  const importerKinds = new Set(a.model.shares.map((s) => (s.importer.kind === 'pci' ? (s.importer.fn.kind === 'vf' ? 'vf' : 'pci') : s.importer.kind)));
  expect(importerKinds).toEqual(new Set(['pci', 'vf', 'platform', 'iommufd', 'kvm', 'cpu']));
  // The machine is all there: switches with implicit and explicit ports, a link.
  const kinds = new Set(a.model.functions.map((f) => (f.implicit ? 'implicit-port' : f.kind)));
  for (const k of ['root_port', 'switch', 'port', 'implicit-port', 'endpoint', 'vf']) expect(kinds.has(k as never), k).toBe(true);
  expect(a.model.platform?.links.length).toBeGreaterThan(0);
  // The engine ran and mapped shares.
  expect(a.shares.length).toBe(a.model.shares.length);
  expect(a.shares.length).toBeGreaterThan(0);
  return { text, analysis: a };
}

describe('generateModel', () => {
  it('mulberry32 is deterministic and uniform enough', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('the same seed gives the same text; another seed another text', () => {
    for (const lines of [100, 1000, 5000]) {
      const a = generateModel({ lines, seed: 11 });
      expect(generateModel({ lines, seed: 11 })).toBe(a);
      expect(generateModel({ lines, seed: 12 })).not.toBe(a);
    }
  });

  for (const seed of [1, 2, 3, 42, 0xdeadbeef]) {
    for (const lines of [100, 1000]) {
      it(`${lines} lines, seed ${seed}: the requested size, valid, every kind`, () => {
        check(lines, seed);
      });
    }
  }

  for (const seed of [1, 7]) {
    it(`10,000 lines, seed ${seed}: valid, and the machine grows with the model`, () => {
      const small = analyzeText(generateModel({ lines: 1000, seed })).model.functions.length;
      const { analysis } = check(10_000, seed);
      expect(analysis.model.functions.length).toBeGreaterThan(small * 4);
      expect(analysis.model.buffers.length).toBeGreaterThan(1000);
    });
  }
});

describe('generateFiles', () => {
  it('n files of the requested size, each its own valid model, deterministic', () => {
    const files = generateFiles(20, 100, 5);
    expect(files).toHaveLength(20);
    expect(new Set(files.map((f) => f.name)).size).toBe(20);
    expect(new Set(files.map((f) => f.text)).size).toBe(20);
    expect(generateFiles(20, 100, 5)).toEqual(files);
    for (const f of files) {
      expect(f.name).toMatch(/^m\d{4}\.dmabuf$/);
      expect(Math.abs(lineCount(f.text) - 100)).toBeLessThanOrEqual(2);
      const a = analyzeText(f.text);
      expect(a.findings.filter((x) => FORBIDDEN.has(x.code)).map((x) => `${f.name} ${x.code}: ${x.message}`)).toEqual([]);
    }
  });
});
