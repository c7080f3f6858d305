import * as tf from '@tensorflow/tfjs';
import { median } from '../derivations/numeric';
import { chooseEngine, engineInfo } from '../meta/engine';
import { kernelCovers } from '../meta/kernelRoute';
import { checkTasks, metaGradient } from '../meta/metaGradient';
import type { Method, MetaGradientOptions } from '../meta/methods';
import { mlp, type Activation, type Model } from '../meta/model';
import { regressionTasks, disposeTasks, type TaskBatch } from '../meta/tasks';

/** The metagrad spec: a model, its parameters, a batch of tasks and the algorithm's settings. */
export interface MetagradSpec {
  model: { type: 'mlp'; sizes: number[]; activation?: Activation };
  params: { shape: number[]; values: number[] }[];
  tasks: { support: { x: number[][]; y: number[][] }; query: { x: number[][]; y: number[][] } }[];
  alpha: number;
  steps: number;
  method: Method;
  lambda?: number;
  reptileRate?: number;
}

/** What `maml-lab metagrad --json` prints. */
export interface MetagradOutput {
  loss: number;
  grads: { shape: number[]; values: number[] }[];
  backend: string;
  /** What computed it: the kernel (an MLP's default) or tfjs (MAML_LAB_ENGINE=tfjs). */
  engine: string;
  timing: { medianMs: number; n: number };
  cg?: { iterations: number; relativeResidual: number };
}

function field<T>(spec: Record<string, unknown>, name: string): T {
  if (!(name in spec)) throw new TypeError(`the spec has no "${name}" field`);
  return spec[name] as T;
}

/** A checked metagrad spec: the model, its parameters and tasks as tensors, and the spec's own numbers. */
export interface MetagradProblem {
  model: Model;
  /** The parameters as float32 tensors; the caller disposes them (`disposeProblem`). */
  params: tf.Tensor[];
  /** The tasks as a float32 meta-batch; the caller disposes it (`disposeProblem`). */
  batch: TaskBatch;
  options: MetaGradientOptions;
  /** The spec as read, every number checked: its params and tasks hold the numbers exactly as written (float64). */
  spec: MetagradSpec;
}

/**
 * Reads and checks a metagrad spec (see the README): the model, parameters that fit it, tasks that fit it
 * and the settings, naming the first problem. Every entry is checked before any tensor exists, so a bad
 * one leaves nothing behind; on success the caller owns `params` and `batch`. `metagrad` and `hessian`
 * both read their spec through it.
 *
 * @example
 * import { disposeProblem, parseMetagradSpec } from './metagrad';
 * const task = { support: { x: [[0], [1]], y: [[1], [3]] }, query: { x: [[2]], y: [[5]] } };
 * const problem = parseMetagradSpec({ model: { type: 'mlp', sizes: [1, 1] }, params: [{ shape: [1, 1], values: [0.5] }, { shape: [1], values: [0] }],
 *   tasks: [task], alpha: 0.1, steps: 1, method: 'maml' });
 * problem.model.parameterCount; // 2
 * problem.batch.count; // 1
 * disposeProblem(problem);
 */
