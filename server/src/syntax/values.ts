// Conversion of literal token text to values (docs/language.md §2). Never throws: text
// that a recovered parse produced (empty, inserted tokens) converts to 0.

const UNITS: Record<string, bigint> = {
  K: 1n << 10n,
  KiB: 1n << 10n,
  M: 1n << 20n,
  MiB: 1n << 20n,
  G: 1n << 30n,
  GiB: 1n << 30n,
  T: 1n << 40n,
  TiB: 1n << 40n,
};

export function integerValue(text: string): bigint {
  const clean = text.replace(/_/g, '');
  if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(clean)) return 0n;
  return BigInt(clean);
}

/** A size such as `64M` (powers of 1024) or a plain integer in bytes. */
export function sizeValue(text: string): bigint {
  const m = /^([0-9_]+)(KiB|MiB|GiB|TiB|K|M|G|T)?$/.exec(text);
  if (!m) return integerValue(text);
  const n = integerValue(m[1]!);
  return m[2] ? n * UNITS[m[2]]! : n;
}

export function bdfParts(text: string): { segment: number | undefined; bus: number; device: number; fn: number } {
  const m = /^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-9a-fA-F])$/.exec(text);
  if (!m) return { segment: undefined, bus: 0, device: 0, fn: 0 };
  return {
    segment: m[1] === undefined ? undefined : parseInt(m[1], 16),
    bus: parseInt(m[2]!, 16),
    device: parseInt(m[3]!, 16),
    fn: parseInt(m[4]!, 16),
  };
}

export function pciIdParts(text: string): { vendor: number; device: number } {
  const m = /^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$/.exec(text);
  if (!m) return { vendor: 0, device: 0 };
  return { vendor: parseInt(m[1]!, 16), device: parseInt(m[2]!, 16) };
}

/** The contents of a string literal with `\"` and `\\` unescaped. */
export function stringValue(text: string): string {
  const inner = text.startsWith('"') ? text.slice(1, text.endsWith('"') && text.length > 1 ? -1 : undefined) : text;
  return inner.replace(/\\(.)/g, '$1');
}

