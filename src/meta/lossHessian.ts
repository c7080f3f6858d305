import * as tf from '@tensorflow/tfjs';
import { perTask, regressionLoss, sumOfTaskLosses, type BatchedLoss } from './batchedLoss';
import type { SymmetricOperator } from './lanczos';
import { chooseEngine, type EngineName } from './engine';
import { kernelCovers, kernelHessianOf, kernelHessianProductsOf } from './kernelRoute';
import { checkParams, checkPoints, type Model } from './model';
import type { RegressionBatch } from './tasks';
import { tidyValue } from './tidy';
import { requireInteger } from './validate';

/** The error for a Hessian-vector product that is not finite, from `hessianVectorProducts` and `hessianOperator` alike. */
function productNotFinite(value: number): RangeError {
  return new RangeError(`a Hessian-vector product is not finite (${value}): the parameters or the data hold non-finite values, or the loss overflows float32 there`);
}

export { matrixRows, type DenseMatrix } from './denseMatrix';
import type { DenseMatrix } from './denseMatrix';

/**
 * A loss for Hessians: a model (its MSE on regression points) or any `BatchedLoss` with a batch whose
 * fields are all tensors with a leading task axis (regression and quadratic batches are).
 */
export type HessianLoss<B> = Model | BatchedLoss<B>;

/** Where the Hessian is taken: which task of the batch (default 0); and which engine (see `chooseEngine`). */
export interface HessianOptions {
  task?: number;
  engine?: EngineName;
}

/*
 * Whether a model's Hessian runs on the kernel: after the same checks as the tfjs route (params, points,
 * and the task within the batch), so that bad input gives the same errors on both.
 */
function onKernel<B>(lossOrModel: HessianLoss<B>, params: readonly tf.Tensor[], batch: unknown, task: number, engine: EngineName | undefined): lossOrModel is Model {
  if (chooseEngine(kernelCovers(lossOrModel), engine) !== 'kernel') return false;
  const model = lossOrModel as Model;
  checkParams(model, params);
  checkPoints(model, batch as RegressionBatch<tf.Tensor>);
  const { x } = batch as RegressionBatch<tf.Tensor>;
  const tasks = x.rank === 3 ? x.shape[0] : 1;
  if (task >= tasks) throw new RangeError(`task must be below the batch's ${tasks} task(s), got ${task}`);
  return true;
}

/** Throws unless every entry of a Hessian is finite, naming the first that is not. */
function requireFiniteHessian(values: Float64Array, n: number): void {
  // A plain loop: a callback per entry (findIndex) costs more than the kernel's whole Hessian.
  let bad = -1;
  for (let i = 0; i < values.length && bad < 0; i++) if (!Number.isFinite(values[i])) bad = i;
  if (bad >= 0) {
    throw new RangeError(`the Hessian has a non-finite entry (${values[bad]} at [${Math.floor(bad / n)}, ${bad % n}]): the parameters or the data hold non-finite values, or the loss overflows float32 there`);
  }
}

/*
 * The loss as a `BatchedLoss` and the batch with a task axis: a model's one-task points [points, features]
 * gain a task axis of 1, and its params are checked against it.
 */
function asBatchedLoss<B>(lossOrModel: HessianLoss<B>, params: readonly tf.Tensor[], batch: B | RegressionBatch<tf.Tensor>): { loss: BatchedLoss<B>; batch: B } {
  if (typeof lossOrModel === 'function') return { loss: lossOrModel, batch: batch as B };
  const model = lossOrModel;
  checkParams(model, params);
  checkPoints(model, batch as RegressionBatch<tf.Tensor>);
  const { x, y } = batch as RegressionBatch<tf.Tensor>;
  const three = x.rank === 3 ? { x, y } : { x: tf.expandDims(x, 0), y: tf.expandDims(y, 0) };
  return { loss: regressionLoss(model) as unknown as BatchedLoss<B>, batch: three as unknown as B };
}

