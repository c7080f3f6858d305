/*
 * The tasks the page can run in its Worker (kernelWorker.ts), by name: `runInWorker(name, input)` in the
 * page (worker.ts) posts the input, the Worker runs the task of that name and posts its output back. Each
 * explorer that computes on the kernel adds one entry here. Inputs and outputs cross by structured clone:
 * plain objects, arrays and typed arrays only.
 */
import type { KernelActivation } from '../kernel/layout';
import type { KernelMath } from '../kernel/math';
import { hessianExplorerReading, hessianExplorerView, type HessianSettings, type HessianView } from './hessian';
import { sinusoidAdaptation, type SinusoidAdaptation, type SinusoidAdaptationInput } from './sinusoid';

/** What a task gets besides its input. */
export interface WorkerContext {
  /** The wasm kernel (float32) for an MLP; one instance per sizes and activation, kept for the Worker's life. */
  kernel(sizes: readonly number[], activation: KernelActivation): KernelMath;
  /** Reports progress to the page (`onProgress` of runInWorker): `done` of `total`, and what is under way. */
  progress(done: number, total: number, text: string): void;
}

/**
 * The table of tasks. Add an entry `name: (input: YourInput, context) => YourOutput` (synchronous or async);
 * the page then calls `runInWorker('name', input, onProgress?)` and gets YourOutput, typed from here.
 */
export const WORKER_TASKS = {
  /** The sinusoid explorer: every model adapted step by step on the support points, with its check. */
  sinusoidAdaptation: (input: SinusoidAdaptationInput, context: WorkerContext): SinusoidAdaptation => 
    sinusoidAdaptation(context.kernel(input.sizes, input.activation), input, (done, total, name) => context.progress(done, total, `adapting ${name}`)),
  /**
   * The Hessian explorer: the MSE Hessian, its two parts and its spectrum on the wasm kernel, with its check,
   * and the figures: only the pooled heatmaps and the numbers go back to the page, not the three n × n matrices.
   */
  hessianView: async (input: HessianSettings, context: WorkerContext): Promise<HessianView> => {
    const reading = await hessianExplorerReading(input, { math: (sizes, activation) => context.kernel(sizes, activation), onProgress: (fraction, stage) => context.progress(0.95 * fraction, 1, fraction >= 1 ? 'the figures' : stage) });
    return hessianExplorerView(reading, input);
  },
};

/** The name of a task in WORKER_TASKS. */
export type WorkerTaskName = keyof typeof WORKER_TASKS;
/** A task's input. */
export type WorkerTaskInput<T extends WorkerTaskName> = Parameters<(typeof WORKER_TASKS)[T]>[0];
/** A task's output (resolved). */
export type WorkerTaskOutput<T extends WorkerTaskName> = Awaited<ReturnType<(typeof WORKER_TASKS)[T]>>;

/** Messages between the page and the Worker. */
export type WorkerRequest = { id: number; task: string; input: unknown };
export type WorkerReply =
  | { id: number; kind: 'result'; output: unknown; ms: number }
  | { id: number; kind: 'error'; message: string }
  | { id: number; kind: 'progress'; done: number; total: number; text: string };
