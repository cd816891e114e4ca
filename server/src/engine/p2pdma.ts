// The P2P map type between a provider (the function that owns the BAR) and a client,
// as drivers/pci/p2pdma.c computes it (docs/kernel.md §1–§3).

import type { HostBridge, PciFunction, Platform } from '../model/types';
import { hasAcsRedir } from './acs';
import { upstreamBridge, upstreamChain } from './topology';
import type { MapType } from './types';
import { pciIdText } from '../ground/format';
import { type FeatureId, featureReleaseText, kernelHas } from './releases';
import { releaseText } from '../ground/release';

/** REQ_SAME_HOST_BRIDGE: the entry allows P2P only between ports of one host bridge. */
interface WhitelistEntry {
  readonly vendor: number;
  /** undefined: PCI_ANY_ID. */
  readonly device: number | undefined;
  readonly reqSameHostBridge: boolean;
  readonly label: string;
  /** The release table's entry for the commit that added it (releases.ts). */
  readonly feature: FeatureId;
}

const e = (vendor: number, device: number | undefined, reqSameHostBridge: boolean, label: string, feature: FeatureId): WhitelistEntry => ({
  vendor,
  device,
  reqSameHostBridge,
  label,
  feature,
});

/**
 * pci_p2pdma_whitelist[] as the PCI tree of 2026 has it (docs/kernel.md §3), each entry
 * with the release that added it (docs/kernel.md §20): a kernel sees only the entries of
 * its release, and none of pci/next's (Zhaoxin).
 */
const P2PDMA_WHITELIST: readonly WhitelistEntry[] = [
  e(0x8086, 0x3c00, true, 'Intel Xeon E5/Core i7', 'whitelist-intel-e5'),
  e(0x8086, 0x3c01, true, 'Intel Xeon E5/Core i7', 'whitelist-intel-e5'),
  e(0x8086, 0x2f00, true, 'Intel Xeon E7 v3/Xeon E5 v3/Core i7', 'whitelist-intel-e5'),
  e(0x8086, 0x2f01, true, 'Intel Xeon E7 v3/Xeon E5 v3/Core i7', 'whitelist-intel-e5'),
  e(0x8086, 0x2030, false, 'Intel Skylake-E', 'whitelist-skylake-e'),
  e(0x8086, 0x2031, false, 'Intel Skylake-E', 'whitelist-skylake-e'),
  e(0x8086, 0x2032, false, 'Intel Skylake-E', 'whitelist-skylake-e'),
  e(0x8086, 0x2033, false, 'Intel Skylake-E', 'whitelist-skylake-e'),
  e(0x8086, 0x2020, false, 'Intel Skylake-E', 'whitelist-skylake-e'),
  e(0x8086, 0x09a2, false, 'Intel Ice Lake-SP and later', 'whitelist-ice-lake'),
  e(0x8086, 0x0b25, false, 'Intel DSA (Sapphire Rapids)', 'whitelist-intel-accelerators'),
  e(0x8086, 0x0cfe, false, 'Intel IAX (Sapphire Rapids)', 'whitelist-intel-accelerators'),
  e(0x8086, 0x11fb, false, 'Intel DSA (Granite Rapids-D)', 'whitelist-intel-accelerators'),
  e(0x8086, 0x1212, false, 'Intel DSA (Diamond Rapids)', 'whitelist-intel-accelerators'),
  e(0x8086, 0x1216, false, 'Intel IAA (Diamond Rapids)', 'whitelist-intel-accelerators'),
  e(0x8086, 0x4940, false, 'Intel QAT', 'whitelist-intel-accelerators'),
  e(0x8086, 0x4942, false, 'Intel QAT', 'whitelist-intel-accelerators'),
  e(0x8086, 0x4944, false, 'Intel QAT', 'whitelist-intel-accelerators'),
  e(0x8086, 0x4946, false, 'Intel QAT', 'whitelist-intel-accelerators'),
  e(0x8086, 0x4948, false, 'Intel QAT', 'whitelist-intel-accelerators'),
  e(0x1ae0, undefined, false, 'Google SoCs', 'whitelist-google'),
  e(0x10de, 0x2f95, false, 'NVIDIA Vera root port', 'whitelist-nvidia-vera'),
  e(0x10de, 0x2f96, false, 'NVIDIA Vera root port', 'whitelist-nvidia-vera'),
  e(0x10de, 0x2f97, false, 'NVIDIA Vera root port', 'whitelist-nvidia-vera'),
  e(0x10de, 0x2f98, false, 'NVIDIA Vera root port', 'whitelist-nvidia-vera'),
  e(0x1d17, 0x1003, true, 'Zhaoxin', 'whitelist-zhaoxin'),
  e(0x1d17, 0x1005, true, 'Zhaoxin', 'whitelist-zhaoxin'),
  e(0x1d17, 0x1006, true, 'Zhaoxin', 'whitelist-zhaoxin'),
  e(0x1d17, 0x1007, true, 'Zhaoxin', 'whitelist-zhaoxin'),
  e(0x1d17, 0x1008, false, 'Zhaoxin', 'whitelist-zhaoxin'),
];

