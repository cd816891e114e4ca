// The platform block: CPU, kernel command line, IOMMU, RAM, host bridges (hostBridge.ts),
// platform devices, iommufd and kvm handles. Values are taken as written, with the
// defaults of docs/language.md §4.1; their range checks are in checks/.

import type * as A from '../syntax/ast';
import type { Bdf, HostBridge, Memory, PciFunction, Place, Platform, PlatformDevice } from './types';
import type { Names } from './names';
import { gatherHostBridge, type PciTree } from './hostBridge';
import { type KernelVersion, NEWEST_RELEASE, modelledRelease, parseKernelVersion } from '../ground/release';
import { dmaMaskBits, rangeLast, validApertureBits } from './values';

/** A memory region or platform device with its declaration (only the declared ones: a duplicate name is not gathered). */
export interface Declared<T, D> {
  readonly value: T;
  readonly decl: D;
  readonly uri: string;
}

export interface GatheredPlatform {
  readonly platform: Platform;
  readonly memories: readonly Declared<Memory, A.MemoryDecl>[];
  readonly platformDevices: readonly Declared<PlatformDevice, A.PlatformDeviceDecl>[];
}

type Kernel = { -readonly [K in keyof Platform['kernel']]: Platform['kernel'][K] } & {
  disableAcsRedir: (Bdf & { place: Place })[];
  flags: { flag: A.KernelFlag; place: Place }[];
};

export function gatherPlatform(names: Names, tree: PciTree, p: A.PlatformDecl, uri: string, pdevByName: Map<string, PlatformDevice>): GatheredPlatform {
  let cpu: Platform['cpu'] = { vendor: 'intel', family: 6 };
  const kernel: Kernel = { release: NEWEST_RELEASE, version: undefined, flags: [], moveNotify: false, forcedac: false, swiotlbOff: false, swiotlbForce: false, ccGuest: false, disableAcsRedir: [] };
  let iommu: Platform['iommu'];
  const memories: Declared<Memory, A.MemoryDecl>[] = [];
  const hostBridges: HostBridge[] = [];
  const platformDevices: Declared<PlatformDevice, A.PlatformDeviceDecl>[] = [];
  const iommufds: { name: string; place: Place }[] = [];
  const kvms: { name: string; place: Place }[] = [];
  const at = (span: A.Span): Place => ({ uri, span });

  for (const item of p.items) {
    switch (item.kind) {
      case 'Cpu':
        cpu = { vendor: item.vendor.value, family: item.family ? Number(item.family.value) : item.vendor.value === 'amd' ? 0x19 : 6 };
        break;
      case 'Kernel':
        kernelOptions(kernel, item, uri);
        break;
      case 'Iommu':
        // The last statement wins; checks/platform.ts reports the others.
        iommu = gatherIommu(item, uri);
        break;
      case 'Memory':
        if (names.declare(item.name, 'memory', uri, item.span)) memories.push({ value: gatherMemory(item, uri), decl: item, uri });
        break;
      case 'HostBridge':
        hostBridges.push(gatherHostBridge(names, tree, item, uri));
        break;
      case 'Link':
        break; // resolved with the other references (resolvePlatformRefs)
      case 'PlatformDevice': {
        if (!names.declare(item.name, 'platform_device', uri, item.span)) break;
        const dev = gatherPlatformDevice(item, uri, platformDevices.length);
        platformDevices.push({ value: dev, decl: item, uri });
        pdevByName.set(dev.name, dev);
        break;
      }
      case 'Iommufd':
        if (names.declare(item.name, 'iommufd', uri, item.span)) iommufds.push({ name: item.name.text, place: at(item.name.span) });
        break;
      case 'Kvm':
        if (names.declare(item.name, 'kvm', uri, item.span)) kvms.push({ name: item.name.text, place: at(item.name.span) });
        break;
    }
  }
  const platform: Platform = {
    name: p.name.text,
    place: at(p.name.span),
    cpu,
    kernel,
    iommu,
    memories: memories.map((m) => m.value),
    hostBridges,
    links: [],
    platformDevices: platformDevices.map((d) => d.value),
    iommufds,
    kvms,
  };
  return { platform, memories, platformDevices };
}

