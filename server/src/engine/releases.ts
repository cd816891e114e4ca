// The kernel release → feature table (docs/kernel.md §20): every kernel behaviour the
// engine follows that changed between the releases it models, with the release it
// landed in (and, for the one that went away, the release that removed it) and the
// commit or pull it came from. Code that decides reads a feature through `kernelHas`,
// never a version number.

import type { Place, Platform } from '../model/types';
import type { KernelFlag } from '../syntax/ast';
import { type KernelRelease, atLeast, compareRelease, releaseText } from '../ground/release';

export interface KernelFeature {
  /** What the kernel does from that release on, in one clause. */
  readonly what: string;
  /** The first mainline release with it; undefined: not in any release yet (a maintainer tree only). */
  readonly since: KernelRelease | undefined;
  /** The first release without it, for a feature that was removed. */
  readonly until?: KernelRelease;
  /** The commit(s) or pull it came from, and where the release was read. */
  readonly source: string;
}

const r = (major: number, minor: number): KernelRelease => ({ major, minor });

export const KERNEL_FEATURES = {
  // ------------------------------------------------ drivers/pci/p2pdma.c: host bridges
  'whitelist-intel-e5': {
    what: 'the host-bridge whitelist with Intel Xeon E5 / E5 v3 (8086:3c00, 3c01, 2f00, 2f01, REQ_SAME_HOST_BRIDGE)',
    since: r(5, 2),
    source: '494d63b0d5d0 "PCI/P2PDMA: Whitelist some Intel host bridges" (pci-v5.2 pull)',
  },
  'whitelist-skylake-e': {
    what: 'Intel Skylake-E host bridge and root ports in the whitelist (8086:2030–2033, 2020)',
    since: r(5, 7),
    source: 'bc123a515cb7 "PCI/P2PDMA: Add Intel SkyLake-E to the whitelist", 7b94b53db34f "PCI/P2PDMA: Add Intel Sky Lake-E Root Ports B, C, D to the whitelist" (2019–2020; 5.7, inferred from the dates)',
  },
  'cpu-amd-zen': {
    what: 'cpu_supports_p2pdma(): any AMD CPU of family 0x17 or later allows P2P through the host bridge',
    since: r(5, 9),
    source: 'dea286bb71ba "PCI/P2PDMA: Allow P2PDMA on AMD Zen and newer CPUs" (pci-v5.9 pull)',
  },
  'whitelist-ice-lake': {
    what: 'Intel Ice Lake-SP and later (8086:09a2) in the whitelist',
    since: r(5, 18),
    source: 'feaea1fe8b36 "PCI/P2PDMA: Add Intel 3rd Gen Intel Xeon Scalable Processors to whitelist" ("applied … to pci/p2pdma for v5.18", Bjorn Helgaas; in the 5.18 PCI pull)',
  },
  'host-bridge-any-devfn': {
    what: 'pci_host_bridge_dev(): the root bus\'s first device counts when it is devfn 00.0 or a root port at any devfn (Skylake-E root ports B, C, D)',
    since: r(5, 19),
    source: '1af7c26c59eb "PCI/P2PDMA: Whitelist Intel Skylake-E Root Ports at any devfn" (Shlomo Pongratz, April 2022; the PCI pull for 5.19, merge of pci/p2pdma)',
  },
  'whitelist-google': {
    what: 'Google SoCs (1ae0, any device id) in the whitelist, with wildcard device ids',
    since: r(7, 1),
    source: '1a1f96e3e2a8 "PCI/P2PDMA: Allow wildcard Device IDs in host bridge list", 70cf146a674c "PCI/P2PDMA: Add Google SoCs to the P2P DMA host bridge list" (pci-v7.1 pull)',
  },
  'whitelist-intel-accelerators': {
    what: 'Intel DSA, IAA and QAT devices as the first device of a root bus (8086:0b25, 0cfe, 11fb, 1212, 1216, 4940–4948)',
    since: r(7, 2),
    source: '0ba76b19fd4c "PCI/P2PDMA: Add Intel QAT, DSA, IAA devices to whitelist" (7.2 merge window; 7.1.y stable)',
  },
  'whitelist-nvidia-vera': {
    what: 'NVIDIA Vera root ports (10de:2f95–2f98) in the whitelist',
    since: r(7, 3),
    source: '894a78088fc3 "PCI/P2PDMA: Add NVIDIA Vera Rubin to the host bridge list" (7.3 merge window)',
  },
  'whitelist-zhaoxin': {
    what: 'Zhaoxin host bridges (1d17:1003, 1005–1007 REQ_SAME_HOST_BRIDGE, 1008) in the whitelist',
    since: undefined,
    source: 'f7c220404700 "PCI/P2PDMA: Add Zhaoxin host bridges to allowlist": pci/next (kernelorg-mirror/linux_kernel_git_pci_pci cd2698d76c31), in no release the engine models',
  },
  // ------------------------------------------------ drivers/dma-buf/dma-buf.c
  'dynamic-dma-buf': {
    what: 'dynamic dma-buf: pin/unpin, dma_buf_dynamic_attach() with importer_ops and move_notify',
    since: r(5, 7),
    source: 'bb42df4662a4 "dma-buf: add dynamic DMA-buf handling v15" (drm-next for 5.7)',
  },
  'dmabuf-move-notify-kconfig': {
    what: 'CONFIG_DMABUF_MOVE_NOTIFY ("Move notify between drivers (EXPERIMENTAL)", default n): with it off, dma_buf_pin_on_map() pins every attachment of a dynamic exporter',
    since: r(5, 7),
    until: r(7, 1),
    source: 'bb42df4662a4 (added); "dma-buf: Always enable move_notify" in the revoke series, drm-misc-next-2026-02-26, the first drm-misc-next pull for 7.1 (removed: move_notify always on, renamed invalidate_mappings)',
  },
  'allow-peer2peer': {
    what: 'importer_ops->allow_peer2peer and attach->peer2peer',
    since: r(5, 8),
    source: '"dma-buf: add peer2peer flag" (Christian König, posted March 2020, in the drm pull with amdgpu\'s VRAM export; 5.8, inferred)',
  },
  'amdgpu-vram-export': {
    what: 'amdgpu exports VRAM to peers over P2P (amdgpu_dma_buf_attach checks pci_p2pdma_distance)',
    since: r(5, 8),
    source: '"drm/amdgpu: add checks if DMA-buf P2P is supported", "drm/amdgpu: add support for exporting VRAM using DMA-buf v3" (the same drm pull; 5.8, inferred)',
  },
  'amdgpu-vram-pin': {
    what: 'amdgpu_dma_buf_pin() may pin in VRAM when every attachment can do P2P (before: always GTT)',
    since: r(6, 15),
    source: 'f5e7fabd1f5c "drm/amdgpu: allow pinning DMA-bufs into VRAM if all importers can do P2P" (Felix Kuehling, January 2025; AUTOSEL for 6.12–6.14 in April 2025, so mainline in 6.15)',
  },
  'xe-vram-pin': {
    what: 'xe_dma_buf_pin() keeps the BO in VRAM when every attachment can do P2P (before: always migrated to XE_PL_TT)',
    since: r(6, 19),
    source: '"drm/xe/dma-buf: Allow pinning of p2p dma-buf" (Thomas Hellström, patch mail; in the drm-xe-next pull for 6.19, inferred from its date)',
  },
  'rdma-dma-buf-import': {
    what: 'RDMA dma-buf memory regions: ib_umem_dmabuf_get(), a dynamic importer with move_notify (ODP)',
    since: r(5, 12),
    source: '"RDMA: Add dma-buf support" (Jianxin Xiong; 5.12, the release libibverbs users gate on)',
  },
  'rdma-dma-buf-pinned': {
    what: 'ib_umem_dmabuf_get_pinned(): a dynamic attach that pins (EFA, irdma, bnxt_re)',
    since: r(5, 16),
    source: '1e4df4a21c5a "RDMA/umem: Allow pinned dmabuf umem usage" with "RDMA/efa: Add support for dmabuf memory regions" (Gal Pressman, October 2021; 5.16, inferred)',
  },
  // ------------------------------------------------ vfio-pci, iommufd
  'vfio-pci-dma-buf': {
    what: 'vfio-pci exports BAR ranges as a dma-buf (VFIO_DEVICE_FEATURE_DMA_BUF, vfio_pci_core_feature_dma_buf)',
    since: r(6, 19),
    source: '"vfio/pci: Add dma-buf export support for MMIO regions" (Leon Romanovsky), "VFIO updates for v6.19-rc1" pull <20251203130435.4ab658aa.alex@shazbot.org>',
  },
  'vfio-pci-pin-refused': {
    what: 'vfio_pci_dma_buf_pin() always fails (-EOPNOTSUPP): a pinned importer cannot map, and with CONFIG_DMABUF_MOVE_NOTIFY off no importer can',
    since: r(6, 19),
    until: r(7, 1),
    source: '61ceaf236115 "vfio: Prevent from pinned DMABUF importers to attach to VFIO DMABUF" (vfio fixes for 6.19-rc7); removed by "vfio: Permit VFIO to work with pinned importers" (revoke series, 7.1)',
  },
  'iommufd-dma-buf': {
    what: 'iommufd maps a dma-buf fd through IOMMU_IOAS_MAP_FILE (iopt_alloc_dmabuf_pages; VFIO dma-bufs only, one range: vfio_pci_dma_buf_iommufd_map)',
    since: r(6, 19),
    source: '"iommufd: Accept a DMABUF through IOMMU_IOAS_MAP_FILE" (iommufd_dmabuf branch), IOMMUFD 6.19 pull <20251202175046.GA1155873@nvidia.com>',
  },
  // ------------------------------------------------ DMA mapping
  'iommu-forcedac': {
    what: 'iommu.forcedac=1: PCI devices skip the 32-bit IOVA first (iommu_dma_forcedac)',
    since: r(5, 13),
    source: '"iommu/dma: add iommu.forcedac" (Documentation/admin-guide/kernel-parameters.txt, iommu_dma_forcedac_setup); 5.13 per Robin Murphy ("a 5.13 or newer kernel … iommu.forcedac=1"); intel_iommu=forcedac before it',
  },
  'sac-per-device': {
    what: 'the PCI SAC trick is per device: after one failed 32-bit attempt the device allocates 64-bit IOVAs only (dev->iommu->pci_32bit_workaround)',
    since: r(6, 6),
    source: '791c2b17fb40 "iommu: Optimise PCI SAC address trick" (Robin Murphy, v4 April 2023, deferred from 6.5) in "IOMMU Updates for Linux v6.6" <ZPHw-MSyehz1wF7c@8bytes.org>',
  },
  'dma-iova-api': {
    what: 'the two-step IOVA API: dma_iova_try_alloc(), dma_iova_link(), dma_iova_sync()',
    since: r(6, 16),
    source: 'merge 972aa49a7c93 "Provide a new two step DMA mapping API" (6.16 merge window)',
  },
  'dma-attr-mmio': {
    what: 'DMA_ATTR_MMIO and dma_map_phys(): MMIO mapped by physical address, never bounced',
    since: r(6, 18),
    source: '"dma-mapping updates for Linux 6.18" <20250930100818.350934-1-m.szyprowski@samsung.com>',
  },
  'dma-buf-revoke': {
    what: 'the revoke series: importer_ops may lack invalidate_mappings, dma_buf_attach_revocable(), vfio-pci refuses unrevocable pinned importers at attach (no pin op), iommufd pins with dma_buf_pin()',
    since: r(7, 1),
    source: 'Leon Romanovsky, "dma-buf: Use revoke mechanism to invalidate shared buffers" v7 (Jan 2026), in the first drm-misc-next pull for 7.1 (drm-misc-next-2026-02-26)',
  },
  'dma-buf-phys-vec-to-sgt': {
    what: 'dma_buf_phys_vec_to_sgt(): one IOVA-contiguous entry per buffer through dma_iova_try_alloc(), or one entry per range',
    since: r(6, 19),
    source: '"dma-buf: provide phys_vec to scatter-gather mapping routine" (drivers/dma-buf/dma-buf-mapping.c), VFIO and IOMMUFD 6.19 pulls',
  },
} as const satisfies Record<string, KernelFeature>;

