import * as tf from '@tensorflow/tfjs';
import { regressionLoss, type BatchedLoss } from './batchedLoss';
import { chooseEngine } from './engine';
import { kernelCovers, kernelMetaGradientOf } from './kernelRoute';
import { checkMethodOptions, METHODS, type Method, type MetaGradientOptions, type MetaGradientResult } from './methods';
import { checkParams, type Model } from './model';
import type { RegressionBatch, TaskBatch } from './tasks';
import { requireInteger, requirePositive } from './validate';

/**
 * Throws unless `tasks` holds at least one task and, for a model, `params` fit it and every set is
 * [tasks, points, features] with the model's input and output widths; names the first problem.
 *
 * @example
 * import { checkTasks, mlp, sinusoidTasks } from 'maml-lab/meta';
 * const model = mlp([1, 8, 1]);
 * checkTasks(model, model.init(0), sinusoidTasks({ tasks: 5, shots: 10, seed: 0 })); // ok
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
 * The meta-gradient of the mean query loss over a batch of tasks, with respect to the shared parameters,
 * by the method named in `options.method` (default 'maml'; see `METHODS`):
 *
 * - `maml`: exact, the gradient of the mean of `mamlLoss` (through all k inner steps);
 * - `fomaml`: the mean query gradient at the adapted parameters (inner gradients taken as constants);
 * - `reptile`: ε·mean over tasks of θ − θₖ, θₖ being k SGD steps on the support set;
 * - `imaml`: the mean of (I + H/λ)⁻¹∇L_query(θₖ), θₖ being k steps on L_support(θ') + (λ/2)‖θ' − θ‖² from
 *   θ and H the support loss's Hessian at θₖ, solved by conjugate gradient on Hessian-vector products.
 *
 * Tasks are batched (x [tasks, points, features]); every task adapts its own fast weights in one pass,
 * through the one inner loop all methods share. The first argument is a model (its MSE is the loss) or any
 * `BatchedLoss`. A model runs on the wasm kernel (maml-lab/kernel: the same formulas, hand-derived, in
 * float32) unless `options.engine` or MAML_LAB_ENGINE says 'tfjs'; a custom loss runs on tfjs. Leaves no tensor behind but the returned `grads`, even when it throws.
 *
 * @example
 * import { metaGradient, mlp, sinusoidTasks } from 'maml-lab/meta';
 * const model = mlp([1, 40, 40, 1]);
 * const params = model.init(0);
 * const tasks = sinusoidTasks({ tasks: 25, shots: 10, seed: 1 });
 * const { loss, grads } = metaGradient(model, params, tasks, { alpha: 0.01, steps: 1, method: 'maml' });
 * grads.map((g) => g.shape); // [[1, 40], [40], [40, 40], [40], [40, 1], [1]]
 */
export function metaGradient<B = RegressionBatch>(
  lossOrModel: Model | BatchedLoss<B>,
  params: tf.Tensor[],
  tasks: TaskBatch<B>,
  options: MetaGradientOptions,
): MetaGradientResult {
  const method: Method = options.method ?? 'maml';
  requirePositive('alpha', options.alpha);
  requireInteger('steps', options.steps, 1);
  if (!Object.prototype.hasOwnProperty.call(METHODS, method)) {
    throw new RangeError(`method must be one of ${Object.keys(METHODS).join(', ')}, got ${JSON.stringify(method)}`);
  }
  checkTasks(lossOrModel, params, tasks);
  checkMethodOptions(method, options);
  if (chooseEngine(kernelCovers(lossOrModel), options.engine) === 'kernel') {
    return kernelMetaGradientOf(lossOrModel as Model, params, tasks as unknown as TaskBatch, options);
  }
  const loss = (typeof lossOrModel === 'function' ? lossOrModel : regressionLoss(lossOrModel)) as BatchedLoss<B>;
  return METHODS[method](loss, params, tasks, options);
}
