import { lineChart, type Figure } from './figure';
import { hessianSplitHeatmaps } from './hessian';
import { mlpParameterLayout } from './parameters';
import { finiteList } from './validate';

/** One state of the Hessian explorer, as numbers: the three matrices (rows) and the non-zero eigenvalues. */
export interface HessianExplorerFigureSpec {
  /** The MLP's sizes, [1, w₁, …, 1]. */
  sizes: readonly number[];
  activation: string;
  points: number;
  hessian: number[][];
  gaussNewton: number[][];
  residual: number[][];
  /** The non-zero eigenvalues of the Hessian, ascending. */
  nonZero: readonly number[];
  /** How many eigenvalues are zero. */
  zeros: number;
  /** Cells per side of the heatmaps (larger matrices are pooled; see HeatmapSpec.maxCells). */
  maxCells?: number;
}

/** Beyond this many parameters the heatmaps colour by the symmetric log (as notebook 05's 1761² heatmap does): on a linear scale the many small entries are all white. */
const SYMLOG_FROM = 100;

/** The symmetric log's threshold as a share of the largest |entry| of the three matrices. */
const SYMLOG_SHARE = 1e-3;

/**
 * The Hessian explorer's two figures for one state: the Hessian and its two parts side by side on one colour
 * scale (`hessianSplitHeatmaps`; beyond 100 parameters on a symmetric-log scale with threshold 10⁻³ of the
 * largest entry, which the title says), and the non-zero eigenvalues sorted (as notebook 05 draws the spectrum
 * at initialisation, where Tukey's fences of `spectrumFigure` would mark half of them as outliers).
 *
 * @example
 * import { hessianExplorerFigures } from 'maml-lab/plots';
 * const m = [[2, 1], [1, 2]];
 * const { split, spectrum } = hessianExplorerFigures({ sizes: [1, 1], activation: 'relu', points: 3, hessian: m, gaussNewton: m, residual: [[0, 0], [0, 0]], nonZero: [1, 3], zeros: 0 });
 * split.data.length; // 3
 * spectrum.data[0].y; // [1, 3]
 * (spectrum.layout.title as { text: string }).text; // "The 2 non-zero eigenvalues of H, sorted (0 are zero)"
 */
export function hessianExplorerFigures(spec: HessianExplorerFigureSpec): { split: Figure; spectrum: Figure } {
  const nonZero = finiteList('nonZero', spec.nonZero, 0);
  if (!Number.isInteger(spec.zeros) || spec.zeros < 0) throw new RangeError(`zeros must be a whole number ≥ 0, got ${spec.zeros}`);
  const parameters = mlpParameterLayout(spec.sizes);
  const n = parameters.names.length;
  let largest = 0;
  // Index loops, not for…of: 3·10⁶ entries per matrix at 1761 parameters.
  for (const m of [spec.hessian, spec.gaussNewton, spec.residual]) {
    for (let i = 0; i < m.length; i++) {
      const row = m[i];
      for (let j = 0; j < row.length; j++) largest = Math.max(largest, Math.abs(row[j]));
    }
  }
  const symlog = n > SYMLOG_FROM && largest > 0 ? SYMLOG_SHARE * largest : undefined;
  const network = `1-${spec.sizes.slice(1, -1).join('-')}-1 ${spec.activation} on ${spec.points} point${spec.points === 1 ? '' : 's'}`;
  const split = hessianSplitHeatmaps({
    title: `${network}: the Hessian and its two parts${symlog === undefined ? '' : ' (symmetric-log colours)'}`,
    hessian: spec.hessian,
    gaussNewton: spec.gaussNewton,
    residual: spec.residual,
    parameters,
    symlog,
    maxCells: spec.maxCells,
  });
  const spectrum = lineChart({
    title: `The ${nonZero.length} non-zero eigenvalues of H, sorted (${spec.zeros} are zero)`,
    x: { title: 'rank among the non-zero eigenvalues' },
    y: { title: 'eigenvalue λ' },
    series: [{ name: network, x: nonZero.map((_, i) => i + 1), y: [...nonZero] }],
  });
  return { split, spectrum };
}
