/**
 * The eigenvalues of a symmetric tridiagonal matrix, with the first and last component of each
 * (unit-length) eigenvector. Those two components are all that Lanczos needs: the first gives the
 * quadrature weights of stochastic Lanczos quadrature (Golub–Welsch), the last the residual norm of each
 * Ritz pair. Eigenvalues are ascending; `first[i]` and `last[i]` belong to `values[i]`.
 */
export interface TridiagonalEigen {
  values: Float64Array;
  first: Float64Array;
  last: Float64Array;
}

/**
 * Eigen-decomposition of the symmetric tridiagonal matrix with `diagonal` d (length k) and `offDiagonal` e
 * (length k − 1, eᵢ = T[i][i+1]), in float64, by the implicit QL algorithm with Wilkinson's shift
 * (EISPACK's tql2, as in JAMA). Each rotation acts on two columns of the eigenvector matrix, so only its
 * first and last rows are carried: O(k²) work and O(k) memory instead of O(k³) and O(k²). Converges in
 * about two iterations per eigenvalue; throws (rather than return NaN) if 30 iterations do not deflate one.
 *
 * @example
 * import { tridiagonalEigen } from 'maml-lab/meta';
 * // [[2, 1], [1, 2]]: eigenvalues 1 and 3, eigenvectors (1, −1)/√2 and (1, 1)/√2
 * const { values, first } = tridiagonalEigen([2, 2], [1]);
 * Array.from(values); // [1, 3]
 * Array.from(first, (c) => c * c); // [0.5, 0.5]
 */
export function tridiagonalEigen(diagonal: ArrayLike<number>, offDiagonal: ArrayLike<number>): TridiagonalEigen {
  const n = diagonal.length;
  if (n < 1) throw new RangeError('diagonal must hold at least one entry');
  if (offDiagonal.length !== n - 1) {
    throw new RangeError(`offDiagonal must hold ${n - 1} entries for a diagonal of ${n}, got ${offDiagonal.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(diagonal[i])) throw new RangeError(`diagonal[${i}] must be a finite number, got ${diagonal[i]}`);
    if (i < n - 1 && !Number.isFinite(offDiagonal[i])) throw new RangeError(`offDiagonal[${i}] must be a finite number, got ${offDiagonal[i]}`);
  }
  const d = Float64Array.from(diagonal);
  const e = new Float64Array(n);
  e.set(Array.from(offDiagonal));
  // Rows 0 and n − 1 of the eigenvector matrix V, which starts as the identity.
  const top = new Float64Array(n);
  const bottom = new Float64Array(n);
  top[0] = 1;
  bottom[n - 1] = 1;
  const rotate = (row: Float64Array, i: number, c: number, s: number) => {
    const h = row[i + 1];
    row[i + 1] = s * row[i] + c * h;
    row[i] = c * row[i] - s * h;
  };
  const eps = 2 ** -52;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 30) throw new Error(`tridiagonalEigen: eigenvalue ${l} did not converge in 30 QL iterations`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          rotate(top, i, c, s);
          rotate(bottom, i, c, s);
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a] - d[b]);
  return {
    values: Float64Array.from(order, (i) => d[i]),
    first: Float64Array.from(order, (i) => top[i]),
    last: Float64Array.from(order, (i) => bottom[i]),
  };
}
