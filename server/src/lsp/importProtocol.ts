// `dmabuf/import`, the request that turns a machine's own description (lspci output, a
// dmabuf-snapshot folder, hwloc XML) into a `platform` block (docs/import.md). Plain
// types and a method name only: the server, the CLI and the VS Code client import it.

export const IMPORT_METHOD = 'dmabuf/import';

export type ImportSourceKind = 'lspci' | 'sysfs' | 'hwloc';

export interface ImportInputs {
  /** lspci: the output of `lspci -tvnn` (or `lspci -tv`). */
  readonly tree?: string;
  /** lspci: the output of `lspci -vvvnn` (or `lspci -vvv`). */
  readonly verbose?: string;
  /** lspci or sysfs: an IOMMU group listing (`find /sys/kernel/iommu_groups -type l`, the usual shell loops). */
  readonly groups?: string;
  /** hwloc: the XML of `lstopo --of xml`. */
  readonly xml?: string;
  /** sysfs: the files of a dmabuf-snapshot folder, by their path inside it (`pci/0000:00:01.0/class`). */
  readonly snapshotFiles?: Readonly<Record<string, string>>;
}

export interface ImportParams {
  readonly kind: ImportSourceKind;
  readonly inputs: ImportInputs;
  /** The platform's name (default `imported`). */
  readonly name?: string;
}

export interface GroupCheckJson {
  /** Endpoints whose real IOMMU group is known and that the model holds. */
  readonly compared: number;
  readonly realGroups: number;
  readonly engineGroups: number;
  /** One sentence per difference between the kernel's groups and the engine's, naming the devices. */
  readonly differences: readonly string[];
}

export interface ImportResult {
  /** The model: a formatted `platform` block. */
  readonly text: string;
  /** What the import noticed about its input (lines not understood, limits of the source). */
  readonly notes: readonly string[];
  /** The real IOMMU groups against the engine's, when the source has the real ones. */
  readonly groupCheck: GroupCheckJson | null;
  readonly summary: {
    readonly hostBridges: number;
    readonly functions: number;
    /** Functions written to the model (the rest are host-bridge functions). */
    readonly written: number;
  };
}

/** The error code the server answers `dmabuf/import` with when the input cannot be imported. */
export const IMPORT_FAILED = -32602;