/*
 * `copies` copies of task `task` of a batch, as a batch of that many tasks: every tensor field is sliced at
 * the task and broadcast along the task axis, so that each copy of the parameters sees the same data.
 */
function taskCopies<B>(batch: B, task: number, copies: number): B {
  if (typeof batch !== 'object' || batch === null) throw new TypeError('batch must be an object of tensors with a leading task axis');
  const entries = Object.entries(batch as Record<string, unknown>);
  return Object.fromEntries(
    entries.map(([key, value]) => {
      if (!(value instanceof tf.Tensor) || value.rank < 1) throw new TypeError(`batch.${key} must be a tensor with a leading task axis, got ${value instanceof tf.Tensor ? 'a scalar' : typeof value}`);
      if (task >= value.shape[0]) throw new RangeError(`task must be below the batch's ${value.shape[0]} task(s), got ${task}`);
      const one = tf.slice(value, [task], [1]);
      return [key, tf.broadcastTo(one, [copies, ...value.shape.slice(1)])];
    }),
  ) as B;
}

/*
 * H·vᵢ for each direction vᵢ, given per parameter tensor: `directions[k]` is [m, …shape of params[k]]. All m
 * products come from one double backward pass over m copies of the parameters (a leading copy axis, as
 * per-task parameters have): copy i's gradient gᵢ depends on copy i alone, so the gradient of Σᵢ gᵢ·vᵢ with
 * respect to copy i is H·vᵢ. tfjs has no forward mode, so this reverse-over-reverse with a batch of copies
 * is how to get many products at the cost of one graph.
 */
function productsPerTensor<B>(loss: BatchedLoss<B>, params: readonly tf.Tensor[], batch: B, directions: readonly tf.Tensor[], task: number): tf.Tensor[] {
  return tf.tidy(() => {
    const m = directions[0].shape[0];
    const data = taskCopies(batch, task, m);
    const gradient = tf.grads(sumOfTaskLosses(loss, data));
    // A loss whose gradient does not depend on the parameters (any linear function: the residual part's
    // weighted output sum of a linear model) leaves no path from the products back to them, which tfjs
    // reports as an error; the zero terms keep a path, and the Hessian comes out as the zeros it is.
    const directional = (...p: tf.Tensor[]) =>
      tf.addN([...gradient(p).map((g, k) => tf.sum(tf.mul(g, directions[k]))), ...p.map((x) => tf.mul(0, tf.sum(x)))]) as tf.Scalar;
    return tf.grads(directional)(perTask(params, m));
  });
}

/**
 * Hessian-vector products of one task's loss at the given parameters, many at once: row i of the result is
 * H·vᵢ for row i of `directions` [m, n] (n the number of parameters, in the order of `flattenParams`). H is
 * the Hessian of a model's MSE on `points` ([points, features] for one task, or [tasks, points, features]
 * with `task`) or of any `BatchedLoss` on task `task` of its batch. float32, by reverse-over-reverse autodiff
 * over m copies of the parameters (one graph, not m), or for a model's MSE on the wasm kernel (the
 * R-operator) unless `engine` or MAML_LAB_ENGINE says 'tfjs'; leaves no tensor behind but the result.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { hessianVectorProducts, mlp } from 'maml-lab/meta';
 * // linear regression y ≈ w·x + b on x = 1, 2: MSE Hessian (2/N)·Σ (x, 1)(x, 1)ᵀ = [[5, 3], [3, 2]]
 * const points = { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[0], [0]]) };
 * const directions = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
 * hessianVectorProducts(mlp([1, 1]), [tf.zeros([1, 1]), tf.zeros([1])], points, directions); // [[5, 3], [3, 2], [8, 5]]
 */
