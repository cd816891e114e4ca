// textDocument/hover (hover.ts words it): a share needs the engine's result.

import { hoverAt, type OtherKernel } from '../hover';
import { parseKernelVersion } from '../../ground/release';
import { register, type Features } from './register';

export function registerHover(f: Features): void {
  register(f, f.connection.onHover, 'engine', (ctx, p) => hoverAt(ctx.result, ctx.doc.uri, ctx.doc.getText(), ctx.offsetAt(p.position), () => otherKernels(f, ctx.doc.uri)), { name: 'hover', fallback: null });
}

/** The model on each release of `dmabuf.compareKernels` (analysed fresh, only for a share's hover). */
function otherKernels(f: Features, uri: string): OtherKernel[] {
  const out: OtherKernel[] = [];
  for (const kernel of f.ws.settings.compareKernels) {
    const version = parseKernelVersion(kernel);
    if (!version) continue;
    const a = f.ws.modelAt(uri, { text: kernel, version });
    if (!(a instanceof Error)) out.push({ kernel, analysis: a });
  }
  return out;
}
