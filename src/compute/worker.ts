/**
 * The compute thread's handler (loaded by Piscina in a worker thread): runs one task of tasks.ts, sends its progress
 * over the task's MessagePort, and returns its output with its typed arrays moved, not copied, to the host. Errors come
 * back as data (`ok: false`), so the host sees the original message and whether the failure was expected.
 */
import { isArrayBufferView } from 'node:util/types';
import type { MessagePort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { TASK_NAMES, TASKS, TaskName, TaskTypes } from './tasks';

export interface TaskRequest<N extends TaskName = TaskName> {
  task: N;
  input: TaskTypes[N]['input'];
  /** Receives `{fraction, step}` messages while the task runs; closed when it ends. */
  progress: MessagePort | null;
}

export type TaskReply<N extends TaskName = TaskName> =
  | { ok: true; output: TaskTypes[N]['output'] }
  | { ok: false; error: { name: string; message: string; stack?: string; expected: boolean } };

/** The ArrayBuffers of the typed arrays directly inside `value` (one level deep, and in nested plain objects). */
function buffersOf(value: unknown, out: ArrayBuffer[] = [], depth = 0): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || depth > 3) return out;
  if (isArrayBufferView(value)) {
    const b = value.buffer;
    // Only whole, unshared buffers can be moved; a view into a larger or shared buffer is copied.
    if (b instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === b.byteLength && !out.includes(b)) out.push(b);
    return out;
  }
  for (const v of Object.values(value)) buffersOf(v, out, depth + 1);
  return out;
}

export default async function runTask(req: TaskRequest): Promise<unknown> {
  const port = req.progress;
  try {
    if (!TASK_NAMES.includes(req.task)) throw new Error(`compute: unknown task ${String(req.task)}`);
    const fn = TASKS[req.task] as (input: unknown, progress: (f: number, s: string) => void) => Promise<unknown>;
    const output = await fn(req.input, (fraction, step) => port?.postMessage({ fraction, step }));
    const reply: TaskReply = { ok: true, output: output as never };
    const transfer = buffersOf(output);
    return transfer.length ? move({ [transferableSymbol]: transfer, [valueSymbol]: reply } as never) : reply;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const reply: TaskReply = {
      ok: false,
      error: { name: err.name, message: err.message, stack: err.stack, expected: (err as { expected?: unknown }).expected === true },
    };
    return reply;
  } finally {
    port?.close();
  }
}
