import { tridiagonalEigen } from './tridiagonalEigen';

/*
 * Lanczos with full reorthogonalisation, free of tfjs (the browser bundle's Hessian explorer runs it on the
 * kernel's Hessian-vector products); `lanczos` and `spectralDensity` (lanczos.ts) draw the start vectors.
 */

/**
 * A symmetric linear map on ℝⁿ, applied to a block of vectors at once (batched Hessian-vector products
 * are the case in point: `hessianOperator`). Lanczos and stochastic Lanczos quadrature need nothing else.
 */
export interface SymmetricOperator {
  readonly size: number;
  apply(vectors: readonly Float64Array[]): Float64Array[];
}

/** What one Lanczos run found: Ritz values θᵢ ascending, their weights τᵢ² and residual norms. */
export interface LanczosResult {
  /** Eigenvalues of the k × k tridiagonal T: estimates of H's eigenvalues, the extreme ones first to converge. */
  ritzValues: Float64Array;
  /** τᵢ², the squared first component of T's i-th eigenvector: the start vector's spectral measure, summing to 1. */
  weights: Float64Array;
  /** ‖H yᵢ − θᵢ yᵢ‖ for the unit Ritz vector yᵢ: an eigenvalue of H lies within this distance of θᵢ. */
  residuals: Float64Array;
  /** k: the iterations run (fewer than asked when the start vector's Krylov space is exhausted). */
  iterations: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Independent Lanczos runs from the given unit start vectors, advanced together so that each iteration
 * asks the operator for one block of products. Every new vector is orthogonalised twice against all earlier
 * ones of its run (full reorthogonalisation, in float64): without it, rounding makes converged Ritz values
 * reappear as spurious copies. A run stops early when its Krylov space is exhausted (the new vector is
 * rounding noise): then its Ritz values are exact eigenvalues, one per distinct eigenvalue the start vector
 * sees, which for a low-rank Hessian is its whole non-zero spectrum after rank + 1 products. Kept apart
 * from `lanczos` (which draws its start vectors with tfjs) so that the browser bundle can use it.
 *
 * @example
 * import { lanczosRuns } from 'maml-lab/meta';
 * const diagonal = { size: 3, apply: (vs: readonly Float64Array[]) => vs.map((v) => v.map((x, i) => [2, 0, 2][i] * x)) };
 * // two distinct eigenvalues (0 and 2): exhausted after two iterations
 * const [run] = lanczosRuns(diagonal, [Float64Array.of(1, 1, 1).map((x) => x / Math.sqrt(3))], 3);
 * run.iterations; // 2
 * Array.from(run.ritzValues, (v) => Math.round(v * 1e9) / 1e9); // [0, 2]
 */
export function lanczosRuns(operator: SymmetricOperator, starts: Float64Array[], iterations: number): LanczosResult[] {
  const runs = starts.map((q) => ({ basis: [q], alpha: [] as number[], beta: [] as number[], last: 0, done: false }));
  for (let j = 0; j < iterations; j++) {
    const active = runs.filter((r) => !r.done);
    if (active.length === 0) break;
    const products = operator.apply(active.map((r) => r.basis[j]));
    active.forEach((run, i) => {
      const w = Float64Array.from(products[i]);
      const q = run.basis[j];
      const a = dot(q, w);
      if (!Number.isFinite(a)) throw new RangeError(`lanczos: the operator returned a non-finite product at iteration ${j + 1}`);
      run.alpha.push(a);
      for (let pass = 0; pass < 2; pass++) {
        for (const p of run.basis) {
          const c = dot(p, w);
          for (let t = 0; t < w.length; t++) w[t] -= c * p[t];
        }
      }
      const b = Math.sqrt(dot(w, w));
      const scale = Math.max(...run.alpha.map(Math.abs), ...run.beta);
      // b at rounding level: the Krylov space is invariant and T's eigenvalues are exact eigenvalues of H.
      const exhausted = b <= 1e-10 * scale || j + 1 === operator.size;
      run.last = exhausted ? 0 : b;
      if (exhausted || j + 1 === iterations) {
        run.done = true;
        return;
      }
      run.beta.push(b);
      run.basis.push(w.map((x) => x / b));
    });
  }
  return runs.map((run) => {
    const { values, first, last } = tridiagonalEigen(run.alpha, run.beta);
    return {
      ritzValues: values,
      weights: first.map((c) => c * c),
      residuals: last.map((c) => Math.abs(run.last * c)),
      iterations: run.alpha.length,
    };
  });
}

