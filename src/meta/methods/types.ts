import type * as tf from '@tensorflow/tfjs';
import type { BatchedLoss } from '../batchedLoss';
import type { TaskBatch } from '../tasks';
import type { EngineName } from '../engine';
import { requireFiniteLoss, requireInteger, requirePositive } from '../validate';

/** The meta-gradient methods' names (`METHODS` holds one function per name). */
export type Method = 'maml' | 'fomaml' | 'reptile' | 'imaml';

/** Settings of `metaGradient`. */
export interface MetaGradientOptions {
  alpha: number;
  steps: number;
  method?: Method;
  /** iMAML's regularisation strength λ (default 1). */
  lambda?: number;
  /** Reptile's interpolation rate ε: the result is ε·mean(θ − θₖ) (default 1). */
  reptileRate?: number;
  /** iMAML's conjugate gradient: stop when every task's ‖r‖ ≤ tolerance·‖b‖, or after maxIterations. */
  cg?: { maxIterations?: number; tolerance?: number };
  /** Force the kernel or tfjs (default: the kernel for an MLP with the MSE loss, else tfjs; see `chooseEngine`). */
  engine?: EngineName;
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
export function finiteMetaLoss(value: tf.Tensor | number, alpha: number): number {
  const loss = typeof value === 'number' ? value : value.dataSync()[0];
  return requireFiniteLoss('the meta-loss', loss, `the inner loop diverged, or the parameters or tasks hold non-finite values; try a smaller alpha (now ${alpha})`);
}

/**
 * Throws unless the method's own settings are valid: Reptile's rate, and iMAML's λ (with αλ < 2, beyond
 * which its regularised inner loop diverges) and conjugate-gradient limits. Every engine checks them the
 * same way, before any work.
 *
 * @example
 * import { checkMethodOptions } from 'maml-lab/meta';
 * checkMethodOptions('imaml', { alpha: 0.1, steps: 1, lambda: 2 }); // ok
 * let message = '';
 * try { checkMethodOptions('imaml', { alpha: 1, steps: 1, lambda: 2 }); } catch (e) { message = (e as Error).message; }
 * message; // "imaml: alpha·lambda must be below 2 for the regularised inner loop to converge, got 1 · 2 = 2; lower alpha or lambda"
 */
export function checkMethodOptions(method: Method, options: MetaGradientOptions): void {
  if (method === 'reptile') requirePositive('reptileRate', options.reptileRate ?? 1);
  if (method !== 'imaml') return;
  const { alpha } = options;
  const lambda = options.lambda ?? 1;
  requirePositive('lambda', lambda);
  // The pull λ(θᵢ − θ) alone makes each step multiply θᵢ − θ by (1 − αλ): beyond αλ = 2 the inner loop diverges.
  if (alpha * lambda >= 2) {
    throw new RangeError(`imaml: alpha·lambda must be below 2 for the regularised inner loop to converge, got ${alpha} · ${lambda} = ${alpha * lambda}; lower alpha or lambda`);
  }
  requireInteger('cg.maxIterations', options.cg?.maxIterations ?? 20, 1);
  requirePositive('cg.tolerance', options.cg?.tolerance ?? 1e-4);
}