function kernelOptions(kernel: Kernel, item: A.KernelDecl, uri: string): void {
  for (const o of item.options) {
    if (o.kind === 'KernelVersion') {
      // A release the engine does not model is reported (checks/platform.ts) and not used.
      const v = o.value && parseKernelVersion(o.value.text);
      if (v && modelledRelease(v.release)) {
        kernel.release = v.release;
        kernel.version = { text: o.value!.text, distro: v.distro, place: { uri, span: o.span } };
      }
    } else if (o.kind === 'KernelFlag') {
      const f = o.flag.value;
      kernel.flags.push({ flag: f, place: { uri, span: o.flag.span } });
      if (f === 'move_notify') kernel.moveNotify = true;
      else if (f === 'forcedac') kernel.forcedac = true;
      else if (f === 'swiotlb_off') kernel.swiotlbOff = true;
      else if (f === 'swiotlb_force') kernel.swiotlbForce = true;
      else kernel.ccGuest = true;
    } else {
      for (const bdf of o.bdfs) kernel.disableAcsRedir.push({ segment: bdf.segment ?? 0, bus: bdf.bus, device: bdf.device, fn: bdf.fn, place: { uri, span: bdf.span } });
    }
  }
}

function gatherMemory(item: A.MemoryDecl, uri: string): Memory {
  const node = item.node ? Number(item.node.value) : undefined;
  return { name: item.name.text, first: item.range.first.value, last: rangeLast(item.range), node, place: { uri, span: item.name.span } };
}

function gatherIommu(item: A.IommuDecl, uri: string): Platform['iommu'] {
  let apertureBits = 48;
  for (const a of item.apertures) if (validApertureBits(Number(a.value))) apertureBits = Number(a.value);
  return {
    type: item.type.value,
    mode: item.mode?.value ?? 'dma',
    reserves: item.reserves.map((r) => ({ first: r.first.value, last: rangeLast(r) })),
    apertureBits,
    place: { uri, span: item.span },
  };
}

function gatherPlatformDevice(item: A.PlatformDeviceDecl, uri: string, index: number): PlatformDevice {
  let dmaMask = 32;
  const dmaRanges: { bus: bigint; cpu: bigint; size: bigint }[] = [];
  let iommuOverride: PlatformDevice['iommuOverride'];
  for (const it of item.items) {
    if (it.kind === 'DmaMask') dmaMask = dmaMaskBits(it.bits);
    else if (it.kind === 'DmaRange') dmaRanges.push({ bus: it.bus.value, cpu: it.cpu.value, size: it.size.value });
    else if (it.kind === 'IommuOverride') iommuOverride = it.mode.value;
  }
  // The parent is a reference, resolved once every name is known (resolvePlatformRefs).
  return { name: item.name.text, place: { uri, span: item.name.span }, dmaMaskBits: dmaMask, dmaRanges, iommuOverride, parent: undefined, index };
}

/** Link members and platform-device parents: references, resolved once every name of the model is declared. */
export function resolvePlatformRefs(names: Names, p: A.PlatformDecl, uri: string, platform: Platform, fnByName: ReadonlyMap<string, PciFunction>): void {
  const links = platform.links as Platform['links'][number][];
  for (const item of p.items) {
    if (item.kind === 'Link') {
      const members: string[] = [];
      for (const m of item.members) if (names.ref(m, uri, ['pci'], 'a PCI device')) members.push(m.text);
      links.push({ type: item.type.value, members, place: { uri, span: item.span } });
    } else if (item.kind === 'PlatformDevice') {
      const parentItem = item.items.find((i) => i.kind === 'Parent');
      if (parentItem && parentItem.kind === 'Parent' && names.ref(parentItem.parent, uri, ['pci'], 'a PCI function')) {
        const dev = platform.platformDevices.find((d) => d.name === item.name.text);
        const fn = fnByName.get(parentItem.parent.text);
        if (dev && fn) (dev as { parent: PciFunction | undefined }).parent = fn;
      }
    }
  }
}

/**
 * The model evaluated on another release (`dmabuf-lint --kernel V`, `dmabuf/shares`
 * `kernel`): the platform's release replaced, its written `version` superseded.
 */
export function withKernelVersion<M extends { readonly platform: Platform | undefined }>(model: M, text: string, v: KernelVersion): M {
  const p = model.platform;
  if (!p) return model;
  return { ...model, platform: { ...p, kernel: { ...p.kernel, release: v.release, version: { text, distro: v.distro, place: undefined } } } };
}
