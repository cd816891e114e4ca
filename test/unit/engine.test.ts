// The mapping engine against the worked examples of docs/kernel.md (Worked examples). Each test
// is named after the example and the kernel function it exercises.
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers/analyzeFile';
import type { Analysis } from '../../server/src/analysis/analyze';
import { stepTexts } from '../../server/src/engine/types';

const INTEL_A_WINDOWS = `
    window 0xa_0000 .. 0xb_ffff
    window 0x8000_0000 .. 0xfbff_ffff
    window 0x38_0000_0000 .. 0x7f_ffff_ffff`;

/** A platform text: `cpu`, `kernel`, `iommu` lines and host bridges given verbatim. */
function platform(body: string): string {
  return `platform m {
  memory low 0x0 .. 0x7fff_ffff
  memory high 0x1_0000_0000 size 64G
${body}
}
`;
}

function share(a: Analysis, name: string) {
  const s = a.shares.find((x) => x.name === name);
  if (!s) throw new Error(`no share ${name}; have ${a.shares.map((x) => x.name).join(', ')}; findings: ${a.findings.map((f) => f.message).join(' | ')}`);
  return s;
}

const codes = (a: Analysis) => a.findings.map((f) => f.code).sort();
const noErrors = (a: Analysis) => expect(a.findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([]);

const VFIO_SHARE = `{ attach dynamic move_notify peer2peer }`;

/** A switch with two endpoints, `gpu0` (BAR 0x40_0000_0000) and `nic0` (BAR at `nicBar`). */
function switchPair(opts: { id?: string; acs?: boolean; nicBar?: string; nicSize?: string } = {}): string {
  const acs = opts.acs ? ' acs' : '';
  return `  host_bridge hb0 id ${opts.id ?? '8086:2030'} {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0${acs} {
      switch sw0 01:00.0${acs} {
        gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable }
        nic nic0 04:00.0 { bar 0 ${opts.nicBar ?? '0x60_0000_0000'} size ${opts.nicSize ?? '1G'} }
      }
    }
  }`;
}

/** Two root ports of one host bridge, `gpu0` under rp0 and `nic0` under rp1. */
function twoRootPorts(id: string | undefined): string {
  return `  host_bridge hb0${id ? ` id ${id}` : ''} {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 acs { gpu gpu0 01:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable } }
    root_port rp1 00:1c.0 acs { nic nic0 02:00.0 { bar 0 0x60_0000_0000 size 1G } }
  }`;
}

describe('P2P map type (drivers/pci/p2pdma.c)', () => {
  it('kernel.md example 1: a device exporting its BAR to itself is BUS_ADDR at distance 0 (calc_map_type_and_dist, pci_p2pdma_bus_addr_map)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
${switchPair({ nicBar: '0x38_0000_0000' })}`) +
        `buffer b from nic0 driver vfio-pci { size 64K }
share b -> nic0 ${VFIO_SHARE}`,
    );
    noErrors(a);
    const s = share(a, 'b->nic0');
    expect([s.mapType, s.distance, s.addressKind, s.segments[0]?.dma]).toEqual(['BUS_ADDR', 0, 'bus', 0x38_0000_0000n]);
    expect(s.path).toEqual(['nic0']);
  });

  it('kernel.md example 4: Xeon E5 v3 (8086:2f00) allows P2P through one host bridge (__host_bridge_whitelist REQ_SAME_HOST_BRIDGE)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
  iommu vtd
${switchPair({ id: '8086:2f00', acs: true })}`) +
        `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`,
    );
    const s = share(a, 'b->gpu0');
    expect([s.mapType, s.addressKind, s.segments[0]?.dma]).toEqual(['THRU_HOST_BRIDGE', 'iova', 0xffff_0000n]);
  });

  const twoBridges = (id: string, cpu = 'intel') =>
    platform(`  cpu ${cpu}
  kernel { move_notify }
  host_bridge hb0 id ${id} {
    window 0x8000_0000 .. 0xbfff_ffff
    window 0x40_0000_0000 .. 0x4f_ffff_ffff
    root_port rp0 00:01.0 { gpu gpu0 01:00.0 { bar 0 0x40_0000_0000 size 16G } }
  }
  host_bridge hb1 id ${id} {
    window 0xc000_0000 .. 0xfbff_ffff
    window 0x50_0000_0000 .. 0x5f_ffff_ffff
    root_port rp8 80:01.0 { nic nic0 81:00.0 { bar 0 0x50_0000_0000 size 1G } }
  }`) +
    `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`;

  it('kernel.md example 5: Xeon E5 v3 across two host bridges is NOT_SUPPORTED and the vfio map fails (host_bridge_whitelist)', () => {
    const a = analyzeText(twoBridges('8086:2f00'));
    const s = share(a, 'b->gpu0');
    expect([s.mapType, s.ok, s.addressKind]).toEqual(['NOT_SUPPORTED', false, 'none']);
    expect(s.path).toEqual(['nic0', 'rp8', 'hb1', 'hb0', 'rp0', 'gpu0']);
    expect(codes(a)).toContain('p2p-not-supported');
  });

  it('kernel.md example 6: Skylake-SP across host bridges is THRU_HOST_BRIDGE, CPU physical without an IOMMU (host_bridge_whitelist, dma_direct_map_phys)', () => {
    const a = analyzeText(twoBridges('8086:2030'));
    const s = share(a, 'b->gpu0');
    expect([s.mapType, s.distance, s.addressKind, s.segments[0]?.dma]).toEqual(['THRU_HOST_BRIDGE', 4, 'phys', 0x50_0000_0000n]);
  });

  it('kernel.md example 7: AMD family 19h allows any host-bridge path; no IOMMU gives the CPU physical BAR address (cpu_supports_p2pdma, dma_iova_try_alloc)', () => {
    const a = analyzeText(twoBridges('1022:1480', 'amd family 0x19'));
    const s = share(a, 'b->gpu0');
    expect([s.mapType, s.addressKind, s.segments[0]?.dma]).toEqual(['THRU_HOST_BRIDGE', 'phys', 0x50_0000_0000n]);
    expect(stepTexts(s.explain).join('\n')).toMatch(/cpu_supports_p2pdma/);
  });

  it('Hygon never qualifies for the CPU rule (cpu_supports_p2pdma checks X86_VENDOR_AMD)', () => {
    const a = analyzeText(twoBridges('1d94:1450', 'hygon family 0x18'));
    expect(share(a, 'b->gpu0').mapType).toBe('NOT_SUPPORTED');
  });

  it('kernel.md example 8: two root ports of a non-whitelisted client host bridge are NOT_SUPPORTED (calc_map_type_and_dist)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
${twoRootPorts('8086:a700')}`) +
        `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`,
    );
    const s = share(a, 'b->gpu0');
    expect([s.mapType, s.distance, s.ok]).toEqual(['NOT_SUPPORTED', 4, false]);
    expect(s.path).toEqual(['nic0', 'rp1', 'hb0', 'rp0', 'gpu0']);
  });

  it('a host bridge without an id is not whitelisted (pci_host_bridge_dev)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
${twoRootPorts(undefined)}`) +
        `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`,
    );
    expect(share(a, 'b->gpu0').mapType).toBe('NOT_SUPPORTED');
  });

  it('kernel.md example 13: two VFs of one PF are BUS_ADDR at distance 2; ACS on the root port (the common ancestor) redirects (pci_upstream_bridge, calc_map_type_and_dist)', () => {
    const model = (iommu: string) =>
      platform(`  kernel { move_notify }
${iommu}
  host_bridge hb0 id 8086:a700 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 acs {
      nic pf0 01:00.0 {
        bar 0 0x60_0000_0000 size 1G
        vf vf1 01:00.1 { bar 0 0x60_4000_0000 size 1M }
        vf vf2 01:00.2 { bar 0 0x60_4010_0000 size 1M }
      }
    }
  }`) +
      `buffer b from vf1 driver vfio-pci { size 64K }
share b -> vf2 ${VFIO_SHARE}`;
    const plain = share(analyzeText(model('')), 'b->vf2');
    expect([plain.mapType, plain.distance, plain.addressKind, plain.segments[0]?.dma]).toEqual(['BUS_ADDR', 2, 'bus', 0x60_4000_0000n]);
    expect(plain.path).toEqual(['vf1', 'rp0', 'vf2']);
    // With VT-d the kernel sets RR/CR on the ACS-capable root port; 8086:a700 is not whitelisted.
    const redirected = analyzeText(model('  iommu vtd'));
    expect(share(redirected, 'b->vf2').mapType).toBe('NOT_SUPPORTED');
    expect(codes(redirected)).toEqual(expect.arrayContaining(['acs-redirect', 'p2p-not-supported']));
  });

  it('disable_acs_redir restores BUS_ADDR under a switch with VT-d on (pci_disable_acs_redir)', () => {
    const body = (k: string) =>
      platform(`  kernel { move_notify ${k} }
  iommu vtd
  host_bridge hb0 id 8086:2030 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 acs {
      switch sw0 01:00.0 {
        port dsp0 02:00.0 acs { gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G } }
        port dsp1 02:01.0 acs { nic nic0 04:00.0 { bar 0 0x60_0000_0000 size 1G } }
      }
    }
  }`) +
      `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`;
    const before = analyzeText(body(''));
    expect(share(before, 'b->gpu0').mapType).toBe('THRU_HOST_BRIDGE');
    const acs = before.findings.find((f) => f.code === 'acs-redirect')!;
    expect(acs.data?.['bdfs']).toEqual(['02:01.0', '02:00.0']);
    const after = analyzeText(body('disable_acs_redir 02:00.0, 02:01.0'));
    const s = share(after, 'b->gpu0');
    expect([s.mapType, s.addressKind, s.segments[0]?.dma]).toEqual(['BUS_ADDR', 'bus', 0x60_0000_0000n]);
    expect(codes(after)).not.toContain('acs-redirect');
  });

  it('acs_ctl states the bits as read: EC alone redirects, SV and UF alone do not (pci_bridge_has_acs_redir)', () => {
    const model = (bits: string) =>
      platform(`  kernel { move_notify }
  host_bridge hb0 id 8086:2030 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 {
      switch sw0 01:00.0 acs_ctl ${bits} {
        gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G }
        nic nic0 04:00.0 { bar 0 0x60_0000_0000 size 1G }
      }
    }
  }`) +
      `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`;
    expect(share(analyzeText(model('ec')), 'b->gpu0').mapType).toBe('THRU_HOST_BRIDGE');
    expect(share(analyzeText(model('sv uf tb dt')), 'b->gpu0').mapType).toBe('BUS_ADDR');
  });
});

