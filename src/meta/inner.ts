import * as tf from '@tensorflow/tfjs';
import { perTask, regressionLoss, sumOfTaskLosses } from './batchedLoss';
import { Model, checkParams } from './model';
import type { RegressionBatch } from './tasks';
import { mse } from './loss';
import { requireInteger, requirePositive } from './validate';

/**
 * A set of points: inputs x [points, inputs] and targets y [points, outputs]; or, for many tasks at once,
 * x [tasks, points, inputs] and y [tasks, points, outputs].
 */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** One task: the support set adapts (inner loop, L⁽⁰⁾), the query set scores the adapted model (L⁽¹⁾). */
export interface Task {
  support: Batch;
  query: Batch;
}

/** Settings of the inner loop: step size α and number of steps k. */
export interface InnerLoop {
  alpha: number;
  steps: number;
  /** Treat each inner gradient as a constant (stop-gradient): differentiating then gives FOMAML. */
  firstOrder?: boolean;
}

/**
 * The task loss L(params) on one batch: the MSE of the model's outputs.
 *
 * @example
 * const loss = taskLoss(model, params, { x, y }); // scalar
 */
export function taskLoss(model: Model, params: readonly tf.Tensor[], batch: Batch): tf.Scalar {
  return tf.tidy(() => mse(model.apply(params, batch.x), batch.y));
}

/** Identity in the forward pass, zero gradient backwards: what "drop the second-order terms" means in code. */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/**
 * One gradient step p ← p − α(∇loss(p) + pull(p)) on any scalar loss of a parameter list. Differentiable:
 * called inside `tf.grad`, the gradient flows through ∇loss too ("gradients of gradients"). With
 * `firstOrder`, ∇loss is treated as a constant (stop-gradient). `pull` adds a term to the gradient, as
 * iMAML's λ(φ − θ) does.
 *
 * @example
 * const next = gradientStep((p) => tf.sum(tf.square(p[0])), [tf.tensor1d([1, 2])], 0.1); // [0.8, 1.6]
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
 * The loss one inner step descends: a single task's MSE, or for a batch of tasks the *sum* of their MSEs,
 * whose gradient with respect to per-task parameters is every task's own gradient.
 */
function stepLoss(model: Model, batch: Batch): (params: tf.Tensor[]) => tf.Scalar {
  if (batch.x.rank !== 3) return (p) => taskLoss(model, p, batch);
  const sum = sumOfTaskLosses(regressionLoss(model), batch as RegressionBatch);
  return (p) => sum(...p);
}

/**
 * One inner step θᵢ = θᵢ₋₁ − α∇L(θᵢ₋₁). For a batch of tasks (x [tasks, points, inputs]) the parameters
 * are per task (leading task axis) and each task takes its own step. Differentiable: called inside
 * `tf.grad`, the gradient flows through ∇L too, which is where the Hessian of the exact meta-gradient
 * comes from.
 *
 * @example
 * const theta1 = innerUpdate(model, theta0, support, 0.01);
 */
export function innerUpdate(
  model: Model,
  params: readonly tf.Tensor[],
  batch: Batch,
  alpha: number,
  firstOrder = false,
): tf.Tensor[] {
  requirePositive('alpha', alpha);
  checkParams(model, params, batch.x.rank === 3 ? batch.x.shape[0] : undefined);
  return gradientStep(stepLoss(model, batch), params, alpha, { firstOrder });
}

/**
 * k inner steps from `params` on the support batch: θ₀ = params, θᵢ = θᵢ₋₁ − α∇L⁽⁰⁾(θᵢ₋₁); returns θₖ.
 * For a batch of tasks with shared `params`, every task adapts its own copy, and the result has a leading
 * task axis.
 *
 * @example
 * const adapted = adapt(model, params, task.support, { alpha: 0.01, steps: 5 });
 */
export function adapt(model: Model, params: readonly tf.Tensor[], support: Batch, loop: InnerLoop): tf.Tensor[] {
  requirePositive('alpha', loop.alpha);
  requireInteger('steps', loop.steps, 1);
  return tf.tidy(() => {
    const shared = support.x.rank === 3 && params.length > 0 && params[0].rank === model.shapes[0].length;
    let theta: tf.Tensor[] = shared ? perTask(params, support.x.shape[0]) : [...params];
    for (let i = 0; i < loop.steps; i++) theta = innerUpdate(model, theta, support, loop.alpha, loop.firstOrder);
    return theta;
  });
}

/**
 * The MAML objective of one task, L⁽¹⁾(θₖ): the query loss after adapting on the support set. Its gradient
 * with respect to `params` is the exact meta-gradient (or FOMAML's with `firstOrder`).
 *
 * @example
 * const [g] = tf.grads((w, b) => mamlLoss(model, [w, b], task, { alpha: 0.1, steps: 1 }))(params);
 */
export function mamlLoss(model: Model, params: readonly tf.Tensor[], task: Task, loop: InnerLoop): tf.Scalar {
  return tf.tidy(() => taskLoss(model, adapt(model, params, task.support, loop), task.query));
}