export function hessianVectorProducts<B = RegressionBatch>(
  lossOrModel: HessianLoss<B>,
  params: readonly tf.Tensor[],
  batch: B | RegressionBatch<tf.Tensor>,
  directions: tf.Tensor2D,
  options: HessianOptions = {},
): tf.Tensor2D {
  const task = options.task ?? 0;
  requireInteger('task', task, 0);
  const n = params.reduce((s, p) => s + p.size, 0);
  if (!(directions instanceof tf.Tensor) || directions.rank !== 2 || directions.shape[1] !== n || directions.shape[0] < 1) {
    throw new RangeError(`directions must be a matrix [m, ${n}] (one direction per row, m ≥ 1), got [${directions?.shape}]`);
  }
  if (onKernel(lossOrModel, params, batch, task, options.engine)) {
    const values = kernelHessianProductsOf(lossOrModel, params, batch as RegressionBatch<tf.Tensor>, task, directions);
    // The kernel's products are at hand in memory, so a non-finite one is refused here, as hessianOperator does.
    const bad = values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw productNotFinite(values[bad]);
    return tf.tensor2d(Float32Array.from(values), [directions.shape[0], n]);
  }
  return tf.tidy(() => {
    const { loss, batch: batched } = asBatchedLoss(lossOrModel, params, batch);
    const m = directions.shape[0];
    const pieces = tf.split(directions, params.map((p) => p.size), 1).map((v, k) => tf.reshape(v, [m, ...params[k].shape]));
    const products = productsPerTensor(loss, params, batched, pieces, task);
    return tf.concat(products.map((h) => tf.reshape(h, [m, -1])), 1) as tf.Tensor2D;
  });
}

/**
 * The Hessian-vector products of `hessianVectorProducts` as a `SymmetricOperator` on Float64Arrays, for
 * `lanczos` and `spectralDensity`: each call sends its block of vectors to tfjs as one batch (rounded to
 * float32) and reads the products back. It holds on to `params` and `batch`: keep them until done with it.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { hessianOperator, lanczos, mlp } from 'maml-lab/meta';
 * const points = { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[0], [0]]) };
 * const H = hessianOperator(mlp([1, 1]), [tf.zeros([1, 1]), tf.zeros([1])], points);
 * H.size; // 2
 * Array.from(H.apply([Float64Array.of(1, 0)])[0]); // [5, 3]
 * // the eigenvalues of [[5, 3], [3, 2]] are (7 ± √45)/2
 * Array.from(lanczos(H, { iterations: 2 }).ritzValues); // ≈ [0.146, 6.854]
 */
export function hessianOperator<B = RegressionBatch>(
  lossOrModel: HessianLoss<B>,
  params: readonly tf.Tensor[],
  batch: B | RegressionBatch<tf.Tensor>,
  options: HessianOptions = {},
): SymmetricOperator {
  const task = options.task ?? 0;
  requireInteger('task', task, 0);
  // Check the arguments now, not at the first product.
  tf.tidy(() => void asBatchedLoss(lossOrModel, params, batch));
  const n = params.reduce((s, p) => s + p.size, 0);
  return {
    size: n,
    apply(vectors: readonly Float64Array[]): Float64Array[] {
      if (!Array.isArray(vectors) || vectors.length === 0 || vectors.some((v) => v?.length !== n)) {
        throw new RangeError(`vectors must be a non-empty list of vectors of length ${n}`);
      }
      const flat = new Float32Array(vectors.length * n);
      vectors.forEach((v, i) => flat.set(v, i * n));
      const badInput = flat.findIndex((x) => !Number.isFinite(x));
      if (badInput >= 0) throw new RangeError(`vectors[${Math.floor(badInput / n)}][${badInput % n}] must be finite in float32, got ${flat[badInput]}`);
      const products = tidyValue(() => hessianVectorProducts(lossOrModel, params, batch, tf.tensor2d(flat, [vectors.length, n]), { task, engine: options.engine }).dataSync());
      const bad = products.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw productNotFinite(products[bad]);
      return vectors.map((_, i) => Float64Array.from(products.subarray(i * n, (i + 1) * n)));
    },
  };
}

