// Which DMA implementation serves a device, and its IOVA domain
// (kernel/dma/mapping.c dma_map_phys, drivers/iommu/dma-iommu.c iommu_setup_dma_ops,
// iommu_dma_init_domain, iova_reserve_pci_windows, iova_reserve_iommu_regions), and the
// dma-direct address of a CPU physical range (include/linux/dma-direct.h).

import type { PciFunction, Platform, PlatformDevice } from '../model/types';
import { IovaDomain, type IovaDeviceState, type IovaRange } from './iova';
import type { Groups } from './groups';
import { kernelHas } from './releases';

/** dma-iommu (a translated DMA domain), dma-direct, or a driver-owned domain (§4.2 C6). */
export type DmaKind = 'iommu' | 'direct';

export interface DeviceDma {
  readonly kind: DmaKind;
  /** The driver attached its own IOMMU domain: DMA-API addresses are not the ones it uses. */
  readonly privateDomain: boolean;
  readonly domain: IovaDomain | undefined;
  /** IOMMU group number (PCI) or the platform device's own group. */
  readonly group: number | undefined;
  readonly state: IovaDeviceState;
  /** dma_get_mask(): an inclusive byte limit. */
  readonly dmaLimit: bigint;
  readonly busDmaLimit: bigint | undefined;
  /** dev->dma_range_map: bus ← CPU translations (DT dma-ranges). */
  readonly dmaRanges: readonly { bus: bigint; cpu: bigint; size: bigint }[];
  readonly untrusted: boolean;
  readonly why: string;
}

const mask = (bits: number) => (1n << BigInt(bits)) - 1n;
const U64 = mask(64);
/** Ranges the model reported as invalid (empty, negative, wider than 64 bits) reserve nothing. */
const validRange = (r: IovaRange) => r.first >= 0n && r.last >= r.first && r.last <= U64;

const MSI: IovaRange = { first: 0xfee0_0000n, last: 0xfeef_ffffn };
const AMD_HT: IovaRange = { first: 0xfd_0000_0000n, last: 0xff_ffff_ffffn };

/** Reserved regions every domain of this IOMMU gets (iommu_get_resv_regions, minus SW_MSI). */
function iommuResvRegions(platform: Platform): IovaRange[] {
  const iommu = platform.iommu!;
  const r: IovaRange[] = [];
  if (iommu.type === 'vtd' || iommu.type === 'amd-vi') r.push(MSI); // IOMMU_RESV_MSI
  if (iommu.type === 'amd-vi') r.push(AMD_HT); // amd_iommu_get_resv_regions: HyperTransport
  r.push(...iommu.reserves.filter(validRange));
  return r;
}


export class DmaSetup {
  private readonly pciDomains = new Map<number, IovaDomain>();
  private readonly byFn = new Map<PciFunction, DeviceDma>();
  private readonly byPdev = new Map<PlatformDevice, DeviceDma>();
  private nextPlatformGroup: number;

  constructor(
    private readonly platform: Platform,
    private readonly groups: Groups,
  ) {
    this.nextPlatformGroup = groups.all.length;
  }

