import * as tf from '@tensorflow/tfjs';
import { evaluate, type Evaluation } from './evaluate';
import { mlp } from './model';
import { disposeTasks, sinusoidTasks } from './tasks';
import { train, type Objective, type Progress } from './train';
import { requireInteger } from './validate';

/** The settings of Finn et al. (2017) for sinusoid regression, and the ones we chose where they are silent. */
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

/** Post-adaptation query MSE ± 95% CI after 1 and 10 steps, per method. */
export type SinusoidResults = Record<'maml' | 'fomaml' | 'reptile' | 'pretrained', { '1': { mse: number; ci95: number }; '10': { mse: number; ci95: number }; curve: Evaluation; seconds: number }>;

/**
 * Trains MAML, FOMAML, Reptile and a pretrained (non-meta) baseline on sinusoid regression with the
 * paper's settings, then evaluates each on the same 600 held-out tasks after 0..10 SGD steps of size α
 * from `shots` support points. Seeded: the same seed gives the same numbers on the same backend.
 *
 * @example
 * const { results } = await reproduceSinusoid({ iterations: 70_000, seed: 0, shots: 10 });
 * results.maml['1'].mse;
 */
export async function reproduceSinusoid(options: {
  iterations: number;
  seed: number;
  shots: number;
  onProgress?: (method: string, progress: Progress) => void;
}): Promise<{ iterations: number; shots: number; seed: number; results: SinusoidResults }> {
  const { iterations, seed, shots } = options;
  requireInteger('iterations', iterations, 1);
  requireInteger('seed', seed, 0);
  requireInteger('shots', shots, 1);
  const s = SINUSOID_SETTINGS;
  const model = mlp(s.sizes, { activation: s.activation });
  const init = model.init(seed);
  // Training batches use seeds below 10⁸ per run; the held-out batch uses one above, so they never meet.
  const base = seed * 1e9;
  const heldOut = sinusoidTasks({ tasks: s.evaluationTasks, shots, seed: base + 5e8 });
  const results: Partial<SinusoidResults> = {};
  try {
    for (const [name, objective] of [['maml', 'maml'], ['fomaml', 'fomaml'], ['reptile', 'reptile'], ['pretrained', 'pretrain']] as const) {
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
      });
      const trained = await run;
      try {
        const curve = evaluate(model, trained.params, heldOut, { alpha: s.alpha, maxSteps: s.evaluationSteps });
        const at = (k: number) => ({ mse: curve.mse[k], ci95: curve.ci95[k] });
        results[name] = { '1': at(1), '10': at(10), curve, seconds: trained.seconds };
      } finally {
        tf.dispose(trained.params);
      }
    }
  } finally {
    tf.dispose(init);
    disposeTasks(heldOut);
  }
  return { iterations, shots, seed, results: results as SinusoidResults };
}
