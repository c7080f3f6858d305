import * as tf from '@tensorflow/tfjs';
import { sumOfTaskLosses, type BatchedLoss } from './batchedLoss';
import type { MetaGradientOptions } from './methods/types';
import { tidyTensors } from './tidy';
import { requireInteger, requirePositive } from './validate';

/** Per-task scalars s [tasks] times per-task tensors x [tasks, …]. */
function scaleTasks(s: tf.Tensor1D, x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.reshape(s, [s.shape[0], ...x.shape.slice(1).map(() => 1)]), x);
}

/** Per-task inner products of two lists of per-task tensors: [tasks]. */
function dotTasks(a: tf.Tensor[], b: tf.Tensor[]): tf.Tensor1D {
  return tf.addN(a.map((x, i) => tf.sum(tf.reshape(tf.mul(x, b[i]), [x.shape[0], -1]), 1))) as tf.Tensor1D;
}

/**
 * The error for an iMAML system I + H/λ that conjugate gradient found not positive definite: pᵀAp ≤ 0 for
 * `task` at `iteration`. Both engines report it so.
 *
 * @example
 * import { indefiniteSystem } from 'maml-lab/meta';
 * indefiniteSystem(3, -0.5, 2, 1).message; // "imaml: I + H/λ is not positive definite for task 3 (pᵀAp = -0.5 at CG iteration 2); the support loss is too curved for lambda = 1: use a larger lambda"
 */
export function indefiniteSystem(task: number, curvature: number, iteration: number, lambda: number): RangeError {
  return new RangeError(
    `imaml: I + H/λ is not positive definite for task ${task} (pᵀAp = ${curvature} at CG iteration ${iteration}); the support loss is too curved for lambda = ${lambda}: use a larger lambda`,
  );
}

/**
 * Solves (I + H_t/λ) x_t = b_t for every task t at once by conjugate gradient, H_t the Hessian of task t's
 * support loss at θₖ, applied as Hessian-vector products (a gradient of a gradient). A task is done when its
 * residual ‖r_t‖ ≤ tolerance·‖b_t‖ (default 1e-4: float32 cannot certify much less; a task with b_t = 0 is
 * done at once); the solve stops when every task is, or after maxIterations (default 20). Non-positive
 * curvature met along a search direction means I + H_t/λ is not positive definite: that is an error.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { implicitSolve, quadraticLoss, quadraticTasks } from 'maml-lab/meta';
 * const tasks = quadraticTasks({ tasks: 2, seed: 0 });
 * const phi = [tf.zeros([2, 2])];
 * const { solution, iterations } = implicitSolve(quadraticLoss, phi, tasks.support, [tf.ones([2, 2])], 2);
 * // each task's row solves (I + C/2)x = (1, 1); CG on a 2×2 system needs at most 2 iterations
 * solution[0].shape; // [2, 2]
 * iterations <= 2; // true
 */
export function implicitSolve<B>(
  loss: BatchedLoss<B>,
  phi: tf.Tensor[],
  support: B,
  b: tf.Tensor[],
  lambda: number,
  cg: MetaGradientOptions['cg'] = {},
): { solution: tf.Tensor[]; iterations: number; relativeResidual: number } {
  const maxIterations = cg.maxIterations ?? 20;
  const tolerance = cg.tolerance ?? 1e-4;
  requireInteger('cg.maxIterations', maxIterations, 1);
  requirePositive('cg.tolerance', tolerance);
  const gradient = tf.grads(sumOfTaskLosses(loss, support));
  const apply = (v: tf.Tensor[]) =>
    tidyTensors(() => {
      const hv = tf.grads((...p: tf.Tensor[]) => tf.sum(dotTasks(gradient(p), v)) as tf.Scalar)(phi);
      return v.map((x, i) => tf.add(x, tf.div(hv[i], lambda)));
    });
  const read = (t: tf.Tensor) => {
    const values = Array.from(t.dataSync());
    t.dispose();
    return values;
  };
  const bb = read(dotTasks(b, b));
  let rs = [...bb];
  const relative = () => Math.max(...rs.map((r, t) => (bb[t] > 0 ? Math.sqrt(r / bb[t]) : 0)));
  const active = () => rs.map((r, t) => r > tolerance * tolerance * bb[t]);
  let x = b.map((t) => tf.zerosLike(t));
  let r = b;
  let p = b;
  let iterations = 0;
  let live = active();
  while (iterations < maxIterations && live.some(Boolean)) {
    const Ap = apply(p);
    const pAp = read(dotTasks(p, Ap));
    const bad = pAp.findIndex((c, t) => live[t] && !(c > 0));
    if (bad >= 0) {
      tf.dispose(Ap);
      throw indefiniteSystem(bad, pAp[bad], iterations + 1, lambda);
    }
    const step = tf.tensor1d(pAp.map((c, t) => (live[t] ? rs[t] / c : 0)));
    const xNext = tidyTensors(() => x.map((xi, i) => tf.add(xi, scaleTasks(step, p[i]))));
    const rNext = tidyTensors(() => r.map((ri, i) => tf.sub(ri, scaleTasks(step, Ap[i]))));
    const rsNext = read(dotTasks(rNext, rNext));
    const beta = tf.tensor1d(rsNext.map((v, t) => (live[t] && rs[t] > 0 ? v / rs[t] : 0)));
    const pNext = tidyTensors(() => rNext.map((ri, i) => tf.add(ri, scaleTasks(beta, p[i]))));
    tf.dispose([...x, ...Ap, step, beta, ...(r === b ? [] : r), ...(p === b ? [] : p)]);
    [x, r, p, rs] = [xNext, rNext, pNext, rsNext];
    iterations++;
    live = active();
  }
  return { solution: x, iterations, relativeResidual: relative() };
}
