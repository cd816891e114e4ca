// The exporters by driver: one module each, behind one interface (exporter.ts).

import type { ExporterDriver } from '../../model/types';
import { amdgpu } from './amdgpu';
import type { Exporter } from './exporter';
import { habanalabs } from './habanalabs';
import { heap } from './heap';
import { i915 } from './i915';
import { nouveau } from './nouveau';
import { nvidia } from './nvidia';
import { p2pmem } from './p2pmem';
import { rdma } from './rdma';
import { vfioPci } from './vfioPci';
import { xe } from './xe';

export type { AttachState, Exporter, FallbackReason, Placement } from './exporter';

const EXPORTERS: { readonly [D in ExporterDriver]: Exporter } = {
  amdgpu,
  'vfio-pci': vfioPci,
  p2pmem,
  nvidia,
  xe,
  i915,
  nouveau,
  habanalabs,
  rdma,
  heap,
};

export function exporterFor(driver: ExporterDriver): Exporter {
  return EXPORTERS[driver];
}