describe('bus addresses and dma-direct (p2pdma.c pcim_p2pdma_init, include/linux/dma-direct.h)', () => {
  const arm = (importerUnderSwitch: boolean, id = '1ae0:0001') =>
    platform(`  cpu arm
  kernel { move_notify }
  host_bridge hb0 id ${id} {
    window 0x6_0000_0000 .. 0x6_ffff_ffff offset 0x5_c000_0000
    root_port rp0 00:01.0 {
      switch sw0 01:00.0 {
        nic nic0 03:00.0 { bar 0 0x6_0010_0000 size 1M }
        ${importerUnderSwitch ? 'gpu gpu0 04:00.0 { bar 0 0x6_4000_0000 size 256M }' : ''}
      }
    }
    ${importerUnderSwitch ? '' : 'root_port rp1 00:02.0 { gpu gpu0 05:00.0 { bar 0 0x6_4000_0000 size 256M } }'}
  }`) +
    `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`;

  it('kernel.md example 11: BUS_ADDR applies the window offset: bus = CPU − offset (pci_p2pdma_bus_addr_map)', () => {
    const s = share(analyzeText(arm(true)), 'b->gpu0');
    expect([s.mapType, s.addressKind, s.segments[0]?.dma]).toEqual(['BUS_ADDR', 'bus', 0x4010_0000n]);
  });

  it('kernel.md example 12: THRU_HOST_BRIDGE on a Google root never applies the offset (__host_bridge_whitelist, dma_direct_map_phys)', () => {
    const s = share(analyzeText(arm(false)), 'b->gpu0');
    expect([s.mapType, s.addressKind, s.segments[0]?.dma]).toEqual(['THRU_HOST_BRIDGE', 'phys', 0x6_0010_0000n]);
  });

  it('kernel.md example 18: an identity (passthrough) IOMMU domain means dma-direct: the CPU physical BAR address (iommu_setup_dma_ops)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
  iommu vtd mode identity
${switchPair({ acs: true, nicBar: '0x38_0000_0000' })}`) +
        `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`,
    );
    const s = share(a, 'b->gpu0');
    expect([s.mapType, s.addressKind, s.segments[0]?.dma]).toEqual(['THRU_HOST_BRIDGE', 'phys', 0x38_0000_0000n]);
  });

  const dtRam = (at: string) =>
    platform(`  cpu arm
  host_bridge hb0 { window 0x6_0000_0000 .. 0x6_ffff_ffff }
  platform_device dma0 { dma_mask 64 dma_range 0x0 -> 0x8_0000_0000 size 1G }`).replace('memory high 0x1_0000_0000 size 64G', 'memory high 0x8_0000_0000 size 16G') +
    `buffer b from heap { size 4K at ${at} }
share b -> dma0`;

  it('kernel.md example 19: dma-ranges translate CPU 0x8_0010_0000 to bus 0x10_0000 (translate_phys_to_dma)', () => {
    const s = share(analyzeText(dtRam('0x8_0010_0000')), 'b->dma0');
    expect([s.addressKind, s.segments[0]?.dma]).toEqual(['phys', 0x10_0000n]);
  });

  it('kernel.md example 20: a page outside the dma-ranges bounces through swiotlb (translate_phys_to_dma, dma_direct_map_phys)', () => {
    const a = analyzeText(dtRam('0x9_0000_0000'));
    const s = share(a, 'b->dma0');
    expect([s.addressKind, s.segments.length, s.ok]).toEqual(['swiotlb', 0, true]);
    expect(codes(a)).toContain('swiotlb-bounce');
  });

  it('kernel.md example 21: a 32-bit bus_dma_limit bounces a RAM page above 4 GiB; swiotlb_off makes it unreachable (dma_capable)', () => {
    const model = (k: string) =>
      platform(`  kernel { ${k} }
  host_bridge hb0 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 { nic nic0 01:00.0 { bar 0 0x60_0000_0000 size 1M bus_dma_limit 0xffff_ffff } }
  }`) +
      `buffer b from heap { size 4K at 0x1_2345_6000 }
share b -> nic0`;
    const bounced = analyzeText(model(''));
    expect(share(bounced, 'b->nic0').addressKind).toBe('swiotlb');
    const off = analyzeText(model('swiotlb_off'));
    expect([share(off, 'b->nic0').ok, share(off, 'b->nic0').addressKind]).toEqual([false, 'none']);
    expect(codes(off)).toContain('dma-unreachable');
  });

  it('kernel.md example 22: a confidential-computing guest cannot map MMIO through dma-direct (dma_direct_map_phys force-bounce)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify cc_guest }
${twoRootPorts('8086:2030')}`) +
        `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`,
    );
    const s = share(a, 'b->gpu0');
    expect([s.mapType, s.ok]).toEqual(['THRU_HOST_BRIDGE', false]);
    expect(codes(a)).toContain('dma-unreachable');
  });
});

