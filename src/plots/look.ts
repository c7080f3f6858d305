/**
 * The one look every maml-lab figure shares. Plot functions take colours, sizes, tick formats, the
 * reference-line style and the diverging scale from here, so a change of style is made once.
 */

/**
 * Colours for data series, in order: Plotly's default palette without its grey, because grey is kept for
 * reference lines (a data curve must never look like one). Set explicitly, not left to Plotly, so that a
 * series keeps its colour whether or not reference traces come before it.
 */
export const DATA_COLOURS: readonly string[] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf'];

/** Data series: solid lines of Plotly's default width, or points of 8 px; the colour comes from DATA_COLOURS. */
export const DATA_STYLE = { dash: 'solid', markerSize: 8 } as const;

/**
 * Reference series (a slope guide, a tolerance): thin, grey and dashed, so that they never hide data, and
 * listed after the data in the legend (Plotly's default legend rank is 1000).
 */
export const REFERENCE_STYLE = { colour: '#8c8c8c', width: 1, dash: 'dash', markerSize: 6, legendRank: 2000 } as const;

/** Figure heights in px. */
export const HEIGHTS = { lineChart: 380, heatmap: 420 } as const;

/**
 * The diverging scale for signed matrices, centred on zero by the plot (zmin = −zmax). Plotly's RdBu runs
 * blue → grey → red, so reversed it draws negative entries red and positive ones blue.
 */
export const DIVERGING_SCALE = { colorscale: 'RdBu', reversescale: true } as const;

/**
 * Tick labels on linear axes: plain numbers with thousands separators ("20,000", "0.00002"). Plotly's
 * default writes SI prefixes ("20k", "20µ"), which read as units in a maths figure.
 */
export const LINEAR_TICKS = { exponentformat: 'none', separatethousands: true } as const;

/** More whole-decade labels than this on a log axis crowd it; beyond it only every n-th decade is labelled. */
const MAX_DECADE_LABELS = 8;

/**
 * Tick settings for a log axis that shows `values`: decades written as powers of ten (10⁻⁴, never 100µ),
 * spaced so that labels do not crowd.
 * - 2 decades or more: one label per decade, or per n decades once there would be more than 8 labels.
 * - 1 to 2 decades: decades plus 2 and 5 between them ('D2').
 * - under one decade, or no positive values: Plotly's own spacing, which then labels plain numbers
 *   (0.2, 0.3, …); 'D1' there would print bare digits with no power of ten in sight.
 * So values from 1e-4 to 0.3 get `{ exponentformat: 'power', showexponent: 'all', dtick: 1 }`.
 */
export function logAxisTicks(values: readonly number[]): Record<string, unknown> {
  const format = { exponentformat: 'power', showexponent: 'all' };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    // A log axis cannot show zero, negatives, NaN or infinities; Plotly drops them, and so does the span.
    if (v > 0 && Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (!(max > min)) return format;
  const decades = Math.log10(max / min);
  if (decades < 1) return format;
  if (decades < 2) return { ...format, dtick: 'D2' };
  return { ...format, dtick: Math.max(1, Math.ceil(decades / MAX_DECADE_LABELS)) };
}
