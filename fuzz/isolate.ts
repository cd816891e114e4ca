// The in-process checks of fuzz/checks.ts in a worker thread, so that an input that
// hangs the analysis or exhausts its memory is a failure of that input, kept in the
// corpus like any other, and not the end of the fuzzing run: the worker has a heap
// limit and a watchdog, and is replaced when it dies.
//
// The worker is this same bundle (fuzz/run.ts calls `workerMain()` when it is not the
// main thread).

import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { checkInProcess, timeLimitFor, type Failure, type InProcessOptions, type InProcessResult } from './checks';
import type { Input } from './gen';

/** The heap of the worker: an input whose checks need more exhausts the memory. */
const WORKER_HEAP_MB = 1536;

interface Job {
  readonly input: Input;
  readonly options: InProcessOptions;
}

/** Runs in the worker thread: checks each input it is sent. */
export function workerMain(): void {
  if (isMainThread || !parentPort) return;
  const port = parentPort;
  port.on('message', (job: Job) => port.postMessage(checkInProcess(job.input, job.options)));
}

export class IsolatedChecker {
  private worker: Worker | undefined;

  /** @param script the bundle to run as the worker (fuzz/run.ts bundled) */
  constructor(
    private readonly script: string,
    private readonly watchdogMs: number,
  ) {}

  private spawn(): Worker {
    this.worker = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.worker.unref();
    return this.worker;
  }

  /** The checks of one input; a hang or an out-of-memory in the worker is reported as a failure. */
  check(input: Input, options: InProcessOptions): Promise<InProcessResult> {
    const w = this.worker ?? this.spawn();
    const t0 = performance.now();
    return new Promise((resolve) => {
      const finish = (r: InProcessResult) => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        resolve(r);
      };
      const failed = (f: Failure) => {
        if (this.worker === w) this.worker = undefined;
        void w.terminate();
        finish({ failures: [f], slowest: { what: f.kind, ms: performance.now() - t0 }, ms: performance.now() - t0, stats: { shares: 0, findings: 0, fixes: 0, formatted: 0 } });
      };
      const onMessage = (r: InProcessResult) => finish(r);
      const onError = (e: Error) => {
        const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        failed({ kind: oom ? 'memory' : 'exception', message: oom ? `the checks exhausted a heap of ${WORKER_HEAP_MB} MiB on ${input.text.length} characters` : `the worker died: ${e.stack ?? e.message}` });
      };
      const onExit = (code: number) => failed({ kind: 'exception', message: `the worker exited (${code})` });
      // Three runs of a slow input are allowed by checkInProcess; a hang is well beyond.
      const watchdog = timeLimitFor(input, options.timeLimitMs) * 3 + this.watchdogMs;
      const timer = setTimeout(() => failed({ kind: 'hang', message: `the checks did not finish within ${Math.round(watchdog)} ms on ${input.text.length} characters` }), watchdog);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ input, options } satisfies Job);
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