/** cpu_supports_p2pdma(): x86 only, boot CPU AMD with family ≥ 0x17 (Zen and later; in every modelled release). */
function cpuSupportsP2pdma(platform: Platform): boolean {
  return kernelHas(platform, 'cpu-amd-zen') && platform.cpu.vendor === 'amd' && platform.cpu.family >= 0x17;
}

type WhitelistMatch = { ok: boolean; entry: WhitelistEntry | undefined; newer?: WhitelistEntry };

/**
 * __host_bridge_whitelist(): the first entry of this release's table that matches the
 * root device decides. `newer`: an entry a later release (or pci/next) adds for it.
 */
function hostBridgeWhitelisted(hb: HostBridge, sameHostBridge: boolean, platform: Platform): WhitelistMatch {
  const id = hb.id; // pci_host_bridge_dev(): without an id there is no root device to compare
  if (!id) return { ok: false, entry: undefined };
  const matches = (w: WhitelistEntry) => w.vendor === id.vendor && (w.device === undefined || w.device === id.device);
  const entry = P2PDMA_WHITELIST.find((w) => matches(w) && kernelHas(platform, w.feature));
  if (!entry) return { ok: false, entry: undefined, newer: P2PDMA_WHITELIST.find(matches) };
  if (entry.reqSameHostBridge && !sameHostBridge) return { ok: false, entry };
  return { ok: true, entry };
}

/** host_bridge_whitelist(): one bridge with any entry, or two bridges both without REQ_SAME_HOST_BRIDGE. */
function hostBridgeWhitelist(a: HostBridge, b: HostBridge, platform: Platform): { ok: boolean; steps: string[] } {
  if (a === b) {
    const r = hostBridgeWhitelisted(a, true, platform);
    return { ok: r.ok, steps: [whitelistStep(a, r, platform)] };
  }
  const ra = hostBridgeWhitelisted(a, false, platform);
  const rb = hostBridgeWhitelisted(b, false, platform);
  return { ok: ra.ok && rb.ok, steps: [whitelistStep(a, ra, platform, true), whitelistStep(b, rb, platform, true)] };
}

function whitelistStep(hb: HostBridge, r: WhitelistMatch, platform: Platform, across = false): string {
  if (!hb.id) return `host bridge ${hb.name} has no root device id: not in the P2PDMA whitelist (pci_host_bridge_dev)`;
  if (!r.entry && r.newer) {
    const since = featureReleaseText(r.newer.feature);
    return `host bridge ${hb.name} (${pciIdText(hb.id)}, ${r.newer.label}) is not in ${releaseText(platform.kernel.release)}'s P2PDMA whitelist: ${since === 'no release yet' ? 'its entry is only in pci/next' : `its entry landed in ${since}`} (__host_bridge_whitelist)`;
  }
  if (!r.entry) return `host bridge ${hb.name} (${pciIdText(hb.id)}) is not in the P2PDMA whitelist (__host_bridge_whitelist)`;
  if (!r.ok) return `host bridge ${hb.name} (${pciIdText(hb.id)}, ${r.entry.label}) is whitelisted only within one host bridge (REQ_SAME_HOST_BRIDGE)`;
  return `host bridge ${hb.name} (${pciIdText(hb.id)}, ${r.entry.label}) is whitelisted${across ? ' across host bridges' : ''} (__host_bridge_whitelist)`;
}

export interface P2pRoute {
  readonly mapType: Exclude<MapType, 'NONE' | 'PRIVATE'>;
  readonly distance: number;
  /** Node names from the provider to the client (docs/language.md §7 `path`). */
  readonly path: readonly string[];
  /** The lowest common upstream bridge, if any. */
  readonly commonAncestor: PciFunction | undefined;
  /** Functions with ACS redirect on the provider and client paths (pci_bridge_has_acs_redir). */
  readonly acsRedirects: readonly PciFunction[];
  /** How the host-bridge path was allowed (or not), when it was needed. */
  readonly hostBridgePath: { allowedBy: 'cpu' | 'whitelist' | undefined; bridges: readonly HostBridge[] } | undefined;
  readonly steps: readonly string[];
}

