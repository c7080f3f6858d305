import * as tf from '@tensorflow/tfjs';
import { adam } from './adam';
import type { EngineName } from './engine';
import { perTask, regressionLoss } from './batchedLoss';
import { chooseEngine } from './engine';
import { kernelCovers, kernelTrainer } from './kernelRoute';
import { checkTasks, metaGradient } from './metaGradient';
import { checkMethodOptions, METHODS, type Method } from './methods';
import { checkParams, type Model } from './model';
import type { TaskBatch } from './tasks';
import { disposeTasks } from './tasks';
import { tidyTensors } from './tidy';
import { requireFiniteLoss, requireInteger, requirePositive } from './validate';

/** What `train` optimises: a meta-gradient method, or `pretrain` (plain regression on all tasks' points). */
export type Objective = Method | 'pretrain';

/** A snapshot of training, for live displays (the notebook layer's `progressLine` formats it). */
export interface Progress {
  iteration: number;
  iterations: number;
  metaLoss: number;
  iterationsPerSecond: number;
  etaSeconds: number;
}

/** Settings of `train`; `sample(i)` must return a fresh meta-batch for iteration i (train disposes it). */
export interface TrainOptions {
  model: Model;
  params: tf.Tensor[];
  objective: Objective;
  sample: (iteration: number) => TaskBatch;
  iterations: number;
  alpha: number;
  steps: number;
  metaLearningRate?: number;
  lambda?: number;
  reptileRate?: number;
  /** Called every `progressEvery` iterations (default 50) and at the end; omit for quiet scripts. */
  onProgress?: (progress: Progress) => void;
  progressEvery?: number;
  /** Force the kernel or tfjs for the meta-gradients (see `chooseEngine`). */
  engine?: EngineName;
  /** Aborting it ends training after the current iteration, like `run.stop()` (see `interruptSignal` for Ctrl-C). */
  signal?: AbortSignal;
}

/** What training produced so far: the caller owns `params`. */
export interface TrainResult {
  params: tf.Tensor[];
  /** Meta-loss at every iteration done. */
  losses: number[];
  iterations: number;
  interrupted: boolean;
  seconds: number;
}

/** A training run: await it for the result; `stop()` ends it after the current iteration (so does aborting `signal`). */
export interface TrainingRun extends PromiseLike<TrainResult> {
  stop(): void;
}

/**
 * Meta-trains `params` (which it does not dispose) with Adam on the chosen objective; returns a run that
 * resolves to the trained parameters and the loss curve. It yields to the event loop every iteration, so
 * `run.stop()` or aborting `signal` ends it cleanly after the current iteration, with `interrupted: true`
 * and what it has. In a notebook, tslab fails the interrupted cell at once, so pass
 * `signal: interruptSignal()` and keep the run in a variable declared in an earlier cell (`let run;` there,
 * `run = train(…)` and `await run` in the next): tslab drops the variables of a cell that fails, which is
 * what an interrupt does, and after it `await run` in the next cell gives the parameters trained so far.
 * A non-finite
 * meta-loss stops it with an error that names the iteration and suggests a smaller α.
 *
 * @example
 * import { mlp, sinusoidTasks, train } from 'maml-lab/meta';
 * import * as tf from '@tensorflow/tfjs';
 * const model = mlp([1, 40, 40, 1]);
 * const params = model.init(0);
 * const run = train({ model, params, objective: 'maml', iterations: 20, alpha: 0.01, steps: 1,
 *   sample: (i) => sinusoidTasks({ tasks: 25, shots: 10, seed: i }) });
 * const { params: trained, losses } = await run;
 * tf.dispose([...params, ...trained]);
 */
