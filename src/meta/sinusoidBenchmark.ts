import * as tf from '@tensorflow/tfjs';
import { chooseEngine, type EngineName } from './engine';
import { evaluate, type Evaluation } from './evaluate';
import { kernelCovers } from './kernelRoute';
import { mlp } from './model';
import { disposeTasks, sinusoidTasks, type SinusoidBatch } from './tasks';
import { train, type Objective, type Progress, type TrainResult } from './train';
import { seedSpread, type SeedSpread } from './seedSpread';
import { requireInteger } from './validate';

/**
 * The settings of Finn et al. (2017) for sinusoid regression, and the ones we chose where they are silent.
 *
 * @example
 * import { mlp, SINUSOID_SETTINGS } from 'maml-lab/meta';
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

/** How a sinusoid benchmark is set up: Finn et al.'s fields, plus what another protocol changes. */
export type SinusoidSettings = typeof SINUSOID_SETTINGS & {
  /** Query points per training task; default K. */
  queryShots?: number;
  /** Query points per held-out task; default K. */
  evaluationQueryShots?: number;
  /** ω ~ U[low, high] per task; default ω = 1. */
  frequency?: readonly [number, number];
  /** Support sizes to evaluate each trained method at, besides the K it was trained with. */
  testShots?: readonly number[];
};

/** The published setups of the sinusoid benchmark that `reproduceSinusoid` follows. */
export type SinusoidProtocol = 'finn2017' | 'li2017';

/**
 * Each protocol's settings. `li2017` is Li et al. (2017, Meta-SGD): Finn et al.'s network, α and Adam, with
 * ω ~ U[0.8, 1.2], meta-batch 4 (their paper does not state it; code that follows the protocol uses 4),
 * K support and 10 query points in training, 60,000 iterations, and 100 held-out tasks with 100 query
 * points each, scored with K = 5, 10 and 20 support points.
 *
 * @example
 * import { SINUSOID_PROTOCOLS } from 'maml-lab/meta';
 * SINUSOID_PROTOCOLS.li2017.metaBatch; // 4
 */
export const SINUSOID_PROTOCOLS: Readonly<Record<SinusoidProtocol, SinusoidSettings>> = {
  finn2017: SINUSOID_SETTINGS,
  li2017: {
    ...SINUSOID_SETTINGS,
    metaBatch: 4,
    evaluationTasks: 100,
    paperIterations: 60_000,
    frequency: [0.8, 1.2],
    queryShots: 10,
    evaluationQueryShots: 100,
    testShots: [5, 10, 20],
  },
};

/** A reported figure: MAML's query MSE after one step, trained with `trainShots` and tested with `testShots`. */
export interface SinusoidFigure {
  trainShots: number;
  testShots: number;
  mse: number;
  /** Half-width of the 95% CI, where the source gives one. */
  ci95?: number;
}

/** The figures at hand for one protocol, and where they come from. */
export interface SinusoidReference {
  source: string;
  /** `outside rerun` marks figures that no paper published: set them beside ours, but not as the paper's. */
  kind: 'publication' | 'outside rerun';
  method: 'MAML';
  steps: 1;
  figures: readonly SinusoidFigure[];
}

/**
 * MAML's sinusoid figures to compare each protocol with. Finn et al. (2017) give regression results as
 * figures only, so for `finn2017` the numbers are an outside PyTorch rerun of their setup, not a publication.
 *
 * @example
 * import { SINUSOID_REFERENCES } from 'maml-lab/meta';
 * SINUSOID_REFERENCES.li2017.figures[0]; // { trainShots: 5, testShots: 5, mse: 1.13, ci95: 0.18 }
 */
export const SINUSOID_REFERENCES: Readonly<Record<SinusoidProtocol, SinusoidReference>> = {
  li2017: {
    source: 'Li et al. 2017 (Meta-SGD), Table 1',
    kind: 'publication',
    method: 'MAML',
    steps: 1,
    figures: [
      { trainShots: 5, testShots: 5, mse: 1.13, ci95: 0.18 },
      { trainShots: 5, testShots: 10, mse: 0.85, ci95: 0.14 },
      { trainShots: 5, testShots: 20, mse: 0.71, ci95: 0.12 },
      { trainShots: 20, testShots: 20, mse: 0.48, ci95: 0.08 },
    ],
  },
  finn2017: {
    source: "an outside PyTorch rerun of Finn et al.'s setup (second-order MAML, meta-batch 25, 70,000 iterations), not a publication",
    kind: 'outside rerun',
    method: 'MAML',
    steps: 1,
    figures: [
      { trainShots: 5, testShots: 5, mse: 0.53 },
      { trainShots: 10, testShots: 10, mse: 0.32 },
    ],
  },
};

