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
export const HEIGHTS = { lineChart: 380, heatmap: 420, panels: 400, spectrum: 380 } as const;

/**
 * The diverging colour scale for signed matrices: ColorBrewer's RdBu with its pale middle made white, so
 * that an entry of exactly zero is white and the eye reads colour as "not zero". Negative entries are
 * red, positive ones blue. The stops are symmetric about 0.5; a plot using it sets its range to
 * [−m, m] (zmin = −zmax), which puts zero, and only zero, on white. Plotly's own 'RdBu' is grey in the
 * middle with asymmetric stops (0.35 / 0.6), so a zero entry would not be white there.
 */
export const DIVERGING_COLOURS: readonly (readonly [number, string])[] = [
  [0, '#67001f'],
  [0.1, '#b2182b'],
  [0.2, '#d6604d'],
  [0.3, '#f4a582'],
  [0.4, '#fddbc7'],
  [0.5, '#ffffff'],
  [0.6, '#d1e5f0'],
  [0.7, '#92c5de'],
  [0.8, '#4393c3'],
  [0.9, '#2166ac'],
  [1, '#053061'],
];

/** The diverging scale as Plotly trace (or coloraxis) fields. */
export const DIVERGING_SCALE = { colorscale: DIVERGING_COLOURS.map(([at, colour]) => [at, colour]) } as const;

/**
 * Lines at layer-block boundaries of a parameter matrix (W₁ | b₁ | W₂ …): thin, dark and dashed, drawn
 * above the cells so that they stay visible over dark ones.
 */
export const BLOCK_LINE = { color: '#333333', width: 1, dash: 'dash' } as const;

/** Marked points that stand out from the rest (the outliers of a spectrum). */
export const OUTLIER_STYLE = { colour: '#d62728', symbol: 'diamond', size: 10 } as const;

/** Bars of a histogram: the first data colour, with thin white gaps between bars. */
export const BAR_STYLE = { colour: DATA_COLOURS[0], lineColour: '#ffffff', lineWidth: 0.5 } as const;

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

const SUPERSCRIPT_DIGITS: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/**
 * The label of 10ᵏ on an axis or colour bar: plain from 0.01 to 100, a power of ten beyond ("10⁻⁴", "10³"),
 * as log axes label their decades.
 */
export function decadeLabel(k: number): string {
  if (k >= -2 && k <= 2) return String(10 ** k);
  return `10${[...String(k)].map((c) => SUPERSCRIPT_DIGITS[c]).join('')}`;
}

/**
 * A number in 3 significant digits for a label or hover text: plain from 0.001 to 10⁴, else with a power
 * of ten ("2.5×10⁻⁴", "10⁵" for a mantissa of 1); no SI prefixes, minus sign as "−".
 */
export function labelNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4)) return String(Number(x.toPrecision(3))).replace('-', '−');
  const [mantissa, exponent] = x.toExponential(2).split('e');
  const m = String(Number(mantissa)).replace('-', '−');
  const power = `10${[...String(Number(exponent))].map((c) => SUPERSCRIPT_DIGITS[c]).join('')}`;
  return m === '1' ? power : m === '−1' ? `−${power}` : `${m}×${power}`;
}
