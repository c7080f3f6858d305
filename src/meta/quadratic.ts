import * as tf from '@tensorflow/tfjs';
import type { TaskBatch } from './tasks';
import { requireInteger } from './validate';
import { tidyTensors } from './tidy';

/** Quadratic tasks f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ in two dimensions: C [tasks, 2, 2], g [tasks, 2]. */
export interface QuadraticBatch {
  C: tf.Tensor3D;
  g: tf.Tensor2D;
}

/**
 * The quadratic family of the interactive MAML page, one C and g per task: C = [[a, b], [b, c]] with
 * a, b, c ~ U[−0.5, 0.5] (the page's slider ranges) and g ~ U[−1, 1]². Support and query share the task's
 * curvature C but see different linear terms (g plus independent N(0, 0.1²) noise), as two batches of
 * the same task would; the inner and outer losses are therefore not the same function.
 *
 * @example
 * import { quadraticTasks } from 'maml-lab/meta';
 * const batch = quadraticTasks({ tasks: 16, seed: 0 });
 * batch.support.C.shape; // [16, 2, 2]
 * batch.query.g.shape; // [16, 2]
 */
export function quadraticTasks({ tasks, seed }: { tasks: number; seed: number }): TaskBatch<QuadraticBatch> {
  requireInteger('tasks', tasks, 1);
  requireInteger('seed', seed, 0);
  return tidyTensors(() => {
    const [a, b, c] = tf.split(tf.randomUniform([tasks, 3], -0.5, 0.5, 'float32', seed * 5 + 1), 3, 1);
    const C = tf.reshape(tf.concat([a, b, b, c], 1), [tasks, 2, 2]) as tf.Tensor3D;
    const g = tf.randomUniform([tasks, 2], -1, 1, 'float32', seed * 5 + 2);
    const noisy = (s: number) => tf.add(g, tf.randomNormal([tasks, 2], 0, 0.1, 'float32', seed * 5 + s)) as tf.Tensor2D;
    return { support: { C, g: noisy(3) }, query: { C: tf.clone(C), g: noisy(4) }, count: tasks };
  });
}

/**
 * Per-task values of f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ for per-task θ [tasks, 2]: a `BatchedLoss` for
 * `metaGradient`. Its gradient is C(θ − ½) + g and its Hessian C, which makes every meta-gradient
 * checkable in closed form.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { metaGradient, quadraticLoss, quadraticTasks } from 'maml-lab/meta';
 * // one task with C = I and g = (1, 0), at θ = (1, 1): ½·(½, ½)·(½, ½) + 1
 * const one = { C: tf.tensor3d([[[1, 0], [0, 1]]]), g: tf.tensor2d([[1, 0]]) };
 * quadraticLoss([tf.tensor2d([[1, 1]])], one).dataSync(); // [1.25]
 * const { grads } = metaGradient(quadraticLoss, [tf.zeros([2])], quadraticTasks({ tasks: 4, seed: 0 }), { alpha: 0.1, steps: 2 });
 * grads[0].shape; // [2]
 */
export function quadraticLoss(params: tf.Tensor[], batch: QuadraticBatch): tf.Tensor1D {
  const [theta] = params;
  if (params.length !== 1 || theta.rank !== 2 || theta.shape[1] !== 2 || theta.shape[0] !== batch.C.shape[0]) {
    throw new RangeError(`quadratic tasks take one parameter tensor θ of shape [${batch.C.shape[0]}, 2] per batch, got ${params.map((p) => `[${p.shape.join(', ')}]`).join(', ')}`);
  }
  return tf.tidy(() => {
    const d = tf.sub(theta, 0.5);
    const Cd = tf.squeeze(tf.matMul(batch.C, tf.expandDims(d, 2)), [2]);
    return tf.add(tf.mul(0.5, tf.sum(tf.mul(d, Cd), 1)), tf.sum(tf.mul(batch.g, theta), 1)) as tf.Tensor1D;
  });
}
