// dmabuf-lint compare FILE --kernel A,B…, and --kernel for lint: the server evaluates the
// model on each release (dmabuf/shares `kernel`), the CLI sets the answers side by side.
import { describe, expect, it } from 'vitest';
import { lint } from './run';
import { sarifValidator } from './sarifSchema';

const SLOW = 60000;
const KERNELS = '5.15,6.1,6.8,6.12,6.19,7.3';

describe('dmabuf-lint compare', () => {
  it('sample 05 on six releases: Ice Lake 8086:09a2 is whitelisted from 5.18 (feaea1fe8b36), vfio-pci exports from 6.19', { timeout: SLOW }, () => {
    const r = lint(['compare', 'samples/05-hgx-acs-redirect.dmabuf', '--kernel', KERNELS, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.kernels.map((k: { release: string }) => k.release)).toEqual(['5.15', '6.1', '6.8', '6.12', '6.19', '7.3']);
    const row = t.shares.find((s: { share: string }) => s.share === 'gpubar->nic2');
    expect(row.verdicts.map((v: { mapType: string; ok: boolean }) => `${v.mapType} ${v.ok}`)).toEqual([
      'NOT_SUPPORTED false',
      'THRU_HOST_BRIDGE false',
      'THRU_HOST_BRIDGE false',
      'THRU_HOST_BRIDGE false',
      'THRU_HOST_BRIDGE true',
      'THRU_HOST_BRIDGE true',
    ]);
    expect(row.changes[0]).toMatchObject({ from: '5.15', to: '6.1' });
    expect(row.changes[0].reasons.join('\n')).toContain('its entry landed in 5.18');
    expect(row.changes[1]).toMatchObject({ from: '6.12', to: '6.19' });
    expect(row.changes[1].reasons.join('\n')).toContain('− kernel-too-old: gpubar->nic2 fails: vfio-pci dma-buf export needs 6.19');
    // The samples write kernel { move_notify }: on 7.3 the option is gone, an error at the flag.
    expect(t.model).toEqual([{ from: '6.19', to: '7.3', reasons: [expect.stringContaining('+ kernel-option-absent: CONFIG_DMABUF_MOVE_NOTIFY does not exist in 7.3')] }]);
  });

  it('pretty prints one column per release and a distro alias with its base release', { timeout: SLOW }, () => {
    const r = lint(['compare', 'samples/01-vfio-switch.dmabuf', '--kernel', 'ubuntu-24.04,7.0', '--no-color']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('6.8 (ubuntu-24.04)');
    expect(r.stdout).toMatch(/doorbells->gpu0 +BUS_ADDR none fails +BUS_ADDR bus ok/);
    expect(r.stdout).toContain('6.8 (ubuntu-24.04) → 7.0: addressKind none → bus, now maps');
  });

  it('sarif: a valid SARIF 2.1.0 log with a note per share that changes', { timeout: SLOW }, () => {
    const r = lint(['compare', 'samples/02-vfio-switch-iommu.dmabuf', '--kernel', '6.12,6.19', '--format', 'sarif']);
    const doc = JSON.parse(r.stdout);
    const validate = sarifValidator();
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(doc.runs[0].results).toHaveLength(1);
    expect(doc.runs[0].results[0].message.text).toContain('6.12 → 6.19');
  });

  it('bad usage: one release, or one the engine does not model, exits 2', () => {
    expect(lint(['compare', 'samples/01-vfio-switch.dmabuf', '--kernel', '6.8']).status).toBe(2);
    const r = lint(['--kernel', '4.19', 'samples/01-vfio-switch.dmabuf']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--kernel 4.19: not a release the engine models');
  });

  it('lint --kernel 6.8 overrides the model: the vfio-pci share of sample 01 needs 6.19', { timeout: SLOW }, () => {
    const r = lint(['--kernel', '6.8', '--format', 'json', 'samples/01-vfio-switch.dmabuf']);
    expect(r.status).toBe(1);
    const codes = JSON.parse(r.stdout).files[0].diagnostics.map((d: { code: string }) => d.code);
    expect(codes).toContain('kernel-too-old');
  });
});
