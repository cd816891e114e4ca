// The in-process checks of fuzz/checks.ts in a worker thread, so that an input that
// hangs the analysis or exhausts its memory is a failure of that input, kept in the
// corpus like any other, and not the end of the fuzzing run: the worker has a heap
// limit and a watchdog, and is replaced when it dies.
//
// The watchdog counts the worker thread's own CPU time (Linux: /proc/self/task/<tid>/
// schedstat), not the wall clock: a run under `nice` on a busy machine can wait minutes
// for a core, and that is no hang (a 66 s wall-clock watchdog once took an input whose
// checks need 2 s of CPU for one). A worker that gets no CPU at all for ten times the
// bound is a failure too.
//
// The worker is this same bundle (fuzz/run.ts calls `workerMain()` when it is not the
// main thread).

import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { checkInProcess, timeLimitFor, type Failure, type InProcessOptions, type InProcessResult } from './checks';
import type { Input } from './gen';

/** The heap of the worker: an input whose checks need more exhausts the memory. */
const WORKER_HEAP_MB = 1536;

interface Job {
  readonly input: Input;
  readonly options: InProcessOptions;
}

/** The first message of a worker: its thread's id in the kernel (Linux), for its CPU time. */
interface Hello {
  readonly tid: number | undefined;
}

/** Runs in the worker thread: says its thread id, then checks each input it is sent. */
export function workerMain(): void {
  if (isMainThread || !parentPort) return;
  const port = parentPort;
  port.postMessage({ tid: ownTid() } satisfies Hello);
  port.on('message', (job: Job) => port.postMessage(checkInProcess(job.input, job.options)));
}

function ownTid(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'latin1').split(' ', 1)[0]);
  } catch {
    return undefined;
  }
}

/** CPU time of thread `tid` of this process, in ms; undefined when it cannot be read. */
function taskCpuMs(tid: number | null | undefined): number | undefined {
  if (tid === undefined || tid === null) return undefined;
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ', 1)[0]) / 1e6;
  } catch {
    return undefined;
  }
}

export class IsolatedChecker {
  private worker: Worker | undefined;
  /** The worker's thread id: a number, `undefined` before it said hello, `null` when it has none to give. */
  private tid: number | null | undefined;

  /** @param script the bundle to run as the worker (fuzz/run.ts bundled) */
  constructor(
    private readonly script: string,
    private readonly watchdogMs: number,
  ) {}

  private spawn(): Worker {
    const w = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.worker = w;
    this.tid = undefined;
    w.once('message', (hello: Hello) => {
      if (this.worker === w) this.tid = hello.tid ?? null;
    });
    w.unref();
    return w;
  }

  /** The checks of one input; a hang or an out-of-memory in the worker is reported as a failure. */
  check(input: Input, options: InProcessOptions): Promise<InProcessResult> {
    const w = this.worker ?? this.spawn();
    const t0 = performance.now();
    return new Promise((resolve) => {
      const finish = (r: InProcessResult) => {
        clearInterval(timer);
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
      const onMessage = (r: InProcessResult | Hello) => {
        if ('failures' in r) finish(r);
      };
      const onError = (e: Error) => {
        const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        failed({ kind: oom ? 'memory' : 'exception', message: oom ? `the checks exhausted a heap of ${WORKER_HEAP_MB} MiB on ${input.text.length} characters` : `the worker died: ${e.stack ?? e.message}` });
      };
      const onExit = (code: number) => failed({ kind: 'exception', message: `the worker exited (${code})` });
      // Three runs of a slow input are allowed by checkInProcess; a hang is well beyond.
      const watchdog = timeLimitFor(input, options.timeLimitMs) * 3 + this.watchdogMs;
      let cpuAtStart = taskCpuMs(this.tid); // unknown for the first input of a new worker: from the first tick
      const timer = setInterval(() => {
        const cpu = taskCpuMs(this.tid);
        cpuAtStart ??= cpu;
        const used = cpu !== undefined && cpuAtStart !== undefined ? cpu - cpuAtStart : undefined;
        const waited = performance.now() - t0;
        // Wall clock only without a thread id; before the worker said hello, it may be starting slowly on a busy machine.
        const hung = used !== undefined ? used > watchdog : this.tid === null && waited > watchdog;
        if (hung || waited > watchdog * 10) {
          const what = used !== undefined ? `${Math.round(used)} ms of CPU time in ${Math.round(waited)} ms` : `${Math.round(waited)} ms`;
          failed({ kind: 'hang', message: `the checks did not finish within ${Math.round(watchdog)} ms (${what}) on ${input.text.length} characters` });
        }
      }, 500);
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
