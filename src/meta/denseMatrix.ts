/*
 * The dense float64 matrix every Hessian route returns, and its rows for the figures: free of tfjs, so the
 * browser bundle (src/web) can use them; lossHessian.ts re-exports both.
 */

/** A matrix in float64 as its shape [rows, cols] and its entries row by row: the form every Hessian route returns. */
export interface DenseMatrix {
  shape: [number, number];
  values: Float64Array;
}

/**
 * A dense matrix as rows of plain numbers, the form the figures (`hessianHeatmap`, `hessianSplitHeatmaps`)
 * and mathjs take.
 *
 * @example
 * import { matrixRows } from 'maml-lab/meta';
 * matrixRows({ shape: [2, 3], values: Float64Array.of(1, 2, 3, 4, 5, 6) }); // [[1, 2, 3], [4, 5, 6]]
 */
export function matrixRows(matrix: DenseMatrix): number[][] {
  const [rows, columns] = matrix.shape;
  if (matrix.values.length !== rows * columns) throw new RangeError(`matrix.values must hold ${rows}·${columns} entries for shape [${rows}, ${columns}], got ${matrix.values.length}`);
  return Array.from({ length: rows }, (_, i) => Array.from(matrix.values.subarray(i * columns, (i + 1) * columns)));
}