/**
 * How many Hessian columns to compute in one batch by default: at most about 4M floats (16 MB) per tensor of
 * parameter copies, so that the whole 1761-parameter sinusoid MLP goes in one batch (the fastest way, a
 * few hundred MB at the peak) while a model of 100k parameters still fits in memory, 41 columns at a time.
 */
function defaultBlockSize(n: number): number {
  return Math.max(1, Math.min(n, Math.floor(2 ** 22 / n)));
}

/** Settings of `lossHessian`: the task, and how many columns to compute per batch of parameter copies. */
export interface LossHessianOptions extends HessianOptions {
  blockSize?: number;
}

/**
 * The full Hessian of one task's loss at the given parameters, in float32, read back as a float64
 * n × n matrix (n parameters, in the order of `flattenParams`). The loss is a model's MSE on `points`
 * ([points, features], or [tasks, points, features] with `task`) or any `BatchedLoss` on task `task` of its
 * batch. Built from batched Hessian-vector products with the unit vectors, `blockSize` columns per double
 * backward pass (see `hessianVectorProducts`), not n separate products; a model's MSE runs on the wasm
 * kernel instead (one R-operator column per parameter, sharing one forward and backward pass) unless
 * `engine` or MAML_LAB_ENGINE says 'tfjs' (`blockSize` is then unused). The result is symmetric up to
 * float32 rounding; it is returned as computed. A non-finite entry (non-finite parameters or data) is an error.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { lossHessian, mlp } from 'maml-lab/meta';
 * // linear regression's MSE on x = 1, 2: (2/N)·Σ (x, 1)(x, 1)ᵀ, whatever the parameters
 * const points = { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[3], [-1]]) };
 * const H = lossHessian(mlp([1, 1]), [tf.ones([1, 1]), tf.zeros([1])], points);
 * H.shape; // [2, 2]
 * Array.from(H.values); // [5, 3, 3, 2]
 */
export function lossHessian<B = RegressionBatch>(
  lossOrModel: HessianLoss<B>,
  params: readonly tf.Tensor[],
  batch: B | RegressionBatch<tf.Tensor>,
  options: LossHessianOptions = {},
): DenseMatrix {
  const task = options.task ?? 0;
  requireInteger('task', task, 0);
  const n = params.reduce((s, p) => s + p.size, 0);
  const blockSize = options.blockSize ?? defaultBlockSize(n);
  requireInteger('blockSize', blockSize, 1);
  if (onKernel(lossOrModel, params, batch, task, options.engine)) {
    const values = kernelHessianOf(lossOrModel, params, batch as RegressionBatch<tf.Tensor>, task);
    requireFiniteHessian(values, n);
    return { shape: [n, n], values };
  }
  const offsets = params.map((_, k) => params.slice(0, k).reduce((s, p) => s + p.size, 0));
  const values = new Float64Array(n * n);
  for (let start = 0; start < n; start += blockSize) {
    const m = Math.min(blockSize, n - start);
    // Column j of H is H·eⱼ. The unit vectors are written on the host per parameter tensor (a row with one
    // 1, or zeros where eⱼ lies in another tensor): cheaper than splitting an m × n identity on the backend,
    // or comparing indices there (wasm's Equal took a third of the time).
    const block = tidyValue(() => {
      const { loss, batch: batched } = asBatchedLoss(lossOrModel, params, batch);
      const units = params.map((p, k) => {
        const unit = new Float32Array(m * p.size);
        for (let r = 0; r < m; r++) {
          const j = start + r - offsets[k];
          if (j >= 0 && j < p.size) unit[r * p.size + j] = 1;
        }
        return tf.tensor(unit, [m, ...p.shape], 'float32');
      });
      const products = productsPerTensor(loss, params, batched, units, task);
      return tf.concat(products.map((h) => tf.reshape(h, [m, -1])), 1).dataSync();
    });
    // H is symmetric, so the products H·eⱼ are its rows as well as its columns.
    values.set(block, start * n);
  }
  requireFiniteHessian(values, n);
  return { shape: [n, n], values };
}