const LI_K5 = SINUSOID_REFERENCES.li2017.figures[0];

/**
 * The headline published figure: Li et al.'s MAML with K = 5, one step (the first row of
 * `SINUSOID_REFERENCES.li2017`). It comes from the `li2017` protocol, not from Finn et al.'s.
 *
 * @example
 * import { PUBLISHED_SINUSOID } from 'maml-lab/meta';
 * PUBLISHED_SINUSOID.mse; // 1.13
 */
export const PUBLISHED_SINUSOID = { source: SINUSOID_REFERENCES.li2017.source, method: 'MAML', shots: LI_K5.testShots, steps: 1, mse: LI_K5.mse, ci95: LI_K5.ci95! } as const;

function figureText(f: SinusoidFigure): string {
  return `${f.mse}${f.ci95 === undefined ? '' : ` ± ${f.ci95}`} at K = ${f.testShots}`;
}

/**
 * The reference figures to set beside a run of `protocol` trained with `shots` support points, as one line.
 *
 * @example
 * import { publishedSinusoid } from 'maml-lab/meta';
 * publishedSinusoid(5, 'li2017');
 * // "Li et al. 2017 (Meta-SGD), Table 1: MAML trained at K = 5, 1 step: 1.13 ± 0.18 at K = 5, 0.85 ± 0.14 at K = 10, 0.71 ± 0.12 at K = 20"
 */
export function publishedSinusoid(shots: number, protocol: SinusoidProtocol = 'finn2017'): string {
  checkProtocol(protocol);
  const ref = SINUSOID_REFERENCES[protocol];
  const rows = ref.figures.filter((f) => f.trainShots === shots);
  const trainedAt = [...new Set(ref.figures.map((f) => f.trainShots))].join(', ');
  const figures = rows.length > 0
    ? `${ref.source}: ${ref.method} trained at K = ${shots}, ${ref.steps} step: ${rows.map(figureText).join(', ')}`
    : `none at hand for K = ${shots} (${ref.source} has K = ${trainedAt})`;
  return protocol === 'finn2017'
    ? `no published figure: Finn et al. 2017 show regression as figures only. ${figures}. Li et al.'s Table 1 (${PUBLISHED_SINUSOID.mse} ± ${PUBLISHED_SINUSOID.ci95} at K = 5) uses another protocol: --protocol li2017.`
    : figures;
}

function checkProtocol(protocol: unknown): asserts protocol is SinusoidProtocol {
  if (!Object.keys(SINUSOID_PROTOCOLS).includes(protocol as string)) {
    throw new RangeError(`protocol must be one of ${Object.keys(SINUSOID_PROTOCOLS).join(', ')}, got ${JSON.stringify(protocol)}`);
  }
}

/** Query MSE ± 95% CI of the mean over the held-out tasks. */
export interface SinusoidScore {
  mse: number;
  ci95: number;
}

/** A trained method scored after 1 and 10 steps from some number of support points, with the whole curve. */
export interface SinusoidTest {
  '1': SinusoidScore;
  '10': SinusoidScore;
  curve: Evaluation;
}

/**
 * One method's outcome: scored from the K support points it was trained with (and, for protocols with
 * `testShots`, from each of those in `tested`, keyed by K), and how training went; or its error.
 */
export type MethodResult =
  | (SinusoidTest & {
      tested?: Record<string, SinusoidTest>;
      seconds: number;
      iterations: number;
      interrupted: boolean;
      /** The trained parameters, flat in the order of the model's `params`, when `keepParameters` asked. */
      parameters?: number[];
    })
  | { error: string };

/**
 * The four methods of a sinusoid run, as `reproduceSinusoid` names them, in the order it trains them.
 *
 * @example
 * import { SINUSOID_METHODS } from 'maml-lab/meta';
 * SINUSOID_METHODS.length; // 4
 */
