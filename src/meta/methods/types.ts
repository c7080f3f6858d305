import type * as tf from '@tensorflow/tfjs';
import type { BatchedLoss } from '../batchedLoss';
import type { TaskBatch } from '../tasks';
import type { Method } from './index';
import { requireFiniteLoss } from '../validate';

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

/**
 * One meta-gradient method: the shared parameters, a checked batch of tasks and the settings in; the
 * meta-gradient out. Every method runs the same inner loop (`innerLoop`).
 */
export type MetaGradientMethod = <B>(loss: BatchedLoss<B>, params: tf.Tensor[], tasks: TaskBatch<B>, options: MetaGradientOptions) => MetaGradientResult;

/** The mean query loss as a number, or an error that says what to try when it is not finite. */
export function finiteMetaLoss(value: tf.Tensor, alpha: number): number {
  return requireFiniteLoss('the meta-loss', value.dataSync()[0], `the inner loop diverged, or the parameters or tasks hold non-finite values; try a smaller alpha (now ${alpha})`);
}
