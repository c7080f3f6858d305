import * as tf from '@tensorflow/tfjs';
import {
  kernelHessian, kernelHessianProducts, kernelLossCurve, kernelMetaGradient, kernelPretrainGradient, wasmMath, type HessianPart, type KernelActivation, type KernelMath, type KernelPoints,
  type KernelTasks,
} from '../kernel';
import { adamArrays, type AdamOptions } from './adam';
import { indefiniteSystem } from './implicitSolve';
import { finiteMetaLoss, type MetaGradientOptions, type MetaGradientResult } from './methods/types';
import type { Method } from './methods';
import type { Model } from './model';
import type { RegressionBatch, TaskBatch } from './tasks';
import { requireFiniteLoss, requireFiniteValues } from './validate';

/*
 * The kernel route: tfjs tensors in, the wasm kernel (maml-lab/kernel) in between, tfjs tensors out.
 * Callers have checked every argument; copying in and out costs microseconds against the kernel's
 * fraction of a millisecond.
 */

const kernels = new Map<string, KernelMath>();

/**
 * Whether the kernel computes this loss: a model made by `mlp` (its MSE, relu or tanh), not a custom
 * `BatchedLoss` function.
 *
 * @example
 * import { kernelCovers, mlp, quadraticLoss } from 'maml-lab/meta';
 * kernelCovers(mlp([1, 40, 1])); // true
 * kernelCovers(quadraticLoss); // false
 */
export function kernelCovers(lossOrModel: unknown): lossOrModel is Model {
  const model = lossOrModel as Partial<Model> | undefined;
  return typeof lossOrModel === 'object' && lossOrModel !== null && Array.isArray(model?.sizes) && (model?.activation === 'relu' || model?.activation === 'tanh');
}

/**
 * A cached kernel whose memory is larger than this after a call is dropped from the cache (the next call
 * makes a fresh one). Wasm memory only grows, so without this one Gauss–Newton Hessian of [1, 100, 100, 1]
 * pins ~460 MB for the session; a call that needs this much spends far longer computing than the few
 * milliseconds a fresh instance costs, while steady loops (training, evaluation) stay far below it.
 *
 * @example
 * import { KERNEL_RELEASE_BYTES } from 'maml-lab/meta';
 * KERNEL_RELEASE_BYTES / 2 ** 20; // 256
 */
export const KERNEL_RELEASE_BYTES = 256 * 2 ** 20;

function kernelKey(model: Model): string {
  // A network without hidden layers has no activation to apply: one kernel serves both names.
  return `${model.sizes.join('-')}:${kernelActivation(model)}`;
}
function kernelActivation(model: Model): KernelActivation {
  return model.sizes.length === 2 ? 'identity' : model.activation;
}

/**
 * The float32 wasm kernel for a model's network, one per layer sizes and activation in a process (each
 * holds its memory for reuse, up to KERNEL_RELEASE_BYTES).
 *
 * @example
 * import { mlp, modelKernel } from 'maml-lab/meta';
 * const math = modelKernel(mlp([1, 40, 40, 1]));
 * math.layout.parameterCount; // 1761
 * modelKernel(mlp([1, 40, 40, 1])) === math; // true
 */
export function modelKernel(model: Model): KernelMath {
  const key = kernelKey(model);
  let math = kernels.get(key);
  if (math === undefined) {
    math = wasmMath(model.sizes, kernelActivation(model));
    kernels.set(key, math);
  }
  return math;
}

/**
 * Drops every cached kernel (their memory goes with the instances, when collected); the next call makes a
 * fresh one. Returns how many were dropped. For freeing memory by hand, and for tests that need a kernel
 * with no history.
 *
 * @example
 * import { metaGradient, mlp, releaseKernels, sinusoidTasks } from 'maml-lab/meta';
 * import * as tf from '@tensorflow/tfjs';
 * const model = mlp([1, 8, 1]);
 * const params = model.init(0);
 * tf.dispose(metaGradient(model, params, sinusoidTasks({ tasks: 2, shots: 5, seed: 0 }), { alpha: 0.01, steps: 1 }).grads);
 * releaseKernels() >= 1; // true
 * releaseKernels(); // 0
 */
export function releaseKernels(): number {
  const count = kernels.size;
  kernels.clear();
  return count;
}

/** Runs `work` on the model's cached kernel, then drops it from the cache if its memory grew past KERNEL_RELEASE_BYTES. */
function onKernel<T>(model: Model, work: (math: KernelMath) => T): T {
  const math = modelKernel(model);
  try {
    return work(math);
  } finally {
    releaseIfLarge(model, math);
  }
}
function releaseIfLarge(model: Model, math: KernelMath): void {
  if (math.heap().buffer.byteLength > KERNEL_RELEASE_BYTES && kernels.get(kernelKey(model)) === math) kernels.delete(kernelKey(model));
}

