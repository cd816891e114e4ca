import type { Rule } from './rule';
import { atShare } from './rule';
import { exporterFor } from '../engine/exporters';

const rule: Rule = {
  code: 'pinned-on-map',
  severity: 'warning',
  kernel: 'dma_buf_pin_on_map, amdgpu_dma_buf_pin, xe_dma_buf_pin',
  summary: 'An amdgpu or xe buffer is pinned at map (a static attachment, or move_notify off): its VRAM placement becomes system memory.',
  checkShare: (o) => {
    const ops = exporterFor(o.share.buffer.driver).migration;
    if (o.mapping.fallback !== 'pinned' || !ops || o.share.buffer.driver === 'nouveau') return [];
    const s = o.share;
    const pinned = o.attach?.pinOnMap;
    if (!pinned && o.attach?.importerPin) {
      return [
        atShare(o, `${s.buffer.name} is pinned in system memory (GTT) for ${s.name}: the importer pins it itself (dma_buf_pin) and amdgpu_dma_buf_pin keeps VRAM only when every attachment has peer2peer and CONFIG_DMABUF_MOVE_NOTIFY is on. P2P is lost. Give every share of the buffer P2P (or \`kernel { move_notify }\`), or use an importer that does not pin (rdma-odp).`),
      ];
    }
    const why = pinned === 'static' ? 'a static attachment is pinned at map' : 'CONFIG_DMABUF_MOVE_NOTIFY is off, so every attachment is pinned at map';
    const fix = pinned === 'static' ? 'Attach dynamic with move_notify and peer2peer' : 'Add `move_notify` to the kernel block';
    return [atShare(o, `${s.buffer.name} is pinned in system memory (${ops.memory}) when ${s.name} maps: ${why} (dma_buf_pin_on_map) and ${ops.pin} removes VRAM. P2P is lost. ${fix}.`)];
  },
};
export default rule;
