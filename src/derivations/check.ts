/** A matrix as rows of numbers (the array form mathjs takes and returns). */
export type Matrix = number[][];

/** A value computed one way: its route name, its entries (row-major) and its shape. */
export interface Route {
  name: string;
  values: number[];
  shape: number[];
}

/** How close two routes must agree, and why that much. */
export interface Tolerance {
  relative: number;
  rationale: string;
}

/**
 * The result of comparing two independent routes to the same quantity on one instance.
 * Errors are normwise: maxRelError = max|a − b| / max|reference|, so tiny entries cannot inflate it.
 */
export interface Check {
  name: string;
  instance: string;
  routes: [reference: Route, candidate: Route];
  maxAbsError: number;
  maxRelError: number;
  tolerance: Tolerance;
  pass: boolean;
  /** Extra measured facts worth showing beside the check (e.g. the size of what FOMAML drops). */
  note?: string;
}

/**
 * Two exact float64 routes: only rounding separates them.
 *
 * @example
 * import { compareRoutes, exact, makeInstance, route, FLOAT64 } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * const H = exact.hessian(inst, inst.theta); // column j is the R-operator's H·eⱼ
 * const rows = H.map((_, i) => H.map((column) => column[i])); // Hᵀ
 * compareRoutes('H = Hᵀ', inst.name, route('columns', H), route('rows', rows), FLOAT64).pass; // true
 */
export const FLOAT64: Tolerance = {
  relative: 1e-10,
  rationale: 'both routes are exact in float64 (unit roundoff 1.1e-16); 1e-10 allows for rounding accumulated over a few hundred operations',
};

/**
 * tfjs (float32) against an exact float64 route.
 *
 * @example
 * import { autodiff, compareRoutes, exact, makeInstance, route, FLOAT32 } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * const g64 = route('product', exact.metaGradientByProduct(inst, 2));
 * const g32 = route('autodiff', autodiff.metaGradientByAutodiff(inst, 2));
 * compareRoutes('meta-gradient', inst.name, g64, g32, FLOAT32).pass; // true
 */
export const FLOAT32: Tolerance = {
  relative: 1e-4,
  rationale:
    'tfjs computes in float32 (unit roundoff 6e-8); differentiating through k unrolled steps and a second backward pass multiplies that by the depth and conditioning of the graph. Measured on the standard instances for k ≤ 5: at most 5e-7. 1e-4 leaves 200× headroom and still rejects a wrong formula, whose error is of order α‖H‖ ≳ 1e-2',
};

/**
 * Central finite differences (h = 1e-5) against an exact float64 route.
 *
 * @example
 * import { centralGradient, compareRoutes, exact, makeInstance, route, FINITE_DIFFERENCE } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * const g64 = route('product', exact.metaGradientByProduct(inst, 2));
 * const fd = route('differences', centralGradient((t) => exact.metaObjective(inst, 2, t), inst.theta));
 * compareRoutes('meta-gradient', inst.name, g64, fd, FINITE_DIFFERENCE).pass; // true
 */
export const FINITE_DIFFERENCE: Tolerance = {
  relative: 1e-6,
  rationale:
    'central differences with h = 1e-5 carry truncation error h²|f‴|/6 and rounding ε|f|/h, each of order 1e-11 relative for unit-scale derivatives; measured on the standard instances for k ≤ 5: at most 5e-10. 1e-6 leaves room for larger third derivatives',
};

/**
 * The step of the central differences used by every finite-difference route.
 *
 * @example
 * import { centralGradient, FD_STEP } from 'maml-lab/derivations';
 * FD_STEP; // 0.00001
 * // sin′(0) = 1; the truncation error is h²/6 ≈ 1.7e-11
 * centralGradient((t) => Math.sin(t[0]), Float64Array.of(0), FD_STEP); // ≈ [1.0000000000]
 */
export const FD_STEP = 1e-5;

/**
 * An error in short scientific notation for tables and check lines; "0" for exact agreement.
 *
 * @example
 * import { formatError } from 'maml-lab/derivations';
 * formatError(3.21e-7); // "3.2e-7"
 * formatError(0); // "0"
 */
export function formatError(x: number): string {
  return x === 0 ? '0' : x.toExponential(1).replace('e+', 'e');
}

/**
 * Turns a vector or matrix into a `Route`.
 *
 * @example
 * import { route } from 'maml-lab/derivations';
 * const r = route('float64 closed form', [[1, 2], [3, 4]]);
 * r.values; // [1, 2, 3, 4]
 * r.shape; // [2, 2]
 */
export function route(name: string, value: ArrayLike<number> | ArrayLike<number>[]): Route {
  const rows = Array.from(value as ArrayLike<number | ArrayLike<number>>);
  if (rows.length > 0 && typeof rows[0] !== 'number') {
    const matrix = rows as ArrayLike<number>[];
    return { name, values: matrix.flatMap((r) => Array.from(r)), shape: [matrix.length, matrix[0].length] };
  }
  return { name, values: rows as number[], shape: [rows.length] };
}

/**
 * Compares a candidate route with a reference route under a tolerance. A shape mismatch or a non-finite
 * entry fails the check (it never passes as NaN).
 *
 * @example
 * import { compareRoutes, route, FLOAT32 } from 'maml-lab/derivations';
 * const c = compareRoutes('Hv', 'tanh MLP', route('R-op', [1, 2]), route('tfjs', [1, 2.000001]), FLOAT32);
 * c.maxRelError; // ≈ 5e-7
 * c.pass; // true
 */
export function compareRoutes(
  name: string,
  instance: string,
  reference: Route,
  candidate: Route,
  tolerance: Tolerance,
  note?: string,
): Check {
  const sameShape =
    reference.shape.length === candidate.shape.length && reference.shape.every((d, i) => d === candidate.shape[i]);
  let maxAbsError = sameShape ? 0 : Infinity;
  let scale = 0;
  if (sameShape) {
    reference.values.forEach((r, i) => {
      const d = Math.abs(r - candidate.values[i]);
      maxAbsError = Number.isNaN(d) || Number.isNaN(maxAbsError) ? NaN : Math.max(maxAbsError, d);
      scale = Math.max(scale, Math.abs(r));
    });
  }
  const maxRelError = maxAbsError === 0 ? 0 : maxAbsError / (scale > 0 ? scale : Number.MIN_VALUE);
  const pass = Number.isFinite(maxRelError) && maxRelError <= tolerance.relative;
  return { name, instance, routes: [reference, candidate], maxAbsError, maxRelError, tolerance, pass, ...(note ? { note } : {}) };
}
