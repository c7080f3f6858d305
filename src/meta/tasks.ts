import * as tf from '@tensorflow/tfjs';
import { requireInteger } from './validate';
import { tidyTensors } from './tidy';

/**
 * Regression points: of many tasks at once, x [tasks, points, inputs] and y [tasks, points, outputs]; or,
 * as `RegressionBatch<tf.Tensor2D>`, of one task, x [points, inputs] and y [points, outputs].
 */
export interface RegressionBatch<T extends tf.Tensor = tf.Tensor3D> {
  x: T;
  y: T;
}

/**
 * A meta-batch: each task's support set (adapted on; the thread's L⁽⁰⁾, "train") and query set (scored
 * on; L⁽¹⁾, "test"), of any batch type B that the loss understands. `count` is the number of tasks.
 */
export interface TaskBatch<B = RegressionBatch> {
  support: B;
  query: B;
  count: number;
}

/** A sinusoid meta-batch, with each task's amplitude, phase and frequency (for plotting the true curves). */
export interface SinusoidBatch extends TaskBatch<RegressionBatch> {
  amplitude: Float32Array;
  phase: Float32Array;
  /** ω of each task; all 1 unless `frequency` was given. */
  frequency: Float32Array;
}

/** How many tasks, how many support points (and query points, as many unless `queryShots`) per task, and the seed. */
export interface SamplerOptions {
  tasks: number;
  shots: number;
  seed: number;
  /** Query points per task; default `shots`. Li et al. (2017) train on K support and 10 query points. */
  queryShots?: number;
}

/** Sinusoid sampling: the common options, and a frequency range (default none: ω = 1, Finn et al.'s family). */
export interface SinusoidSamplerOptions extends SamplerOptions {
  /** ω ~ U[low, high] per task, as in Li et al. (2017): [0.8, 1.2]. */
  frequency?: readonly [number, number];
}

function checkSampler({ tasks, shots, seed, queryShots }: SamplerOptions): number {
  requireInteger('tasks', tasks, 1);
  requireInteger('shots', shots, 1);
  requireInteger('seed', seed, 0);
  if (queryShots !== undefined) requireInteger('queryShots', queryShots, 1);
  return queryShots ?? shots;
}

function checkFrequency(range: unknown): void {
  const [low, high] = Array.isArray(range) && range.length === 2 ? range : [NaN, NaN];
  if (!(Number.isFinite(low) && Number.isFinite(high) && low > 0 && low <= high)) {
    throw new RangeError(`frequency must be a range [low, high] with 0 < low ≤ high, got ${JSON.stringify(range)}`);
  }
}

function split(x: tf.Tensor3D, y: tf.Tensor3D, shots: number, queryShots: number, tasks: number): TaskBatch {
  const [xs, xq] = tf.split(x, [shots, queryShots], 1) as tf.Tensor3D[];
  const [ys, yq] = tf.split(y, [shots, queryShots], 1) as tf.Tensor3D[];
  return { support: { x: xs, y: ys }, query: { x: xq, y: yq }, count: tasks };
}

/**
 * The sinusoid family of Finn et al. (2017): y = A·sin(ω·x − φ) with A ~ U[0.1, 5], φ ~ U[0, π],
 * x ~ U[−5, 5] and ω = 1, or ω ~ U[low, high] with `frequency` (Li et al. 2017 use [0.8, 1.2]); `shots`
 * support and `queryShots` (default `shots`) query points per task. The same options give the same batch,
 * and adding `frequency` or `queryShots` leaves the amplitudes and phases drawn for a seed unchanged.
 * The caller owns the tensors (dispose them with `disposeTasks`).
 *
 * Li et al. write y = A·sin(ωx + b), b ~ U[0, π]; we keep the phase as −φ. The two families are mirror
 * images under (x, y) → (−x, −y), which maps U[−5, 5] to itself and the network's initial distribution to
 * itself, so errors measured on either are comparable.
 *
 * @example
 * import { sinusoidTasks, disposeTasks } from 'maml-lab/meta';
 * const batch = sinusoidTasks({ tasks: 4, shots: 5, queryShots: 10, seed: 0, frequency: [0.8, 1.2] });
 * batch.support.x.shape; // [4, 5, 1]; batch.query.x.shape is [4, 10, 1]
 * disposeTasks(batch);
 */
export function sinusoidTasks(options: SinusoidSamplerOptions): SinusoidBatch {
  const queryShots = checkSampler(options);
  if (options.frequency !== undefined) checkFrequency(options.frequency);
  const { tasks, shots, seed, frequency: range } = options;
  const amplitude = tf.randomUniform([tasks, 1, 1], 0.1, 5, 'float32', seed * 3 + 1) as tf.Tensor3D;
  const phase = tf.randomUniform([tasks, 1, 1], 0, Math.PI, 'float32', seed * 3 + 2) as tf.Tensor3D;
  // A named stream: every integer seed already belongs to some batch's amplitude, phase or x.
  const frequency = (range ? tf.randomUniform([tasks, 1, 1], range[0], range[1], 'float32', `${seed}-frequency`) : tf.ones([tasks, 1, 1])) as tf.Tensor3D;
  const batch = tidyTensors(() => {
    const x = tf.randomUniform([tasks, shots + queryShots, 1], -5, 5, 'float32', seed * 3 + 3) as tf.Tensor3D;
    const angle = range ? tf.mul(frequency, x) : x;
    const y = tf.mul(amplitude, tf.sin(tf.sub(angle, phase))) as tf.Tensor3D;
    return split(x, y, shots, queryShots, tasks);
  });
  const drawn = { amplitude: amplitude.dataSync() as Float32Array, phase: phase.dataSync() as Float32Array, frequency: frequency.dataSync() as Float32Array };
  tf.dispose([amplitude, phase, frequency]);
  return { ...batch, ...drawn };
}

