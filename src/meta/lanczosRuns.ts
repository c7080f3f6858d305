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

/** a[from … from + n) · b, with four partial sums: they break the chain of dependent additions, so the loop runs at the memory's speed. */
function dotAt(a: Float64Array, from: number, b: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    s0 += a[from + t] * b[t];
    s1 += a[from + t + 1] * b[t + 1];
    s2 += a[from + t + 2] * b[t + 2];
    s3 += a[from + t + 3] * b[t + 3];
  }
  for (; t < n; t++) s0 += a[from + t] * b[t];
  return s0 + s1 + (s2 + s3);
}

/**
 * One run's Krylov basis q₀, q₁, … as the rows of one flat Float64Array (grown by doubling): the
 * reorthogonalisation streams through it row after row, with no allocation per vector.
 */
class KrylovBasis {
  rows = 0;
  private values: Float64Array;
  private coefficients: Float64Array;
  constructor(
    readonly n: number,
    capacity: number,
  ) {
    this.values = new Float64Array(n * capacity);
    this.coefficients = new Float64Array(capacity);
  }
  push(q: Float64Array): void {
    if ((this.rows + 1) * this.n > this.values.length) {
      const grown = new Float64Array(2 * this.values.length);
      grown.set(this.values);
      this.values = grown;
      this.coefficients = new Float64Array(2 * this.coefficients.length);
    }
    this.values.set(q, this.rows * this.n);
    this.rows++;
  }
  row(i: number): Float64Array {
    return this.values.subarray(i * this.n, (i + 1) * this.n);
  }
  /**
   * One pass of classical Gram–Schmidt against the whole basis: w ← w − Q Qᵀw, as two matrix–vector
   * products with Q, c = Qᵀw then w −= Q c. The rows are taken four at a time: each entry of w is loaded once
   * for four rows, about three times faster here than one row at a time (measured at n = 1761: 0.37 against
   * 1 × 10⁹ multiply–adds per second in V8). `lanczosRuns` decides whether a second pass is needed.
   */
  orthogonalise(w: Float64Array): void {
    const { n, rows, values: q, coefficients: c } = this;
    {
      let i = 0;
      for (; i + 3 < rows; i += 4) {
        const a = i * n;
        const b = a + n;
        const d = b + n;
        const e = d + n;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let t = 0; t < n; t++) {
          const x = w[t];
          s0 += q[a + t] * x;
          s1 += q[b + t] * x;
          s2 += q[d + t] * x;
          s3 += q[e + t] * x;
        }
        c[i] = s0;
        c[i + 1] = s1;
        c[i + 2] = s2;
        c[i + 3] = s3;
      }
      for (; i < rows; i++) c[i] = dotAt(q, i * n, w, n);
      i = 0;
      for (; i + 3 < rows; i += 4) {
        const a = i * n;
        const b = a + n;
        const d = b + n;
        const e = d + n;
        const c0 = c[i];
        const c1 = c[i + 1];
        const c2 = c[i + 2];
        const c3 = c[i + 3];
        for (let t = 0; t < n; t++) w[t] -= c0 * q[a + t] + c1 * q[b + t] + c2 * q[d + t] + c3 * q[e + t];
      }
      for (; i < rows; i++) {
        const ci = c[i];
        const from = i * n;
        for (let t = 0; t < n; t++) w[t] -= ci * q[from + t];
      }
    }
  }
}

/**
 * Independent Lanczos runs from the given unit start vectors, advanced together so that each iteration
 * asks the operator for one block of products. Every new vector is orthogonalised against all earlier ones
 * of its run (full reorthogonalisation, in float64; twice when the first pass took away much of it): without
 * it, rounding makes converged Ritz values reappear as spurious copies. A run stops early when its Krylov space is exhausted (the new vector is
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
  const n = operator.size;
  // The recurrence below assumes an orthonormal basis from its first row: a start vector of another length
  // would make every α and β wrong (and grow without bound), so it is refused, not rescaled in silence.
  starts.forEach((q, i) => {
    const length = Math.sqrt(dotAt(q, 0, q, q.length));
    if (q.length !== n || !(Math.abs(length - 1) <= 1e-8)) throw new RangeError(`lanczos: start vector ${i} must be a unit vector of length ${n}; it has ${q.length} entries and norm ${length}`);
  });
  // Capacity for min(iterations, n) + 1 rows at most, first a modest block (the basis grows by doubling).
  const capacity = Math.min(iterations + 1, n + 1, 64);
  const runs = starts.map((q) => {
    const basis = new KrylovBasis(n, capacity);
    basis.push(q);
    return { basis, alpha: [] as number[], beta: [] as number[], scale: 0, last: 0, done: false };
  });
  for (let j = 0; j < iterations; j++) {
    const active = runs.filter((r) => !r.done);
    if (active.length === 0) break;
    const products = operator.apply(active.map((r) => r.basis.row(j)));
    active.forEach((run, i) => {
      const w = Float64Array.from(products[i]);
      const a = dotAt(run.basis.row(j), 0, w, n);
      if (!Number.isFinite(a)) throw new RangeError(`lanczos: the operator returned a non-finite product at iteration ${j + 1}`);
      run.alpha.push(a);
      run.scale = Math.max(run.scale, Math.abs(a));
      // The three-term recurrence first, w −= α q_j + β q_{j−1}, then one full pass against the whole basis
      // for what rounding left, and a second only when that pass took away more than 1 − 1/√2 of w's length
      // (the criterion of Daniel, Gragg, Kaufman and Stewart, 1976: "twice is enough" when needed, Giraud
      // et al. 2005). The pass usually removes only rounding, so most iterations take one pass, not two:
      // the passes over the basis are nearly all of Lanczos's time once the basis has a few hundred rows.
      const current = run.basis.row(j);
      const previous = j > 0 ? run.basis.row(j - 1) : undefined;
      const beta = j > 0 ? run.beta[j - 1] : 0;
      for (let t = 0; t < n; t++) w[t] -= a * current[t] + (previous === undefined ? 0 : beta * previous[t]);
      let b = Math.sqrt(dotAt(w, 0, w, n));
      for (let pass = 0; pass < 2; pass++) {
        const before = b;
        run.basis.orthogonalise(w);
        b = Math.sqrt(dotAt(w, 0, w, n));
        if (b >= Math.SQRT1_2 * before) break;
      }
      // b at rounding level: the Krylov space is invariant and T's eigenvalues are exact eigenvalues of H.
      const exhausted = b <= 1e-10 * run.scale || j + 1 === operator.size;
      run.last = exhausted ? 0 : b;
      if (exhausted || j + 1 === iterations) {
        run.done = true;
        return;
      }
      run.beta.push(b);
      run.scale = Math.max(run.scale, b);
      for (let t = 0; t < n; t++) w[t] /= b;
      run.basis.push(w);
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

