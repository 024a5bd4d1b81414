/**
 * Compute threads: the CPU-heavy steps of the pipeline (training, cross-validation, confident learning) run here, on
 * worker threads of a Piscina pool, so the API thread keeps answering while a job runs. Progress comes back over a
 * MessagePort per task, an aborted signal ends the task by terminating its thread (Piscina starts a fresh one for the
 * next task), and an error in the task comes back as an Error with the original message.
 *
 * Threads are started on first use and stopped after {@link IDLE_TIMEOUT_MS} without work, which also gives back the
 * memory TensorFlow.js's wasm heap keeps after a large training run.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { TaskName, TaskTypes } from './tasks';
import type { TaskReply, TaskRequest } from './worker';

/** A compute thread with no task for this long is stopped. */
export const IDLE_TIMEOUT_MS = 30_000;
/** How long a finished task's last progress reports are waited for (they are already sent; this only bounds a bug). */
const DRAIN_LIMIT_MS = 1_000;

export interface ComputeRunOptions {
  /** Aborting it stops the task (its thread is terminated); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called on the API thread with the task's progress. */
  progress?: (fraction: number, step: string) => void;
  /** Buffers of the input to move to the compute thread instead of copying (unusable here afterwards). */
  transfer?: ArrayBuffer[];
}

/** A task's failure, with the task's own message; `expected` when the task marked it so (bad input, not a fault). */
export class ComputeError extends Error {
  constructor(
    readonly task: TaskName,
    message: string,
    readonly expected: boolean,
    readonly taskStack?: string,
  ) {
    super(message);
    this.name = 'ComputeError';
  }
}

/** Compute threads for a 2-core machine: one, so the API thread and the database keep the other core. */
export function defaultComputeThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * The worker module to load: the built `worker.js` beside this file, or, when running from the TypeScript sources
 * (ts-jest), a small CommonJS entry that transpiles the sources in the worker thread.
 */
function workerFilename(): string {
  return __filename.endsWith('.ts') ? join(__dirname, 'ts-entry.cjs') : join(__dirname, 'worker.js');
}

export class ComputePool {
  private readonly piscina: Piscina;
  private closed = false;

  constructor(opts: { threads?: number; idleTimeoutMs?: number } = {}) {
    const threads = opts.threads ?? defaultComputeThreads();
    this.piscina = new Piscina({
      filename: workerFilename(),
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
      // One task per thread at a time: tasks are CPU-bound, interleaving them on one thread only adds latency.
      concurrentTasksPerWorker: 1,
    });
  }

  /** Threads the pool may run at once. */
  get threads(): number {
    return this.piscina.options.maxThreads;
  }

  /** Runs one task on a compute thread and returns its output. */
  async run<N extends TaskName>(task: N, input: TaskTypes[N]['input'], opts: ComputeRunOptions = {}): Promise<TaskTypes[N]['output']> {
    if (this.closed) throw new Error(`compute: the pool is closed (task ${task})`);
    opts.signal?.throwIfAborted();
    const channel = opts.progress ? new MessageChannel() : null;
    // The worker closes its end when the task ends; 'close' arrives here after every message sent before it, so
    // waiting for it delivers the last progress reports before the task's result.
    let drained: Promise<void> = Promise.resolve();
    if (channel && opts.progress) {
      const onProgress = opts.progress;
      channel.port1.on('message', (m: { fraction: number; step: string }) => onProgress(m.fraction, m.step));
      drained = new Promise((r) => channel.port1.once('close', () => r()));
    }
    const request: TaskRequest<N> = { task, input, progress: channel?.port2 ?? null };
    try {
      const reply = (await this.piscina.run(request, {
        signal: opts.signal ?? null,
        transferList: [...(channel ? [channel.port2] : []), ...(opts.transfer ?? [])] as never,
      })) as TaskReply<N>;
      await Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_LIMIT_MS).unref())]);
      if (!reply.ok) throw new ComputeError(task, reply.error.message, reply.error.expected, reply.error.stack);
      return reply.output;
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error(`compute: task ${task} aborted`);
      throw e;
    } finally {
      channel?.port1.close();
    }
  }

  /** Stops every thread; tasks still running are ended. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
