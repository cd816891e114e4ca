// The topology SVG of every sample: well-formed XML, every node of the model (PCI
// functions with their kind, host bridges, RAM, the non-PCI importers, links) and every
// share of the engine (with the class of its outcome) in it, IOMMU groups as boxes that
// hold their members, ACS redirect marked exactly where the engine says, a legend, and a
// layout without overlapping nodes.

import { describe, expect, it } from 'vitest';
import { hasAcsRedir } from '../../server/src/engine/acs';
import { layoutTopology } from '../../server/src/view/layout';
import { LARGE_LAYOUT_NODES, MAX_LAYOUT_NODES } from '../../server/src/view/metrics';
import { escapeXml, renderSvg } from '../../server/src/view/svg';
import { buildTopology, OUTCOMES } from '../../server/src/view/topology';
import { analyzeText } from '../helpers/analyzeFile';
import { drawSample, SAMPLES, type Drawn } from './draw';
import { allElements, classesOf, parseXml, type XmlElement } from './xml';
import type { ShareResult } from '../../server/src/engine/types';

/** docs/language.md §7 restated: how a share's result is coloured. */
function expectedOutcome(r: ShareResult): string {
  if (!r.ok) return 'failed';
  if (r.mapType === 'PRIVATE') return 'private';
  if (r.placement === 'system') return 'system';
  return { BUS_ADDR: 'bus-addr', THRU_HOST_BRIDGE: 'thru-host-bridge', NOT_SUPPORTED: 'not-supported', NONE: 'none' }[r.mapType];
}

function byAttr(root: XmlElement, attr: string): Map<string, XmlElement[]> {
  const m = new Map<string, XmlElement[]>();
  for (const el of allElements(root)) {
    const v = el.attrs[attr];
    if (v !== undefined) m.set(v, [...(m.get(v) ?? []), el]);
  }
  return m;
}

function rectOf(el: XmlElement): { x: number; y: number; w: number; h: number } {
  const r = el.children.find((c) => c.name === 'rect');
  if (!r) throw new Error(`no rect in ${el.name} ${JSON.stringify(el.attrs)}`);
  return { x: Number(r.attrs['x']), y: Number(r.attrs['y']), w: Number(r.attrs['width']), h: Number(r.attrs['height']) };
}

const drawn = new Map<string, Promise<Drawn>>();
const draw = (f: string) => {
  if (!drawn.has(f)) drawn.set(f, drawSample(f));
  return drawn.get(f)!;
};