describe('IOVA through dma-iommu (dma-iommu.c iommu_dma_alloc_iova, iova.c)', () => {
  it('kernel.md example 15: a 256 MiB vfio BAR export walks past MSI and the 32-bit window to 0x70000000 (__alloc_and_insert_iova_range)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
  iommu vtd
${switchPair({ acs: true })}`) +
        `buffer b from nic0 driver vfio-pci { size 256M }
share b -> gpu0 ${VFIO_SHARE}`,
    );
    const s = share(a, 'b->gpu0');
    expect([s.addressKind, s.segments]).toEqual(['iova', [{ dma: 0x7000_0000n, length: 0x1000_0000n }]]);
  });

  it('kernel.md example 16: a non-PCI device never tries 32-bit first: 4 KiB from the top of the 48-bit aperture (iommu_dma_alloc_iova)', () => {
    const a = analyzeText(
      platform(`  iommu vtd
  platform_device dsa { dma_mask 64 }`) +
        `buffer b from heap { size 4K }
share b -> dsa`,
    );
    expect(share(a, 'b->dsa').segments[0]?.dma).toBe(0xffff_ffff_f000n);
  });

  it('forcedac makes PCI devices skip the 32-bit attempt (iommu.forcedac, iommu_dma_alloc_iova)', () => {
    const a = analyzeText(
      platform(`  kernel { forcedac }
  iommu vtd
  host_bridge hb0 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 { nic nic0 01:00.0 { bar 0 0x60_0000_0000 size 1M } }
  }`) +
        `buffer b from heap { size 4K }
share b -> nic0`,
    );
    expect(share(a, 'b->nic0').segments[0]?.dma).toBe(0xffff_ffff_f000n);
  });

  it('kernel.md example 28: a 4 GiB vfio export switches to 64-bit for good and is split at UINT_MAX into two sg entries (iommu_dma_alloc_iova, fill_sg_entry)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
  iommu vtd
${switchPair({ acs: true, nicBar: '0x60_0000_0000', nicSize: '8G' })}`) +
        `buffer big from nic0 driver vfio-pci { size 4G }
buffer small from heap { size 4K }
share big -> gpu0 ${VFIO_SHARE}
share small -> gpu0`,
    );
    const s = share(a, 'big->gpu0');
    expect(s.segments).toEqual([
      { dma: 0xffff_0000_0000n, length: 0xffff_ffffn },
      { dma: 0xffff_ffff_ffffn, length: 1n },
    ]);
    expect(stepTexts(s.explain).join('\n')).toMatch(/48-bit DMA addresses/);
    expect(codes(a)).toContain('sg-split-4g');
    // The device never tries below 4 GiB again (pci_32bit_workaround cleared).
    expect(share(a, 'small->gpu0').segments[0]!.dma > 0xffff_ffffn).toBe(true);
  });

  it('amd-vi reserves the HyperTransport range and a `reserve` adds one (amd_iommu_get_resv_regions, iova_reserve_iommu_regions)', () => {
    const a = analyzeText(
      platform(`  cpu amd family 0x19
  kernel { forcedac }
  iommu amd-vi { aperture 40 reserve 0xff_ffe0_0000 .. 0xff_ffff_ffff }
  host_bridge hb0 { window 0x8000_0000 .. 0xfbff_ffff
    root_port rp0 00:01.0 { nic nic0 01:00.0 { bar 0 0x8000_0000 size 1M } } }`) +
        `buffer b from heap { size 4K }
share b -> nic0`,
    );
    // 40-bit aperture ends at 0xff_ffff_ffff, inside the HT range 0xfd_0000_0000..: the IOVA lands below it.
    expect(share(a, 'b->nic0').segments[0]?.dma).toBe(0xfc_ffff_f000n);
  });

  it('a port isolates when the features its ACS capability lacks are the ones not set: they count as hard-wired (pci_acs_flags_enabled)', () => {
    // The Titan Ridge iMac (docs/import.md): the PCH root port advertises no UF, the
    // Thunderbolt switch's downstream ports advertise only SV and UF.
    const model = (rp: string, dsp: string) =>
      platform(`  iommu vtd
  host_bridge hb0 {${INTEL_A_WINDOWS}
    root_port rp4 00:1c.4 ${rp} {
      switch tb0 07:00.0 {
        port dsp0 08:00.0 ${dsp} { nic nhi 09:00.0 { bar 0 0x60_0000_0000 size 1M } }
        port dsp2 08:02.0 ${dsp} { nic xhci 0a:00.0 { bar 0 0x60_0010_0000 size 1M } }
      }
    }
  }`) +
      `buffer a from heap { size 4K }
buffer b from heap { size 4K }
share a -> nhi
share b -> xhci`;
    // As lspci shows it: every advertised feature of SV RR CR UF is on, so both ports
    // isolate and each endpoint has a group (and a fresh IOVA domain) of its own.
    const real = analyzeText(model('acs_cap sv rr cr acs_ctl sv rr cr', 'acs_cap sv uf acs_ctl sv uf'));
    expect(share(real, 'a->nhi').iommuGroup).not.toBe(share(real, 'b->xhci').iommuGroup);
    expect(share(real, 'b->xhci').segments[0]?.dma).toBe(0xffff_f000n);
    // The same control bits without the capability look like missing UF on the root
    // port: everything below it shares one group and one IOVA domain.
    const ctlOnly = analyzeText(model('acs_ctl sv rr cr', 'acs_ctl sv uf'));
    expect(share(ctlOnly, 'a->nhi').iommuGroup).toBe(share(ctlOnly, 'b->xhci').iommuGroup);
    expect(share(ctlOnly, 'b->xhci').segments[0]?.dma).toBe(0xffff_e000n);
  });

  it('with an IOMMU the kernel sets only the advertised ACS bits (pci_std_enable_acs)', () => {
    const model = (cap: string) =>
      platform(`  kernel { move_notify }
  iommu vtd
  host_bridge hb0 id 8086:2030 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 {
      switch sw0 01:00.0 {
        port dsp0 02:00.0 ${cap} { gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G } }
        port dsp1 02:01.0 ${cap} { nic nic0 04:00.0 { bar 0 0x60_0000_0000 size 1G } }
      }
    }
  }`) +
      `buffer b from nic0 driver vfio-pci { size 64K }
share b -> gpu0 ${VFIO_SHARE}`;
    // No RR/CR/EC in the capability: nothing to redirect, so the TLPs turn around in the switch.
    expect(share(analyzeText(model('acs_cap sv uf')), 'b->gpu0').mapType).toBe('BUS_ADDR');
    expect(share(analyzeText(model('acs_cap sv rr cr uf')), 'b->gpu0').mapType).toBe('THRU_HOST_BRIDGE');
  });

  it('IOMMU groups: devices below one non-isolating port share one IOVA domain, so their addresses interleave (pci_device_group, iommu_dma_init_domain)', () => {
    const a = analyzeText(
      platform(`  iommu vtd
  host_bridge hb0 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 {
      nic nic0 01:00.0 { bar 0 0x60_0000_0000 size 1M }
      nic nic1 01:00.1 { bar 0 0x60_0010_0000 size 1M }
    }
    root_port rp1 00:02.0 acs { nic nic2 02:00.0 { bar 0 0x60_0020_0000 size 1M } }
  }`) +
        `buffer a from heap { size 4K }
buffer b from heap { size 4K }
buffer c from heap { size 4K }
share a -> nic0
share b -> nic1
share c -> nic2`,
    );
    expect(share(a, 'a->nic0').segments[0]?.dma).toBe(0xffff_f000n);
    expect(share(a, 'b->nic1').segments[0]?.dma).toBe(0xffff_e000n);
    expect(share(a, 'c->nic2').segments[0]?.dma).toBe(0xffff_f000n);
    expect(share(a, 'a->nic0').iommuGroup).toBe(share(a, 'b->nic1').iommuGroup);
    expect(share(a, 'c->nic2').iommuGroup).not.toBe(share(a, 'a->nic0').iommuGroup);
  });
});

