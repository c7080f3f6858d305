/*
 * The small numeric helpers every comparison in maml-lab uses (notebooks, tests, claims, CLI, bench), in
 * float64 over plain arrays, so that "relative error" or "slope" means one thing everywhere.
 */

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: the vectors must have the same length, got ${a.length} and ${b.length}`);
}

/**
 * The Euclidean norm ‖v‖₂.
 *
 * @example
 * import { norm } from 'maml-lab/derivations';
 * norm([3, 4]); // 5
 */
export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * The normwise relative error ‖candidate − reference‖₂ / ‖reference‖₂. Zero when both are zero; Infinity
 * when only the reference is.
 *
 * @example
 * import { relativeError } from 'maml-lab/derivations';
 * relativeError([1, 2.002], [1, 2]); // ≈ 8.9e-4
 */
export function relativeError(candidate: ArrayLike<number>, reference: ArrayLike<number>): number {
  sameLength(candidate, reference, 'relativeError');
  // ‖candidate − reference‖ summed in place: an array of the differences would cost more than the sum for
  // the 3·10⁶ entries of a 1761² Hessian.
  let squares = 0;
  for (let i = 0; i < candidate.length; i++) {
    const d = candidate[i] - reference[i];
    squares += d * d;
  }
  const scale = norm(reference);
  const gap = Math.sqrt(squares);
  return gap === 0 ? 0 : gap / scale;
}

/**
 * The largest entry-wise difference max |a − b|.
 *
 * @example
 * import { maxAbsDifference } from 'maml-lab/derivations';
 * maxAbsDifference([1, 2], [1.5, 2]); // 0.5
 */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'maxAbsDifference');
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    m = Number.isNaN(d) ? NaN : Math.max(m, d);
  }
  return m;
}

/**
 * The cosine of the angle between two vectors: 1 for the same direction, −1 for opposite ones.
 *
 * @example
 * import { cosine } from 'maml-lab/derivations';
 * cosine([1, 0], [1, 1]); // ≈ 0.7071
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'cosine');
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot / (norm(a) * norm(b));
}

/**
 * The slope of the least-squares line through (log x, log y): the exponent p of y ∝ xᵖ. Every value must be
 * positive.
 *
 * @example
 * import { logLogSlope } from 'maml-lab/derivations';
 * logLogSlope([1, 10, 100], [3, 300, 30000]); // 2
 */
export function logLogSlope(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  sameLength(xs, ys, 'logLogSlope');
  if (xs.length < 2) throw new RangeError(`logLogSlope needs at least 2 points, got ${xs.length}`);
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i] > 0) || !(ys[i] > 0)) throw new RangeError(`logLogSlope needs positive values, got x = ${xs[i]}, y = ${ys[i]} at index ${i}`);
  }
  const lx = Array.from(xs, Math.log);
  const ly = Array.from(ys, Math.log);
  const mx = mean(lx);
  const my = mean(ly);
  let num = 0;
  let den = 0;
  lx.forEach((x, i) => {
    num += (x - mx) * (ly[i] - my);
    den += (x - mx) ** 2;
  });
  if (den === 0) throw new RangeError('logLogSlope needs at least two different x values');
  return num / den;
}

/**
 * The arithmetic mean.
 *
 * @example
 * import { mean } from 'maml-lab/derivations';
 * mean([1, 2, 6]); // 3
 */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) throw new RangeError('mean of an empty list');
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/**
 * The entry-wise mean of equally long vectors, e.g. per-task gradients → the meta-batch's gradient.
 *
 * @example
 * import { meanVector } from 'maml-lab/derivations';
 * meanVector([[1, 2], [3, 4]]); // [2, 3]
 */
export function meanVector(vectors: readonly ArrayLike<number>[]): Float64Array {
  if (vectors.length === 0) throw new RangeError('meanVector of no vectors');
  const out = new Float64Array(vectors[0].length);
  for (const v of vectors) {
    sameLength(v, out, 'meanVector');
    for (let j = 0; j < out.length; j++) out[j] += v[j] / vectors.length;
  }
  return out;
}

/**
 * The q-quantile with linear interpolation between order statistics (q = 0.5 is the median).
 *
 * @example
 * import { quantile } from 'maml-lab/derivations';
 * quantile([1, 2, 3, 4, 5], 0.9); // 4.6
 */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) throw new RangeError('quantile of an empty list');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
  const s = Array.from(xs).sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

/**
 * The median (the mean of the two middle values for an even count).
 *
 * @example
 * import { median } from 'maml-lab/derivations';
 * median([5, 1, 3, 2]); // 2.5
 */
export function median(xs: ArrayLike<number>): number {
  return quantile(xs, 0.5);
}

/**
 * The trailing moving average with a window of `window` values (shorter at the start, where fewer exist).
 *
 * @example
 * import { movingAverage } from 'maml-lab/derivations';
 * movingAverage([1, 3, 5, 7], 2); // [1, 2, 4, 6]
 */
export function movingAverage(xs: ArrayLike<number>, window: number): number[] {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be an integer ≥ 1, got ${window}`);
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i];
    if (i >= window) sum -= xs[i - window];
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

/** A mean with the half-width of its 95% confidence interval, as `evaluate` and the reproductions report it. */
export interface ScoreWithInterval {
  mse: number;
  ci95: number;
}

/**
 * The gap between two 95% confidence intervals: the bottom of `higher`'s minus the top of `lower`'s. Positive
 * means the intervals are apart with `higher` above; zero or negative means they overlap.
 *
 * @example
 * import { intervalGap } from 'maml-lab/derivations';
 * intervalGap({ mse: 0.44, ci95: 0.04 }, { mse: 0.35, ci95: 0.03 }); // ≈ 0.02
 * intervalGap({ mse: 1.13, ci95: 0.18 }, { mse: 0.965, ci95: 0.229 }) < 0; // true
 */
export function intervalGap(higher: ScoreWithInterval, lower: ScoreWithInterval): number {
  return higher.mse - higher.ci95 - (lower.mse + lower.ci95);
}

/**
 * A seeded generator of uniform numbers on [0, 1) (mulberry32): the same stream for the same seed in Node
 * and in a browser, without tfjs (whose random streams depend on its backend) and unlike Math.random.
 *
 * @example
 * import { seededUniforms } from 'maml-lab/derivations';
 * const next = seededUniforms(1);
 * const first = next();
 * first === seededUniforms(1)(); // true
 * first >= 0 && first < 1; // true
 */
export function seededUniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
