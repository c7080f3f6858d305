/*
 * The page's side of the kernel Worker (kernelWorker.ts): `runInWorker(task, input, onProgress?)` posts a
 * request and returns a promise of the task's output. The Worker starts on the first call, from a Blob URL
 * of its own bundled text (embedded in this bundle by scripts/build-web.ts). Errors thrown by a task, and a
 * Worker that fails to start or dies, reject the promises waiting on it with the message.
 */
import type { WorkerReply, WorkerTaskInput, WorkerTaskName, WorkerTaskOutput } from './workerTasks';

/** The Worker's bundled source (replaced by esbuild's `define` when the page bundle is built). */
declare const MAML_LAB_KERNEL_WORKER: string;

interface Pending {
  resolve(output: unknown): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number, text: string) => void;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(message: string): void {
  for (const p of pending.values()) p.reject(new Error(message));
  pending.clear();
  worker?.terminate();
  worker = undefined; // the next call starts a new one
}

function started(): Worker {
  if (worker !== undefined) return worker;
  const url = URL.createObjectURL(new Blob([MAML_LAB_KERNEL_WORKER], { type: 'text/javascript' }));
  const w = new Worker(url);
  // Freed once the Worker has answered (or failed): revoking at once can stop a browser that loads the
  // script asynchronously (Firefox) from reading it.
  let revoked = false;
  const revoke = () => {
    if (!revoked) URL.revokeObjectURL(url);
    revoked = true;
  };
  w.onmessage = (event: MessageEvent<WorkerReply>) => {
    revoke();
    const reply = event.data;
    const p = pending.get(reply.id);
    if (p === undefined) return;
    if (reply.kind === 'progress') p.onProgress?.(reply.done, reply.total, reply.text);
    else {
      pending.delete(reply.id);
      if (reply.kind === 'result') p.resolve(reply.output);
      else p.reject(new Error(reply.message));
    }
  };
  w.onerror = (event: ErrorEvent) => {
    revoke();
    event.preventDefault();
    failAll(`the kernel Worker failed: ${event.message || 'it could not start'}`);
  };
  w.onmessageerror = () => failAll('the kernel Worker sent a message the page could not read');
  worker = w;
  return w;
}

/**
 * Runs the task `task` of WORKER_TASKS (workerTasks.ts) on `input` in the page's kernel Worker; resolves
 * with its output, rejects with the task's error message. Requests run one after another, in order.
 * `onProgress(done, total, text)` receives the task's progress reports.
 */
export function runInWorker<T extends WorkerTaskName>(task: T, input: WorkerTaskInput<T>, onProgress?: (done: number, total: number, text: string) => void): Promise<WorkerTaskOutput<T>> {
  return new Promise((resolve, reject) => {
    try {
      const w = started();
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (o: unknown) => void, reject, onProgress });
      w.postMessage({ id, task, input });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