  /** The DMA setup of a PCI function, created on first use. */
  forPci(fn: PciFunction): DeviceDma {
    let d = this.byFn.get(fn);
    if (d) return d;
    const p = this.platform;
    const group = this.groups.groupOf.get(fn);
    let kind: DmaKind = 'direct';
    let why = 'no IOMMU: dma-direct';
    if (p.iommu) {
      const mode = fn.untrusted ? 'dma' : fn.iommuOverride === 'private' ? 'dma' : (fn.iommuOverride ?? (p.iommu.mode === 'identity' ? 'identity' : 'dma'));
      if (mode === 'identity') {
        why = 'identity (passthrough) domain: dma-direct';
      } else {
        kind = 'iommu';
        why = fn.untrusted
          ? `untrusted device: always a DMA domain (IOMMU group ${group?.id})`
          : `translated DMA domain of IOMMU group ${group?.id} (${p.iommu.mode === 'lazy' ? 'lazy, DMA_FQ' : 'strict'})`;
      }
    }
    let domain: IovaDomain | undefined;
    if (kind === 'iommu' && group) {
      domain = this.pciDomains.get(group.id);
      if (!domain) {
        // One IOVA domain per IOMMU group; the host bridge's windows are reserved as bus
        // addresses (iova_reserve_pci_windows), then the IOMMU's regions.
        // Windows the model already reported as invalid (empty, or below 0 after the
        // offset) reserve nothing.
        const windows = fn.hostBridge.windows
          .map((w) => ({ first: w.first - w.offset, last: w.last - w.offset }))
          .filter(validRange);
        domain = new IovaDomain({ apertureBits: p.iommu!.apertureBits, reserved: [...windows, ...iommuResvRegions(p)] });
        this.pciDomains.set(group.id, domain);
      }
    }
    // The same fields in the same order as forPlatformDevice: one object shape.
    d = {
      kind,
      privateDomain: fn.iommuOverride === 'private',
      // iommu_setup_dma_ops: PCI devices try a 32-bit IOVA first unless iommu.forcedac=1;
      // from 6.6 a failure turns that off for the device (releases.ts 'sac-per-device').
      state: { pci32bitWorkaround: !p.kernel.forcedac, sacPerDevice: kernelHas(p, 'sac-per-device') },
      domain,
      group: kind === 'iommu' ? group?.id : undefined,
      dmaLimit: mask(fn.dmaMaskBits),
      busDmaLimit: fn.busDmaLimit,
      dmaRanges: [],
      untrusted: fn.untrusted,
      why,
    };
    this.byFn.set(fn, d);
    return d;
  }

  forPlatformDevice(dev: PlatformDevice): DeviceDma {
    let d = this.byPdev.get(dev);
    if (d) return d;
    const p = this.platform;
    const mode = dev.iommuOverride ?? (p.iommu ? (p.iommu.mode === 'identity' ? 'identity' : 'dma') : 'off');
    const iommu = p.iommu && (mode === 'dma' || mode === 'private');
    const group = iommu ? this.nextPlatformGroup++ : undefined;
    d = {
      kind: iommu ? 'iommu' : 'direct',
      privateDomain: mode === 'private',
      // Non-PCI devices never try a 32-bit IOVA first (pci_32bit_workaround is PCI only).
      state: { pci32bitWorkaround: false, sacPerDevice: kernelHas(p, 'sac-per-device') },
      domain: iommu ? new IovaDomain({ apertureBits: p.iommu!.apertureBits, reserved: iommuResvRegions(p) }) : undefined,
      group,
      dmaLimit: mask(dev.dmaMaskBits),
      busDmaLimit: undefined,
      dmaRanges: dev.dmaRanges,
      untrusted: false,
      why: iommu ? `its own DMA domain (group ${group})` : mode === 'identity' ? 'identity domain: dma-direct' : 'no IOMMU for it: dma-direct',
    };
    this.byPdev.set(dev, d);
    return d;
  }
}

/** translate_phys_to_dma(): through dma_range_map when there is one, else unchanged. */
export function physToDma(dev: DeviceDma, phys: bigint): bigint | undefined {
  if (dev.dmaRanges.length === 0) return phys;
  for (const r of dev.dmaRanges) if (phys >= r.cpu && phys < r.cpu + r.size) return r.bus + (phys - r.cpu);
  return undefined; // DMA_MAPPING_ERROR
}

/** min_not_zero(dma_mask, bus_dma_limit): the highest address the device can reach. */
export function dmaLimitOf(dev: DeviceDma): bigint {
  return dev.busDmaLimit && dev.busDmaLimit < dev.dmaLimit ? dev.busDmaLimit : dev.dmaLimit;
}

/** dma_capable(): the end must lie within min_not_zero(mask, bus_dma_limit). */
export function dmaCapable(dev: DeviceDma, addr: bigint, size: bigint): boolean {
  return addr + size - 1n <= dmaLimitOf(dev);
}
