import * as tf from '@tensorflow/tfjs';
import { evaluate, type Evaluation } from './evaluate';
import { mlp } from './model';
import { disposeTasks, sinusoidTasks } from './tasks';
import { train, type Objective, type Progress, type TrainResult } from './train';
import { requireInteger } from './validate';

/**
 * The settings of Finn et al. (2017) for sinusoid regression, and the ones we chose where they are silent.
 *
 * @example
 * mlp(SINUSOID_SETTINGS.sizes, { activation: SINUSOID_SETTINGS.activation });
 */
export const SINUSOID_SETTINGS = {
  sizes: [1, 40, 40, 1],
  activation: 'relu' as const,
  metaBatch: 25,
  /** The paper's inner step size (its code's default is 1e-3; we follow the paper). */
  alpha: 0.01,
  metaLearningRate: 1e-3,
  innerSteps: { maml: 1, fomaml: 1, reptile: 5, pretrain: 1 } as Record<Objective, number>,
  evaluationTasks: 600,
  evaluationSteps: 10,
  paperIterations: 70_000,
};

/** One method's outcome: query MSE ± 95% CI after 1 and 10 steps and how training went, or its error. */
export type MethodResult =
  | { '1': { mse: number; ci95: number }; '10': { mse: number; ci95: number }; curve: Evaluation; seconds: number; iterations: number; interrupted: boolean }
  | { error: string };

/** Per method; a method missing from the record was not reached (the run was stopped before it). */
export type SinusoidResults = Partial<Record<'maml' | 'fomaml' | 'reptile' | 'pretrained', MethodResult>>;

/**
 * The published sinusoid figure at hand: MAML's query MSE ± 95% CI after one step with K = 5.
 *
 * @example
 * PUBLISHED_SINUSOID.mse; // 1.13
 */
export const PUBLISHED_SINUSOID = { source: 'Li et al. 2017 (Meta-SGD), Table 1', method: 'MAML', shots: 5, steps: 1, mse: 1.13, ci95: 0.18 } as const;

/**
 * The published figure to set beside a run with `shots` support points, from the references at hand.
 *
 * @example
 * publishedSinusoid(5); // "Li et al. 2017 (Meta-SGD), Table 1: MAML, 5-shot, 1 step: 1.13 ± 0.18"
 */
export function publishedSinusoid(shots: number): string {
  const p = PUBLISHED_SINUSOID;
  const figure = `${p.source}: ${p.method}, ${p.shots}-shot, ${p.steps} step: ${p.mse} ± ${p.ci95}`;
  return shots === p.shots
    ? figure
    : `none at hand for K = ${shots} (${figure}; run with --shots ${p.shots} to compare). Finn et al. 2017 show regression as figures only.`;
}

/**
 * Trains MAML, FOMAML, Reptile and a pretrained (non-meta) baseline on sinusoid regression with the
 * paper's settings, then evaluates each on the same 600 held-out tasks after 0..10 SGD steps of size α
 * from `shots` support points. Seeded: the same seed gives the same numbers on the same backend. Aborting
 * `signal` stops the method in training after its current iteration (it is still evaluated) and skips the rest.
 *
 * @example
 * const { results } = await reproduceSinusoid({ iterations: 70_000, seed: 0, shots: 10 });
 * results.maml['1'].mse;
 */
export async function reproduceSinusoid(options: {
  iterations: number;
  seed: number;
  shots: number;
  signal?: AbortSignal;
  onProgress?: (method: string, progress: Progress) => void;
}): Promise<{ iterations: number; shots: number; seed: number; results: SinusoidResults; interrupted: boolean }> {
  const { iterations, seed, shots, signal } = options;
  requireInteger('iterations', iterations, 1);
  requireInteger('seed', seed, 0);
  requireInteger('shots', shots, 1);
  const s = SINUSOID_SETTINGS;
  const model = mlp(s.sizes, { activation: s.activation });
  const init = model.init(seed);
  // Training batches use seeds below 10⁸ per run; the held-out batch uses one above, so they never meet.
  const base = seed * 1e9;
  const heldOut = sinusoidTasks({ tasks: s.evaluationTasks, shots, seed: base + 5e8 });
  const results: SinusoidResults = {};
  let interrupted = false;
  try {
    for (const [name, objective] of [['maml', 'maml'], ['fomaml', 'fomaml'], ['reptile', 'reptile'], ['pretrained', 'pretrain']] as const) {
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      const run = train({
        model,
        params: init,
        objective,
        iterations,
        alpha: s.alpha,
        steps: s.innerSteps[objective],
        metaLearningRate: s.metaLearningRate,
        sample: (i) => sinusoidTasks({ tasks: s.metaBatch, shots, seed: base + i }),
        onProgress: options.onProgress && ((p) => options.onProgress!(name, p)),
        progressEvery: 500,
        signal,
      });
      let trained: TrainResult;
      try {
        trained = await run;
      } catch (error) {
        // A method that diverges is reported; the methods already finished keep their results.
        results[name] = { error: (error as Error).message };
        continue;
      }
      interrupted ||= trained.interrupted;
      try {
        const curve = evaluate(model, trained.params, heldOut, { alpha: s.alpha, maxSteps: s.evaluationSteps });
        const at = (k: number) => ({ mse: curve.mse[k], ci95: curve.ci95[k] });
        results[name] = { '1': at(1), '10': at(10), curve, seconds: trained.seconds, iterations: trained.iterations, interrupted: trained.interrupted };
      } finally {
        tf.dispose(trained.params);
      }
    }
  } finally {
    tf.dispose(init);
    disposeTasks(heldOut);
  }
  return { iterations, shots, seed, results, interrupted };
}
