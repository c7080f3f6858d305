import * as tf from '@tensorflow/tfjs';
import { perTask, regressionLoss, sumOfTaskLosses, type BatchedLoss } from './batchedLoss';
import { gradientStep } from './inner';
import { checkParams, type Model } from './model';
import type { RegressionBatch, TaskBatch } from './tasks';
import { requireFiniteLoss, requireInteger, requirePositive } from './validate';
import { tidyTensors } from './tidy';

/** The meta-gradient algorithms. */
export type Method = 'maml' | 'fomaml' | 'reptile' | 'imaml';
/**
 * Every method `metaGradient` knows, in the order errors list them.
 *
 * @example
 * METHODS.includes('maml'); // true
 */
export const METHODS: readonly Method[] = ['maml', 'fomaml', 'reptile', 'imaml'];

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

/** φ ← φ − α·(∇L_support(φ) + pull), every task at once; `pull` adds iMAML's λ(φ − θ). */
function innerStep<B>(loss: BatchedLoss<B>, phi: tf.Tensor[], support: B, alpha: number, pull?: (i: number) => tf.Tensor): tf.Tensor[] {
  return gradientStep((p) => sumOfTaskLosses(loss, support)(...p), phi, alpha, { pull });
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
  return requireFiniteLoss('the meta-loss', value.dataSync()[0], `the inner loop diverged, or the parameters or tasks hold non-finite values; try a smaller alpha (now ${alpha})`);
}

/**
 * Throws unless `tasks` holds at least one task and, for a model, `params` fit it and every set is
 * [tasks, points, features] with the model's input and output widths; names the first problem.
 *
 * @example
 * checkTasks(model, params, sinusoidTasks({ tasks: 5, shots: 10, seed: 0 })); // ok for mlp([1, …, 1])
 */
export function checkTasks<B>(lossOrModel: Model | BatchedLoss<B>, params: readonly tf.Tensor[], tasks: TaskBatch<B>): void {
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
 * support loss at φ, applied as Hessian-vector products (a gradient of a gradient). A task is done when its
 * residual ‖r_t‖ ≤ tolerance·‖b_t‖ (default 1e-4: float32 cannot certify much less; a task with b_t = 0 is
 * done at once); the solve stops when every task is, or after maxIterations (default 20). Non-positive
 * curvature met along a search direction means I + H_t/λ is not positive definite: that is an error.
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
      throw new RangeError(
        `imaml: I + H/λ is not positive definite for task ${bad} (pᵀAp = ${pAp[bad]} at CG iteration ${iterations + 1}); the support loss is too curved for lambda = ${lambda}: use a larger lambda`,
      );
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
