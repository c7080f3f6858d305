import * as tf from '@tensorflow/tfjs';
import { perTask, regressionLoss, sumOfTaskLosses, type BatchedLoss } from './batchedLoss';
import { mse } from './loss';
import { checkParams, type Model } from './model';
import type { RegressionBatch, TaskBatch } from './tasks';
import { requireInteger, requirePositive } from './validate';

/** Settings of the inner loop: step size α and number of steps k. */
export interface InnerLoop {
  alpha: number;
  steps: number;
  /** Treat each inner gradient as a constant (stop-gradient): differentiating then gives FOMAML. */
  firstOrder?: boolean;
  /** iMAML's pull towards the start: every inner gradient gains λ(θᵢ − anchor), anchor per task. */
  proximal?: { lambda: number; anchor: readonly tf.Tensor[] };
}

/**
 * The task loss L(params) on one task's points: the MSE of the model's outputs.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { mlp, taskLoss } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const loss = taskLoss(model, [tf.ones([1, 1]), tf.zeros([1])], { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[1], [3]]) });
 * loss.dataSync()[0]; // 0.5
 */
export function taskLoss(model: Model, params: readonly tf.Tensor[], points: RegressionBatch<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => mse(model.apply(params, points.x), points.y));
}

/**
 * Identity in the forward pass, zero gradient backwards: the value goes through, the derivative does not.
 * What "drop the second-order terms" means in code (FOMAML applies it to every inner gradient), and what
 * cutting the tape at θ₀ = stopGradient(θ) means.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { stopGradient } from 'maml-lab/meta';
 * // x·x with the second factor held constant: the derivative is x = 3, not 2x = 6
 * tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, stopGradient(x))))(tf.tensor1d([3])); // [3]
 */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/**
 * One gradient step p ← p − α(∇loss(p) + pull(p)) on any scalar loss of a parameter list. Differentiable:
 * called inside `tf.grad`, the gradient flows through ∇loss too ("gradients of gradients"). With
 * `firstOrder`, ∇loss is treated as a constant (stop-gradient). `pull` adds a term to the gradient, as
 * iMAML's λ(θᵢ − θ) does.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { gradientStep } from 'maml-lab/meta';
 * const [next] = gradientStep((p) => tf.sum(tf.square(p[0])), [tf.tensor1d([1, 2])], 0.1);
 * next.dataSync(); // [0.8, 1.6]
 */
export function gradientStep(
  loss: (params: tf.Tensor[]) => tf.Scalar,
  params: readonly tf.Tensor[],
  alpha: number,
  options: { firstOrder?: boolean; pull?: (i: number) => tf.Tensor } = {},
): tf.Tensor[] {
  return tf.tidy(() => {
    const grads = tf.grads((...p: tf.Tensor[]) => loss(p))(params as tf.Tensor[]);
    return params.map((p, i) => {
      const g = options.firstOrder ? stopGradient(grads[i]) : grads[i];
      return tf.sub(p, tf.mul(alpha, options.pull ? tf.add(g, options.pull(i)) : g));
    });
  });
}

/**
 * The inner loop every method shares: from per-task parameters θ₀ (leading task axis), k steps
 * θᵢ = θᵢ₋₁ − α∇L_support(θᵢ₋₁), each task on its own support set, all tasks in one pass; returns θₖ.
 * Differentiable: inside `tf.grad` the gradient flows through every inner gradient (the Hessians of the
 * exact meta-gradient) unless `firstOrder` stops it.
 *
 * @example
 * import { innerLoop, linearTasks, mlp, perTask, regressionLoss } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const tasks = linearTasks({ tasks: 3, shots: 4, seed: 0 });
 * const phi = innerLoop(regressionLoss(model), perTask(model.init(0), 3), tasks.support, { alpha: 0.1, steps: 2 });
 * phi[0].shape; // [3, 1, 1]
 */
