// The exporters by driver: one module each, behind one interface (exporter.ts).

import type { ExporterDriver } from '../../model/types';
import { amdgpu } from './amdgpu';
import type { Exporter } from './exporter';
import { heap } from './heap';
import { p2pmem } from './p2pmem';
import { vfioPci } from './vfioPci';

export type { AttachState, Exporter, FallbackReason, Placement } from './exporter';

const EXPORTERS: { readonly [D in ExporterDriver]: Exporter } = {
  amdgpu,
  'vfio-pci': vfioPci,
  p2pmem,
  heap,
};

export function exporterFor(driver: ExporterDriver): Exporter {
  return EXPORTERS[driver];
}