export type FeatureId = keyof typeof KERNEL_FEATURES;

export function featureOf(id: FeatureId): KernelFeature {
  return KERNEL_FEATURES[id];
}

/** True when release `rel` has the feature: landed at or before it, and not yet removed. */
export function releaseHas(rel: KernelRelease, id: FeatureId): boolean {
  const f: KernelFeature = KERNEL_FEATURES[id];
  if (!f.since || !atLeast(rel, f.since.major, f.since.minor)) return false;
  return !f.until || compareRelease(rel, f.until) < 0;
}

/**
 * What the version-1 kernel has beyond the newest release (docs/language.md, "`version`"):
 * a model without `version` keeps the meaning the spec gives it. CONFIG_DMABUF_MOVE_NOTIFY
 * exists and is what the `move_notify` flag says (docs/language.md §3, §4.3), vfio-pci's
 * pin op fails as in 6.19–7.0 (kernel.md §12), and the whitelist is the PCI tree's of
 * kernel.md §3.3, Zhaoxin included.
 */
const VERSION1_KERNEL: ReadonlySet<FeatureId> = new Set<FeatureId>(['dmabuf-move-notify-kconfig', 'vfio-pci-pin-refused', 'whitelist-zhaoxin']);

/** True when the platform's kernel has the feature: its release's, or the version-1 kernel's without `version`. */
export function kernelHas(platform: Platform, id: FeatureId): boolean {
  if (platform.kernel.version === undefined && VERSION1_KERNEL.has(id)) return true;
  return releaseHas(platform.kernel.release, id);
}