export function innerLoop<B>(loss: BatchedLoss<B>, start: readonly tf.Tensor[], support: B, loop: InnerLoop): tf.Tensor[] {
  requirePositive('alpha', loop.alpha);
  requireInteger('steps', loop.steps, 0);
  return tf.tidy(() => {
    const stepLoss = sumOfTaskLosses(loss, support);
    const prox = loop.proximal;
    let phi = [...start];
    for (let i = 0; i < loop.steps; i++) {
      const current = phi;
      const pull = prox ? (j: number) => tf.mul(prox.lambda, tf.sub(current[j], prox.anchor[j])) : undefined;
      phi = gradientStep((p) => stepLoss(...p), current, loop.alpha, { firstOrder: loop.firstOrder, pull });
    }
    return phi;
  });
}

/**
 * The MAML objective, one value per task: the query loss after k inner steps from the shared parameters,
 * L_query(θₖ(θ)) (the thread's L⁽¹⁾(θₖ)). The exact meta-gradient is the gradient of its mean
 * (`metaGradient` with method 'maml' is exactly that); with `firstOrder` the gradient is FOMAML's.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { linearTasks, mamlLoss, mlp, regressionLoss } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const tasks = linearTasks({ tasks: 4, shots: 5, seed: 0 });
 * const objective = (...theta: tf.Tensor[]) => tf.mean(mamlLoss(regressionLoss(model), theta, tasks, { alpha: 0.1, steps: 1 })) as tf.Scalar;
 * const grads = tf.grads(objective)(model.init(0)); // the exact meta-gradient, W and b
 */
export function mamlLoss<B>(loss: BatchedLoss<B>, params: readonly tf.Tensor[], tasks: TaskBatch<B>, loop: InnerLoop): tf.Tensor1D {
  return tf.tidy(() => loss(innerLoop(loss, perTask(params, tasks.count), tasks.support, loop), tasks.query));
}

/**
 * k inner steps of a model's MSE from `params` on a support set; returns the adapted parameters. The
 * support set is one task's points (x [points, inputs]: params and result are shared-shaped) or many tasks'
 * (x [tasks, points, inputs]: shared params are copied per task, per-task params are used as they are, and
 * the result has a leading task axis).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { adapt, mlp } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const support = { x: tf.tensor2d([[0], [1]]), y: tf.tensor2d([[1], [3]]) };
 * const adapted = adapt(model, model.init(0), support, { alpha: 0.1, steps: 5 }); // [W, b], closer to y = 2x + 1
 */
export function adapt(model: Model, params: readonly tf.Tensor[], support: RegressionBatch<tf.Tensor>, loop: InnerLoop): tf.Tensor[] {
  requirePositive('alpha', loop.alpha);
  requireInteger('steps', loop.steps, 1);
  const { x, y } = support;
  if (!x || !y || (x.rank !== 2 && x.rank !== 3) || x.rank !== y.rank) {
    throw new RangeError(`support.x and .y must both be [points, features] (one task) or [tasks, points, features], got [${x?.shape.join(', ')}] and [${y?.shape.join(', ')}]`);
  }
  const single = x.rank === 2;
  const tasks = single ? 1 : x.shape[0];
  const shared = params.length > 0 && params[0].rank === model.shapes[0].length;
  checkParams(model, params, shared ? undefined : tasks);
  if (single && !shared) throw new RangeError('one task\'s support set takes shared parameters (without a task axis)');
  return tf.tidy(() => {
    const batch = (single ? { x: tf.expandDims(x, 0), y: tf.expandDims(y, 0) } : support) as RegressionBatch;
    const phi = innerLoop(regressionLoss(model), shared ? perTask(params, tasks) : params, batch, loop);
    return single ? phi.map((p) => tf.squeeze(p, [0])) : phi;
  });
}

/**
 * One inner step θᵢ = θᵢ₋₁ − α∇L(θᵢ₋₁) of a model's MSE: `adapt` with k = 1. Differentiable: called inside
 * `tf.grad`, the gradient flows through ∇L too, which is where the Hessian of the exact meta-gradient
 * comes from.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { innerUpdate, mlp } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const support = { x: tf.tensor2d([[0], [1]]), y: tf.tensor2d([[1], [3]]) };
 * const theta1 = innerUpdate(model, model.init(0), support, 0.01);
 */
export function innerUpdate(model: Model, params: readonly tf.Tensor[], support: RegressionBatch<tf.Tensor>, alpha: number, firstOrder = false): tf.Tensor[] {
  return adapt(model, params, support, { alpha, steps: 1, firstOrder });
}
