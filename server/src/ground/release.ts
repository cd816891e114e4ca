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

/** The oldest mainline release the engine models: RHEL 9's base, the oldest distribution kernel users run (docs/kernel.md §20). */
export const OLDEST_RELEASE: KernelRelease = { major: 5, minor: 14 };

/**
 * Distribution kernels by the mainline release they are based on (docs/language.md,
 * "`version`"): the GA kernel of each release, without the backports the distribution
 * adds, which the engine cannot know.
 */
export const DISTRO_RELEASES: Readonly<Record<string, KernelRelease>> = {
  'ubuntu-22.04': { major: 5, minor: 15 },
  'ubuntu-24.04': { major: 6, minor: 8 },
  'rhel-9': { major: 5, minor: 14 },
  'rhel-10': { major: 6, minor: 12 },
  'debian-12': { major: 6, minor: 1 },
  'debian-13': { major: 6, minor: 12 },
};

/** A `version` value or a `--kernel` argument: a mainline release or a distribution alias. */
export interface KernelVersion {
  readonly release: KernelRelease;
  /** The distribution alias it was written as, if any. */
  readonly distro: string | undefined;
}

/** "6.8", "v7.3", "ubuntu-24.04" → the release (and the alias); undefined when neither. */
export function parseKernelVersion(text: string): KernelVersion | undefined {
  const t = text.trim();
  const distro = Object.hasOwn(DISTRO_RELEASES, t) ? DISTRO_RELEASES[t] : undefined;
  if (distro) return { release: distro, distro: t };
  const release = /^v?\d{1,2}\.\d{1,3}(?:\.\d{1,3})?$/.test(t) ? parseRelease(t) : undefined;
  return release ? { release, distro: undefined } : undefined;
}

/** True when the engine models `r` (OLDEST_RELEASE … NEWEST_RELEASE). */
export function modelledRelease(r: KernelRelease): boolean {
  return compareRelease(r, OLDEST_RELEASE) >= 0 && compareRelease(r, NEWEST_RELEASE) <= 0;
}