/**
 * dma_buf_pin_on_map()'s IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY): the flag while the option
 * exists; always on from the release that removed it (7.1, "dma-buf: Always enable
 * move_notify").
 */
export function moveNotifyEnabled(platform: Platform): boolean {
  return kernelHas(platform, 'dmabuf-move-notify-kconfig') ? platform.kernel.moveNotify : true;
}

/** "6.19" for a feature, or "no release yet" for one only in a maintainer tree. */
export function featureReleaseText(id: FeatureId): string {
  const f: KernelFeature = KERNEL_FEATURES[id];
  return f.since ? releaseText(f.since) : 'no release yet';
}

/**
 * The kernel option behind each flag of a kernel block that some modelled release lacks
 * (iommu.forcedac came in 5.13, before the oldest modelled release, so every one has it).
 */
const FLAG_FEATURES: Partial<Record<KernelFlag, { feature: FeatureId; option: string }>> = {
  move_notify: { feature: 'dmabuf-move-notify-kconfig', option: 'CONFIG_DMABUF_MOVE_NOTIFY' },
};

/** A kernel flag whose option the chosen release does not have. */
export interface AbsentKernelFlag {
  readonly flag: KernelFlag;
  readonly option: string;
  readonly feature: FeatureId;
  readonly place: Place;
}

/** The flags written for options this release lacks: removed (CONFIG_DMABUF_MOVE_NOTIFY in 7.1) or not yet there. */
export function absentKernelFlags(platform: Platform): AbsentKernelFlag[] {
  const out: AbsentKernelFlag[] = [];
  for (const { flag, place } of platform.kernel.flags) {
    const f = FLAG_FEATURES[flag];
    if (f && !kernelHas(platform, f.feature)) out.push({ flag, option: f.option, feature: f.feature, place });
  }
  return out;
}
