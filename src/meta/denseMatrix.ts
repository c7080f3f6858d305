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
  // Each row filled in a plain loop into an array of doubles: four times faster than Array.from of a
  // subarray, which matters for the explorer's three 1761² matrices (3·10⁶ entries each).
  const out: number[][] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const row: number[] = new Array(columns).fill(0);
    const from = i * columns;
    for (let j = 0; j < columns; j++) row[j] = matrix.values[from + j];
    out[i] = row;
  }
  return out;
}
