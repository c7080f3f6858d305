/*
 * The Worker's entry (bundled on its own by scripts/build-web.ts, with mlp.wasm's bytes inlined as base64,
 * then embedded as text in the page bundle and started from a Blob URL: from file:// a Worker cannot load
 * a sibling file, nor can fetch). It compiles the kernel once, and runs the tasks of workerTasks.ts by name,
 * one at a time (one thread: SharedArrayBuffer needs cross-origin isolation, which file:// lacks). Any error
 * goes back to the page as a message, so the page's promise rejects with it instead of hanging.
 */
import type { KernelActivation } from '../kernel/layout';
import type { KernelMath } from '../kernel/math';
import { wasmMathFromModule, type WasmModule } from '../kernel/wasmInstance';
import { WORKER_TASKS, type WorkerContext, type WorkerReply, type WorkerRequest } from './workerTasks';

/** mlp.wasm, base64 (replaced by esbuild's `define` when the Worker is bundled). */
declare const MAML_LAB_KERNEL_WASM: string;

interface WorkerScope {
  onmessage: ((event: { data: WorkerRequest }) => void) | null;
  postMessage(message: WorkerReply): void;
}
const scope = globalThis as unknown as WorkerScope;

let compiled: WasmModule | undefined;
const kernels = new Map<string, KernelMath>();

function kernelModule(): WasmModule {
  if (compiled === undefined) {
    const text = atob(MAML_LAB_KERNEL_WASM);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => WasmModule } }).WebAssembly.Module(bytes);
  }
  return compiled;
}

scope.onmessage = async (event) => {
  const { id, task, input } = event.data;
  const started = performance.now();
  const context: WorkerContext = {
    kernel(sizes: readonly number[], activation: KernelActivation) {
      const key = `${sizes.join(',')}:${activation}`;
      let math = kernels.get(key);
      if (math === undefined) {
        math = wasmMathFromModule(kernelModule(), sizes, activation);
        kernels.set(key, math);
      }
      return math;
    },
    progress: (done, total, text) => scope.postMessage({ id, kind: 'progress', done, total, text }),
  };
  try {
    const run = (WORKER_TASKS as Record<string, (input: unknown, context: WorkerContext) => unknown>)[task];
    if (run === undefined) throw new Error(`the Worker has no task "${task}" (it has ${Object.keys(WORKER_TASKS).join(', ')})`);
    const output = await run(input, context);
    scope.postMessage({ id, kind: 'result', output, ms: performance.now() - started });
  } catch (error) {
    scope.postMessage({ id, kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
