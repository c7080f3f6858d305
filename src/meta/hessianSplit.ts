import * as tf from '@tensorflow/tfjs';
import { perTask } from './batchedLoss';
import { chooseEngine } from './engine';
import type { HessianPart } from '../kernel';
import { kernelCovers, kernelHessianOf } from './kernelRoute';
import { lossHessian, type DenseMatrix, type HessianOptions, type LossHessianOptions } from './lossHessian';
import { checkParams, checkPoints, type Model } from './model';
import type { RegressionBatch } from './tasks';
import { tidyValue } from './tidy';
import { requireInteger } from './validate';

/*
 * The MSE Hessian split in two. With this project's loss L(θ) = (1/(P·O))·Σₚₒ (Mₚₒ(θ) − yₚₒ)² (mean over
 * P points and O outputs, no ½):
 *
 *   ∇²L = (2/(P·O))·JᵀJ + (2/(P·O))·Σₚₒ (Mₚₒ − yₚₒ)·∇²Mₚₒ,
 *
 * J [P·O × n] being the Jacobian of the outputs with respect to the parameters. The first term is the
 * Gauss–Newton part: positive semi-definite, and all there is for a linear model. The second is the
 * residual part, −(2/(P·O))·Σ (y − M)·∇²M: the network's own curvature, weighted by how wrong it is.
 */

/*
 * The kernel's route to one part of a model's MSE Hessian, after the tfjs route's own checks, or undefined
 * when tfjs is to compute it (see `chooseEngine`).
 */
function onKernel(model: Model, params: readonly tf.Tensor[], points: RegressionBatch<tf.Tensor>, options: HessianOptions): ((part: HessianPart) => DenseMatrix) | undefined {
  if (chooseEngine(kernelCovers(model), options.engine) !== 'kernel') return undefined;
  checkParams(model, params);
  const task = options.task ?? 0;
  tidyValue(() => void taskPoints(model, points, task)); // its checks, now
  return (part) => {
    const n = model.parameterCount;
    const values = tidyValue(() => kernelHessianOf(model, params, taskPoints(model, points, task), 0, part));
    let bad = -1;
    for (let i = 0; i < values.length && bad < 0; i++) if (!Number.isFinite(values[i])) bad = i;
    // The messages of the tfjs routes: the Gauss–Newton part is non-finite where the output Jacobian is.
    if (bad >= 0 && part === 'gaussNewton') throw new RangeError(`the output Jacobian has a non-finite entry (${values[bad]}): the parameters or x hold non-finite values`);
    if (bad >= 0) throw new RangeError(`the Hessian has a non-finite entry (${values[bad]} at [${Math.floor(bad / n)}, ${bad % n}]): the parameters or the data hold non-finite values, or the loss overflows float32 there`);
    return { shape: [n, n], values };
  };
}

/** One task's points [points, features]: a 2-D set as it is, task `task` of a 3-D one; checked against the model. */
function taskPoints(model: Model, points: RegressionBatch<tf.Tensor>, task: number): RegressionBatch<tf.Tensor2D> {
  requireInteger('task', task, 0);
  checkPoints(model, points);
  const { x, y } = points;
  if (x.rank === 2) return { x: x as tf.Tensor2D, y: y as tf.Tensor2D };
  if (task >= x.shape[0]) throw new RangeError(`task must be below the batch's ${x.shape[0]} task(s), got ${task}`);
  const pick = (t: tf.Tensor) => tf.squeeze(tf.slice(t, [task], [1]), [0]) as tf.Tensor2D;
  return { x: pick(x), y: pick(y) };
}

/**
 * The Jacobian J of a model's outputs with respect to its parameters at inputs x [points, inputs]: row
 * p·O + o is ∇θ Mₚₒ(θ) (n columns in the order of `flattenParams`). float32, from one backward pass over
 * P·O copies of the parameters, copy (p, o) seeing only point p and output o.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { mlp, outputJacobian } from 'maml-lab/meta';
 * // M = w·x + b: the row of each point is (x, 1)
 * const J = outputJacobian(mlp([1, 1]), [tf.ones([1, 1]), tf.zeros([1])], tf.tensor2d([[1], [2]]));
 * J.shape; // [2, 2]
 * Array.from(J.values); // [1, 1, 2, 1]
 */
export function outputJacobian(model: Model, params: readonly tf.Tensor[], x: tf.Tensor): DenseMatrix {
  checkParams(model, params);
  const inputs = model.sizes[0];
  const outputs = model.sizes[model.sizes.length - 1];
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== inputs || x.shape[0] < 1) {
    throw new RangeError(`x must have shape [points, ${inputs}] with at least one point, got [${x?.shape}]`);
  }
  const rows = x.shape[0] * outputs;
  const n = model.parameterCount;
  const values = tidyValue(() => {
    // Copy (p, o): point p as a one-point task, and a mask that keeps output o.
    const xs = tf.reshape(tf.broadcastTo(tf.reshape(x, [x.shape[0], 1, 1, inputs]), [x.shape[0], outputs, 1, inputs]), [rows, 1, inputs]);
    const mask = tf.reshape(tf.tile(tf.eye(outputs), [x.shape[0], 1]), [rows, 1, outputs]);
    const grads = tf.grads((...p: tf.Tensor[]) => tf.sum(tf.mul(model.apply(p, xs), mask)) as tf.Scalar)(perTask(params, rows));
    return Float64Array.from(tf.concat(grads.map((g) => tf.reshape(g, [rows, -1])), 1).dataSync());
  });
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`the output Jacobian has a non-finite entry (${values[bad]}): the parameters or x hold non-finite values`);
  return { shape: [rows, n], values };
}

