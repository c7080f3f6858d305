import type { SymmetricOperator } from '../meta/lanczos';
import type { HessianSplit } from '../meta/hessianSplit';
import type { DenseMatrix } from '../meta/lossHessian';
import type { Matrix } from './check';
import * as exact from './exact';
import type { Instance } from './instances';
import { norm, relativeError } from './numeric';

/*
 * The float64 reference for the MSE Hessian of an instance's support loss, its Gauss–Newton and residual
 * parts (Pearlmutter's R-operator on the hand-written MLP, no tfjs), and the summary that measures a split
 * from either route.
 */

function dense(rows: Matrix): DenseMatrix {
  const n = rows.length;
  const values = new Float64Array(n * n);
  rows.forEach((row, i) => values.set(row, i * n));
  return { shape: [n, n], values };
}

/**
 * The support loss's Hessian at θ and its two parts in float64, each from its own R-operator product
 * (`exact.hessian`, `exact.gaussNewtonPart64`, `exact.residualPart64`): the reference for the tfjs
 * `hessianSplit`, in the same form.
 *
 * @example
 * import { hessianSplitSummary, makeInstance, referenceHessianSplit } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * const split = referenceHessianSplit(inst);
 * split.hessian.shape; // [19, 19]
 * hessianSplitSummary(split).relativeSumError < 1e-12; // true
 */
export function referenceHessianSplit(inst: Instance, theta: Float64Array = inst.theta): HessianSplit {
  return {
    hessian: dense(exact.hessian(inst, theta)),
    gaussNewton: dense(exact.gaussNewtonPart64(inst, theta)),
    residual: dense(exact.residualPart64(inst, theta)),
  };
}

/**
 * The support loss's Hessian at θ as a float64 `SymmetricOperator` (exact R-operator products, one per
 * vector), for `lanczos` and `spectralDensity` on models too large for a dense matrix, and as the
 * reference for the tfjs `hessianOperator`.
 *
 * @example
 * import { makeInstance, referenceHessianOperator } from 'maml-lab/derivations';
 * import { lanczos } from 'maml-lab/meta';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * // the eigenvalues of [[1.960, 0.886], [0.886, 2]]
 * Array.from(lanczos(referenceHessianOperator(inst), { iterations: 2 }).ritzValues); // ≈ [1.0935, 2.8663]
 */
export function referenceHessianOperator(inst: Instance, theta: Float64Array = inst.theta): SymmetricOperator {
  return {
    size: theta.length,
    apply: (vectors) => vectors.map((v) => inst.net.hessianVectorProduct(theta, v, inst.support)),
  };
}

/** How a Hessian splits: Frobenius norms, each part's share, and how well the parts add up. */
export interface HessianSplitSummary {
  /** ‖H‖_F, ‖GN‖_F and ‖R‖_F. */
  frobenius: { hessian: number; gaussNewton: number; residual: number };
  /** ‖part‖_F / (‖GN‖_F + ‖R‖_F): each part's share of the two parts' total size (they sum to 1; both 0 when H = 0). */
  shares: { gaussNewton: number; residual: number };
  /** ‖GN + R − H‖_F / ‖H‖_F: zero in exact arithmetic; float32 rounding for the tfjs route. */
  relativeSumError: number;
}

/**
 * Measures a Hessian split from either route: the Frobenius norm of the Hessian and of each part, each
 * part's share, and the relative error of GN + R against H (the check that the parts, computed separately,
 * add up to the whole).
 *
 * @example
 * import { hessianSplitSummary } from 'maml-lab/derivations';
 * const m = (values: number[]) => ({ shape: [2, 2] as [number, number], values: Float64Array.from(values) });
 * const summary = hessianSplitSummary({ hessian: m([3, 0, 0, 4]), gaussNewton: m([3, 0, 0, 4]), residual: m([0, 0, 0, 0]) });
 * summary.frobenius.hessian; // 5
 * summary.shares.gaussNewton; // 1
 * summary.relativeSumError; // 0
 */
export function hessianSplitSummary(split: HessianSplit): HessianSplitSummary {
  const { hessian, gaussNewton, residual } = split;
  for (const [name, m] of Object.entries({ gaussNewton, residual })) {
    if (m?.shape?.[0] !== hessian?.shape?.[0] || m?.shape?.[1] !== hessian?.shape?.[1] || m.values.length !== hessian.values.length) {
      throw new RangeError(`split.${name} must have the Hessian's shape [${hessian?.shape}], got [${m?.shape}]`);
    }
  }
  // A plain loop rather than map with a closure: 3·10⁶ entries for the 1761-parameter MLP.
  const sum = new Float64Array(hessian.values.length);
  for (let i = 0; i < sum.length; i++) sum[i] = gaussNewton.values[i] + residual.values[i];
  const frobenius = { hessian: norm(hessian.values), gaussNewton: norm(gaussNewton.values), residual: norm(residual.values) };
  const total = frobenius.gaussNewton + frobenius.residual;
  return {
    frobenius,
    shares: { gaussNewton: total === 0 ? 0 : frobenius.gaussNewton / total, residual: total === 0 ? 0 : frobenius.residual / total },
    relativeSumError: relativeError(sum, hessian.values),
  };
}
