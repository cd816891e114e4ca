// The import: a source's text parsed into an ImportedMachine, written as a formatted
// `platform` block, and (when the source has them) its real IOMMU groups checked
// against the engine's. Pure: no LSP, no files.

import { emitPlatform, validPlatformName } from './emit';
import { checkGroups, type GroupCheck } from './groupCheck';
import { importHwloc } from './hwloc';
import { importLspci } from './lspci';
import { importSysfs, type SnapshotFiles } from './sysfs';
import { allFunctions, ImportError, type ImportKind, type ImportedMachine } from './types';

export { ImportError } from './types';

export interface ImportRequest {
  readonly kind: ImportKind;
  readonly tree?: string;
  readonly verbose?: string;
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
      return importLspci({ tree: r.tree, verbose: r.verbose });
    case 'sysfs':
      if (!r.snapshotFiles) throw new ImportError('sysfs needs the files of a dmabuf-snapshot folder');
      return importSysfs(r.snapshotFiles);
    case 'hwloc':
      if (r.xml === undefined) throw new ImportError('hwloc needs the XML of lstopo --of xml');
      return importHwloc(r.xml);
    default:
      throw new ImportError(`unknown source kind '${String(r.kind)}': lspci, sysfs or hwloc`);
  }
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
