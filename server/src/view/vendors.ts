// The names of the PCI vendors a dma-buf model meets most, for labels (pciutils'
// pci.ids, vendor lines): a node reads `id 10de:2330 NVIDIA` instead of bare numbers.

const VENDORS: Readonly<Record<number, string>> = {
  0x1002: 'AMD/ATI',
  0x1022: 'AMD',
  0x8086: 'Intel',
  0x10de: 'NVIDIA',
  0x15b3: 'Mellanox',
  0x14e4: 'Broadcom',
  0x1000: 'Broadcom/LSI',
  0x11f8: 'Microchip',
  0x10b5: 'PLX/Broadcom',
  0x144d: 'Samsung',
  0x1344: 'Micron',
  0x1c5c: 'SK hynix',
  0x15b7: 'SanDisk/WD',
  0x1987: 'Phison',
  0x1b21: 'ASMedia',
  0x1d0f: 'Amazon',
  0x1af4: 'Red Hat virtio',
  0x1ae0: 'Google',
  0x1d17: 'Zhaoxin',
  0x1dd8: 'AMD Pensando',
  0x1077: 'QLogic',
  0x19e5: 'Huawei',
  0x1fc9: 'Tehuti',
  0x8088: 'Wangxun',
  0x1924: 'Solarflare',
  0x1137: 'Cisco',
  0x1da3: 'Habana',
  0x1e3e: 'Graphcore',
  0x10ee: 'Xilinx',
  0x1172: 'Altera',
  0x106b: 'Apple',
  0x1103: 'HighPoint',
  0x1014: 'IBM',
  0x1059: 'Teledyne',
};

export function vendorName(vendor: number): string | undefined {
  return VENDORS[vendor];
}