/** calc_map_type_and_dist(): the walk, the ACS count and the host-bridge rules. */
export function calcMapTypeAndDist(provider: PciFunction, client: PciFunction, platform: Platform): P2pRoute {
  const steps: string[] = [];
  const acsRedirects: PciFunction[] = [];
  let distA = 0;
  let distB = 0;
  let common: PciFunction | undefined;
  for (let a: PciFunction | undefined = provider; a && !common; a = upstreamBridge(a)) {
    // ACS is checked on `a` before the match test: the provider and the common
    // ancestor are both checked.
    if (hasAcsRedir(a, platform)) acsRedirects.push(a);
    distB = 0;
    for (let bb: PciFunction | undefined = client; bb; bb = upstreamBridge(bb)) {
      if (bb === a) {
        common = a;
        break;
      }
      distB++;
    }
    if (!common) distA++;
  }

  const provChain = upstreamChain(provider);
  const clientChain = upstreamChain(client);
  let path: string[];
  if (common) {
    // check_b_path_acs: the client side up to, not including, the common ancestor.
    for (let bb: PciFunction | undefined = client; bb && bb !== common; bb = upstreamBridge(bb)) {
      if (hasAcsRedir(bb, platform)) acsRedirects.push(bb);
    }
    const down = clientChain.slice(0, clientChain.indexOf(common)).reverse();
    path = [...provChain.slice(0, provChain.indexOf(common) + 1), ...down].map((f) => f.name);
    steps.push(provider === client ? `${provider.name} is both provider and client` : `common upstream bridge: ${common.name}`);
  } else {
    const hbA = provider.hostBridge;
    const hbB = client.hostBridge;
    path = [...provChain.map((f) => f.name), hbA.name, ...(hbA === hbB ? [] : [hbB.name]), ...[...clientChain].reverse().map((f) => f.name)];
    steps.push(
      hbA === hbB
        ? `no common upstream bridge: ${provider.name} and ${client.name} meet only at host bridge ${hbA.name}`
        : `no common upstream bridge: ${provider.name} is under host bridge ${hbA.name}, ${client.name} under ${hbB.name}`,
    );
  }
  const distance = distA + distB;

  if (common && acsRedirects.length === 0) {
    steps.push(`no ACS redirect on the path: the TLPs turn around at ${common.name}, BUS_ADDR, distance ${distance} (calc_map_type_and_dist)`);
    return { mapType: 'BUS_ADDR', distance, path, commonAncestor: common, acsRedirects, hostBridgePath: undefined, steps };
  }
  if (common) {
    steps.push(`ACS redirect set on ${acsRedirects.map((f) => f.name).join(', ')}: requests go up to the root complex (pci_bridge_has_acs_redir)`);
  }
  const bridges = provider.hostBridge === client.hostBridge ? [provider.hostBridge] : [provider.hostBridge, client.hostBridge];
  if (cpuSupportsP2pdma(platform)) {
    steps.push(`CPU is AMD family ${platform.cpu.family.toString(16)}h (≥ 17h): P2P through the host bridge is allowed (cpu_supports_p2pdma)`);
    return { mapType: 'THRU_HOST_BRIDGE', distance, path, commonAncestor: common, acsRedirects, hostBridgePath: { allowedBy: 'cpu', bridges }, steps };
  }
  const wl = hostBridgeWhitelist(provider.hostBridge, client.hostBridge, platform);
  steps.push(...wl.steps);
  if (wl.ok) {
    steps.push(`THRU_HOST_BRIDGE, distance ${distance}`);
    return { mapType: 'THRU_HOST_BRIDGE', distance, path, commonAncestor: common, acsRedirects, hostBridgePath: { allowedBy: 'whitelist', bridges }, steps };
  }
  steps.push(`NOT_SUPPORTED: no common upstream bridge without ACS redirect and no whitelisted host bridge`);
  return { mapType: 'NOT_SUPPORTED', distance, path, commonAncestor: common, acsRedirects, hostBridgePath: { allowedBy: undefined, bridges }, steps };
}

/**
 * The per-provider cache of pci_p2pdma_map_type(): keyed by (provider function, client
 * function), as the kernel's map_types_idx xarray. Results never change within one
 * analysis, as in the kernel until the provider's p2pdma state is torn down.
 */
export class P2pCache {
  private readonly cache = new Map<string, P2pRoute>();
  constructor(private readonly platform: Platform) {}

  mapType(provider: PciFunction, client: PciFunction): P2pRoute {
    const key = `${provider.index}:${client.index}`;
    let r = this.cache.get(key);
    if (!r) {
      r = calcMapTypeAndDist(provider, client, this.platform);
      this.cache.set(key, r);
    }
    return r;
  }
}
