// The import: a source's text parsed into an ImportedMachine, written as a formatted
// `platform` block, and (when the source has them) its real IOMMU groups checked
// against the engine's. Pure: no LSP, no files.

import { emitPlatform, validPlatformName } from './emit';
import { checkGroups, type GroupCheck } from './groupCheck';
import { importHwloc } from './hwloc';
import { applyGroupListing, importLspci } from './lspci';
import { splitPaste } from './paste';
import { importSysfs, type SnapshotFiles } from './sysfs';
import { allFunctions, ImportError, type ImportKind, type ImportedMachine } from './types';

export { ImportError } from './types';

export interface ImportRequest {
  readonly kind: ImportKind;
  readonly tree?: string;
  readonly verbose?: string;
  /** An IOMMU group listing beside the other source. */
  readonly groups?: string;
  readonly xml?: string;
  readonly snapshotFiles?: SnapshotFiles;
  readonly name?: string;
}

export interface ImportOutcome {
  readonly text: string;
  readonly notes: readonly string[];
  readonly groupCheck: GroupCheck | undefined;
  readonly machine: ImportedMachine;
  /** Model name by function address (`0000:01:00.0`). */
  readonly names: ReadonlyMap<string, string>;
  readonly summary: { hostBridges: number; functions: number; written: number };
}

function parseSource(r: ImportRequest): ImportedMachine {
  switch (r.kind) {
    case 'lspci':
      return importLspci({ tree: r.tree, verbose: r.verbose, groups: r.groups });
    case 'sysfs':
      if (!r.snapshotFiles) throw new ImportError('sysfs needs the files of a dmabuf-snapshot folder');
      return withGroups(importSysfs(r.snapshotFiles), r.groups);
    case 'hwloc':
      if (r.xml === undefined) throw new ImportError('hwloc needs the XML of lstopo --of xml');
      return withGroups(importHwloc(r.xml), r.groups);
    default:
      throw new ImportError(`unknown source kind '${String(r.kind)}': lspci, sysfs or hwloc`);
  }
}

/** A group listing given beside a snapshot or hwloc XML: the real groups for the check. */
function withGroups(m: ImportedMachine, groups: string | undefined): ImportedMachine {
  if (groups === undefined) return m;
  const listing = splitPaste(groups).groups;
  if (listing.groupOf.size === 0) throw new ImportError('the groups input holds no IOMMU group listing (lines such as "IOMMU Group 3: 01:00.0 …" or "/sys/kernel/iommu_groups/3/devices/0000:01:00.0")');
  applyGroupListing(m, listing, 'the IOMMU group listing');
  m.groupsKnown = allFunctions(m).some((f) => f.iommuGroup !== undefined);
  if (m.groupsKnown && !m.iommu?.present) m.iommu = { present: true, type: m.iommu?.type, mode: undefined, evidence: 'the IOMMU group listing shows groups' };
  return m;
}

export function runImport(r: ImportRequest): ImportOutcome {
  if (r.name !== undefined && !validPlatformName(r.name)) throw new ImportError(`'${r.name}' is not a platform name the language accepts (letters, digits, _; not a keyword)`);
  const machine = parseSource(r);
  if (machine.hostBridges.length === 0) throw new ImportError('no PCI bus found in the input');
  const emitted = emitPlatform(machine, { name: r.name });
  const notes = [...machine.notes];
  if (emitted.skipped.size > 0) notes.push(`${emitted.skipped.size} host-bridge function${emitted.skipped.size === 1 ? ' is' : 's are'} not modelled (listed in the model's comments)`);
  const groupCheck = checkGroups(machine, emitted, { name: r.name });
  return {
    text: emitted.text,
    notes,
    groupCheck,
    machine,
    names: emitted.names,
    summary: { hostBridges: machine.hostBridges.length, functions: allFunctions(machine).length, written: emitted.names.size },
  };
}
