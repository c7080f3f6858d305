import { readFileSync } from 'node:fs';
import { kernelLayout } from '../kernel/layout';
import type { RunProvenance } from './provenance';
import { SINUSOID_METHODS, type SinusoidMethod, type SinusoidProtocol, type SinusoidReference, type SinusoidScore, type SinusoidSettings } from './sinusoidBenchmark';

/** One method of one seed in a stored run: scores after 1 and 10 steps (and per tested K), and training. */
export interface StoredMethodResult {
  '1': SinusoidScore;
  '10': SinusoidScore;
  tested?: Record<string, Record<'1' | '10', SinusoidScore>>;
  seconds: number;
  iterations: number;
  interrupted: boolean;
  /** The trained parameters, flat in the model's order, in a run made with `--parameters`. */
  parameters?: number[];
}

/** What `maml-lab reproduce sinusoid --seeds N --json` writes (the files in results/). */
export interface StoredSinusoidRun {
  protocol: SinusoidProtocol;
  shots: number;
  iterations: number;
  seeds: number[];
  interrupted: boolean;
  settings: SinusoidSettings;
  provenance: RunProvenance;
  runs: { seed: number; interrupted: boolean; results: Record<SinusoidMethod, StoredMethodResult> }[];
  published: string;
  reference: SinusoidReference;
}

const FIELDS = ['protocol', 'shots', 'iterations', 'seeds', 'interrupted', 'settings', 'provenance', 'runs'] as const;

/**
 * Reads a stored multi-seed sinusoid run (`reproduce sinusoid --seeds N --json`), checking that it is one:
 * every field present, every seed's run complete, not interrupted, no method failed. A file of another
 * shape is an error naming the file and what is missing.
 *
 * @example
 * import { readSinusoidRun } from 'maml-lab/meta';
 * const run = readSinusoidRun('results/sinusoid-finn2017-k5.json');
 * run.seeds.length; // 5
 */
export function readSinusoidRun(file: string): StoredSinusoidRun {
  const run = JSON.parse(readFileSync(file, 'utf8')) as StoredSinusoidRun;
  const missing = FIELDS.filter((f) => !(f in run));
  if (missing.length > 0) throw new Error(`${file} is not a stored run of \`reproduce sinusoid --json\`: it has no ${missing.join(', ')}`);
  if (run.interrupted) throw new Error(`${file} holds a run that was stopped early`);
  run.runs.forEach((r, i) => {
    for (const method of SINUSOID_METHODS) {
      const m = r.results[method] as StoredMethodResult | { error: string } | undefined;
      if (m === undefined || 'error' in m) throw new Error(`${file}: seed ${r.seed} (run ${i}) has no result for ${method}${m ? `: ${m.error}` : ''}`);
    }
  });
  return run;
}

/**
 * One method's query MSE in each seed of a stored run, in seed order: after `steps` steps (1 or 10) from
 * the K it trained with, or from `shots` support points where the protocol scored other K (li2017).
 *
 * @example
 * import { readSinusoidRun, seedScores, seedSpread } from 'maml-lab/meta';
 * const run = readSinusoidRun('results/sinusoid-li2017-k5.json');
 * seedSpread(seedScores(run, 'maml', { steps: 1, shots: 20 })).mean; // MAML after one step from K = 20
 */
export function seedScores(run: StoredSinusoidRun, method: SinusoidMethod, at: { steps: 1 | 10; shots?: number }): number[] {
  return run.runs.map((r) => {
    const m = r.results[method];
    const scored = at.shots === undefined || at.shots === run.shots ? m : m.tested?.[String(at.shots)];
    if (scored === undefined) throw new RangeError(`this run (trained with K = ${run.shots}) has no score from K = ${at.shots}`);
    return scored[String(at.steps) as '1' | '10'].mse;
  });
}

/**
 * Where a stored run came from, in one line for a notebook: protocol, K, iterations, seeds, engine and
 * backend, package version and commit, date.
 *
 * @example
 * import { readSinusoidRun, storedRunLabel } from 'maml-lab/meta';
 * storedRunLabel(readSinusoidRun('results/sinusoid-finn2017-k5.json'));
 * // e.g. "stored run: finn2017, K = 5, 70,000 iterations, seeds 0–4; kernel engine, wasm backend; maml-lab 0.1.0 at commit 426575c3a1b2, 2026-12-07"
 */
export function storedRunLabel(run: StoredSinusoidRun): string {
  const p = run.provenance;
  const seeds = run.seeds.length > 1 && run.seeds.every((s, i) => i === 0 || s === run.seeds[i - 1] + 1) ? `seeds ${run.seeds[0]}–${run.seeds.at(-1)}` : `seed${run.seeds.length > 1 ? 's' : ''} ${run.seeds.join(', ')}`;
  const commit = p.commit === null ? 'no git commit' : `commit ${p.commit.slice(0, 12)}${p.dirty ? ' with uncommitted changes' : ''}`;
  return `stored run: ${run.protocol}, K = ${run.shots}, ${run.iterations.toLocaleString('en')} iterations, ${seeds}; ${p.engine} engine, ${p.backend} backend; maml-lab ${p.version} at ${commit}, ${p.startedAt.slice(0, 10)}`;
}

/**
 * One method's trained parameters from a stored run made with `reproduce sinusoid --json --parameters`: flat,
 * in the order of the protocol's model `params`, from the run of `seed` (default: the run's first seed). An
 * error names the file's problem: a seed it does not hold, a run made without `--parameters`, or a count
 * that is not the network's.
 *
 * @example
 * import { readSinusoidRun, storedParameters } from 'maml-lab/meta';
 * storedParameters(readSinusoidRun('results/sinusoid-finn2017-k10-seed0.json'), 'maml').length; // 1761
 */
export function storedParameters(run: StoredSinusoidRun, method: SinusoidMethod, seed: number = run.seeds[0]): number[] {
  const found = run.runs.find((r) => r.seed === seed);
  if (found === undefined) throw new RangeError(`this stored run has seeds ${run.seeds.join(', ')}, not ${seed}`);
  const parameters = found.results[method].parameters;
  if (parameters === undefined) throw new Error(`this stored run has no trained parameters (it was made without --parameters)`);
  const sizes = run.settings.sizes;
  const count = kernelLayout(sizes).parameterCount;
  if (parameters.length !== count || !parameters.every(Number.isFinite)) {
    throw new Error(`${method}'s stored parameters (seed ${seed}) are not the [${sizes.join(', ')}] network's ${count} finite numbers (${parameters.length} given)`);
  }
  return parameters;
}
