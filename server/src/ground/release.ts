// A mainline kernel release, the unit every release-dependent kernel behaviour is
// gated on (docs/kernel.md; the release table itself lives in the engine).

export interface KernelRelease {
  readonly major: number;
  readonly minor: number;
}

/** The newest mainline release the engine models; a model without `version` gets it. */
export const NEWEST_RELEASE: KernelRelease = { major: 7, minor: 3 };

/** "6.8", "v7.3", "5.15.0-91-generic" → the mainline release; undefined when not a release. */
export function parseRelease(text: string): KernelRelease | undefined {
  const m = /^v?(\d{1,2})\.(\d{1,3})(?![0-9])/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function compareRelease(a: KernelRelease, b: KernelRelease): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** True when `r` is `major.minor` or newer: the gate for a feature that landed in that release. */
export function atLeast(r: KernelRelease, major: number, minor: number): boolean {
  return compareRelease(r, { major, minor }) >= 0;
}

export function releaseText(r: KernelRelease): string {
  return `${r.major}.${r.minor}`;
}
