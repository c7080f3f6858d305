import * as tf from '@tensorflow/tfjs';
import { perTask, regressionLoss, type BatchedLoss } from './batchedLoss';
import { gradientStep } from './inner';
import { checkParams, type Model } from './model';
import type { RegressionBatch, TaskBatch } from './tasks';
import { requireInteger, requirePositive } from './validate';
import { tidyTensors } from './tidy';

/** The meta-gradient algorithms. */
export type Method = 'maml' | 'fomaml' | 'reptile' | 'imaml';
const METHODS: readonly Method[] = ['maml', 'fomaml', 'reptile', 'imaml'];

/** Settings of `metaGradient`. */
export interface MetaGradientOptions {
  alpha: number;
  steps: number;
  method?: Method;
  /** iMAML's regularisation strength λ (default 1). */
  lambda?: number;
  /** Reptile's interpolation rate ε: the result is ε·mean(θ − φₖ) (default 1). */
  reptileRate?: number;
  /** iMAML's conjugate gradient: stop when every task's ‖r‖ ≤ tolerance·‖b‖, or after maxIterations. */
  cg?: { maxIterations?: number; tolerance?: number };
}

/** What `metaGradient` returns: the caller owns `grads` (same shapes as the params). */
export interface MetaGradientResult {
  /** Mean query loss after adaptation (for iMAML, after the regularised inner loop). */
  loss: number;
  grads: tf.Tensor[];
  /** iMAML only: conjugate-gradient iterations used and the largest final relative residual. */
  cg?: { iterations: number; relativeResidual: number };
}

function sumOverTasks<B>(loss: BatchedLoss<B>, batch: B) {
  return (...p: tf.Tensor[]) => tf.sum(loss(p, batch)) as tf.Scalar;
}

/** φ ← φ − α·(∇L_support(φ) + pull), every task at once; `pull` adds iMAML's λ(φ − θ). */
function innerStep<B>(loss: BatchedLoss<B>, phi: tf.Tensor[], support: B, alpha: number, pull?: (i: number) => tf.Tensor): tf.Tensor[] {
  return gradientStep((p) => sumOverTasks(loss, support)(...p), phi, alpha, { pull });
}

/** Per-task scalars s [tasks] times per-task tensors x [tasks, …]. */
function scaleTasks(s: tf.Tensor1D, x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.reshape(s, [s.shape[0], ...x.shape.slice(1).map(() => 1)]), x);
}

/** Per-task inner products of two lists of per-task tensors: [tasks]. */
function dotTasks(a: tf.Tensor[], b: tf.Tensor[]): tf.Tensor1D {
  return tf.addN(a.map((x, i) => tf.sum(tf.reshape(tf.mul(x, b[i]), [x.shape[0], -1]), 1))) as tf.Tensor1D;
}

function finiteLoss(value: tf.Tensor, alpha: number): number {
  const loss = value.dataSync()[0];
  if (!Number.isFinite(loss)) {
    throw new RangeError(`the meta-loss is not finite (${loss}): the inner loop diverged; try a smaller alpha (now ${alpha})`);
  }
  return loss;
}

function checkTasks<B>(lossOrModel: Model | BatchedLoss<B>, params: readonly tf.Tensor[], tasks: TaskBatch<B>): void {
  if (!tasks || !Number.isInteger(tasks.count) || tasks.count < 1) {
    throw new RangeError(`tasks must hold at least one task, got count ${tasks?.count}`);
  }
  if (typeof lossOrModel === 'function') return;
  const model = lossOrModel;
  checkParams(model, params);
  const inputs = model.sizes[0];
  const outputs = model.sizes[model.sizes.length - 1];
  const sets = [['support', tasks.support], ['query', tasks.query]] as const;
  for (const [name, set] of sets) {
    const { x, y } = set as unknown as RegressionBatch;
    if (!x || !y || x.rank !== 3 || y.rank !== 3) throw new RangeError(`tasks.${name}.x and .y must be 3-D tensors [tasks, points, features]`);
    if (x.shape[0] !== tasks.count || y.shape[0] !== tasks.count) throw new RangeError(`tasks.${name} must hold ${tasks.count} tasks, got x [${x.shape.join(', ')}] and y [${y.shape.join(', ')}]`);
    if (x.shape[1] !== y.shape[1]) throw new RangeError(`tasks.${name}.x has ${x.shape[1]} points per task but .y has ${y.shape[1]}`);
    if (x.shape[1] < 1) throw new RangeError(`tasks.${name} has no points`);
    if (x.shape[2] !== inputs) throw new RangeError(`tasks.${name}.x must have ${inputs} input feature(s) for this model, got ${x.shape[2]}`);
    if (y.shape[2] !== outputs) throw new RangeError(`tasks.${name}.y must have ${outputs} output(s) for this model, got ${y.shape[2]}`);
  }
}

