/** How a figure varies over training seeds: mean, sample standard deviation, range, count. */
export interface SeedSpread {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single seed. */
  sd: number;
  min: number;
  max: number;
  n: number;
}

/**
 * The spread of one figure over training seeds, one value per seed. It says how much a result depends
 * on the seed, which the 95% interval over held-out tasks (one trained model) does not.
 *
 * @example
 * import { seedSpread } from 'maml-lab/meta';
 * seedSpread([0.5, 0.7, 0.6]); // { mean: 0.6, sd: 0.1, min: 0.5, max: 0.7, n: 3 } (up to rounding)
 */
export function seedSpread(values: readonly number[]): SeedSpread {
  if (values.length === 0) throw new RangeError('seedSpread needs at least one value');
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`seedSpread: value ${bad} is ${values[bad]}, not a finite number`);
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n === 1 ? 0 : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd, min: Math.min(...values), max: Math.max(...values), n };
}
