import { FD_STEP, type Matrix } from './check';

/**
 * ∇f(θ) by central differences in float64: (f(θ + h eⱼ) − f(θ − h eⱼ)) / 2h.
 *
 * @example
 * import { centralGradient } from 'maml-lab/derivations';
 * centralGradient((t) => t[0] ** 2, Float64Array.of(3)); // ≈ [6.00000000]
 */
export function centralGradient(f: (theta: Float64Array) => number, theta: Float64Array, h = FD_STEP): Float64Array {
  const g = new Float64Array(theta.length);
  for (let j = 0; j < theta.length; j++) {
    const plus = Float64Array.from(theta);
    const minus = Float64Array.from(theta);
    plus[j] += h;
    minus[j] -= h;
    g[j] = (f(plus) - f(minus)) / (2 * h);
  }
  return g;
}

/**
 * The Jacobian ∂F/∂θ (rows: outputs, columns: inputs) of a vector map by central differences in float64.
 *
 * @example
 * import { centralJacobian } from 'maml-lab/derivations';
 * centralJacobian((t) => Float64Array.of(t[0] * t[1], t[0]), Float64Array.of(2, 3)); // ≈ [[3.00000000, 2.00000000], [1.00000000, 0]]
 */
export function centralJacobian(
  F: (theta: Float64Array) => Float64Array,
  theta: Float64Array,
  h = FD_STEP,
): Matrix {
  const columns: Float64Array[] = [];
  for (let j = 0; j < theta.length; j++) {
    const plus = Float64Array.from(theta);
    const minus = Float64Array.from(theta);
    plus[j] += h;
    minus[j] -= h;
    const fp = F(plus);
    const fm = F(minus);
    columns.push(fp.map((v, i) => (v - fm[i]) / (2 * h)));
  }
  return Array.from({ length: columns[0].length }, (_, i) => columns.map((c) => c[i]));
}
