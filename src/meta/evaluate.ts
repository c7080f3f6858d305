import * as tf from '@tensorflow/tfjs';
import { perTask, regressionLoss } from './batchedLoss';
import { innerLoop } from './inner';
import { chooseEngine, type EngineName } from './engine';
import { kernelCovers, kernelLossCurveOf } from './kernelRoute';
import { checkTasks } from './metaGradient';
import type { Model } from './model';
import type { TaskBatch } from './tasks';
import { tidyValue } from './tidy';
import { requireInteger, requirePositive } from './validate';

/** Query MSE after 0, 1, …, maxSteps adaptation steps: mean over tasks and its 95% confidence half-width. */
export interface Evaluation {
  steps: number[];
  mse: number[];
  /** 1.96 · std / √tasks, the half-width of the 95% confidence interval of the mean. */
  ci95: number[];
  tasks: number;
}

/**
 * Adapts to every held-out task with plain SGD (step α on the support set) and scores the query set after
 * each of 0..maxSteps steps, all tasks at once; on the kernel unless `engine` or MAML_LAB_ENGINE says 'tfjs'.
 *
 * @example
 * import { evaluate, mlp, sinusoidTasks } from 'maml-lab/meta';
 * const model = mlp([1, 8, 1]);
 * const held = sinusoidTasks({ tasks: 20, shots: 10, seed: 999_999 });
 * const { steps, mse, ci95 } = evaluate(model, model.init(0), held, { alpha: 0.01, maxSteps: 5 });
 * steps; // [0, 1, 2, 3, 4, 5]
 * mse.length === ci95.length; // true
 */
export function evaluate(model: Model, params: tf.Tensor[], tasks: TaskBatch, options: { alpha: number; maxSteps: number; engine?: EngineName }): Evaluation {
  requirePositive('alpha', options.alpha);
  requireInteger('maxSteps', options.maxSteps, 0);
  checkTasks(model, params, tasks);
  const loss = regressionLoss(model);
  const out: Evaluation = { steps: [], mse: [], ci95: [], tasks: tasks.count };
  const record = (s: number, losses: ArrayLike<number>) => {
    const perTaskMse = Array.from(losses);
    const n = perTaskMse.length;
    const mean = perTaskMse.reduce((a, b) => a + b, 0) / n;
    const variance = perTaskMse.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(n - 1, 1);
    out.steps.push(s);
    out.mse.push(mean);
    out.ci95.push((1.96 * Math.sqrt(variance)) / Math.sqrt(n));
  };
  if (chooseEngine(kernelCovers(model), options.engine) === 'kernel') {
    kernelLossCurveOf(model, params, tasks, options.alpha, options.maxSteps).forEach((losses, s) => record(s, losses));
    return out;
  }
  tidyValue(() => {
    let phi = perTask(params, tasks.count);
    for (let s = 0; s <= options.maxSteps; s++) {
      if (s > 0) {
        const next = innerLoop(loss, phi, tasks.support, { alpha: options.alpha, steps: 1 });
        tf.dispose(phi);
        phi = next;
      }
      record(s, tidyValue(() => Array.from(loss(phi, tasks.query).dataSync())));
    }
  });
  return out;
}
