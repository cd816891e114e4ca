// Every sample of samples/ against a committed snapshot of what the engine computes
// (the §7 shares, plus each importer's IOMMU group, and every diagnostic), and the
// promises each sample's header makes: no syntax error, every `expect` holds (except
// the known engine gaps listed below), and the diagnostic codes the header names.
// Regenerate the snapshots with `npx vitest run test/samples -u`, then read them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzePath } from '../helpers/analyzeFile';
import { shareToJson } from '../../server/src/lsp/json';
import type { Finding } from '../../server/src/ground/findings';

const dir = join(__dirname, '..', '..', 'samples');
const samples = readdirSync(dir)
  .filter((f) => f.endsWith('.dmabuf'))
  .sort();

/** The distinct diagnostic codes each sample's header says it triggers (expect-mismatch aside). */
const EXPECTED_CODES: Record<string, readonly string[]> = {
  '01-vfio-switch.dmabuf': [],
  '02-vfio-switch-iommu.dmabuf': ['acs-redirect', 'p2p-host-bridge'],
  '03-amdgpu-fallback.dmabuf': ['p2p-fallback-system'],
  '04-iova-sequence.dmabuf': [],
  '05-hgx-acs-redirect.dmabuf': ['acs-redirect', 'p2p-host-bridge'],
  '06-hgx-disable-acs-redir.dmabuf': ['p2p-host-bridge', 'p2p-via-iommu'],
  '07-epyc-cross-socket.dmabuf': ['p2p-host-bridge'],
  '08-client-desktop-fallback.dmabuf': ['p2p-fallback-system'],
  '09-nvmet-cmb-p2pmem.dmabuf': ['p2p-host-bridge'],
  '10-vfio-iommufd.dmabuf': ['pfn-no-path'],
  '11-kvm-pfn-rfc.dmabuf': ['pfn-no-path'],
  '12-xgmi-private.dmabuf': ['p2p-host-bridge', 'private-address-space'],
  '13-arm64-offsets.dmabuf': ['swiotlb-bounce'],
  '14-cc-guest.dmabuf': ['dma-unreachable', 'swiotlb-bounce'],
  '15-display-private-domain.dmabuf': ['private-domain'],
  '16-socket-direct-multipath.dmabuf': ['multipath'],
  '17-thunderbolt-32bit-bounce.dmabuf': ['swiotlb-bounce'],
  '18-hgx-h100-cx7.dmabuf': ['p2p-host-bridge', 'p2p-required'],
  '19-workstation-nvidia-client.dmabuf': ['exporter-topology-policy'],
  '20-gaudi-efa.dmabuf': ['p2p-host-bridge', 'p2p-required'],
  '21-arc-xe-pair.dmabuf': ['p2p-fallback-system', 'p2p-required'],
  '22-grace-hopper-c2c.dmabuf': ['p2p-not-supported'],
  '23-mlx5-odp-vs-pinned.dmabuf': ['pinned-importer-refused', 'shared-iommu-group'],
  '24-v4l2-camera-to-gpu.dmabuf': ['pinned-on-map'],
  '25-devmem-tcp-gpu.dmabuf': ['missing-notifier', 'pinned-on-map', 'shared-iommu-group', 'static-importer-refused'],
};

/**
 * Shares whose `expect` states what the kernel does and the engine does not (yet): their
 * expect-mismatch findings are allowed here, each is listed as a todo, and a test checks
 * that the gap is still there (when the engine is fixed, it fails: remove the entry).
 */
const KNOWN_GAPS: readonly { file: string; share: string; reason: string }[] = [];

const gapShares = (file: string) => new Set(KNOWN_GAPS.filter((g) => g.file === file).map((g) => g.share));

function diagnosticJson(f: Finding) {
  return { code: f.code, severity: f.severity, line: f.span.start.line, character: f.span.start.character, message: f.message };
}

describe('samples/*.dmabuf', () => {
  it('has the four conformance copies and at least 13 samples of its own', () => {
    expect(samples.slice(0, 4)).toEqual(['01-vfio-switch.dmabuf', '02-vfio-switch-iommu.dmabuf', '03-amdgpu-fallback.dmabuf', '04-iova-sequence.dmabuf']);
    expect(samples.length).toBeGreaterThanOrEqual(17);
  });

  it('names every sample in the table of expected codes', () => {
    expect(Object.keys(EXPECTED_CODES).sort()).toEqual(samples);
  });

  for (const file of samples) {
    describe(file, () => {
      const analysis = () => analyzePath(join(dir, file));

      it('matches its snapshot', async () => {
        const a = analysis();
        const json = {
          shares: a.shares.map((s) => ({ ...shareToJson(s), iommuGroup: s.iommuGroup })),
          diagnostics: a.findings.map(diagnosticJson),
        };
        await expect(JSON.stringify(json, null, 2) + '\n').toMatchFileSnapshot(`./__snapshots__/${file.replace(/\.dmabuf$/, '')}.json`);
      });

      it('parses, and every expect holds (known engine gaps aside)', () => {
        const a = analysis();
        expect(a.findings.filter((f) => f.code === 'syntax-error').map((f) => f.message)).toEqual([]);
        const gaps = gapShares(file);
        const mismatches = a.findings.filter((f) => f.code === 'expect-mismatch' && !(f.share && gaps.has(f.share)));
        expect(mismatches.map((f) => f.message)).toEqual([]);
      });

      it('triggers the diagnostic codes its header names', () => {
        const a = analysis();
        const codes = [...new Set(a.findings.map((f) => f.code).filter((c) => c !== 'expect-mismatch'))].sort();
        expect(codes).toEqual([...(EXPECTED_CODES[file] ?? [])].sort());
      });
    });
  }

  for (const gap of KNOWN_GAPS) {
    // Shown as a todo in every run until the engine follows the kernel here.
    it.todo(`KNOWN ENGINE GAP ${gap.file} ${gap.share}: ${gap.reason}`);
    it(`still has the known gap at ${gap.file} ${gap.share} (if this fails, the engine was fixed: remove the entry)`, () => {
      const a = analyzePath(join(dir, gap.file));
      expect(a.shares.map((s) => s.name)).toContain(gap.share);
      expect(a.findings.filter((f) => f.code === 'expect-mismatch' && f.share === gap.share).length).toBeGreaterThan(0);
    });
  }
});
