import { DATA_COLOURS, DATA_STYLE, HEIGHTS, LINEAR_TICKS, REFERENCE_STYLE, logAxisTicks } from './look';

/** A Plotly figure spec, as `Plotly.newPlot` and the `application/vnd.plotly.v1+json` MIME type take it. */
export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** One line of a line chart. */
export interface Series {
  name: string;
  x: number[];
  y: number[];
  dash?: 'solid' | 'dash' | 'dot';
  /** Draw points only (e.g. the support points of a task). */
  markers?: boolean;
  /**
   * A reference to read the data against (a slope guide, a tolerance), not data: drawn thin, grey and
   * dashed (unless `dash` says otherwise) beneath the data curves, listed after them in the legend, with
   * "(reference)" added to its name unless the name already says so.
   */
  reference?: boolean;
}

/** An axis: its title, and whether it is logarithmic. */
export interface Axis {
  title: string;
  log?: boolean;
}

/**
 * Tells a Plotly figure spec from other values.
 *
 * @example
 * import { isFigure, lineChart } from 'maml-lab/plots';
 * isFigure(lineChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [] })); // true
 * isFigure({ data: 'not a list' }); // false
 */
export function isFigure(x: unknown): x is Figure {
  return typeof x === 'object' && x !== null && Array.isArray((x as Figure).data) && typeof (x as Figure).layout === 'object';
}

/** One axis of a line chart, laid out for the values it shows. */
function axisLayout(axis: Axis, values: readonly number[]): Record<string, unknown> {
  return {
    title: { text: axis.title },
    type: axis.log ? 'log' : 'linear',
    ...(axis.log ? logAxisTicks(values) : LINEAR_TICKS),
  };
}

/** How one series is drawn (see DATA_STYLE and REFERENCE_STYLE). */
interface TraceStyle {
  colour: string;
  /** The dash when the series does not choose one. */
  dash: string;
  markerSize: number;
  /** Line width in px; Plotly's default (2) when absent. */
  width?: number;
  legendRank?: number;
}

function trace(s: Series, name: string, style: TraceStyle): Record<string, unknown> {
  return {
    type: 'scatter',
    mode: s.markers ? 'markers' : 'lines',
    name,
    x: s.x,
    y: s.y,
    ...(style.legendRank === undefined ? {} : { legendrank: style.legendRank }),
    ...(s.markers
      ? { marker: { size: style.markerSize, color: style.colour } }
      : { line: { dash: s.dash ?? style.dash, color: style.colour, ...(style.width === undefined ? {} : { width: style.width }) } }),
  };
}

/** The legend name of a reference series: it says "reference", once. */
function referenceName(name: string): string {
  return /reference/i.test(name) ? name : `${name} (reference)`;
}

/**
 * A line chart; every series must have as many x as y values. Log axes label decades as powers of ten,
 * spaced for the range shown. Series marked `reference` come first in `data` (Plotly draws in that order,
 * so they lie beneath the data); the data series follow in the order given, so without references
 * `data[i]` is `series[i]`.
 *
 * @example
 * import { lineChart } from 'maml-lab/plots';
 * const alphas = [1e-4, 1e-3, 1e-2, 1e-1];
 * const figure = lineChart({
 *   title: 'FOMAML error', x: { title: 'α', log: true }, y: { title: 'relative error', log: true },
 *   series: [
 *     { name: 'k = 1', x: alphas, y: [2e-5, 2e-4, 2e-3, 2e-2] },
 *     { name: 'slope 1', x: alphas, y: alphas, reference: true },
 *   ],
 * });
 * figure.data.map((trace) => trace.name); // ["slope 1 (reference)", "k = 1"]
 * (figure.layout.xaxis as { dtick: number }).dtick; // 1
 */
export function lineChart(spec: { title: string; x: Axis; y: Axis; series: Series[] }): Figure {
  spec.series.forEach((s, i) => {
    if (s.x.length !== s.y.length) throw new RangeError(`series[${i}] ("${s.name}") has ${s.x.length} x values but ${s.y.length} y values`);
  });
  const references = spec.series.filter((s) => s.reference === true);
  const data = spec.series.filter((s) => s.reference !== true);
  return {
    data: [
      ...references.map((s) => trace(s, referenceName(s.name), REFERENCE_STYLE)),
      ...data.map((s, i) => trace(s, s.name, { ...DATA_STYLE, colour: DATA_COLOURS[i % DATA_COLOURS.length] })),
    ],
    layout: {
      title: { text: spec.title },
      xaxis: axisLayout(spec.x, spec.series.flatMap((s) => s.x)),
      yaxis: axisLayout(spec.y, spec.series.flatMap((s) => s.y)),
      margin: { t: 50, r: 20 },
      height: HEIGHTS.lineChart,
    },
  };
}
