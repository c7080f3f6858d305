import { arrowLabel, arrowSegments, checkArrowKind, contourTrace, drawnVectors, short, type ArrowKind, type Point } from './arrows';
import type { Figure } from './figure';
import { ARROW_STYLE, DATA_COLOURS, DIVERGING_SCALE, HEIGHTS, LINEAR_TICKS, SEQUENTIAL_COLOURS, labelNumber } from './look';
import { withSliders } from './sliders';
import { finiteList } from './validate';

/** What the explorer needs to know of f at one θ for one curvature C. */
export interface CurvaturePoint {
  value: number;
  gradient: ArrayLike<number>;
  /** The angle between the first-order approximation and the gradient, in degrees; NaN where the gradient is 0. */
  angleDegrees: number;
  /** ‖approximation‖ / ‖gradient‖; Infinity where the gradient is 0. */
  lengthRatio: number;
}

/** Settings of `curvatureExplorerFigure`. */
export interface CurvatureExplorerSpec {
  /**
   * f, its gradient and the first-order approximation's errors at θ for C = [[a, b], [b, c]]; the
   * approximation itself is the gradient at C = 0 (e.g. `(C, θ) => ({ value: quadraticValue(C, g, θ),
   * ...firstOrderError(C, g, θ) })` from maml-lab/derivations).
   */
  evaluate: (C: number[][], theta: Point) => CurvaturePoint;
  /** The values each of a, b and c can take (default −0.5, −0.25, 0, 0.25, 0.5: 125 states). */
  values?: number[];
  /** a, b, c at the start (default 0.5, −0.25, 0, near the page's own start). */
  start?: [number, number, number];
  /** The square of θ shown (default [0, 1] on both axes). */
  domain?: [number, number];
  /** Arrows per side (default 7); the grid is inset by half a spacing, so with 7 (or any odd count) θ = ½ is on it. */
  arrowGrid?: number;
  /** Grid points per side, ends included, for the contour lines of f and the two error maps (default 21). */
  grid?: number;
  /** Gradients as they are (the default), or descent steps −α·gradient: one kind for every arrow. */
  arrows?: ArrowKind;
  title?: string;
}

/** Axes of a map drawn as a closed frame, without grid lines (the cells are the grid). */
const FRAMED = { showgrid: false, showline: true, mirror: true, linecolor: '#444444', zeroline: false } as const;

/** The length ratio's colours span 1/8 to 8, on a log₂ scale centred (white) on 1. */
const RATIO_OCTAVES = 3;

/** n points evenly spaced across [lo, hi], each in the middle of its cell. */
function cellCentres(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => short(lo + ((i + 0.5) * (hi - lo)) / n));
}

/** n points from lo to hi, both ends included. */
function evenly(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => short(lo + (i * (hi - lo)) / (n - 1)));
}

