import * as tf from '@tensorflow/tfjs';
import { mse } from './loss';
import type { Model } from './model';
import type { RegressionBatch } from './tasks';

/**
 * Per-task losses [tasks] of per-task parameters (each tensor with a leading task axis) on a batch of tasks.
 * Tasks never interact, so the gradient of the *sum* of these losses is every task's own gradient at once.
 */
export type BatchedLoss<B> = (params: tf.Tensor[], batch: B) => tf.Tensor1D;

/**
 * The MSE of a model on a regression meta-batch, per task: a `BatchedLoss`.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { mlp, regressionLoss } from 'maml-lab/meta';
 * const loss = regressionLoss(mlp([1, 1]));
 * const batch = { x: tf.tensor3d([[[1], [2]], [[0], [1]]]), y: tf.zeros([2, 2, 1]) as tf.Tensor3D }; // 2 tasks
 * // per-task parameters W = 1, b = 0 predict y = x: the MSEs are (1 + 4)/2 and (0 + 1)/2
 * loss([tf.ones([2, 1, 1]), tf.zeros([2, 1])], batch).dataSync(); // [2.5, 0.5]
 */
export function regressionLoss(model: Model): BatchedLoss<RegressionBatch> {
  return (params, batch) => tf.tidy(() => mse(model.apply(params, batch.x), batch.y, [1, 2]) as tf.Tensor1D);
}

/**
 * Per-task copies θ₀ = θ of shared parameters, each with a leading task axis. Written as θ + 0 rather than
 * a tile or broadcastTo: the gradient of a broadcast add is one sum over tasks, while tfjs's Tile gradient
 * is a slow loop.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { perTask } from 'maml-lab/meta';
 * perTask([tf.zeros([3])], 25)[0].shape; // [25, 3]
 */
export function perTask(params: readonly tf.Tensor[], tasks: number): tf.Tensor[] {
  return tf.tidy(() => params.map((p) => tf.add(p, tf.zeros([tasks, ...p.shape]))));
}

/**
 * The sum over tasks of a batched loss, as a scalar function of per-task parameters: its gradient is every
 * task's own gradient at once, since tasks never interact.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { linearTasks, mlp, perTask, regressionLoss, sumOfTaskLosses } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const tasks = linearTasks({ tasks: 3, shots: 4, seed: 0 });
 * const g = tf.grads(sumOfTaskLosses(regressionLoss(model), tasks.support))(perTask(model.init(0), 3));
 * g[0].shape; // [3, 1, 1]
 */
export function sumOfTaskLosses<B>(loss: BatchedLoss<B>, batch: B): (...params: tf.Tensor[]) => tf.Scalar {
  return (...p) => tf.sum(loss(p, batch)) as tf.Scalar;
}

