import * as tf from '@tensorflow/tfjs';
import { regressionLoss } from '../meta/batchedLoss';
import { innerUpdate, mamlLoss, taskLoss } from '../meta/inner';
import type { RegressionBatch, TaskBatch } from '../meta/tasks';
import { flattenParams, unflattenParams } from '../meta/params';
import { tidyValue } from '../meta/tidy';
import type { Matrix } from './check';
import type { Data64 } from './float64Mlp';
import type { Instance } from './instances';

/*
 * The tfjs route: the same quantities obtained by reverse-mode autodiff of the program itself (float32),
 * never from the formulas the steps state. Jacobians are assembled row by row from vector-Jacobian products.
 */

/** tfjs is float32: the float64 values are rounded once, here. */
function vector(values: Float64Array): tf.Tensor1D {
  return tf.tensor1d(Float32Array.from(values));
}

function batch(inst: Instance, data: Data64): RegressionBatch<tf.Tensor2D> {
  const inputs = inst.model.sizes[0];
  const outputs = inst.model.sizes[inst.model.sizes.length - 1];
  return {
    x: tf.tensor2d(Float32Array.from(data.x), [data.points, inputs]),
    y: tf.tensor2d(Float32Array.from(data.y), [data.points, outputs]),
  };
}

/** The instance as a meta-batch of one task, the form training uses. */
function oneTask(inst: Instance): TaskBatch {
  const three = (d: Data64) => {
    const { x, y } = batch(inst, d);
    return { x: tf.expandDims(x, 0) as tf.Tensor3D, y: tf.expandDims(y, 0) as tf.Tensor3D };
  };
  return { support: three(inst.support), query: three(inst.query), count: 1 };
}

function read(t: tf.Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

/**
 * The program's inner step as a map of flat vectors: θ ↦ flatten(innerUpdate(unflatten(θ))).
 *
 * @example
 * import { autodiff, exact, makeInstance, relativeError } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * const theta1 = autodiff.innerUpdateByAutodiff(inst, inst.theta); // float32, read back as a Float64Array
 * relativeError(theta1, exact.innerUpdate64(inst, inst.theta)) < 1e-6; // true
 */
export function innerUpdateByAutodiff(inst: Instance, theta: Float64Array): Float64Array {
  return tidyValue(() => read(innerUpdateMap(inst, batch(inst, inst.support))(vector(theta))));
}

function innerUpdateMap(inst: Instance, support: RegressionBatch<tf.Tensor2D>) {
  return (theta: tf.Tensor) =>
    flattenParams(innerUpdate(inst.model, unflattenParams(inst.model, theta), support, inst.alpha));
}

/**
 * θ₀, …, θₖ computed by the tfjs program.
 *
 * @example
 * import { autodiff, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * autodiff.innerTrajectoryByAutodiff(inst, 3).length; // 4
 */
export function innerTrajectoryByAutodiff(inst: Instance, steps: number): Float64Array[] {
  const path = [inst.theta];
  for (let i = 0; i < steps; i++) path.push(innerUpdateByAutodiff(inst, path[i]));
  return path;
}

/**
 * The meta-gradient d L⁽¹⁾(θₖ(θ)) / dθ by differentiating `mamlLoss`, the objective training uses, through
 * the unrolled inner loop; with `firstOrder`, each inner gradient is a constant (stop-gradient), which is
 * FOMAML.
 *
 * @example
 * import { autodiff, exact, makeInstance, relativeError } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * const g = autodiff.metaGradientByAutodiff(inst, 2);
 * relativeError(g, exact.metaGradientByProduct(inst, 2)) < 1e-4; // true
 */
export function metaGradientByAutodiff(inst: Instance, steps: number, firstOrder = false): Float64Array {
  return tidyValue(() => {
    const tasks = oneTask(inst);
    const loss = regressionLoss(inst.model);
    const objective = (theta: tf.Tensor) =>
      tf.mean(mamlLoss(loss, unflattenParams(inst.model, theta), tasks, { alpha: inst.alpha, steps, firstOrder })) as tf.Scalar;
    return read(tf.grad(objective)(vector(inst.theta)));
  });
}

/**
 * The Jacobian of a tfjs vector map at θ, row i being the vector-Jacobian product eᵢᵀJ.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { autodiff } from 'maml-lab/derivations';
 * autodiff.jacobianByAutodiff((t) => tf.mul(t, 2), Float64Array.of(1, 2)); // [[2, 0], [0, 2]]
 */
export function jacobianByAutodiff(map: (theta: tf.Tensor) => tf.Tensor, theta: Float64Array): Matrix {
  return tidyValue(() => {
    const x = vector(theta);
    const vjp = tf.grad(map);
    const m = map(x).size;
    return Array.from({ length: m }, (_, i) => {
      const e = tf.oneHot(i, m).asType('float32');
      return Array.from(vjp(x, e).dataSync());
    });
  });
}

/**
 * ∇θᵢ₋₁θᵢ by autodiff of the program's inner step at θᵢ₋₁.
 *
 * @example
 * import { autodiff, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * // I − αH with α = 0.1 and H = [[1.96, 0.886], [0.886, 2]], the Hessian of linear regression's MSE
 * autodiff.innerUpdateJacobianByAutodiff(inst, inst.theta); // ≈ [[0.804, -0.0886], [-0.0886, 0.8]]
 */
export function innerUpdateJacobianByAutodiff(inst: Instance, theta: Float64Array): Matrix {
  return tidyValue(() => jacobianByAutodiff(innerUpdateMap(inst, batch(inst, inst.support)), theta));
}

/**
 * ∇θθ₀ by autodiff of the program's first line, θ₀ = θ (the vector split into W₁, b₁, … and joined again).
 *
 * @example
 * import { autodiff, makeInstance } from 'maml-lab/derivations';
 * autodiff.initialJacobianByAutodiff(makeInstance({ kind: 'linear', seed: 0 })); // [[1, 0], [0, 1]]
 */
export function initialJacobianByAutodiff(inst: Instance): Matrix {
  return jacobianByAutodiff((theta) => flattenParams(unflattenParams(inst.model, theta)), inst.theta);
}

/**
 * H(θ)v as a gradient of a gradient: ∇θ(∇θL⁽⁰⁾(θ)·v), two nested reverse passes.
 *
 * @example
 * import { autodiff, makeInstance, relativeError } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * const v = inst.theta.map(() => 1);
 * const hv = autodiff.hessianVectorProductByAutodiff(inst, inst.theta, v);
 * relativeError(hv, inst.net.hessianVectorProduct(inst.theta, v, inst.support)) < 1e-4; // true
 */
export function hessianVectorProductByAutodiff(inst: Instance, theta: Float64Array, v: Float64Array): Float64Array {
  return tidyValue(() => {
    const support = batch(inst, inst.support);
    const direction = vector(v);
    const gradient = tf.grad((t: tf.Tensor) => taskLoss(inst.model, unflattenParams(inst.model, t), support));
    const directional = (t: tf.Tensor) => tf.dot(gradient(t), direction) as tf.Scalar;
    return read(tf.grad(directional)(vector(theta)));
  });
}