/** The parameters as one flat float32 vector (the order of `flattenParams`), read without a tfjs op. */
function flatParams(params: readonly tf.Tensor[]): Float32Array {
  const flat = new Float32Array(params.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of params) {
    flat.set(p.dataSync() as Float32Array, at);
    at += p.size;
  }
  return flat;
}

/** A flat vector back into tensors of the model's shapes. */
function asParams(model: Model, flat: Float32Array | Float64Array): tf.Tensor[] {
  let at = 0;
  return model.shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const piece = flat.subarray(at, at + size);
    at += size;
    return tf.tensor(piece instanceof Float32Array ? piece : Float32Array.from(piece), shape as number[], 'float32');
  });
}

/** Points of a batch, [tasks, points, features] (or one task's [points, features]). */
function kernelPoints(set: RegressionBatch<tf.Tensor>): KernelPoints {
  const { x, y } = set;
  const three = x.rank === 3;
  return { x: x.dataSync(), y: y.dataSync(), tasks: three ? x.shape[0] : 1, points: (three ? x.shape[1] : x.shape[0]) as number };
}

/** Task `task` of a set of points, as one task's points (a view, no copy). */
function taskOf(points: KernelPoints, task: number): KernelPoints {
  if (points.tasks === 1) return points;
  const xs = points.x.length / points.tasks;
  const ys = points.y.length / points.tasks;
  return { x: (points.x as Float32Array).subarray(task * xs, (task + 1) * xs), y: (points.y as Float32Array).subarray(task * ys, (task + 1) * ys), tasks: 1, points: points.points };
}

function kernelTasks(tasks: TaskBatch): KernelTasks {
  return { support: kernelPoints(tasks.support), query: kernelPoints(tasks.query) };
}

/** What to try when the kernel's float32 passes overflowed: the loss may be finite while a gradient is not. */
const OVERFLOW = "float32 overflowed inside the kernel's passes (values past about 3.4e38)";
const overflowHint = (alpha?: number) => `${OVERFLOW}; try a smaller alpha${alpha === undefined ? '' : ` (now ${alpha})`}, or scale the inputs and targets down`;

/**
 * `metaGradient` on the kernel: the same result (loss, grads as tensors, iMAML's CG report) and the same
 * errors for a non-finite meta-loss or an indefinite iMAML system.
 *
 * @example
 * import { kernelMetaGradientOf, mlp, sinusoidTasks } from 'maml-lab/meta';
 * const model = mlp([1, 40, 40, 1]);
 * const { grads } = kernelMetaGradientOf(model, model.init(0), sinusoidTasks({ tasks: 25, shots: 10, seed: 1 }), { alpha: 0.01, steps: 1 });
 * grads.map((g) => g.shape); // [[1, 40], [40], [40, 40], [40], [40, 1], [1]]
 */
export function kernelMetaGradientOf(model: Model, params: readonly tf.Tensor[], tasks: TaskBatch, options: MetaGradientOptions): MetaGradientResult {
  const method: Method = options.method ?? 'maml';
  const result = onKernel(model, (math) => kernelMetaGradient(math, flatParams(params), kernelTasks(tasks), { ...options, method }));
  if (result.indefinite !== undefined) {
    const { task, curvature, iteration } = result.indefinite;
    throw indefiniteSystem(task, Math.fround(curvature), iteration, options.lambda ?? 1);
  }
  const loss = finiteMetaLoss(result.loss, options.alpha);
  const out: MetaGradientResult = { loss, grads: asParams(model, requireFiniteValues('the meta-gradient', result.grad, overflowHint(options.alpha))) };
  if (result.cg !== undefined) out.cg = result.cg;
  return out;
}

/**
 * One task's MSE Hessian, or its Gauss–Newton or residual part, on the kernel, as a float64 n × n matrix
 * (row-major, the order of `flattenParams`): the kernel route of `lossHessian` and `hessianSplit`.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { kernelHessianOf, mlp } from 'maml-lab/meta';
 * const points = { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[3], [-1]]) };
 * Array.from(kernelHessianOf(mlp([1, 1]), [tf.ones([1, 1]), tf.zeros([1])], points, 0)); // [5, 3, 3, 2]
 */
export function kernelHessianOf(model: Model, params: readonly tf.Tensor[], points: RegressionBatch<tf.Tensor>, task: number, part: HessianPart = 'hessian'): Float64Array {
  return onKernel(model, (math) => kernelHessian(math, flatParams(params), taskOf(kernelPoints(points), task), part));
}