describe.each(SAMPLES)('topology SVG of %s', (file) => {
  it('is well-formed SVG with a title and its stylesheet', async () => {
    const { svg } = await draw(file);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs['xmlns']).toBe('http://www.w3.org/2000/svg');
    expect(classesOf(root)).toContain('dmabuf-topology');
    expect(root.attrs['viewBox']).toMatch(/^0 0 \d+ \d+$/);
    expect(root.children.some((c) => c.name === 'title' && c.text.includes(file))).toBe(true);
    // The colours themselves, not CSS variables: renderers outside a browser (rsvg,
    // Inkscape, image viewers) do not resolve var() and would fill every shape black.
    const style = root.children.find((c) => c.name === 'style')!;
    expect(style.text).toContain('.bus-addr .line');
    expect(style.text).toContain('#1a7f37');
    expect(svg).not.toContain('var(');
  });

  it('has every node of the model, once, with the class of its kind', async () => {
    const { a, svg, t } = await draw(file);
    const root = parseXml(svg);
    const nodes = byAttr(root, 'data-node');
    const platform = a.model.platform!;
    const expectNode = (name: string, ...cls: string[]) => {
      const els = nodes.get(name) ?? [];
      expect(els, `node ${name}`).toHaveLength(1);
      expect(classesOf(els[0]!)).toEqual(expect.arrayContaining(['node', ...cls]));
      return els[0]!;
    };
    expectNode('cpu', 'cpu');
    for (const m of platform.memories) expectNode(m.name, 'memory');
    for (const hb of platform.hostBridges) expectNode(hb.name, 'host_bridge');
    for (const fn of a.model.functions) {
      const el = expectNode(fn.name, fn.kind, ...(fn.kind === 'endpoint' && fn.cls ? [fn.cls] : []), ...(fn.implicit ? ['implicit'] : []));
      if (fn.bdf) expect(el.attrs['data-bdf']).toBeDefined();
      // The label and the BDF as text.
      const texts = el.children.filter((c) => c.name === 'text').map((c) => c.text);
      expect(texts[0]).toBe(fn.name);
      if (el.attrs['data-bdf']) expect(texts.join(' ')).toContain(el.attrs['data-bdf']);
    }
    for (const d of platform.platformDevices) expectNode(d.name, 'platform_device');
    for (const f of platform.iommufds) expectNode(f.name, 'iommufd');
    for (const k of platform.kvms) expectNode(k.name, 'kvm');
    platform.links.forEach((l, i) => {
      expectNode(`link:${i}`, 'link');
      const lines = allElements(root).filter((e) => e.attrs['data-link'] === `link:${i}`);
      expect(lines).toHaveLength(l.members.length - 1);
      expect(classesOf(lines[0]!)).toEqual(expect.arrayContaining(['link-line', l.type]));
    });
    // Nothing else, nothing twice.
    expect([...nodes.keys()].sort()).toEqual(t.nodes.map((n) => n.id).sort());
  });

  it('has every share of the engine as a route with the class of its outcome', async () => {
    const { a, svg, t } = await draw(file);
    const root = parseXml(svg);
    const routes = byAttr(root, 'data-share');
    expect(a.shares.length).toBe(routes.size);
    for (const s of a.shares) {
      const els = routes.get(s.name) ?? [];
      expect(els, `share ${s.name}`).toHaveLength(1);
      const el = els[0]!;
      expect(classesOf(el)).toEqual(expect.arrayContaining(['route', expectedOutcome(s)]));
      expect(el.attrs['data-map-type']).toBe(s.mapType);
      const line = el.children.find((c) => c.name === 'path' && classesOf(c).includes('line'));
      expect(line?.attrs['d']).toMatch(/^M[\d.-]+ [\d.-]+( L[\d.-]+ [\d.-]+)+$/);
      expect(el.attrs['data-route']).toBe(s.route.join(' '));
      const ts = t.shares.find((x) => x.id === s.name)!;
      expect(ts.tlps).toEqual(s.route);
      if (s.route.length > 0) {
        // TLPs: drawn along the engine's route, with an arrow at the importer.
        expect(ts.route).toEqual(s.route);
        expect(classesOf(el)).not.toContain('no-traffic');
        expect(line?.attrs['marker-end']).toBe(`url(#arrow-${expectedOutcome(s)})`);
      } else {
        // None: what was asked (the path, or from the data to the importer), dotted, a cross and no arrow.
        expect(classesOf(el)).toContain('no-traffic');
        expect(line?.attrs['marker-end']).toBeUndefined();
        expect(el.children.some((c) => c.name === 'path' && classesOf(c).includes('fail-mark'))).toBe(true);
        if (s.path.length > 0) expect(ts.route).toEqual(s.path);
        else expect(ts.route[ts.route.length - 1]).toBe(s.importer === 'cpu' ? 'cpu' : s.importer);
      }
      expect(el.children.find((c) => c.name === 'title')?.text).toContain(`${s.name}: ${s.mapType}`);
    }
    expect(svg).not.toContain('data-share="undefined"');
    for (const s of a.shares) expect(svg).toContain(`data-share="${escapeXml(s.name)}"`);
  });

  it('marks ACS redirect exactly on the functions where the engine sees it', async () => {
    const { a, svg } = await draw(file);
    const nodes = byAttr(parseXml(svg), 'data-node');
    for (const fn of a.model.functions) {
      const el = nodes.get(fn.name)![0]!;
      expect(classesOf(el).includes('acs-redirect'), fn.name).toBe(hasAcsRedir(fn, a.model.platform!));
    }
  });

  it('draws each IOMMU group as a box around its members (with an IOMMU)', async () => {
    const { a, svg } = await draw(file);
    const root = parseXml(svg);
    const boxes = allElements(root).filter((e) => classesOf(e).includes('box') && classesOf(e).includes('group') && e.attrs['data-group'] !== undefined);
    const nodes = byAttr(root, 'data-node');
    if (!a.model.platform!.iommu) {
      expect(boxes).toHaveLength(0);
      return;
    }
    const groups = a.engine!.groups!.all;
    expect(boxes.map((b) => Number(b.attrs['data-group'])).sort((x, y) => x - y)).toEqual(groups.map((g) => g.id).sort((x, y) => x - y));
    for (const g of groups) {
      const box = rectOf(boxes.find((b) => Number(b.attrs['data-group']) === g.id)!);
      for (const m of g.members) {
        const el = nodes.get(m.name)![0]!;
        expect(el.attrs['data-group']).toBe(String(g.id));
        const r = rectOf(el);
        expect(r.x >= box.x && r.y >= box.y && r.x + r.w <= box.x + box.w && r.y + r.h <= box.y + box.h, `${m.name} inside group ${g.id}`).toBe(true);
      }
    }
  });

  it('has a legend with every outcome', async () => {
    const { svg } = await draw(file);
    const legend = allElements(parseXml(svg)).find((e) => classesOf(e).includes('legend'))!;
    expect(legend).toBeDefined();
    const entries = allElements(legend).map((e) => e.attrs['data-legend']).filter(Boolean);
    for (const { outcome } of OUTCOMES) expect(entries).toContain(outcome);
    expect(entries).toEqual(expect.arrayContaining(['acs', 'group', 'direct', 'no-traffic']));
  });

  it('is laid out without overlapping nodes, inside the picture', async () => {
    const { svg } = await draw(file);
    const root = parseXml(svg);
    const [, , w, h] = root.attrs['viewBox']!.split(' ').map(Number);
    const rects = [...byAttr(root, 'data-node').values()].map((els) => ({ id: els[0]!.attrs['data-node']!, ...rectOf(els[0]!) }));
    for (const r of rects) expect(r.x >= 0 && r.y >= 0 && r.x + r.w <= w! && r.y + r.h <= h!, `${r.id} inside`).toBe(true);
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const p = rects[i]!;
        const q = rects[j]!;
        const overlap = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
        expect(overlap, `${p.id} and ${q.id} overlap`).toBe(false);
      }
    }
  });

  it('for the webview: the same picture without a stylesheet of its own', async () => {
    const { a } = await draw(file);
    const embedded = await drawSample(file, false);
    const root = parseXml(embedded.svg);
    expect(allElements(root).some((e) => e.name === 'style')).toBe(false);
    expect(allElements(root).some((e) => 'style' in e.attrs)).toBe(false);
    expect(byAttr(root, 'data-share').size).toBe(a.shares.length);
  });
});

