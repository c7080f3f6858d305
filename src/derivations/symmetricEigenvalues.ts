import type { DenseMatrix } from '../meta/lossHessian';
import { tridiagonalEigen } from '../meta/tridiagonalEigen';
import type { Matrix } from './check';

/**
 * How far from symmetric a matrix may be, as max |A − Aᵀ| / max |A|: a Hessian assembled from float32
 * Hessian-vector products is symmetric only to float32 rounding (measured: about 1e-6 of its largest entry);
 * 1e-4 admits that and still rejects a matrix that is not a Hessian at all.
 */
const SYMMETRY_TOLERANCE = 1e-4;

/** The matrix as one row-major Float64Array, checked square and finite. */
function rowMajor(matrix: Matrix | DenseMatrix): { n: number; a: Float64Array } {
  if (Array.isArray(matrix)) {
    const n = matrix.length;
    const a = new Float64Array(n * n);
    matrix.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== n) throw new RangeError(`matrix must be square: row ${i} has ${Array.isArray(row) ? row.length : typeof row} entries, not ${n}`);
      a.set(row, i * n);
    });
    return { n, a };
  }
  const [rows, cols] = matrix.shape ?? [];
  if (rows !== cols || matrix.values?.length !== rows * cols) {
    throw new RangeError(`matrix must be square with shape.length = 2 and rows·cols values, got shape [${matrix.shape}] and ${matrix.values?.length} values`);
  }
  return { n: rows, a: Float64Array.from(matrix.values) };
}

/**
 * All eigenvalues of a symmetric matrix in float64, ascending: Householder reduction to tridiagonal form,
 * then implicit QL (`tridiagonalEigen`). Why not mathjs `eigs`: its Jacobi sweeps take 3 s at n = 200 here
 * and grow as n³ per sweep (hours at n = 1761), while this takes 5–8 s for the 1761 × 1761 Hessian of the
 * sinusoid MLP on this 2-core machine (≈ (2/3)·n³ multiply-adds over the lower triangle, bound by memory
 * traffic; a fused or blocked variant measured no faster here). A matrix that is symmetric only up to rounding
 * (≤ 1e-4 of its largest entry, e.g. a float32 Hessian) is symmetrised first; a less symmetric one, a
 * non-square one or a non-finite entry is an error.
 *
 * @example
 * import { symmetricEigenvalues } from 'maml-lab/derivations';
 * Array.from(symmetricEigenvalues([[2, 1], [1, 2]])); // [1, 3]
 * Array.from(symmetricEigenvalues({ shape: [3, 3], values: [4, 0, 0, 0, -1, 0, 0, 0, 2] })); // [-1, 2, 4]
 */
export function symmetricEigenvalues(matrix: Matrix | DenseMatrix): Float64Array {
  const { n, a } = rowMajor(matrix);
  if (n === 0) return new Float64Array(0);
  let largest = 0;
  let asymmetry = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = a[i * n + j];
      const y = a[j * n + i];
      if (!Number.isFinite(x)) throw new RangeError(`matrix[${i}][${j}] must be a finite number, got ${x}`);
      if (!Number.isFinite(y)) throw new RangeError(`matrix[${j}][${i}] must be a finite number, got ${y}`);
      largest = Math.max(largest, Math.abs(x), Math.abs(y));
      asymmetry = Math.max(asymmetry, Math.abs(x - y));
      a[i * n + j] = (x + y) / 2;
    }
  }
  if (asymmetry > SYMMETRY_TOLERANCE * largest) {
    throw new RangeError(`matrix must be symmetric: max |A − Aᵀ| = ${asymmetry.toExponential(3)} is more than ${SYMMETRY_TOLERANCE} of its largest entry ${largest.toExponential(3)}`);
  }
  // Householder: for each column k, reflect rows/columns k+1… so that column k is zero below the
  // subdiagonal. Only the lower triangle (j ≤ i) is read and written.
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  const diagonal = new Float64Array(n);
  const off = new Float64Array(n - 1);
  for (let k = 0; k < n - 2; k++) {
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + k]));
    if (scale === 0) {
      off[k] = 0;
      continue;
    }
    let sigma = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = a[i * n + k] / scale;
      sigma += v[i] * v[i];
    }
    const alpha = (v[k + 1] > 0 ? -1 : 1) * Math.sqrt(sigma);
    v[k + 1] -= alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i] * v[i];
    const unit = 1 / Math.sqrt(vv);
    for (let i = k + 1; i < n; i++) v[i] *= unit;
    off[k] = alpha * scale;
    // p = A·v over the trailing block (from its lower triangle), K = vᵀp, w = 2p − 2Kv; A ← A − vwᵀ − wvᵀ.
    p.fill(0, k + 1);
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      let s = 0;
      const vi = v[i];
      for (let j = k + 1; j < i; j++) {
        const aij = a[row + j];
        s += aij * v[j];
        p[j] += aij * vi;
      }
      p[i] += s + a[row + i] * vi;
    }
    let K = 0;
    for (let i = k + 1; i < n; i++) K += v[i] * p[i];
    for (let i = k + 1; i < n; i++) p[i] = 2 * p[i] - 2 * K * v[i];
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      const wi = p[i];
      for (let j = k + 1; j <= i; j++) a[row + j] -= vi * p[j] + wi * v[j];
    }
  }
  for (let i = 0; i < n; i++) diagonal[i] = a[i * n + i];
  if (n >= 2) off[n - 2] = a[(n - 1) * n + n - 2];
  return tridiagonalEigen(diagonal, off).values;
}
