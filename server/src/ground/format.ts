// How values are written in messages, hovers, steps and generated text: one home for
// every layer. The ground layer: it imports nothing of the project.

/** `0x` and lower-case hex digits, as docs/language.md §7 writes addresses. */
export function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

/** `n` in lower-case hex, zero-padded to `width` digits (no `0x`). */
export function hexPad(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** `64M`, `4K`, `1G` when exact, else decimal bytes. */
export function formatSize(v: bigint): string {
  const units: [bigint, string][] = [
    [1n << 40n, 'T'],
    [1n << 30n, 'G'],
    [1n << 20n, 'M'],
    [1n << 10n, 'K'],
  ];
  for (const [u, s] of units) if (v >= u && v % u === 0n) return `${v / u}${s}`;
  return `${v}`;
}

/** A PCI function's address as its parts. */
export interface BdfParts {
  readonly segment: number;
  readonly bus: number;
  readonly device: number;
  readonly fn: number;
}

/** `0000:03:00.0`, as the kernel's `pci_name()` writes a function. */
export function bdfText(b: BdfParts | undefined): string {
  if (!b) return '';
  return `${hexPad(b.segment, 4)}:${hexPad(b.bus, 2)}:${hexPad(b.device, 2)}.${b.fn.toString(16)}`;
}

/** The short form for messages: `03:00.0` on segment 0. */
export function bdfShort(b: BdfParts | undefined): string {
  if (!b) return '';
  const t = bdfText(b);
  return b.segment === 0 ? t.slice(5) : t;
}

/** `8086:2030`, vendor and device as `lspci -nn` writes them. */
export function pciIdText(id: { readonly vendor: number; readonly device: number } | undefined): string {
  if (!id) return 'no id';
  return `${hexPad(id.vendor, 4)}:${hexPad(id.device, 4)}`;
}
