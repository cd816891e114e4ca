// The P2P matrix is the engine's answer for every pair: the very objects of the engine's
// per-provider cache (the one its shares were mapped with), equal to a fresh
// calc_map_type_and_dist(), and to the map type and distance of every share between
// two PCI functions. Then its symmetry, checked (not assumed), and the renderers.

import { describe, expect, it } from 'vitest';
import { calcMapTypeAndDist } from '../../server/src/engine/p2pdma';
import { buildMatrix, cellText, CSV_HEADER, matrixCsv, matrixEndpoints, matrixText } from '../../server/src/view/matrix';
import { matrixTable } from '../../server/src/view/html';
import { analyzeSample, SAMPLES } from './draw';
import { allElements, parseXml } from './xml';

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV: last row without CRLF');
  return rows;
}

describe.each(SAMPLES)('P2P matrix of %s', (file) => {
  const a = analyzeSample(file);
  const engine = a.engine!;
  const platform = a.model.platform!;
  const fns = matrixEndpoints(a.model);
  const m = buildMatrix(a.model, engine, file);

  it('has every PCI endpoint and VF, in tree order', () => {
    expect(m.endpoints.map((e) => e.name)).toEqual(a.model.functions.filter((f) => f.kind === 'endpoint' || f.kind === 'vf').map((f) => f.name));
    expect(m.cells).toHaveLength(fns.length);
    for (const row of m.cells) expect(row).toHaveLength(fns.length);
    for (const [i, e] of m.endpoints.entries()) {
      expect(e.hostBridge).toBe(fns[i]!.hostBridge.name);
      expect(e.iommuGroup).toBe(platform.iommu ? engine.groups!.groupOf.get(fns[i]!)!.id : null);
    }
  });

  it("is the engine's answer for every pair", () => {
    fns.forEach((provider, i) =>
      fns.forEach((client, j) => {
        const cell = m.cells[i]![j]!;
        const cached = engine.p2p!.mapType(provider, client);
        const fresh = calcMapTypeAndDist(provider, client, platform);
        for (const r of [cached, fresh]) {
          expect(cell.mapType, `${provider.name} -> ${client.name}`).toBe(r.mapType);
          expect(cell.distance).toBe(r.distance);
          expect(cell.path).toEqual(r.path);
          expect(cell.commonAncestor).toBe(r.commonAncestor?.name ?? null);
          expect(cell.acsRedirects).toEqual(r.acsRedirects.map((f) => f.name));
        }
      }),
    );
  });

  it('agrees with every share between two PCI functions, through the same cache entries', () => {
    for (const o of engine.shares) {
      const exporter = o.share.buffer.exporter;
      if (!exporter || o.share.importer.kind !== 'pci' || !o.mapping.route) continue;
      const i = fns.indexOf(exporter);
      const j = fns.indexOf(o.share.importer.fn);
      const cell = m.cells[i]![j]!;
      // The share was mapped with the very route object the matrix read.
      expect(engine.p2p!.mapType(exporter, o.share.importer.fn)).toBe(o.mapping.route);
      expect(cell.distance).toBe(o.result.distance);
      expect(cell.path).toEqual(o.result.path);
      if (cell.link) expect(o.result.mapType).toBe('PRIVATE');
      else expect(cell.mapType).toBe(o.result.mapType);
    }
  });

  it('is symmetric in map type, distance and path (checked, not assumed)', () => {
    for (let i = 0; i < fns.length; i++) {
      for (let j = 0; j < fns.length; j++) {
        const ab = m.cells[i]![j]!;
        const ba = m.cells[j]![i]!;
        expect(ba.mapType, `${fns[i]!.name} <-> ${fns[j]!.name}`).toBe(ab.mapType);
        expect(ba.distance).toBe(ab.distance);
        expect(ba.path).toEqual([...ab.path].reverse());
        // ACS redirects are counted on the provider's side up to the host bridge when
        // there is no common bridge, so that list may differ by direction.
        if (ab.commonAncestor !== null) expect([...ba.acsRedirects].sort()).toEqual([...ab.acsRedirects].sort());
      }
    }
  });

  it('renders as text, CSV and HTML with the same cells', () => {
    const text = matrixText(m);
    if (fns.length === 0) {
      expect(text).toContain('no PCI endpoints');
      return;
    }
    const lines = text.split('\n');
    const head = lines.findIndex((l) => l.trim().split(/\s+/).join(' ') === fns.map((f) => f.name).join(' '));
    expect(head).toBeGreaterThan(0);
    fns.forEach((f, i) => {
      const row = lines[head + 1 + i]!;
      expect(row.startsWith(f.name)).toBe(true);
      for (let j = 0; j < fns.length; j++) expect(row).toContain(cellText(m, i, j));
    });
    const csv = parseCsv(matrixCsv(m));
    expect(csv[0]).toEqual([...CSV_HEADER]);
    expect(csv).toHaveLength(fns.length * fns.length + 1);
    for (const r of csv.slice(1)) {
      const i = fns.findIndex((f) => f.name === r[0]);
      const j = fns.findIndex((f) => f.name === r[1]);
      const cell = m.cells[i]![j]!;
      expect(r.slice(2)).toEqual([cell.mapType, String(cell.distance), cell.commonAncestor ?? '', cell.acsRedirects.join(' '), cell.link ?? '', cell.path.join(' ')]);
    }
    const table = parseXml(`<div>${matrixTable(m)}</div>`);
    const tds = allElements(table).filter((e) => e.name === 'td');
    expect(tds).toHaveLength(fns.length * fns.length);
    for (const td of tds) {
      const i = fns.findIndex((f) => f.name === td.attrs['data-provider']);
      const j = fns.findIndex((f) => f.name === td.attrs['data-client']);
      expect(td.attrs['data-map-type']).toBe(m.cells[i]![j]!.mapType);
      expect(td.attrs['data-distance']).toBe(String(m.cells[i]![j]!.distance));
      expect(td.text).toBe(cellText(m, i, j));
    }
  });
});

describe('P2P matrix', () => {
  it('covers every map type over the samples', () => {
    const seen = new Set<string>();
    for (const f of SAMPLES) {
      const a = analyzeSample(f);
      for (const row of buildMatrix(a.model, a.engine).cells) for (const c of row) seen.add(c.mapType);
    }
    expect([...seen].sort()).toEqual(['BUS_ADDR', 'NOT_SUPPORTED', 'THRU_HOST_BRIDGE']);
  });

  it('is empty without the engine', () => {
    const a = analyzeSample(SAMPLES[0]!);
    expect(buildMatrix(a.model, undefined).endpoints).toEqual([]);
  });
});
