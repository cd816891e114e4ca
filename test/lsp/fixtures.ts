// Models for the feature tests of the language server. Each is a complete file.

interface MachineOptions {
  /** The kernel statement, or '' for none. Default `kernel { move_notify }`. */
  readonly kernel?: string;
  /** Default: no IOMMU. */
  readonly iommu?: string;
  /** `switch` (implicit downstream ports) or `ports` (explicit ports with BDFs). */
  readonly tree?: 'switch' | 'ports';
  readonly extra?: readonly string[];
}

export function machine(o: MachineOptions = {}): string {
  const kernel = o.kernel ?? 'kernel { move_notify }';
  const tree =
    o.tree === 'ports'
      ? [
          '    root_port rp0 00:01.0 acs {',
          '      switch sw0 01:00.0 {',
          '        port dp0 02:00.0 acs { gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable } }',
          '        port dp1 02:01.0 acs { nic nic0 04:00.0 { bar 0 0x60_0000_0000 size 8G } }',
          '      }',
          '    }',
        ]
      : [
          '    root_port rp0 00:01.0 acs {',
          '      switch sw0 01:00.0 acs {',
          '        gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable }',
          '        nic nic0 04:00.0 { bar 0 0x60_0000_0000 size 8G }',
          '      }',
          '    }',
        ];
  return [
    'platform lab {',
    '  cpu intel',
    ...(kernel ? [`  ${kernel}`] : []),
    ...(o.iommu ? [`  iommu ${o.iommu}`] : []),
    '  memory high 0x1_0000_0000 size 64G',
    ...(o.extra ?? []).map((x) => `  ${x}`),
    '  host_bridge hb0 id 8086:2030 {',
    '    window 0x40_0000_0000 .. 0x7f_ffff_ffff',
    ...tree,
    '  }',
    '}',
    '',
  ].join('\n');
}

export const NIC_VFIO = 'buffer db from nic0 driver vfio-pci { size 64K }\n';

export function model(...parts: string[]): string {
  return parts.join('\n');
}

/** Inserts `<|>` before the `n`th occurrence (0-based) of `needle`, plus `skip` characters. */
export function cursorAt(text: string, needle: string, n = 0, skip = 0): string {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`fixture: '${needle}' #${n} not found`);
  }
  return text.slice(0, at + skip) + '<|>' + text.slice(at + skip);
}