/**
 * The Gauss–Newton part of one task's MSE Hessian, GN = (2/(P·O))·JᵀJ, on tfjs (float32) as a float64
 * n × n matrix: J is `outputJacobian` (P points, O outputs), and 2/(P·O) comes from this project's MSE, the
 * mean of squared errors with no ½. Positive semi-definite, of rank at most P·O; for a linear model it is
 * the whole Hessian. `points` is one task's [points, features], or [tasks, points, features] with `task`.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { gaussNewtonPart, mlp } from 'maml-lab/meta';
 * // linear regression on x = 1, 2: (2/2)·[(1, 1)(1, 1)ᵀ + (2, 1)(2, 1)ᵀ], the whole Hessian
 * const points = { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[3], [-1]]) };
 * Array.from(gaussNewtonPart(mlp([1, 1]), [tf.ones([1, 1]), tf.zeros([1])], points).values); // [5, 3, 3, 2]
 */
export function gaussNewtonPart(model: Model, params: readonly tf.Tensor[], points: RegressionBatch<tf.Tensor>, options: HessianOptions = {}): DenseMatrix {
  const kernel = onKernel(model, params, points, options);
  if (kernel !== undefined) return kernel('gaussNewton');
  const J = tidyValue(() => {
    const { x } = taskPoints(model, points, options.task ?? 0);
    return outputJacobian(model, params, x);
  });
  const [rows, n] = J.shape;
  const scale = 2 / rows;
  // JᵀJ in float64 from the float32 Jacobian: the product adds no float32 rounding of its own.
  const values = new Float64Array(n * n);
  for (let r = 0; r < rows; r++) {
    const row = J.values.subarray(r * n, (r + 1) * n);
    for (let i = 0; i < n; i++) {
      const a = scale * row[i];
      if (a === 0) continue;
      const at = i * n;
      for (let j = 0; j < n; j++) values[at + j] += a * row[j];
    }
  }
  return { shape: [n, n], values };
}

/**
 * The residual part of one task's MSE Hessian, (2/(P·O))·Σₚₒ (Mₚₒ − yₚₒ)·∇²Mₚₒ = −(2/(P·O))·Σ (y − M)·∇²M,
 * on tfjs (float32) as a float64 n × n matrix. Computed on its own, not as H − GN: it is the Hessian of
 * the weighted output sum Σ wₚₒ·Mₚₒ(θ) with the weights w = (2/(P·O))·(M − y) taken at θ and held fixed,
 * by the same batched Hessian-vector products as `lossHessian`. Zero for a linear model (∇²M = 0) and at
 * an exact fit (M = y). `points` is one task's [points, features], or [tasks, points, features] with `task`.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { mlp, residualPart } from 'maml-lab/meta';
 * const points = { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[3], [-1]]) };
 * Array.from(residualPart(mlp([1, 1]), [tf.ones([1, 1]), tf.zeros([1])], points).values); // [0, 0, 0, 0]
 */
export function residualPart(model: Model, params: readonly tf.Tensor[], points: RegressionBatch<tf.Tensor>, options: LossHessianOptions = {}): DenseMatrix {
  const kernel = onKernel(model, params, points, options);
  if (kernel !== undefined) return kernel('residual');
  checkParams(model, params);
  const weighted = tidyValue(() => {
    const { x, y } = taskPoints(model, points, options.task ?? 0);
    const weights = tf.mul(2 / y.size, tf.sub(model.apply(params, x), y));
    return { x: tf.keep(tf.expandDims(x, 0)), weights: tf.keep(tf.expandDims(weights, 0)) };
  });
  try {
    // A BatchedLoss whose Hessian is the residual part: per task, Σ w·M over points and outputs.
    const weightedOutputs = (p: tf.Tensor[], batch: typeof weighted) => tf.sum(tf.mul(batch.weights, model.apply(p, batch.x)), [1, 2]) as tf.Tensor1D;
    return lossHessian(weightedOutputs, params, weighted, { blockSize: options.blockSize, engine: 'tfjs' });
  } finally {
    tf.dispose([weighted.x, weighted.weights]);
  }
}

/** The MSE Hessian of one task and its two parts, each a float64 n × n matrix. */
export interface HessianSplit {
  hessian: DenseMatrix;
  gaussNewton: DenseMatrix;
  residual: DenseMatrix;
}

/**
 * One task's MSE Hessian and its Gauss–Newton and residual parts, each computed on its own route on tfjs
 * (`lossHessian`, `gaussNewtonPart`, `residualPart`), so that GN + residual = H is a check, not an identity:
 * `hessianSplitSummary` (maml-lab/derivations) measures it and each part's share in Frobenius norm.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { hessianSplit, mlp } from 'maml-lab/meta';
 * const model = mlp([1, 4, 1], { activation: 'tanh' });
 * const points = { x: tf.tensor2d([[-1], [0.5], [2]]), y: tf.tensor2d([[0], [1], [0]]) };
 * const { hessian, gaussNewton, residual } = hessianSplit(model, model.init(0), points);
 * hessian.shape; // [13, 13]
 * // the parts add up to the whole, to float32 rounding
 * hessian.values.every((h, i) => Math.abs(gaussNewton.values[i] + residual.values[i] - h) < 1e-5); // true
 */
export function hessianSplit(model: Model, params: readonly tf.Tensor[], points: RegressionBatch<tf.Tensor>, options: LossHessianOptions = {}): HessianSplit {
  const task = options.task ?? 0;
  const { blockSize, engine } = options;
  const hessian = tidyValue(() => lossHessian(model, params, taskPoints(model, points, task), { blockSize, engine }));
  return {
    hessian,
    gaussNewton: gaussNewtonPart(model, params, points, { task, engine }),
    residual: residualPart(model, params, points, { task, blockSize, engine }),
  };
}