/**
 * The meta-gradient of the mean query loss over a batch of tasks, with respect to the shared parameters:
 *
 * - `maml`: exact, differentiating through all k inner steps (Hessian-vector products included);
 * - `fomaml`: the mean query gradient at the adapted parameters (inner gradients taken as constants);
 * - `reptile`: ε·mean over tasks of θ − φₖ, φₖ being k SGD steps on the support set;
 * - `imaml`: the mean of (I + H/λ)⁻¹∇L_query(φₖ), φₖ being k steps on L_support(φ) + (λ/2)‖φ − θ‖² from
 *   θ and H the support loss's Hessian at φₖ, solved by conjugate gradient on Hessian-vector products.
 *
 * Tasks are batched (x [tasks, points, features]); every task adapts its own fast weights in one pass.
 * The first argument is a model (its MSE is the loss) or any `BatchedLoss`. Leaves no tensor behind but the
 * returned `grads`, even when it throws.
 *
 * @example
 * const model = mlp([1, 40, 40, 1]);
 * const params = model.init(0);
 * const tasks = sinusoidTasks({ tasks: 25, shots: 10, seed: 1 });
 * const { loss, grads } = metaGradient(model, params, tasks, { alpha: 0.01, steps: 1, method: 'maml' });
 */
export function metaGradient<B = RegressionBatch>(
  lossOrModel: Model | BatchedLoss<B>,
  params: tf.Tensor[],
  tasks: TaskBatch<B>,
  options: MetaGradientOptions,
): MetaGradientResult {
  const { alpha, steps } = options;
  const method = options.method ?? 'maml';
  requirePositive('alpha', alpha);
  requireInteger('steps', steps, 1);
  if (!METHODS.includes(method)) throw new RangeError(`method must be one of ${METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  const lambda = options.lambda ?? 1;
  const rate = options.reptileRate ?? 1;
  if (method === 'imaml') {
    requirePositive('lambda', lambda);
    // The pull λ(φ − θ) alone makes each step multiply φ − θ by (1 − αλ): beyond αλ = 2 the inner loop diverges.
    if (alpha * lambda >= 2) {
      throw new RangeError(`imaml: alpha·lambda must be below 2 for the regularised inner loop to converge, got ${alpha} · ${lambda} = ${alpha * lambda}; lower alpha or lambda`);
    }
  }
  if (method === 'reptile') requirePositive('reptileRate', rate);
  checkTasks(lossOrModel, params, tasks);
  const loss = (typeof lossOrModel === 'function' ? lossOrModel : regressionLoss(lossOrModel)) as BatchedLoss<B>;
  const T = tasks.count;
  const meanQuery = (...phi: tf.Tensor[]) => tf.mean(loss(phi, tasks.query)) as tf.Scalar;

  if (method === 'maml') {
    return tidyTensors(() => {
      const objective = (...theta: tf.Tensor[]) => {
        let phi = perTask(theta, T);
        for (let i = 0; i < steps; i++) phi = innerStep(loss, phi, tasks.support, alpha);
        return meanQuery(...phi);
      };
      const { value, grads } = tf.valueAndGrads(objective)(params);
      return { loss: finiteLoss(value, alpha), grads };
    });
  }

  return tidyTensors(() => {
    const theta = perTask(params, T);
    const pull = method === 'imaml' ? (phi: tf.Tensor[]) => (i: number) => tf.mul(lambda, tf.sub(phi[i], theta[i])) : undefined;
    let phi = theta;
    for (let i = 0; i < steps; i++) {
      const next = tidyTensors(() => innerStep(loss, phi, tasks.support, alpha, pull?.(phi)));
      if (phi !== theta) tf.dispose(phi);
      phi = next;
    }
    if (method === 'reptile') {
      const value = meanQuery(...phi);
      return { loss: finiteLoss(value, alpha), grads: params.map((p, i) => tf.mul(rate, tf.sub(p, tf.mean(phi[i], 0)))) };
    }
    // Per-task query gradients: the gradient of the mean is each task's gradient divided by T.
    const { value, grads: meanGrads } = tf.valueAndGrads(meanQuery)(phi);
    const lossValue = finiteLoss(value, alpha);
    if (method === 'fomaml') return { loss: lossValue, grads: meanGrads.map((g) => tf.sum(g, 0)) };
    const { solution, iterations, relativeResidual } = implicitSolve(loss, phi, tasks.support, meanGrads, lambda, options.cg);
    return { loss: lossValue, grads: solution.map((x) => tf.sum(x, 0)), cg: { iterations, relativeResidual } };
  });
}

/**
 * Solves (I + H_t/λ) x_t = b_t for every task t at once by conjugate gradient, H_t the Hessian of task t's
 * support loss at φ, applied as Hessian-vector products (a gradient of a gradient). Stops when every
 * task's residual ‖r_t‖ ≤ tolerance·‖b_t‖ (default 1e-4: float32 cannot certify much less) or after
 * maxIterations (default 20).
 */
function implicitSolve<B>(
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
  const gradient = tf.grads(sumOverTasks(loss, support));
  const apply = (v: tf.Tensor[]) =>
    tidyTensors(() => {
      const hv = tf.grads((...p: tf.Tensor[]) => tf.sum(dotTasks(gradient(p), v)) as tf.Scalar)(phi);
      return v.map((x, i) => tf.add(x, tf.div(hv[i], lambda)));
    });
  const bNorm = tf.sqrt(dotTasks(b, b));
  let x = b.map((t) => tf.zerosLike(t));
  let r = b;
  let p = b;
  let rs = dotTasks(r, r);
  let iterations = 0;
  let relativeResidual = 1;
  while (iterations < maxIterations) {
    const curvature = tidyTensors(() => {
      const Ap = apply(p);
      return { Ap, pAp: dotTasks(p, Ap) };
    });
    const pAp = curvature.pAp.dataSync();
    const bad = pAp.findIndex((c) => !(c > 0));
    if (bad >= 0) {
      throw new RangeError(
        `imaml: I + H/λ is not positive definite for task ${bad} (pᵀAp = ${pAp[bad]} at CG iteration ${iterations + 1}); the support loss is too curved for lambda = ${lambda}: use a larger lambda`,
      );
    }
    const state = tidyTensors(() => {
      const { Ap } = curvature;
      const step = tf.div(rs, curvature.pAp) as tf.Tensor1D;
      const xNext = x.map((xi, i) => tf.add(xi, scaleTasks(step, p[i])));
      const rNext = r.map((ri, i) => tf.sub(ri, scaleTasks(step, Ap[i])));
      const rsNext = dotTasks(rNext, rNext);
      const beta = tf.div(rsNext, tf.maximum(rs, 1e-30)) as tf.Tensor1D;
      const pNext = rNext.map((ri, i) => tf.add(ri, scaleTasks(beta, p[i])));
      const residual = tf.max(tf.div(tf.sqrt(rsNext), tf.maximum(bNorm, 1e-30)));
      return { xNext, rNext, pNext, rsNext, residual };
    });
    iterations++;
    tf.dispose([...x, rs, ...(r === b ? [] : r), ...(p === b ? [] : p), ...curvature.Ap, curvature.pAp]);
    x = state.xNext;
    r = state.rNext;
    p = state.pNext;
    rs = state.rsNext;
    relativeResidual = state.residual.dataSync()[0];
    if (relativeResidual <= tolerance) break;
  }
  return { solution: x, iterations, relativeResidual };
}
