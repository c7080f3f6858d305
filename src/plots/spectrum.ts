import type { Figure } from './figure';
import { BAR_STYLE, HEIGHTS, LINEAR_TICKS, OUTLIER_STYLE, labelNumber, logAxisTicks } from './look';
import { finiteList, positive } from './validate';

/** A histogram of eigenvalues: the bins and the density in each. */
export interface SpectrumHistogram {
  /** Bin edges, ascending: one more than there are bins. */
  edges: number[];
  /** count / (eigenvalues · bin width) per bin, so that the bars integrate to 1. */
  density: number[];
  /** The eigenvalues outside Tukey's fences, ascending. */
  outliers: number[];
}

/** The q-quantile of ascending values, interpolating linearly between ranks. */
function quantileOfSorted(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  return sorted[below] + (sorted[Math.min(below + 1, sorted.length - 1)] - sorted[below]) * (at - below);
}

/** The smallest spread the outlier fences use, relative to the largest |eigenvalue|. */
const NEGLIGIBLE_SPREAD = 1e-4;

/**
 * Bins eigenvalues into equal-width bins over their range and picks the outliers: values beyond Tukey's
 * fences Q₁ − f·IQR and Q₃ + f·IQR (f = 3, "far out", by default). A Hessian's spectrum is a bulk near
 * zero plus a few large outliers (Sagun et al. 2017, Papyan 2019); the fences find them without being told
 * how many there are. When the bulk is exactly zero (a low-rank Hessian, IQR = 0), the spread is taken as
 * 1e-4·max|λ|, so round-off around zero is not marked while every eigenvalue off the bulk still is.
 *
 * @example
 * import { spectrumHistogram } from 'maml-lab/plots';
 * const h = spectrumHistogram([0, 0.1, 0.1, 0.2, 0.3, 9], { bins: 3 });
 * h.edges; // [0, 3, 6, 9]
 * h.density; // [0.2777777777777778, 0, 0.05555555555555555]
 * h.outliers; // [9]
 */
export function spectrumHistogram(eigenvalues: readonly number[], options: { bins?: number; fence?: number } = {}): SpectrumHistogram {
  const values = [...finiteList('eigenvalues', eigenvalues, 1)].sort((a, b) => a - b);
  const fence = positive('fence', options.fence ?? 3);
  const bins = options.bins ?? Math.min(60, Math.max(10, Math.ceil(Math.sqrt(values.length))));
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a whole number ≥ 1, got ${bins}`);
  let [low, high] = [values[0], values[values.length - 1]];
  // Equal eigenvalues have no spread to bin: one bin of width 1 around them.
  if (high === low) [low, high] = [low - 0.5, high + 0.5];
  const width = (high - low) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : low + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - low) / width))]++;
  const [q1, q3] = [quantileOfSorted(values, 0.25), quantileOfSorted(values, 0.75)];
  // A low-rank Hessian's bulk is exactly zero, so its IQR is 0 and float32 round-off (±1e-7 around zero)
  // would be "outliers" too: the spread is floored at a relative level no float32 computation resolves.
  const spread = Math.max(q3 - q1, NEGLIGIBLE_SPREAD * Math.max(Math.abs(low), Math.abs(high)));
  const [lowFence, highFence] = [q1 - fence * spread, q3 + fence * spread];
  return {
    edges,
    density: counts.map((c) => c / (values.length * width)),
    outliers: values.filter((v) => v < lowFence || v > highFence),
  };
}

/**
 * The spectrum of a Hessian as a histogram on a log density axis (the bulk and the outliers differ by
 * decades in density), with the outliers marked and labelled by their value. Empty bins are left out,
 * since a log axis cannot show zero.
 *
 * @example
 * import { spectrumFigure } from 'maml-lab/plots';
 * const figure = spectrumFigure({ eigenvalues: [-0.01, 0, 0.01, 0.02, 0.02, 0.03, 4.5], bins: 5 });
 * figure.data.map((trace) => trace.name); // ["eigenvalues", "outliers"]
 * figure.data[1].x; // [4.5]
 * (figure.layout.yaxis as { type: string }).type; // "log"
 */
export function spectrumFigure(spec: { eigenvalues: readonly number[]; title?: string; bins?: number; fence?: number }): Figure {
  const { edges, density, outliers } = spectrumHistogram(spec.eigenvalues, { bins: spec.bins, fence: spec.fence });
  const shown = density.map((d, i) => ({ d, i })).filter(({ d }) => d > 0);
  const centre = (i: number): number => (edges[i] + edges[i + 1]) / 2;
  // An outlier's marker sits on top of the bar it falls in.
  const bin = (v: number): number => Math.max(0, Math.min(density.length - 1, edges.findIndex((e, i) => i > 0 && v <= e) - 1));
  return {
    data: [
      {
        type: 'bar',
        name: 'eigenvalues',
        x: shown.map(({ i }) => centre(i)),
        y: shown.map(({ d }) => d),
        width: shown.map(({ i }) => edges[i + 1] - edges[i]),
        marker: { color: BAR_STYLE.colour, line: { color: BAR_STYLE.lineColour, width: BAR_STYLE.lineWidth } },
        hovertemplate: 'λ ≈ %{x:.3g}: density %{y:.3g}<extra></extra>',
      },
      {
        type: 'scatter',
        mode: 'markers+text',
        name: 'outliers',
        x: outliers,
        y: outliers.map((v) => density[bin(v)]),
        text: outliers.map(labelNumber),
        textposition: 'top center',
        marker: { color: OUTLIER_STYLE.colour, symbol: OUTLIER_STYLE.symbol, size: OUTLIER_STYLE.size },
        hovertemplate: 'outlier λ = %{x:.4g}<extra></extra>',
      },
    ],
    layout: {
      title: { text: spec.title ?? `Hessian spectrum (${spec.eigenvalues.length} eigenvalues, ${outliers.length} outlier${outliers.length === 1 ? '' : 's'})` },
      xaxis: { title: { text: 'eigenvalue λ' }, ...LINEAR_TICKS },
      yaxis: { title: { text: 'density' }, type: 'log', ...logAxisTicks(shown.map(({ d }) => d)) },
      bargap: 0,
      showlegend: true,
      height: HEIGHTS.spectrum,
      margin: { t: 50, r: 20 },
    },
  };
}
