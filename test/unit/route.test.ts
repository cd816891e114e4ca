// The route a share's TLPs take (engine/route.ts), on the samples: where it follows the
// P2P `path` and where the traffic goes up to the root complex instead. Each test names
// the kernel function whose behaviour decides the route.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzePath } from '../helpers/analyzeFile';

const SAMPLES = resolve(__dirname, '../../samples');
const share = (file: string, name: string) => {
  const s = analyzePath(join(SAMPLES, file)).shares.find((x) => x.name === name);
  if (!s) throw new Error(`${file} has no share ${name}`);
  return s;
};

describe('share route (engine/route.ts)', () => {
  it('BUS_ADDR with a bus address turns at the common switch: the route is the path (calc_map_type_and_dist, pci_p2pdma_bus_addr_map)', () => {
    const s = share('01-vfio-switch.dmabuf', 'doorbells->gpu0');
    expect(s.mapType).toBe('BUS_ADDR');
    expect(s.route).toEqual(s.path);
    expect(s.route).not.toContain('rp0');
  });

  it('THRU_HOST_BRIDGE goes up to the root complex and back down, though the path turns at the switch (pci_bridge_has_acs_redir)', () => {
    const s = share('02-vfio-switch-iommu.dmabuf', 'doorbells->gpu0');
    expect(s.path).toEqual(['nic0', 'sw0.nic0', 'sw0', 'sw0.gpu0', 'gpu0']);
    expect(s.route).toEqual(['nic0', 'sw0.nic0', 'sw0', 'rp0', 'hb0', 'rp0', 'sw0', 'sw0.gpu0', 'gpu0']);
  });

  it('BUS_ADDR but an untranslated IOVA goes up to the IOMMU: IOVAs lie outside every bridge window (iova_reserve_pci_windows)', () => {
    const s = share('06-hgx-disable-acs-redir.dmabuf', 'weights->nic0');
    expect([s.mapType, s.addressKind]).toEqual(['BUS_ADDR', 'iova']);
    expect(s.route).toEqual(['gpu0', 'dsp00', 'sw0', 'rp0', 'hb0', 'rp0', 'sw0', 'dsp01', 'nic0']);
  });

  it('across two host bridges the route passes both (host_bridge_whitelist)', () => {
    const s = share('06-hgx-disable-acs-redir.dmabuf', 'weights->nic6');
    expect(s.route.slice(3, 6)).toEqual(['rp0', 'hb0', 'hb3']);
    expect(s.route.at(-1)).toBe('nic6');
  });

  it('a buffer amdgpu moved to system memory is read from RAM through the root complex, not from the GPU (amdgpu_dma_buf_map)', () => {
    const s = share('03-amdgpu-fallback.dmabuf', 'frame->nic0');
    expect(s.placement).toBe('system');
    expect(s.route).toEqual(['high', 'hb0', 'rp1', 'nic0']);
  });

  it('a swiotlb bounce is read from the low RAM region that holds the pool (swiotlb_init_remap, memblock_alloc_low)', () => {
    const bounced = share('17-thunderbolt-32bit-bounce.dmabuf', 'meta->egpu');
    const direct = share('17-thunderbolt-32bit-bounce.dmabuf', 'tex->egpu');
    expect(bounced.addressKind).toBe('swiotlb');
    expect(bounced.route[0]).toBe('low');
    expect(direct.route[0]).toBe('high');
  });

  it('a map that fails sends no TLP: no route (dma_direct_map_phys refuses MMIO under force-bounce)', () => {
    const s = share('14-cc-guest.dmabuf', 'tensors->vf0');
    expect(s.ok).toBe(false);
    expect(s.route).toEqual([]);
  });

  it('VRAM between XGMI peers goes over the link, named in the result (amdgpu_dma_buf_map: no DMA mapping for XGMI)', () => {
    const s = share('12-xgmi-private.dmabuf', 'kvcache->gpu1');
    expect(s.route).toEqual(['gpu0', 'gpu1']);
    expect(s.link).toBe('xgmi');
  });
});