export const SINUSOID_METHODS = ['maml', 'fomaml', 'reptile', 'pretrained'] as const;
export type SinusoidMethod = (typeof SINUSOID_METHODS)[number];

/** Per method; a method missing from the record was not reached (the run was stopped before it). */
export type SinusoidResults = Partial<Record<SinusoidMethod, MethodResult>>;

/**
 * The engine `reproduceSinusoid` trains and evaluates `protocol`'s network on: `engine` when given, else
 * what `chooseEngine` picks for that MLP (the kernel, unless MAML_LAB_ENGINE says otherwise).
 *
 * @example
 * import { sinusoidEngine } from 'maml-lab/meta';
 * sinusoidEngine('finn2017', 'tfjs'); // "tfjs"
 */
export function sinusoidEngine(protocol: SinusoidProtocol, engine?: EngineName): EngineName {
  checkProtocol(protocol);
  const s = SINUSOID_PROTOCOLS[protocol];
  return chooseEngine(kernelCovers(mlp(s.sizes, { activation: s.activation })), engine);
}

function scoreAt(curve: Evaluation): SinusoidTest {
  const at = (k: number) => ({ mse: curve.mse[k], ci95: curve.ci95[k] });
  return { '1': at(1), '10': at(10), curve };
}

/**
 * The held-out tasks a `reproduceSinusoid` run of `protocol`, trained with `shots` support points and `seed`,
 * scores every method on: `evaluationTasks` tasks whose support sets hold the most points any K is scored
 * from (each K uses their first K), drawn with seed S·10⁹ + 5·10⁸, a seed no training batch uses. Dispose
 * them with `disposeTasks`.
 *
 * @example
 * import { sinusoidHeldOutTasks, disposeTasks } from 'maml-lab/meta';
 * const tasks = sinusoidHeldOutTasks('finn2017', 10, 0);
 * tasks.support.x.shape; // [600, 10, 1]
 * disposeTasks(tasks);
 */
export function sinusoidHeldOutTasks(protocol: SinusoidProtocol, shots: number, seed: number): SinusoidBatch {
  checkProtocol(protocol);
  const s = SINUSOID_PROTOCOLS[protocol];
  return sinusoidTasks({ tasks: s.evaluationTasks, shots: Math.max(shots, ...(s.testShots ?? [])), queryShots: s.evaluationQueryShots, frequency: s.frequency, seed: seed * 1e9 + 5e8 });
}

/**
 * Trains MAML, FOMAML, Reptile and a pretrained (non-meta) baseline on sinusoid regression with the
 * settings of `protocol` (default `finn2017`; see `SINUSOID_PROTOCOLS`), then evaluates each on the same
 * held-out tasks after 0..10 SGD steps of size α from `shots` support points, and, for `li2017`, also from
 * 5, 10 and 20 (the same tasks and query points; the support sets are prefixes of one draw of 20).
 * Seeded: the same seed gives the same numbers on the same backend. Aborting `signal` stops the method in
 * training after its current iteration (it is still evaluated) and skips the rest.
 *
 * @example
 * import { reproduceSinusoid } from 'maml-lab/meta';
 * const { results } = await reproduceSinusoid({ iterations: 5, seed: 0, shots: 5, protocol: 'li2017' });
 * const maml = results.maml!;
 * if (!('error' in maml)) console.log(maml['1'].mse, maml.tested!['20']['1'].mse);
 */
