import { arrowFigure, checkPoints, short, type ContourSpec, type Point } from './arrows';
import type { Figure } from './figure';
import { DATA_COLOURS, HEIGHTS, labelNumber } from './look';
import { finiteList, positive } from './validate';

/** One method as the four-methods figure draws it. */
export interface FourMethodsFigureMethod {
  name: string;
  /** Its meta-gradient at θ, drawn as an arrow from θ; null: none (the note says why). */
  gradient: Point | null;
  /** θ*, the exact end point of its meta-training, drawn as a ring; null: none. */
  stationary: Point | null;
  /** Meta-training from θ, θ first; null: not drawn (it diverges, or there is no end point). */
  path: Point[] | null;
  /** A short note shown under the figure when there is no path, e.g. "diverges at this outer rate". */
  note?: string;
}

/** One state of the four-methods explorer (notebook 09). */
export interface FourMethodsFigureSpec {
  /** The four methods in a fixed order: method i has colour i for its arrow, path and θ*. */
  methods: FourMethodsFigureMethod[];
  theta: Point;
  /** The box θ moves in; the axes add `room` on each side, so that an arrow from its edge is not cut. */
  view: { x: [number, number]; y: [number, number] };
  /** Drawn length per unit of meta-gradient, for every arrow of this state; stated in the legend. */
  arrowScale: number;
  /** Room around the view (data units), at least the longest drawn arrow (default: a tenth of the wider span). */
  room?: number;
  /** Contour lines beneath (MAML's meta-objective), sampled over the view with its room. */
  contour?: ContourSpec;
  /** Outer steps of each path and the outer rate β, for the legend. */
  outerSteps: number;
  outerRate: number;
  title?: string;
}

/**
 * One state of the four-methods explorer: contour lines of MAML's meta-objective, the four meta-gradients
 * at θ as arrows (gradients, uphill; meta-training steps against them, at the scale the legend states),
 * each method's meta-training path from θ and its exact end point θ* (a ring in the method's colour), θ
 * itself, and a note for each method without a path (it diverges at this outer rate, or has no single end
 * point). Built on `arrowFigure`, so arrows and paths look as in every other figure of the book. The page
 * (src/web) redraws it on every input, so the notebook and the page draw the same thing.
 *
 * @example
 * import { fourMethodsFigure } from 'maml-lab/plots';
 * const figure = fourMethodsFigure({
 *   methods: [
 *     { name: 'MAML', gradient: [0.4, -0.1], stationary: [-0.4, 0.5], path: [[1.5, -0.3], [1.1, -0.2], [-0.4, 0.5]] },
 *     { name: 'Reptile', gradient: [0.4, -0.1], stationary: [0, 0.6], path: null, note: 'diverges at this outer rate' },
 *   ],
 *   theta: [1.5, -0.3], view: { x: [-1, 1.8], y: [-0.6, 1.2] }, arrowScale: 1, outerSteps: 300, outerRate: 1,
 * });
 * (figure.layout.legend as { title: { text: string } }).title.text.includes('gradients'); // true
 * (figure.layout.annotations as { text: string }[])[0].text; // "Reptile: diverges at this outer rate"
 */
export function fourMethodsFigure(spec: FourMethodsFigureSpec): Figure {
  if (!Array.isArray(spec?.methods) || spec.methods.length === 0) throw new RangeError('methods must be a non-empty array of {name, gradient, stationary, path}');
  const [theta] = checkPoints('theta', [spec.theta], 1);
  const x = finiteList('view.x', spec.view?.x, 2);
  const y = finiteList('view.y', spec.view?.y, 2);
  if (x.length !== 2 || y.length !== 2 || !(x[0] < x[1]) || !(y[0] < y[1])) throw new RangeError(`view must be {x: [lo, hi], y: [lo, hi]} with lo < hi, got ${JSON.stringify(spec.view)}`);
  const scale = positive('arrowScale', spec.arrowScale);
  const room = spec.room ?? 0.1 * Math.max(x[1] - x[0], y[1] - y[0]);
  positive('room', room);
  const sets = spec.methods.flatMap((m, i) => (m.gradient === null ? [] : [{ name: m.name, tails: [theta], vectors: [m.gradient], colourIndex: i }]));
  const paths = spec.methods.flatMap((m, i) => (m.path === null ? [] : [{ name: `${m.name}: path`, points: m.path, colourIndex: i }]));
  const base = arrowFigure({ title: spec.title ?? 'Four meta-gradients at θ and meta-training from θ', arrows: { kind: 'gradient' }, sets, paths, contour: spec.contour, scale });
  const ends = spec.methods.flatMap((m, i) => (m.stationary === null ? [] : [{ at: checkPoints(`methods[${i}].stationary`, [m.stationary], 1)[0], colour: DATA_COLOURS[i % DATA_COLOURS.length], name: m.name }]));
  const range = (lo: number, hi: number) => [lo - room, hi + room];
  const notes = spec.methods.filter((m) => m.path === null && m.note !== undefined).map((m) => `${m.name}: ${m.note}`);
  return {
    data: [
      // Contour lines unlabelled (the hover gives the value): placing labels would take most of a redraw.
      // A path's line shares its method's colour with the arrow and needs no legend entry of its own.
      ...base.data.map((trace) => (trace.type === 'contour' ? { ...trace, contours: { coloring: 'lines', showlabels: false } } : String(trace.name).endsWith(': path') ? { ...trace, showlegend: false } : trace)),
      {
        type: 'scatter', mode: 'markers', name: 'θ*, exact ends',
        x: ends.map((e) => short(e.at[0])), y: ends.map((e) => short(e.at[1])),
        customdata: ends.map((e) => e.name),
        marker: { size: 13, symbol: 'circle-open', color: ends.map((e) => e.colour), line: { width: 2.5 } },
        hovertemplate: '%{customdata}: θ* = (%{x:.4g}, %{y:.4g})<extra></extra>',
      },
      { type: 'scatter', mode: 'markers', name: 'θ (drag it)', x: [short(theta[0])], y: [short(theta[1])], marker: { size: 12, color: '#ffffff', line: { color: '#333333', width: 2 } }, hovertemplate: 'θ = (%{x:.3f}, %{y:.3f})<extra></extra>' },
    ],
    layout: {
      ...base.layout,
      xaxis: { ...(base.layout.xaxis as object), range: range(x[0], x[1]), fixedrange: true },
      yaxis: { ...(base.layout.yaxis as object), range: range(y[0], y[1]), fixedrange: true },
      // The legend on the right, its title in short lines, so that the plot keeps the page's width.
      legend: {
        title: {
          text: `<b>arrows</b>: meta-gradients g(θ) at θ,<br>as gradients (uphill; a<br>meta-training step goes<br>against them), drawn at<br>${labelNumber(scale)} × their length<br><b>lines</b>: ${spec.outerSteps} steps θ ← θ − βg(θ),<br>β = ${labelNumber(spec.outerRate)}, in the method's colour<br><b>rings</b>: where each ends (θ*)`,
          side: 'top',
        },
        x: 1.02, xanchor: 'left', y: 1, yanchor: 'top',
      },
      annotations: notes.map((text, i) => ({ text, x: 0, xref: 'paper', xanchor: 'left', y: 0, yshift: -62 - 22 * i, yref: 'paper', yanchor: 'top', showarrow: false, align: 'left', font: { size: 12, color: '#b22222' } })),
      dragmode: false,
      height: HEIGHTS.arrows + 24 * notes.length,
      margin: { t: 50, b: 70 + 24 * notes.length, r: 20 },
    },
  };
}