export function train(options: TrainOptions): TrainingRun {
  const { model, objective, iterations, alpha, steps } = options;
  requireInteger('iterations', iterations, 1);
  requirePositive('alpha', alpha);
  requireInteger('steps', steps, 1);
  checkParams(model, options.params);
  const objectives = [...Object.keys(METHODS), 'pretrain'];
  if (!objectives.includes(objective)) throw new RangeError(`objective must be one of ${objectives.join(', ')}, got ${JSON.stringify(objective)}`);
  const every = options.progressEvery ?? 50;
  requireInteger('progressEvery', every, 1);
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`signal must be an AbortSignal, got ${typeof signal}`);
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
  };
  // Polled between iterations rather than listened to: nothing to remove afterwards, and an abort that
  // arrives mid-iteration still lets that iteration finish.
  const stopping = () => stopRequested || signal?.aborted === true;

  const done = (async (): Promise<TrainResult> => {
    const trainer = chooseEngine(kernelCovers(model), options.engine) === 'kernel' ? kernelTrainerChecked(options) : tfjsTrainer(options);
    const losses: number[] = [];
    const started = performance.now();
    const report = (i: number) => {
      const seconds = (performance.now() - started) / 1000;
      const rate = i / Math.max(seconds, 1e-9);
      options.onProgress?.({ iteration: i, iterations, metaLoss: losses[losses.length - 1] ?? NaN, iterationsPerSecond: rate, etaSeconds: (iterations - i) / rate });
    };
    try {
      for (let i = 0; i < iterations && !stopping(); i++) {
        const batch = options.sample(i);
        try {
          losses.push(trainer.step(batch));
        } catch (error) {
          const message = (error as Error).message;
          // Iterations are counted from 1, as the progress display counts them.
          throw new RangeError(/not finite/.test(message) ? `training diverged at iteration ${i + 1}: ${message}` : `training stopped at iteration ${i + 1}: ${message}`);
        } finally {
          disposeTasks(batch);
        }
        if ((i + 1) % every === 0) report(i + 1);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (losses.length % every !== 0) report(losses.length);
      return { params: trainer.params(), losses, iterations: losses.length, interrupted: losses.length < iterations, seconds: (performance.now() - started) / 1000 };
    } finally {
      trainer.dispose();
    }
  })();
  return { then: done.then.bind(done), stop };
}

/** One training iteration at a time: `step` takes a batch and returns its loss; `params` gives the caller new tensors. */
interface Trainer {
  step(batch: TaskBatch): number;
  params(): tf.Tensor[];
  dispose(): void;
}

/** Training on tfjs: parameters and Adam's moments as tensors, the meta-gradient by `metaGradient`. */
function tfjsTrainer(options: TrainOptions): Trainer {
  const { model, objective, alpha, steps } = options;
  const optimizer = adam({ learningRate: options.metaLearningRate ?? 1e-3 });
  let params = options.params.map((p) => tf.clone(p));
  let state = optimizer.init(params);
  return {
    step(batch) {
      const step = objective === 'pretrain'
        ? pretrainGradient(model, params, batch)
        : metaGradient(model, params, batch, { alpha, steps, method: objective, lambda: options.lambda, reptileRate: options.reptileRate, engine: 'tfjs' });
      const next = optimizer.step(params, step.grads, state);
      tf.dispose([...params, ...step.grads, ...state.m, ...state.v]);
      ({ params, state } = next);
      return step.loss;
    },
    params: () => params.map((p) => tf.clone(p)),
    dispose: () => tf.dispose([...params, ...state.m, ...state.v]),
  };
}

/** Training on the kernel (`kernelTrainer`), each batch checked as `metaGradient` checks it. */
function kernelTrainerChecked(options: TrainOptions): Trainer {
  const { model, objective, alpha, steps } = options;
  const trainer = kernelTrainer(model, options.params, { objective, alpha, steps, lambda: options.lambda, reptileRate: options.reptileRate, adam: { learningRate: options.metaLearningRate ?? 1e-3 } });
  return {
    step(batch) {
      checkTasks(model, options.params, batch);
      if (objective !== 'pretrain') checkMethodOptions(objective, { alpha, steps, lambda: options.lambda, reptileRate: options.reptileRate });
      return trainer.step(batch);
    },
    params: trainer.params,
    dispose: () => undefined,
  };
}

/** The non-meta baseline: the gradient of the mean MSE over every point of every task, at θ itself. */
function pretrainGradient(model: Model, params: tf.Tensor[], batch: TaskBatch): { loss: number; grads: tf.Tensor[] } {
  const loss = regressionLoss(model);
  return tidyTensors(() => {
    const objective = (...theta: tf.Tensor[]) => {
      const phi = perTask(theta, batch.count);
      return tf.mean(tf.add(loss(phi, batch.support), loss(phi, batch.query))).div(2) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(objective)(params);
    return { loss: requireFiniteLoss('the loss', value.dataSync()[0], 'try a smaller metaLearningRate'), grads };
  });
}
