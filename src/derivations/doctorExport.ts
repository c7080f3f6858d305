import * as tf from '@tensorflow/tfjs';
import type { Model } from '../meta/model';
import { flattenParams } from '../meta/params';
import type { RegressionBatch, TaskBatch } from '../meta/tasks';
import { tidyValue } from '../meta/tidy';
import { toLayout, type TensorLayout } from './doctorInput';

/** The doctor's input as plain JSON values (schemas/doctor-input.schema.json). */
export interface DoctorInputJson {
  model: { sizes: number[]; activation: 'relu' | 'tanh'; layout: TensorLayout };
  params: (number[] | number[][])[];
  support: { x: number[][][]; y: number[][][] };
  query: { x: number[][][]; y: number[][][] };
  alpha: number;
  steps: number;
  gradient: (number[] | number[][])[];
  lambda?: number;
  reptileRate?: number;
}

/** What `doctorInputOf` needs: the problem a meta-gradient was computed on, and that meta-gradient. */
export interface DoctorExportSettings {
  model: Model;
  params: readonly tf.Tensor[];
  tasks: TaskBatch;
  alpha: number;
  steps: number;
  /** The meta-gradient, as `metaGradient(...).grads` (same shapes as params) or flat in the package's layout. */
  gradient: readonly tf.Tensor[] | Float64Array;
  /** The layout to write (default "maml-lab"; "torch" writes weights [out, in]). */
  layout?: TensorLayout;
  lambda?: number;
  reptileRate?: number;
}

/**
 * The exporter for this package: a meta-gradient computed here (or anywhere in tfjs with the package's
 * model), written as the doctor's JSON, ready for `JSON.stringify` and `maml-lab doctor FILE.json`. Reads
 * every tensor once and leaves no tensor behind.
 *
 * @example
 * import { diagnoseMetaGradient, doctorInputOf } from 'maml-lab/derivations';
 * import { metaGradient, mlp, sinusoidTasks } from 'maml-lab/meta';
 * const model = mlp([1, 8, 1], { activation: 'tanh' });
 * const params = model.init(0);
 * const tasks = sinusoidTasks({ tasks: 3, shots: 5, seed: 1 });
 * const { grads } = metaGradient(model, params, tasks, { alpha: 0.01, steps: 2, method: 'fomaml' });
 * const input = doctorInputOf({ model, params, tasks, alpha: 0.01, steps: 2, gradient: grads, layout: 'torch' });
 * input.params.map((p) => p.length); // [8, 8, 1, 1]
 * diagnoseMetaGradient(input).nearest; // "fomaml"
 */
export function doctorInputOf(settings: DoctorExportSettings): DoctorInputJson {
  const { model, alpha, steps } = settings;
  const layout = settings.layout ?? 'maml-lab';
  const flat = (list: readonly tf.Tensor[] | Float64Array) => (list instanceof Float64Array ? list : tidyValue(() => Float64Array.from(flattenParams(list as tf.Tensor[]).dataSync())));
  const set = (s: RegressionBatch) => tidyValue(() => ({ x: s.x.arraySync() as number[][][], y: s.y.arraySync() as number[][][] }));
  const { support, query } = settings.tasks as unknown as { support: RegressionBatch; query: RegressionBatch };
  return {
    model: { sizes: [...model.sizes], activation: model.activation, layout },
    params: toLayout(model.sizes, layout, flat(settings.params)),
    support: set(support),
    query: set(query),
    alpha,
    steps,
    gradient: toLayout(model.sizes, layout, flat(settings.gradient)),
    ...(settings.lambda !== undefined ? { lambda: settings.lambda } : {}),
    ...(settings.reptileRate !== undefined ? { reptileRate: settings.reptileRate } : {}),
  };
}