/**
 * Linear regression tasks: y = a·x + b with a ~ U[−2, 2], b ~ U[−1, 1], x ~ U[−2, 2].
 *
 * @example
 * import { linearTasks, disposeTasks } from 'maml-lab/meta';
 * const batch = linearTasks({ tasks: 8, shots: 5, seed: 1 }); // x, y: [8, 5, 1]
 * disposeTasks(batch);
 */
export function linearTasks(options: SamplerOptions): TaskBatch {
  const queryShots = checkSampler(options);
  const { tasks, shots, seed } = options;
  return tidyTensors(() => {
    const slope = tf.randomUniform([tasks, 1, 1], -2, 2, 'float32', seed * 3 + 1);
    const intercept = tf.randomUniform([tasks, 1, 1], -1, 1, 'float32', seed * 3 + 2);
    const x = tf.randomUniform([tasks, shots + queryShots, 1], -2, 2, 'float32', seed * 3 + 3) as tf.Tensor3D;
    return split(x, tf.add(tf.mul(slope, x), intercept) as tf.Tensor3D, shots, queryShots, tasks);
  });
}

/**
 * Builds a regression meta-batch from nested arrays ([tasks][points][features]), checking every shape and
 * value and naming the first problem.
 *
 * @example
 * import { regressionTasks, disposeTasks } from 'maml-lab/meta';
 * const batch = regressionTasks({ support: { x: [[[0], [1]]], y: [[[0], [1]]] }, query: { x: [[[2]]], y: [[[2]]] } });
 * disposeTasks(batch);
 */
export function regressionTasks(raw: { support: { x: unknown; y: unknown }; query: { x: unknown; y: unknown } }): TaskBatch {
  const read = (name: string, value: unknown) => {
    if (!Array.isArray(value) || value.length === 0) throw new RangeError(`${name} must be a non-empty array [tasks][points][features]`);
    const points = Array.isArray(value[0]) ? value[0].length : -1;
    const width = points > 0 && Array.isArray(value[0][0]) ? value[0][0].length : -1;
    if (points < 1 || width < 1) throw new RangeError(`${name} must be nested as [tasks][points][features], got ${JSON.stringify(value).slice(0, 60)}`);
    const flat: number[] = [];
    value.forEach((task: unknown, t: number) => {
      if (!Array.isArray(task) || task.length !== points) throw new RangeError(`${name}[${t}] must have ${points} points like ${name}[0], got ${Array.isArray(task) ? task.length : typeof task}`);
      task.forEach((point: unknown, p: number) => {
        if (!Array.isArray(point) || point.length !== width) throw new RangeError(`${name}[${t}][${p}] must have ${width} feature(s), got ${JSON.stringify(point)}`);
        point.forEach((v: unknown, f: number) => {
          if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${t}][${p}][${f}] must be a finite number, got ${JSON.stringify(v)}`);
          flat.push(v);
        });
      });
    });
    return { flat, shape: [value.length, points, width] as [number, number, number] };
  };
  const parts = {
    sx: read('support.x', raw.support?.x),
    sy: read('support.y', raw.support?.y),
    qx: read('query.x', raw.query?.x),
    qy: read('query.y', raw.query?.y),
  };
  const tasks = parts.sx.shape[0];
  for (const [name, part] of Object.entries({ 'support.y': parts.sy, 'query.x': parts.qx, 'query.y': parts.qy })) {
    if (part.shape[0] !== tasks) throw new RangeError(`${name} has ${part.shape[0]} tasks, but support.x has ${tasks}`);
  }
  if (parts.sy.shape[1] !== parts.sx.shape[1]) throw new RangeError(`support.y has ${parts.sy.shape[1]} points per task, but support.x has ${parts.sx.shape[1]}`);
  if (parts.qy.shape[1] !== parts.qx.shape[1]) throw new RangeError(`query.y has ${parts.qy.shape[1]} points per task, but query.x has ${parts.qx.shape[1]}`);
  if (parts.qx.shape[2] !== parts.sx.shape[2]) throw new RangeError(`query.x has ${parts.qx.shape[2]} features, but support.x has ${parts.sx.shape[2]}`);
  if (parts.qy.shape[2] !== parts.sy.shape[2]) throw new RangeError(`query.y has ${parts.qy.shape[2]} outputs, but support.y has ${parts.sy.shape[2]}`);
  const t = (p: { flat: number[]; shape: [number, number, number] }) => tf.tensor3d(p.flat, p.shape, 'float32');
  return { support: { x: t(parts.sx), y: t(parts.sy) }, query: { x: t(parts.qx), y: t(parts.qy) }, count: tasks };
}

/**
 * Disposes every tensor of a meta-batch.
 *
 * @example
 * import { sinusoidTasks, disposeTasks } from 'maml-lab/meta';
 * disposeTasks(sinusoidTasks({ tasks: 2, shots: 5, seed: 0 }));
 */
export function disposeTasks<B>(batch: TaskBatch<B>): void {
  tf.dispose([batch.support as unknown as tf.TensorContainer, batch.query as unknown as tf.TensorContainer]);
}
