import * as tf from '@tensorflow/tfjs';
import { Model, checkParams } from './model';
import { mse } from './loss';
import { requireInteger, requirePositive } from './validate';

/** A set of points: inputs x [points, inputs] and targets y [points, outputs]. */
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
 * One inner step θᵢ = θᵢ₋₁ − α∇L(θᵢ₋₁). Differentiable: called inside `tf.grad`, the gradient flows through
 * ∇L too, which is where the Hessian of the exact meta-gradient comes from ("gradients of gradients").
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
  checkParams(model, params);
  return tf.tidy(() => {
    const grads = tf.grads((...p: tf.Tensor[]) => taskLoss(model, p, batch))(params as tf.Tensor[]);
    return params.map((p, i) => tf.sub(p, tf.mul(alpha, firstOrder ? stopGradient(grads[i]) : grads[i])));
  });
}

/**
 * k inner steps from `params` on the support batch: θ₀ = params, θᵢ = θᵢ₋₁ − α∇L⁽⁰⁾(θᵢ₋₁); returns θₖ.
 *
 * @example
 * const adapted = adapt(model, params, task.support, { alpha: 0.01, steps: 5 });
 */
export function adapt(model: Model, params: readonly tf.Tensor[], support: Batch, loop: InnerLoop): tf.Tensor[] {
  requirePositive('alpha', loop.alpha);
  requireInteger('steps', loop.steps, 1);
  return tf.tidy(() => {
    let theta: tf.Tensor[] = [...params];
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
