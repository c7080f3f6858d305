import * as tf from '@tensorflow/tfjs';
import type { Method } from '../meta/methods';
import { mlp, type Activation } from '../meta/model';
import { flattenParams } from '../meta/params';
import type { TaskBatch } from '../meta/tasks';
import { tidyValue } from '../meta/tidy';
import { requireInteger, requirePositive } from '../meta/validate';
import * as exact from './exact';
import { mlp64, type Data64 } from './float64Mlp';
import type { Instance } from './instances';
import { meanVector } from './numeric';

/** One task of a meta-batch in float64: its support and query points. */
export interface Task64 {
  support: Data64;
  query: Data64;
}

function pointsOf(set: { x: tf.Tensor; y: tf.Tensor }, t: number, name: string): Data64 {
  if (set.x.rank !== 3 || set.y.rank !== 3) throw new RangeError(`${name}.x and .y must be 3-D tensors [tasks, points, features]`);
  const [, points, inputs] = set.x.shape as [number, number, number];
  const outputs = set.y.shape[2] as number;
  return tidyValue(() => ({
    x: Float64Array.from(tf.slice(set.x, [t, 0, 0], [1, points, inputs]).dataSync()),
    y: Float64Array.from(tf.slice(set.y, [t, 0, 0], [1, points, outputs]).dataSync()),
    points,
  }));
}

/**
 * Task t of a regression meta-batch as float64 data (the same numbers, widened), for the exact routes.
 *
 * @example
 * import { taskAt } from 'maml-lab/derivations';
 * import { sinusoidTasks } from 'maml-lab/meta';
 * const { support, query } = taskAt(sinusoidTasks({ tasks: 3, shots: 5, seed: 0 }), 2);
 * support.points; // 5
 */
export function taskAt(batch: TaskBatch, t: number): Task64 {
  requireInteger('t', t, 0);
  if (t >= batch.count) throw new RangeError(`t must be below the batch's ${batch.count} tasks, got ${t}`);
  return { support: pointsOf(batch.support, t, 'support'), query: pointsOf(batch.query, t, 'query') };
}

/** Which MLP, where, with which inner step: what turns float64 tasks into derivation instances. */
export interface InstanceSettings {
  /** The MLP's layer sizes and activation (a tfjs `Model` has both). */
  model: { sizes: readonly number[]; activation: Activation };
  /** θ as a flat float64 vector, or the tfjs parameter list (W₁, b₁, …), which is read once. */
  theta: Float64Array | readonly tf.Tensor[];
  alpha: number;
}

/**
 * Every task of a regression meta-batch as a float64 derivation `Instance` at the same θ and α, so that the
 * exact references (`exact.*`, `referenceMetaGradient`) can be compared with the tfjs methods on exactly
 * the numbers they saw.
 *
 * @example
 * import { instancesFromBatch } from 'maml-lab/derivations';
 * import { mlp, sinusoidTasks } from 'maml-lab/meta';
 * const model = mlp([1, 8, 1], { activation: 'tanh' });
 * const tasks = sinusoidTasks({ tasks: 4, shots: 5, seed: 1 });
 * const instances = instancesFromBatch(tasks, { model, theta: model.init(0), alpha: 0.01 });
 * instances.length; // 4
 */
export function instancesFromBatch(batch: TaskBatch, settings: InstanceSettings): Instance[] {
  const { sizes, activation } = settings.model;
  requirePositive('alpha', settings.alpha);
  const model = mlp(sizes, { activation });
  const net = mlp64(sizes, activation);
  const theta = settings.theta instanceof Float64Array ? settings.theta : tidyValue(() => Float64Array.from(flattenParams(settings.theta as tf.Tensor[]).dataSync()));
  if (theta.length !== net.parameterCount) {
    throw new RangeError(`theta must hold ${net.parameterCount} parameters for an MLP of sizes [${sizes.join(', ')}], got ${theta.length}`);
  }
  return Array.from({ length: batch.count }, (_, t) => ({ name: `task ${t}`, model, net, theta, alpha: settings.alpha, ...taskAt(batch, t) }));
}

/** Settings of a reference meta-gradient (the float64 twin of `MetaGradientOptions`, α is the instances'). */
export interface ReferenceOptions {
  method: Method;
  steps: number;
  lambda?: number;
  reptileRate?: number;
}

/**
 * The float64 reference of every method's meta-gradient, averaged over tasks as `metaGradient` averages:
 * MAML by the product formula ∏(I − αHᵢ₋₁)∇L_query(θₖ), FOMAML as ∇L_query(θₖ), Reptile as ε(θ − θₖ), and
 * iMAML by a direct LU solve of (I + H/λ)x = ∇L_query(θₖ).
 *
 * @example
 * import { instancesFromBatch, referenceMetaGradient } from 'maml-lab/derivations';
 * import { mlp, sinusoidTasks } from 'maml-lab/meta';
 * const model = mlp([1, 8, 1], { activation: 'tanh' });
 * const instances = instancesFromBatch(sinusoidTasks({ tasks: 4, shots: 5, seed: 1 }), { model, theta: model.init(0), alpha: 0.01 });
 * referenceMetaGradient(instances, { method: 'maml', steps: 2 }).length; // 25
 */
export function referenceMetaGradient(instances: readonly Instance[], options: ReferenceOptions): Float64Array {
  if (instances.length === 0) throw new RangeError('instances must not be empty');
  const { method, steps } = options;
  requireInteger('steps', steps, 1);
  const perTask: Record<Method, (inst: Instance) => Float64Array> = {
    maml: (inst) => exact.metaGradientByProduct(inst, steps),
    fomaml: (inst) => exact.firstOrderMetaGradient(inst, steps),
    reptile: (inst) => exact.reptileDirection(inst, steps, options.reptileRate ?? 1),
    imaml: (inst) => exact.implicitMetaGradient(inst, steps, options.lambda ?? 1),
  };
  if (!Object.prototype.hasOwnProperty.call(perTask, method)) {
    throw new RangeError(`method must be one of ${Object.keys(perTask).join(', ')}, got ${JSON.stringify(method)}`);
  }
  return meanVector(instances.map(perTask[method]));
}
