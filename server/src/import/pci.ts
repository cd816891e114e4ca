// Facts about PCI shared by the import sources: class codes and the names lspci prints
// for them (pciutils' pci.ids "C" section), the ACS bit names of `lspci -vvv`, sizes.

import type { AcsBit } from '../syntax/ast';

/** The endpoint keyword a function gets from its class code (docs/language.md §3 `endpoint`). */
type EndpointKeyword = 'gpu' | 'nic' | 'nvme' | 'accel' | 'fpga' | 'endpoint';

/**
 * By PCI class (class<<8 | subclass): display controllers (0x03) are GPUs, network
 * controllers (0x02) NICs, 0x0108 NVMe, processing accelerators (0x12) and co-processors
 * (0x0b40) accelerators. Nothing maps to `fpga`: no class code says FPGA.
 */
export function endpointKeyword(classCode: number | undefined): EndpointKeyword {
  if (classCode === undefined) return 'endpoint';
  const base = classCode >> 8;
  if (base === 0x03) return 'gpu';
  if (base === 0x02) return 'nic';
  if (classCode === 0x0108) return 'nvme';
  if (base === 0x12 || classCode === 0x0b40) return 'accel';
  return 'endpoint';
}

export const HOST_BRIDGE_CLASS = 0x0600;
export const PCI_BRIDGE_CLASS = 0x0604;

/** The class names lspci prints without -nn (pci.ids), for the classes that matter here. */
const CLASS_NAMES: Readonly<Record<string, number>> = {
  'Non-VGA unclassified device': 0x0000,
  'VGA compatible unclassified device': 0x0001,
  'SCSI storage controller': 0x0100,
  'IDE interface': 0x0101,
  'RAID bus controller': 0x0104,
  'SATA controller': 0x0106,
  'Serial Attached SCSI controller': 0x0107,
  'Non-Volatile memory controller': 0x0108,
  'Mass storage controller': 0x0180,
  'Ethernet controller': 0x0200,
  'Token ring network controller': 0x0201,
  'Infiniband controller': 0x0207,
  'Fabric controller': 0x0208,
  'Network controller': 0x0280,
  'VGA compatible controller': 0x0300,
  'XGA compatible controller': 0x0301,
  '3D controller': 0x0302,
  'Display controller': 0x0380,
  'Multimedia video controller': 0x0400,
  'Multimedia audio controller': 0x0401,
  'Audio device': 0x0403,
  'RAM memory': 0x0500,
  'Memory controller': 0x0580,
  'Host bridge': 0x0600,
  'ISA bridge': 0x0601,
  'PCI bridge': 0x0604,
  'CardBus bridge': 0x0607,
  'Bridge': 0x0680,
  'Communication controller': 0x0780,
  'PIC': 0x0800,
  'IOMMU': 0x0806,
  'System peripheral': 0x0880,
  'Co-processor': 0x0b40,
  'FireWire (IEEE 1394)': 0x0c00,
  'USB controller': 0x0c03,
  'SMBus': 0x0c05,
  'Serial bus controller': 0x0c80,
  'Encryption controller': 0x1080,
  'Signal processing controller': 0x1180,
  'Performance counters': 0x1101,
  'Processing accelerators': 0x1200,
  'Non-Essential Instrumentation': 0x1300,
  'Unassigned class': 0xff00,
};

/** The class code of an lspci class name ("VGA compatible controller"), when it is known. */
export function classFromName(name: string): number | undefined {
  return CLASS_NAMES[name.trim()];
}

/** lspci's ACS bit names (ACSCap/ACSCtl) and the language's bits (docs/language.md §3 acs_bit). */
const ACS_NAMES: Readonly<Record<string, AcsBit>> = {
  SrcValid: 'sv',
  TransBlk: 'tb',
  ReqRedir: 'rr',
  CmpltRedir: 'cr',
  UpstreamFwd: 'uf',
  EgressCtrl: 'ec',
  DirectTrans: 'dt',
};

export const ACS_ORDER: readonly AcsBit[] = ['sv', 'tb', 'rr', 'cr', 'uf', 'ec', 'dt'];

/** The bits marked `+` in an ACSCap/ACSCtl line (`SrcValid+ TransBlk- …`). */
export function acsBits(text: string): Set<AcsBit> {
  const out = new Set<AcsBit>();
  for (const m of text.matchAll(/([A-Za-z]+)([+-])/g)) {
    const bit = ACS_NAMES[m[1]!];
    if (bit && m[2] === '+') out.add(bit);
  }
  return out;
}

/** `16M`, `2K`, `256`, `64G` as lspci prints sizes (powers of 1024); undefined if not a size. */
export function parseLspciSize(text: string): bigint | undefined {
  const m = /^([0-9]+)([KMGTP]?)$/.exec(text.trim());
  if (!m) return undefined;
  const shift = { '': 0n, K: 10n, M: 20n, G: 30n, T: 40n, P: 50n }[m[2] as '' | 'K' | 'M' | 'G' | 'T' | 'P'];
  return BigInt(m[1]!) << shift;
}