/** The points of a route's line (`M x y L x y …`). */
function linePoints(route: XmlElement): { x: number; y: number }[] {
  const line = route.children.find((c) => c.name === 'path' && classesOf(c).includes('line'))!;
  return [...line.attrs['d']!.matchAll(/[ML]([\d.-]+) ([\d.-]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
}

/** Does the polyline touch the node's box (within 1 px)? Each segment sampled. */
function touches(pts: readonly { x: number; y: number }[], r: { x: number; y: number; w: number; h: number }): boolean {
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    for (let k = 0; k <= 20; k++) {
      const x = a.x + ((b.x - a.x) * k) / 20;
      const y = a.y + ((b.y - a.y) * k) / 20;
      if (x >= r.x - 1 && x <= r.x + r.w + 1 && y >= r.y - 1 && y <= r.y + r.h + 1) return true;
    }
  }
  return false;
}

describe('topology SVG: each share drawn where its TLPs go', () => {
  async function shareAndNodes(file: string, share: string) {
    const { svg } = await draw(file);
    const root = parseXml(svg);
    const el = byAttr(root, 'data-share').get(share)![0]!;
    const nodes = byAttr(root, 'data-node');
    return { el, pts: linePoints(el), box: (n: string) => rectOf(nodes.get(n)![0]!) };
  }

  it('sample 02: THRU_HOST_BRIDGE goes up through rp0 to hb0 and back, its two legs side by side', async () => {
    const { el, pts, box } = await shareAndNodes('02-vfio-switch-iommu.dmabuf', 'doorbells->gpu0');
    expect(el.attrs['data-route']).toBe('nic0 sw0.nic0 sw0 rp0 hb0 rp0 sw0 sw0.gpu0 gpu0');
    for (const n of ['nic0', 'sw0.nic0', 'sw0', 'rp0', 'hb0', 'sw0.gpu0', 'gpu0']) expect(touches(pts, box(n)), n).toBe(true);
    // Between sw0 and rp0 the route is drawn twice (up and down), apart.
    const sw = box('sw0');
    const rp = box('rp0');
    const between = pts.filter((p) => p.y > rp.y + rp.h && p.y < sw.y);
    expect(new Set(between.map((p) => p.x)).size).toBeGreaterThanOrEqual(2);
  });

  it('sample 01: BUS_ADDR turns at the switch and never reaches the root port', async () => {
    const { el, pts, box } = await shareAndNodes('01-vfio-switch.dmabuf', 'doorbells->gpu0');
    expect(el.attrs['data-route']).toBe('nic0 sw0.nic0 sw0 sw0.gpu0 gpu0');
    expect(touches(pts, box('sw0'))).toBe(true);
    expect(touches(pts, box('rp0'))).toBe(false);
    expect(touches(pts, box('hb0'))).toBe(false);
  });

  it('sample 05: across two host bridges through the CPU', async () => {
    const { pts, box } = await shareAndNodes('05-hgx-acs-redirect.dmabuf', 'weights->nic6');
    for (const n of ['rp0', 'hb0', 'cpu', 'hb3', 'rp3', 'nic6']) expect(touches(pts, box(n)), n).toBe(true);
  });

  it('sample 03: the fallback to system memory runs from RAM through the root complex to the NIC, not from the GPU', async () => {
    const { el, pts, box } = await shareAndNodes('03-amdgpu-fallback.dmabuf', 'frame->nic0');
    expect(el.attrs['data-route']).toBe('high hb0 rp1 nic0');
    for (const n of ['high', 'hb0', 'rp1', 'nic0']) expect(touches(pts, box(n)), n).toBe(true);
    expect(touches(pts, box('gpu0'))).toBe(false);
  });

  it('sample 12: XGMI goes over the link, not through the PCIe tree', async () => {
    const { el, pts, box } = await shareAndNodes('12-xgmi-private.dmabuf', 'kvcache->gpu1');
    expect(classesOf(el)).toContain('over-link');
    expect(touches(pts, box('rc2'))).toBe(false);
  });

  it('sample 14: a failed map sends nothing: dotted, a cross, no arrow', async () => {
    const { el } = await shareAndNodes('14-cc-guest.dmabuf', 'tensors->vf0');
    expect(el.attrs['data-route']).toBe('');
    expect(classesOf(el)).toEqual(expect.arrayContaining(['failed', 'no-traffic']));
    expect(el.children.find((c) => c.name === 'title')?.text).toContain('no TLPs: the map fails');
  });
});

describe('topology SVG over all samples', () => {
  it('covers the outcomes the issue names', async () => {
    const seen = new Set<string>();
    for (const f of SAMPLES) for (const s of (await draw(f)).t.shares) seen.add(s.outcome);
    expect([...seen]).toEqual(expect.arrayContaining(['bus-addr', 'thru-host-bridge', 'failed', 'system', 'private']));
  });
});

describe('topology SVG of big models', () => {
  /** HBS host bridges, each with SWS switches of EPS endpoints (no BDFs, no BARs: a tree only). */
  function tree(hbs: number, sws: number, eps: number): string {
    const out = ['platform big {', '  cpu amd family 0x19', '  iommu amd-vi'];
    for (let h = 0; h < hbs; h++) {
      out.push(`  host_bridge hb${h} id 1022:1480 {`);
      for (let r = 0; r < sws; r++) {
        out.push(`    root_port rp${h}_${r} acs { switch sw${h}_${r} acs {`);
        for (let e = 0; e < eps; e++) out.push(`      gpu g${h}_${r}_${e}`);
        out.push('    } }');
      }
      out.push('  }');
    }
    out.push('}');
    return out.join('\n') + '\n';
  }

  it(`lays out a tree of more than ${LARGE_LAYOUT_NODES} nodes without overlaps`, async () => {
    const a = analyzeText(tree(2, 4, 12));
    const t = buildTopology(a.model, a.engine, 'big');
    expect(t.nodes.length).toBeGreaterThan(LARGE_LAYOUT_NODES);
    expect(t.nodes.length).toBeLessThanOrEqual(MAX_LAYOUT_NODES);
    const layout = await layoutTopology(t);
    const rects = [...layout.nodes.values()];
    expect(rects).toHaveLength(t.nodes.length);
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const p = rects[i]!;
        const q = rects[j]!;
        expect(p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height).toBe(false);
      }
    }
    parseXml(renderSvg(t, layout));
  }, 30000);

  it(`does not lay out more than ${MAX_LAYOUT_NODES} nodes, and says so`, async () => {
    const a = analyzeText(tree(8, 8, 12));
    const t = buildTopology(a.model, a.engine, 'huge');
    expect(t.nodes.length).toBeGreaterThan(MAX_LAYOUT_NODES);
    const started = Date.now();
    const layout = await layoutTopology(t);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(layout.nodes.size).toBe(0);
    const svg = renderSvg(t, layout);
    parseXml(svg);
    expect(svg).toContain(`${t.nodes.length} nodes: too many to lay out here`);
  });
});