function gridSize(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${n}`);
  return n;
}

/** Evaluates f at θ for C, checking what comes back, so that no NaN reaches the figure unannounced. */
function evaluateChecked(evaluate: CurvatureExplorerSpec['evaluate'], C: number[][], theta: Point): CurvaturePoint {
  const p = evaluate(C, theta);
  // Built only for an error: this runs some 60,000 times per figure.
  const where = () => `at θ = (${theta[0]}, ${theta[1]}) with C = [[${C[0].join(', ')}], [${C[1].join(', ')}]]`;
  if (!p || typeof p.value !== 'number' || !Number.isFinite(p.value)) throw new RangeError(`evaluate ${where()} gave the value ${p?.value}; a finite number is needed`);
  if (!p.gradient || p.gradient.length !== 2 || !Number.isFinite(p.gradient[0]) || !Number.isFinite(p.gradient[1])) {
    throw new RangeError(`evaluate ${where()} gave the gradient ${JSON.stringify(Array.from(p?.gradient ?? []))}; two finite numbers are needed`);
  }
  const zero = p.gradient[0] === 0 && p.gradient[1] === 0;
  const angleOk = zero ? Number.isNaN(p.angleDegrees) : p.angleDegrees >= 0 && p.angleDegrees <= 180;
  const ratioOk = zero ? p.lengthRatio === Infinity : p.lengthRatio >= 0 && Number.isFinite(p.lengthRatio);
  if (!angleOk || !ratioOk) throw new RangeError(`evaluate ${where()} gave angle ${p.angleDegrees}° and length ratio ${p.lengthRatio}; expected an angle in [0, 180] and a finite ratio ≥ 0 (NaN and Infinity only where the gradient is 0)`);
  return p;
}

/**
 * The curvature explorer: f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ with C = [[a, b], [b, c]], its gradient and its
 * first-order approximation (the gradient at C = 0, which is g) at a grid of θ, with sliders for a, b and
 * c and a "C = 0" button. Three panels: left, contour lines of f and both arrow fields (all gradients, or
 * all descent steps, never both; one scale for every state, stated in the legend); right, the angle
 * between approximation and gradient (0° white) and the ratio of their lengths (1 white, log scale). The
 * title of each state gives C and the largest angle. Every state (values³ of them) is computed here and
 * stored in the spec, so the sliders work in an exported page with no kernel; `evaluate` supplies the
 * numbers, so the figure draws exactly what the float64 reference computes.
 *
 * @example
 * import { curvatureExplorerFigure } from 'maml-lab/plots';
 * import { firstOrderError, quadraticValue } from 'maml-lab/derivations';
 * const g = [0.1, -0.1];
 * const figure = curvatureExplorerFigure({ evaluate: (C, t) => ({ value: quadraticValue(C, g, t), ...firstOrderError(C, g, t) }), values: [-0.5, 0, 0.5], start: [0.5, 0, 0] });
 * figure.frames?.length; // 27
 * (figure.layout.sliders as { currentvalue: { prefix: string } }[]).map((s) => s.currentvalue.prefix); // ["a = ", "b = ", "c = "]
 */
export function curvatureExplorerFigure(spec: CurvatureExplorerSpec): Figure {
  if (typeof spec?.evaluate !== 'function') throw new RangeError('evaluate must be a function (C, θ) → {value, gradient, angleDegrees, lengthRatio}');
  const values = spec.values ?? [-0.5, -0.25, 0, 0.25, 0.5];
  finiteList('values', values, 2);
  if (!values.includes(0)) throw new RangeError(`values must include 0, for the "C = 0" state; got ${values.join(', ')}`);
  const start = spec.start ?? [0.5, -0.25, 0];
  const [lo, hi] = spec.domain ?? [0, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`domain must be [lo, hi] with finite lo < hi, got [${lo}, ${hi}]`);
  const kind = checkArrowKind(spec.arrows ?? { kind: 'gradient' });
  const arrowAxis = cellCentres(lo, hi, gridSize('arrowGrid', spec.arrowGrid, 7, 2, 25));
  // One grid serves the contour lines and the error maps: each θ is evaluated once per state.
  const axis = evenly(lo, hi, gridSize('grid', spec.grid, 21, 3, 101));
  const tails: Point[] = arrowAxis.flatMap((y) => arrowAxis.map((x) => [x, y]));
  const curvature = (a: number, b: number, c: number) => [[a, b], [b, c]];
  const zero = curvature(0, 0, 0);
  const approximation = drawnVectors(kind, tails.map((t) => evaluateChecked(spec.evaluate, zero, t).gradient));
  const gradientsAt = (C: number[][]) => drawnVectors(kind, tails.map((t) => evaluateChecked(spec.evaluate, C, t).gradient));

  // One arrow scale for every state, so that lengths compare across states: the longest arrow of any
  // state spans one and a half grid spacings.
  const gradients = new Map(values.flatMap((a) => values.flatMap((b) => values.map((c) => [`${a} ${b} ${c}`, gradientsAt(curvature(a, b, c))] as const))));
  const longest = Math.max(...[approximation, ...gradients.values()].flat().map(([u, v]) => Math.hypot(u, v)));
  const spacing = (hi - lo) / arrowAxis.length;
  const scale = longest > 0 ? (1.5 * spacing) / longest : 1;
  const headMax = ARROW_STYLE.headMaxShare * (hi - lo);

  const frame = ([a, b, c]: number[]) => {
    const C = curvature(a, b, c);
    const points = axis.map((y) => axis.map((x) => evaluateChecked(spec.evaluate, C, [x, y])));
    const largest = Math.max(...points.flat().map((p) => (Number.isNaN(p.angleDegrees) ? 0 : p.angleDegrees)));
    return {
      data: [
        { z: points.map((row) => row.map((p) => short(p.value))) },
        arrowSegments(tails, gradients.get(`${a} ${b} ${c}`)!, { scale, headMax }),
        // No angle where the gradient vanishes: that cell stays blank.
        { z: points.map((row) => row.map((p) => (Number.isNaN(p.angleDegrees) ? null : short(p.angleDegrees)))) },
        {
          // log₂ of the ratio for the colour, held just past the colour range where the ratio is ∞ (∇f = 0);
          // the ratio itself for the hover, null (shown as ∞) there.
          z: points.map((row) => row.map((p) => short(Math.max(-RATIO_OCTAVES - 1, Math.min(RATIO_OCTAVES + 1, Math.log2(p.lengthRatio)))))),
          customdata: points.map((row) => row.map((p) => (Number.isFinite(p.lengthRatio) ? short(p.lengthRatio) : null))),
        },
      ],
      layout: { title: { text: spec.title ?? 'Curvature and the first-order gradient', subtitle: { text: `C = [[${labelNumber(a)}, ${labelNumber(b)}], [${labelNumber(b)}, ${labelNumber(c)}]] · largest angle error ${labelNumber(largest)}°` } } },
    };
  };

  const panel = (x: string, y: string) => ({ xaxis: x, yaxis: y });
  const base: Figure = {
    data: [
      { ...contourTrace({ name: 'f(θ)', x: axis, y: axis, z: axis.map(() => axis.map(() => 0)) }), showlegend: true },
      // The approximation wide beneath, the gradient narrow on top: where they agree (C = 0) both show.
      { type: 'scatter', mode: 'lines', name: arrowLabel('g = ∇f at C = 0', kind), ...arrowSegments(tails, approximation, { scale, headMax }), line: { color: DATA_COLOURS[1], width: 2.5 * ARROW_STYLE.width }, hoverinfo: 'skip' },
      { type: 'scatter', mode: 'lines', name: arrowLabel('∇f(θ)', kind), line: { color: DATA_COLOURS[0], width: ARROW_STYLE.width }, hoverinfo: 'skip' },
      {
        type: 'heatmap', name: 'angle error', x: axis, y: axis, ...panel('x2', 'y2'),
        colorscale: SEQUENTIAL_COLOURS.map(([at, colour]) => [at, colour]), zmin: 0, zmax: 180,
        colorbar: { title: { text: 'angle (°)', side: 'right' }, x: 1.0, y: 1, yanchor: 'top', len: 0.46, tickvals: [0, 45, 90, 135, 180] },
        hovertemplate: 'θ = (%{x:.2f}, %{y:.2f}): angle between g and ∇f %{z:.1f}°<extra></extra>',
      },
      {
        type: 'heatmap', name: 'length ratio', x: axis, y: axis, ...panel('x3', 'y3'),
        ...DIVERGING_SCALE, zmin: -RATIO_OCTAVES, zmax: RATIO_OCTAVES,
        colorbar: { title: { text: '‖g‖ / ‖∇f‖', side: 'right' }, x: 1.0, y: 0, yanchor: 'bottom', len: 0.46, tickvals: [-3, -2, -1, 0, 1, 2, 3], ticktext: ['⅛', '¼', '½', '1', '2', '4', '8'] },
        hovertemplate: 'θ = (%{x:.2f}, %{y:.2f}): ‖g‖ / ‖∇f‖ = %{customdata:.3g}<extra></extra>',
        hoverongaps: false,
      },
    ],
    layout: {
      // constrain: 'domain' keeps each square's range and shrinks its box instead of widening the range.
      xaxis: { domain: [0, 0.56], range: [lo, hi], constrain: 'domain', title: { text: 'θ₁' }, ...LINEAR_TICKS },
      yaxis: { domain: [0, 1], range: [lo, hi], constrain: 'domain', title: { text: 'θ₂' }, scaleanchor: 'x', ...LINEAR_TICKS },
      // The error maps are framed: where the approximation is exact they are all white.
      xaxis2: { domain: [0.68, 0.92], range: [lo, hi], constrain: 'domain', anchor: 'y2', showticklabels: false, ...FRAMED },
      yaxis2: { domain: [0.54, 1], range: [lo, hi], constrain: 'domain', anchor: 'x2', scaleanchor: 'x2', title: { text: 'angle error' }, ...FRAMED },
      xaxis3: { domain: [0.68, 0.92], range: [lo, hi], constrain: 'domain', anchor: 'y3', title: { text: 'θ₁' }, ...FRAMED },
      yaxis3: { domain: [0, 0.46], range: [lo, hi], constrain: 'domain', anchor: 'x3', scaleanchor: 'x3', title: { text: 'length ratio' }, ...FRAMED },
      legend: { orientation: 'h', x: 0.09, xanchor: 'left', y: 1.01, yanchor: 'bottom', title: { text: `arrows ×${labelNumber(scale)}:` } },
      height: HEIGHTS.explorer,
      margin: { t: 110, r: 20 },
    },
  };
  return withSliders(base, {
    sliders: ['a', 'b', 'c'].map((name, i) => ({ name, values, start: start[i] })),
    traces: [0, 2, 3, 4],
    frame,
    buttons: [{ label: 'C = 0', values: [0, 0, 0] }],
  });
}