export async function reproduceSinusoid(options: {
  iterations: number;
  seed: number;
  shots: number;
  protocol?: SinusoidProtocol;
  signal?: AbortSignal;
  onProgress?: (method: string, progress: Progress) => void;
  /** Force the kernel or tfjs for training and evaluation (see `chooseEngine`). */
  engine?: EngineName;
  /** Return each method's trained parameters too (`parameters`, flat), e.g. for the book's explorer. */
  keepParameters?: boolean;
}): Promise<{ iterations: number; shots: number; seed: number; protocol: SinusoidProtocol; engine: EngineName; results: SinusoidResults; interrupted: boolean }> {
  const { iterations, seed, shots, signal, protocol = 'finn2017' } = options;
  requireInteger('iterations', iterations, 1);
  requireInteger('seed', seed, 0);
  requireInteger('shots', shots, 1);
  checkProtocol(protocol);
  const s = SINUSOID_PROTOCOLS[protocol];
  const testShots = s.testShots ?? [];
  const model = mlp(s.sizes, { activation: s.activation });
  // What `train` and `evaluate` choose for this model (they take the same option), for the record.
  const engine = sinusoidEngine(protocol, options.engine);
  const init = model.init(seed);
  // Training batch i uses seed S·10⁹ + i (i < 10⁸); the held-out batch S·10⁹ + 5·10⁸, so they never meet.
  const base = seed * 1e9;
  const heldOut = sinusoidHeldOutTasks(protocol, shots, seed);
  // Every K is scored on the same tasks and query points: its support set is the first K of the held-out ones.
  const testAt = (params: tf.Tensor[], k: number): SinusoidTest => {
    const support = { x: tf.slice(heldOut.support.x, [0, 0, 0], [-1, k, -1]), y: tf.slice(heldOut.support.y, [0, 0, 0], [-1, k, -1]) };
    try {
      return scoreAt(evaluate(model, params, { ...heldOut, support }, { alpha: s.alpha, maxSteps: s.evaluationSteps, engine: options.engine }));
    } finally {
      tf.dispose([support.x, support.y]);
    }
  };
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
        sample: (i) => sinusoidTasks({ tasks: s.metaBatch, shots, queryShots: s.queryShots, frequency: s.frequency, seed: base + i }),
        onProgress: options.onProgress && ((p) => options.onProgress!(name, p)),
        progressEvery: 500,
        signal,
        engine: options.engine,
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
        const atK = testAt(trained.params, shots);
        const tested = testShots.length > 0 ? Object.fromEntries(testShots.map((k) => [String(k), k === shots ? atK : testAt(trained.params, k)])) : undefined;
        const parameters = options.keepParameters ? trained.params.flatMap((t) => Array.from(t.dataSync())) : undefined;
        results[name] = { ...atK, ...(tested ? { tested } : {}), seconds: trained.seconds, iterations: trained.iterations, interrupted: trained.interrupted, ...(parameters ? { parameters } : {}) };
      } finally {
        tf.dispose(trained.params);
      }
    }
  } finally {
    tf.dispose(init);
    disposeTasks(heldOut);
  }
  return { iterations, shots, seed, protocol, engine, results, interrupted };
}

/** One method's figures over seeds: after 1 and 10 steps from the K it was trained with, and per tested K. */
export interface MethodSpread {
  '1': SeedSpread;
  '10': SeedSpread;
  tested?: Record<string, Record<'1' | '10', SeedSpread>>;
  /** Seeds whose run of this method failed (diverged), left out of the spreads. */
  failed: number;
}

/**
 * The spread over training seeds of each method's query MSE (see `seedSpread`), from the runs of one
 * protocol and K with different seeds. A method that failed in every run is left out.
 *
 * @example
 * import { reproduceSinusoid, sinusoidSeedSpread } from 'maml-lab/meta';
 * const runs = [await reproduceSinusoid({ iterations: 5, seed: 0, shots: 5 }), await reproduceSinusoid({ iterations: 5, seed: 1, shots: 5 })];
 * sinusoidSeedSpread(runs.map((r) => r.results)).maml!['1'].n; // 2
 */
export function sinusoidSeedSpread(runs: readonly SinusoidResults[]): Partial<Record<keyof SinusoidResults, MethodSpread>> {
  const out: Partial<Record<keyof SinusoidResults, MethodSpread>> = {};
  for (const method of SINUSOID_METHODS) {
    const done = runs.map((r) => r[method]).filter((r): r is Exclude<MethodResult, { error: string }> => r !== undefined && !('error' in r));
    if (done.length === 0) continue;
    const spreadOf = (pick: (r: (typeof done)[number]) => SinusoidScore) => seedSpread(done.map((r) => pick(r).mse));
    const testedKs = Object.keys(done[0].tested ?? {});
    out[method] = {
      '1': spreadOf((r) => r['1']),
      '10': spreadOf((r) => r['10']),
      ...(testedKs.length > 0 ? { tested: Object.fromEntries(testedKs.map((k) => [k, { '1': spreadOf((r) => r.tested![k]['1']), '10': spreadOf((r) => r.tested![k]['10']) }])) } : {}),
      failed: runs.filter((r) => r[method] !== undefined && 'error' in r[method]!).length,
    };
  }
  return out;
}