export function parseMetagradSpec(raw: unknown): MetagradProblem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError('the spec must be a JSON object');
  const spec = raw as Record<string, unknown>;
  const modelSpec = field<MetagradSpec['model']>(spec, 'model');
  if (modelSpec?.type !== 'mlp') throw new RangeError(`model.type must be "mlp", got ${JSON.stringify(modelSpec?.type)}`);
  const model = mlp(modelSpec.sizes, { activation: modelSpec.activation ?? 'relu' });
  const rawParams = field<MetagradSpec['params']>(spec, 'params');
  if (!Array.isArray(rawParams)) throw new TypeError('params must be an array of {shape, values}');
  const rawTasks = field<MetagradSpec['tasks']>(spec, 'tasks');
  if (!Array.isArray(rawTasks) || rawTasks.length === 0) throw new RangeError('tasks must be a non-empty array of {support: {x, y}, query: {x, y}}');
  const options: MetaGradientOptions = {
    alpha: field<number>(spec, 'alpha'),
    steps: field<number>(spec, 'steps'),
    method: field<Method>(spec, 'method'),
    ...(spec.lambda !== undefined ? { lambda: spec.lambda as number } : {}),
    ...(spec.reptileRate !== undefined ? { reptileRate: spec.reptileRate as number } : {}),
  };
  rawParams.forEach((p, i) => {
    const size = Array.isArray(p?.shape) ? p.shape.reduce((a, b) => a * b, 1) : NaN;
    if (!Array.isArray(p?.values) || p.values.length !== size) {
      throw new RangeError(`params[${i}] must have values.length equal to the product of its shape [${p?.shape}], got ${p?.values?.length}`);
    }
    p.values.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`params[${i}].values[${j}] must be a finite number, got ${JSON.stringify(v)}`);
    });
  });
  const pick = (set: 'support' | 'query', key: 'x' | 'y') => rawTasks.map((t, i) => {
    const v = t?.[set]?.[key];
    if (!Array.isArray(v)) throw new TypeError(`tasks[${i}].${set}.${key} must be an array [points][features]`);
    return v;
  });
  let batch: TaskBatch;
  try {
    batch = regressionTasks({ support: { x: pick('support', 'x'), y: pick('support', 'y') }, query: { x: pick('query', 'x'), y: pick('query', 'y') } });
  } catch (error) {
    throw new RangeError(`tasks: ${(error as Error).message.replace(/^(support|query)\.(x|y)\[(\d+)\]/, 'tasks[$3].$1.$2')}`);
  }
  let params: tf.Tensor[] = [];
  try {
    params = tf.tidy(() => rawParams.map((p) => tf.tensor(p.values, p.shape, 'float32')));
    checkTasks(model, params, batch);
  } catch (error) {
    disposeProblem({ params, batch });
    throw error;
  }
  return { model, params, batch, options, spec: raw as MetagradSpec };
}

/**
 * Disposes the tensors of a parsed spec.
 *
 * @example
 * import { disposeProblem, parseMetagradSpec } from './metagrad';
 * const task = { support: { x: [[0]], y: [[1]] }, query: { x: [[2]], y: [[5]] } };
 * disposeProblem(parseMetagradSpec({ model: { type: 'mlp', sizes: [1, 1] }, params: [{ shape: [1, 1], values: [0.5] }, { shape: [1], values: [0] }],
 *   tasks: [task], alpha: 0.1, steps: 1, method: 'maml' }));
 */
export function disposeProblem(problem: Pick<MetagradProblem, 'params' | 'batch'>): void {
  tf.dispose(problem.params);
  disposeTasks(problem.batch);
}

/**
 * Computes one meta-gradient from a spec (see the README), then, with `repeat` > 0, times that many more
 * after one warm-up call and reports the median. Every tensor is disposed before it returns.
 *
 * @example
 * import { runMetagrad } from './metagrad';
 * const task = { support: { x: [[0], [1]], y: [[1], [3]] }, query: { x: [[2]], y: [[5]] } };
 * const spec = { model: { type: 'mlp', sizes: [1, 1] }, params: [{ shape: [1, 1], values: [0.5] }, { shape: [1], values: [0] }],
 *   tasks: [task], alpha: 0.1, steps: 1, method: 'maml' };
 * const out = runMetagrad(spec, 2);
 * out.grads.map((g) => g.shape); // [[1, 1], [1]]
 */
export function runMetagrad(raw: unknown, repeat = 0): MetagradOutput {
  const problem = parseMetagradSpec(raw);
  const { model, params, batch, options } = problem;
  try {
    const first = metaGradient(model, params, batch, options);
    const grads = first.grads.map((g) => ({ shape: g.shape, values: Array.from(g.dataSync()) }));
    tf.dispose(first.grads);
    const times: number[] = [];
    if (repeat > 0) tf.dispose(metaGradient(model, params, batch, options).grads);
    for (let i = 0; i < repeat; i++) {
      const start = performance.now();
      const r = metaGradient(model, params, batch, options);
      r.grads[r.grads.length - 1].dataSync(); // the work is only done once a value is read
      times.push(performance.now() - start);
      tf.dispose(r.grads);
    }
    const medianMs = times.length === 0 ? 0 : median(times);
    return {
      loss: first.loss,
      grads,
      backend: engineInfo().backend,
      engine: chooseEngine(kernelCovers(model), options.engine),
      timing: { medianMs, n: times.length },
      ...(first.cg ? { cg: first.cg } : {}),
    };
  } finally {
    disposeProblem(problem);
  }
}
