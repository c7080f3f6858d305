import * as tf from '@tensorflow/tfjs';
import { tidyValue } from './tidy';
import { lanczosRuns, type LanczosResult, type SymmetricOperator } from './lanczosRuns';
import { requireInteger } from './validate';

export type { LanczosResult, SymmetricOperator } from './lanczosRuns';

/** Settings of `lanczos` and `spectralDensity`. */
export interface LanczosOptions {
  /** Lanczos iterations k (at most the size n; default min(n, 100), or 40 per probe for spectralDensity). */
  iterations?: number;
  /** Seed of the random ±1 start vectors: the same seed gives the same result. */
  seed?: number;
}

/**
 * `count` random unit vectors with entries ±1/√n (Rademacher probes: for these, E[vᵀHv] = tr(H)/n with
 * the least variance among common choices), the same for the same seed.
 *
 * @example
 * import { rademacherProbes } from 'maml-lab/meta';
 * const [v] = rademacherProbes(4, 1, 0);
 * Array.from(v, (x) => x * x); // [0.25, 0.25, 0.25, 0.25]
 */
export function rademacherProbes(size: number, count: number, seed: number): Float64Array[] {
  requireInteger('size', size, 1);
  requireInteger('count', count, 1);
  requireInteger('seed', seed, 0);
  const scale = 1 / Math.sqrt(size);
  // tfjs reads a seed of 0 as "no seed": offset by 1, as everywhere in maml-lab.
  const u = tidyValue(() => tf.randomUniform([count, size], 0, 1, 'float32', seed + 1).dataSync());
  return Array.from({ length: count }, (_, r) => Float64Array.from(u.subarray(r * size, (r + 1) * size), (x) => (x < 0.5 ? -scale : scale)));
}

function checkOperator(operator: SymmetricOperator): number {
  if (typeof operator?.apply !== 'function') throw new TypeError('operator must have an apply(vectors) method');
  requireInteger('operator.size', operator.size, 1);
  return operator.size;
}

/**
 * The extreme eigenvalues of a symmetric operator by k Lanczos iterations from a random ±1 start vector
 * (seeded), with full reorthogonalisation: `ritzValues[0]` estimates the smallest eigenvalue and the last
 * one the largest, each within its `residuals` entry. Extreme eigenvalues converge first, typically in a
 * few dozen iterations; with k = n every eigenvalue is found. Costs k operator applications (k
 * Hessian-vector products) and O(k²n) float64 work; never forms the matrix.
 *
 * @example
 * import { lanczos } from 'maml-lab/meta';
 * // diag(1, 2, …, 10) as an operator
 * const diagonal = { size: 10, apply: (vs: readonly Float64Array[]) => vs.map((v) => v.map((x, i) => (i + 1) * x)) };
 * const { ritzValues } = lanczos(diagonal, { iterations: 10 });
 * [ritzValues[0], ritzValues[9]]; // ≈ [1, 10]
 */
export function lanczos(operator: SymmetricOperator, options: LanczosOptions = {}): LanczosResult {
  const n = checkOperator(operator);
  const iterations = options.iterations ?? Math.min(n, 100);
  requireInteger('iterations', iterations, 1);
  if (iterations > n) throw new RangeError(`iterations must be at most the operator's size ${n}, got ${iterations}`);
  const [start] = rademacherProbes(n, 1, options.seed ?? 0);
  return lanczosRuns(operator, [start], iterations)[0];
}

/** A discrete spectral density: nodes (eigenvalue estimates, ascending) and weights summing to 1. */
export interface SpectralDensity {
  nodes: Float64Array;
  weights: Float64Array;
}

/**
 * The spectral density of a symmetric operator by stochastic Lanczos quadrature (Ghorbani et al. 2019): for
 * each of `probes` random ±1 unit vectors v, k Lanczos iterations give Ritz values θᵢ and weights τᵢ² with
 * vᵀf(H)v ≈ Σ τᵢ²f(θᵢ); averaged over the probes, the nodes θ with weights τ²/probes approximate the
 * density (1/n)·Σⱼ δ(λ − λⱼ). The weights sum to 1 and the first moment Σ w·θ is the Hutchinson estimate of
 * tr(H)/n. For models too large to hold H: it needs only probes × k Hessian-vector products, the probes
 * batched into one operator call per iteration.
 *
 * @example
 * import { spectralDensity } from 'maml-lab/meta';
 * const diagonal = { size: 4, apply: (vs: readonly Float64Array[]) => vs.map((v) => v.map((x, i) => (i < 2 ? -1 : 3) * x)) };
 * const { nodes, weights } = spectralDensity(diagonal, { iterations: 4 });
 * weights.reduce((a, b) => a + b); // ≈ 1
 * // half the mass at −1, half at 3: mean eigenvalue 1, exactly, because ±1 probes see every eigenvalue alike
 * nodes.reduce((s, x, i) => s + x * weights[i], 0); // ≈ 1
 */
export function spectralDensity(operator: SymmetricOperator, options: LanczosOptions & { probes?: number } = {}): SpectralDensity {
  const n = checkOperator(operator);
  const probes = options.probes ?? 8;
  requireInteger('probes', probes, 1);
  const iterations = options.iterations ?? Math.min(n, 40);
  requireInteger('iterations', iterations, 1);
  if (iterations > n) throw new RangeError(`iterations must be at most the operator's size ${n}, got ${iterations}`);
  const runs = lanczosRuns(operator, rademacherProbes(n, probes, options.seed ?? 0), iterations);
  const pairs = runs.flatMap((r) => Array.from(r.ritzValues, (node, i) => [node, r.weights[i] / probes] as const)).sort((a, b) => a[0] - b[0]);
  return { nodes: Float64Array.from(pairs, (p) => p[0]), weights: Float64Array.from(pairs, (p) => p[1]) };
}
