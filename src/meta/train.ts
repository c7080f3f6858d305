import * as tf from '@tensorflow/tfjs';
import { adam } from './adam';
import { perTask, regressionLoss } from './batchedLoss';
import { metaGradient } from './metaGradient';
import { METHODS, type Method } from './methods';
import { checkParams, type Model } from './model';
import type { TaskBatch } from './tasks';
import { disposeTasks } from './tasks';
import { tidyTensors } from './tidy';
import { requireFiniteLoss, requireInteger, requirePositive } from './validate';

/** What `train` optimises: a meta-gradient method, or `pretrain` (plain regression on all tasks' points). */
export type Objective = Method | 'pretrain';

/** A snapshot of training, for live displays. */
export interface Progress {
  iteration: number;
  iterations: number;
  metaLoss: number;
  iterationsPerSecond: number;
  etaSeconds: number;
}

/**
 * One line of text for a progress report: a bar, iteration, meta-loss, iterations/s and ETA.
 *
 * @example
 * progressLine('MAML', { iteration: 50, iterations: 100, metaLoss: 1.2, iterationsPerSecond: 25, etaSeconds: 2 });
 * // "MAML ████████████░░░░░░░░░░░░ 50/100 · meta-loss 1.2000 · 25 it/s · ETA 2 s"
 */
export function progressLine(label: string, p: Progress): string {
  const width = 24;
  const done = Math.round((width * p.iteration) / p.iterations);
  const eta = Number.isFinite(p.etaSeconds) ? `${Math.round(p.etaSeconds)} s` : '…';
  return `${label} ${'█'.repeat(done)}${'░'.repeat(width - done)} ${p.iteration}/${p.iterations} · meta-loss ${p.metaLoss.toFixed(4)} · ${p.iterationsPerSecond.toFixed(0)} it/s · ETA ${eta}`;
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

/** A training run: await it for the result; `stop()` ends it after the current iteration (so does Ctrl-C). */
export interface TrainingRun extends PromiseLike<TrainResult> {
  stop(): void;
}

/**
 * Meta-trains `params` (which it does not dispose) with Adam on the chosen objective; returns a run that
 * resolves to the trained parameters and the loss curve. It yields to the event loop every iteration, so
 * `run.stop()` or Ctrl-C (SIGINT) stops it cleanly with what it has. In a notebook, tslab fails the
 * interrupted cell at once, so keep the run in a variable (`const run = train(…)`, then `await run`): after
 * an interrupt, `await run` in the next cell gives the parameters trained so far. A non-finite meta-loss stops it with
 * an error that names the iteration and suggests a smaller α.
 *
 * @example
 * const run = train({ model, params, objective: 'maml', iterations: 1000, alpha: 0.01, steps: 1,
 *   sample: (i) => sinusoidTasks({ tasks: 25, shots: 10, seed: i }) });
 * const { params: trained, losses } = await run;
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
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
  };

  const done = (async (): Promise<TrainResult> => {
    const optimizer = adam({ learningRate: options.metaLearningRate ?? 1e-3 });
    let params = options.params.map((p) => tf.clone(p));
    let state = optimizer.init(params);
    const losses: number[] = [];
    const started = performance.now();
    process.on('SIGINT', stop);
    const report = (i: number) => {
      const seconds = (performance.now() - started) / 1000;
      const rate = i / Math.max(seconds, 1e-9);
      options.onProgress?.({ iteration: i, iterations, metaLoss: losses[losses.length - 1] ?? NaN, iterationsPerSecond: rate, etaSeconds: (iterations - i) / rate });
    };
    try {
      for (let i = 0; i < iterations && !stopRequested; i++) {
        const batch = options.sample(i);
        let step;
        try {
          step = objective === 'pretrain' ? pretrainGradient(model, params, batch) : metaGradient(model, params, batch, { alpha, steps, method: objective, lambda: options.lambda, reptileRate: options.reptileRate });
        } catch (error) {
          const message = (error as Error).message;
          // Iterations are counted from 1, as the progress display counts them.
          throw new RangeError(/not finite/.test(message) ? `training diverged at iteration ${i + 1}: ${message}` : `training stopped at iteration ${i + 1}: ${message}`);
        } finally {
          disposeTasks(batch);
        }
        const next = optimizer.step(params, step.grads, state);
        tf.dispose([...params, ...step.grads, ...state.m, ...state.v]);
        ({ params, state } = next);
        losses.push(step.loss);
        if ((i + 1) % every === 0) report(i + 1);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (losses.length % every !== 0) report(losses.length);
      return { params, losses, iterations: losses.length, interrupted: stopRequested, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      tf.dispose(params);
      throw error;
    } finally {
      tf.dispose([...state.m, ...state.v]);
      process.off('SIGINT', stop);
    }
  })();
  return { then: done.then.bind(done), stop };
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