describe('exporters and attachments (dma-buf.c, vfio_pci_dmabuf.c, amdgpu_dma_buf.c)', () => {
  const vfio = (shareBody: string, kernel = 'move_notify', bufferBody = 'size 64K') =>
    analyzeText(
      platform(`  kernel { ${kernel} }
  iommu vtd
${switchPair({ acs: true })}
  iommufd ioas0
  kvm vm0
  platform_device dma0 { parent nic0 }`) +
        `buffer b from nic0 driver vfio-pci { ${bufferBody} }
${shareBody}`,
    );

  it('kernel.md example 23: vfio-pci with two ranges cannot go to iommufd; one range can (vfio_pci_dma_buf_iommufd_map)', () => {
    const two = vfio('share b -> ioas0', 'move_notify', 'range offset 0 size 64K range offset 1M size 64K');
    expect([share(two, 'b->ioas0').ok, share(two, 'b->ioas0').mapType]).toEqual([false, 'PRIVATE']);
    expect(codes(two)).toContain('pfn-no-path');
    const one = vfio('share b -> ioas0');
    const s = share(one, 'b->ioas0');
    expect([s.ok, s.mapType, s.addressKind, s.segments[0]?.dma]).toEqual([true, 'PRIVATE', 'phys', 0x60_0000_0000n]);
    noErrors(one);
  });

  it('kernel.md example 24: vfio-pci refuses a static importer (vfio_pci_dma_buf_attach)', () => {
    const a = vfio('share b -> gpu0');
    expect(share(a, 'b->gpu0').ok).toBe(false);
    expect(codes(a)).toContain('static-importer-refused');
  });

  it('kernel.md example 25 / §12: with CONFIG_DMABUF_MOVE_NOTIFY off every sgt map of a vfio buffer fails at pin (dma_buf_pin_on_map)', () => {
    const a = vfio(`share b -> gpu0 ${VFIO_SHARE}`, '');
    expect(share(a, 'b->gpu0').ok).toBe(false);
    expect(codes(a)).toContain('pin-unsupported');
  });

  it('a dynamic attachment without move_notify is refused (dma_buf_dynamic_attach)', () => {
    const a = vfio('share b -> gpu0 { attach dynamic peer2peer }');
    expect(codes(a)).toContain('missing-notifier');
    expect(share(a, 'b->gpu0').ok).toBe(false);
  });

  it('kernel.md example 10: a non-PCI child of the NIC mapping a vfio buffer gets NOT_SUPPORTED: no parent walk (pci_p2pdma_map_type)', () => {
    const a = vfio(`share b -> dma0 ${VFIO_SHARE}`);
    expect([share(a, 'b->dma0').mapType, share(a, 'b->dma0').ok]).toEqual(['NOT_SUPPORTED', false]);
    expect(codes(a)).toContain('not-pci-importer');
  });

  it('J5: kvm has no mainline path to a heap buffer (dma_buf_get_pfn_unlocked is an RFC)', () => {
    const a = analyzeText(
      platform(`  kvm vm0
  host_bridge hb0 { window 0x8000_0000 .. 0xfbff_ffff }`) +
        `buffer b from heap { size 4K }
share b -> vm0`,
    );
    expect(share(a, 'b->vm0').ok).toBe(false);
    expect(codes(a)).toContain('pfn-no-path');
  });

  const amd = (kernel: string, shareBody: string, extra = '') =>
    analyzeText(
      platform(`  kernel { ${kernel} }
  iommu vtd
  host_bridge hb0 id 8086:2030 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 acs {
      switch sw0 01:00.0 acs {
        gpu gpuA 03:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable }
        gpu gpuB 04:00.0 { bar 0 0x50_0000_0000 size 16G prefetchable }
      }
    }
  }
${extra}`) +
        `buffer fb from gpuA driver amdgpu { size 64M }
share fb -> gpuB ${shareBody}`,
    );

  it('kernel.md example 26: amdgpu VRAM to a GPU under one switch with VT-d and ACS: THRU_HOST_BRIDGE, an IOVA, VRAM kept (amdgpu_dma_buf_attach, amdgpu_vram_mgr_alloc_sgt)', () => {
    const a = amd('move_notify', VFIO_SHARE);
    const s = share(a, 'fb->gpuB');
    expect([s.mapType, s.placement, s.addressKind, s.ok]).toEqual(['THRU_HOST_BRIDGE', 'vram', 'iova', true]);
    expect(codes(a)).toEqual(['acs-redirect', 'p2p-host-bridge']);
  });

  it('kernel.md example 27: with MOVE_NOTIFY off the same BO is pinned in GTT: system memory, a RAM IOVA (dma_buf_pin_on_map, amdgpu_dma_buf_pin)', () => {
    const a = amd('', VFIO_SHARE);
    const s = share(a, 'fb->gpuB');
    expect([s.mapType, s.placement, s.addressKind]).toEqual(['THRU_HOST_BRIDGE', 'system', 'iova']);
    expect(codes(a)).toEqual(['pinned-on-map']);
  });

  it('amdgpu maps VRAM through the IOMMU even where BUS_ADDR is possible (amdgpu_vram_mgr_alloc_sgt uses dma_map_resource)', () => {
    const b = analyzeText(
      platform(`  kernel { move_notify }
  iommu vtd
  host_bridge hb0 id 8086:2030 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 {
      switch sw0 01:00.0 {
        gpu gpuA 03:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable }
        gpu gpuB 04:00.0 { bar 0 0x50_0000_0000 size 16G prefetchable }
      }
    }
  }`) +
        `buffer fb from gpuA driver amdgpu { size 64M }
share fb -> gpuB ${VFIO_SHARE}`,
    );
    const s = share(b, 'fb->gpuB');
    expect([s.mapType, s.addressKind]).toEqual(['BUS_ADDR', 'iova']);
    expect(codes(b)).toContain('p2p-via-iommu');
  });

  it('kernel.md example 9: amdgpu to a platform device without a PCI parent falls back to system memory (find_parent_pci_dev)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
  host_bridge hb0 id 8086:2030 {${INTEL_A_WINDOWS}
    root_port rp0 00:01.0 { gpu gpu0 01:00.0 { bar 0 0x40_0000_0000 size 16G } }
  }
  platform_device disp { dma_mask 64 }`) +
        `buffer fb from gpu0 driver amdgpu { size 8M }
share fb -> disp ${VFIO_SHARE}`,
    );
    const s = share(a, 'fb->disp');
    expect([s.placement, s.addressKind, s.segments[0]?.dma]).toEqual(['system', 'phys', 0x1_0000_0000n]);
    expect(codes(a)).toContain('p2p-fallback-system');
  });

  it('XGMI peers keep peer2peer even where PCIe P2P is NOT_SUPPORTED (amdgpu_dma_buf_attach)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
${twoRootPorts('8086:a700').replace('nic nic0', 'gpu nic0')}
  link xgmi gpu0, nic0`) +
        `buffer fb from gpu0 driver amdgpu { size 64M }
share fb -> nic0 ${VFIO_SHARE}`,
    );
    const s = share(a, 'fb->nic0');
    // amdgpu_dma_buf_map: VRAM is never DMA-mapped for an XGMI peer.
    expect([s.placement, s.mapType, s.addressKind, s.segments, s.ok]).toEqual(['vram', 'PRIVATE', 'none', [], true]);
  });

  it('BAR packing: buffers of one BAR are packed in declaration order, 2 MiB aligned (docs/language.md §4.3)', () => {
    const a = analyzeText(
      platform(`  kernel { move_notify }
${switchPair({ nicSize: '1G' })}`) +
        `buffer one from nic0 driver vfio-pci { size 64K }
buffer two from nic0 driver vfio-pci { size 64K }
share two -> gpu0 ${VFIO_SHARE}`,
    );
    expect(share(a, 'two->gpu0').segments[0]?.dma).toBe(0x60_0020_0000n);
  });
});