/**
 * Hessian-vector products of one task's MSE on the kernel: row i of the result is H·vᵢ for row i of
 * `directions` [m, n]; the kernel route of `hessianVectorProducts`.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { kernelHessianProductsOf, mlp } from 'maml-lab/meta';
 * const points = { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[0], [0]]) };
 * Array.from(kernelHessianProductsOf(mlp([1, 1]), [tf.zeros([1, 1]), tf.zeros([1])], points, 0, tf.tensor2d([[1, 1]]))); // [8, 5]
 */
export function kernelHessianProductsOf(model: Model, params: readonly tf.Tensor[], points: RegressionBatch<tf.Tensor>, task: number, directions: tf.Tensor2D): Float64Array {
  return onKernel(model, (math) => kernelHessianProducts(math, flatParams(params), taskOf(kernelPoints(points), task), directions.dataSync(), directions.shape[0]));
}

/**
 * Every task's query MSE after 0 … maxSteps SGD steps on its support set, on the kernel: row s holds the
 * tasks' losses after s steps. The kernel route of `evaluate`.
 *
 * @example
 * import { kernelLossCurveOf, mlp, sinusoidTasks } from 'maml-lab/meta';
 * const model = mlp([1, 8, 1]);
 * const curve = kernelLossCurveOf(model, model.init(0), sinusoidTasks({ tasks: 4, shots: 5, seed: 0 }), 0.01, 2);
 * curve.length; // 3
 * curve[0].length; // 4
 */
export function kernelLossCurveOf(model: Model, params: readonly tf.Tensor[], tasks: TaskBatch, alpha: number, maxSteps: number): Float64Array[] {
  const flat = onKernel(model, (math) => kernelLossCurve(math, flatParams(params), kernelTasks(tasks), alpha, maxSteps));
  return Array.from({ length: maxSteps + 1 }, (_, s) => flat.subarray(s * tasks.count, (s + 1) * tasks.count));
}

/** What `kernelTrainer` trains on: a method or the non-meta baseline, with `metaGradient`'s settings. */
export interface KernelTraining extends Omit<MetaGradientOptions, 'method' | 'engine'> {
  objective: Method | 'pretrain';
  adam?: AdamOptions;
}

/**
 * Training on the kernel: θ stays a flat float32 vector beside Adam's moments (`adamArrays`), so an
 * iteration is one kernel meta-gradient and one pass over θ, with no tensor made but the batch's. `step`
 * takes a batch and returns its (meta-)loss, with the tfjs route's errors for a non-finite one; `params`
 * gives θ back as tensors.
 *
 * @example
 * import { kernelTrainer, mlp, sinusoidTasks, disposeTasks } from 'maml-lab/meta';
 * import * as tf from '@tensorflow/tfjs';
 * const model = mlp([1, 40, 40, 1]);
 * const init = model.init(0);
 * const trainer = kernelTrainer(model, init, { objective: 'maml', alpha: 0.01, steps: 1 });
 * for (let i = 0; i < 3; i++) {
 *   const batch = sinusoidTasks({ tasks: 25, shots: 10, seed: i });
 *   trainer.step(batch);
 *   disposeTasks(batch);
 * }
 * const trained = trainer.params();
 * trained.length; // 6
 * tf.dispose([...init, ...trained]);
 */
export function kernelTrainer(model: Model, params: readonly tf.Tensor[], training: KernelTraining) {
  const math = modelKernel(model);
  const theta = flatParams(params);
  const optimizer = adamArrays(training.adam);
  const state = optimizer.init(theta.length);
  const { objective, ...options } = training;
  return {
    step(batch: TaskBatch): number {
      let loss: number;
      let grad: ArrayLike<number>;
      if (objective === 'pretrain') {
        ({ loss, grad } = kernelPretrainGradient(math, theta, kernelTasks(batch)));
        requireFiniteLoss('the loss', loss, 'try a smaller metaLearningRate');
        requireFiniteValues('the gradient', grad, `${OVERFLOW}; try a smaller metaLearningRate`);
      } else {
        const result = kernelMetaGradient(math, theta, kernelTasks(batch), { ...options, method: objective });
        if (result.indefinite !== undefined) throw indefiniteSystem(result.indefinite.task, Math.fround(result.indefinite.curvature), result.indefinite.iteration, options.lambda ?? 1);
        loss = finiteMetaLoss(result.loss, options.alpha);
        grad = requireFiniteValues('the meta-gradient', result.grad, overflowHint(options.alpha));
      }
      optimizer.step(theta, grad, state);
      return loss;
    },
    params: (): tf.Tensor[] => asParams(model, theta),
  };
}
