import { arrowLabel, arrowSegments, checkArrowKind, contourTrace, drawnVectors, short, type ArrowKind, type Point } from './arrows';
import type { Figure } from './figure';
import { ARROW_STYLE, DATA_COLOURS, DIVERGING_SCALE, HEIGHTS, LINEAR_TICKS, SEQUENTIAL_COLOURS, labelNumber } from './look';
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

/** Throws naming `name` unless `values` holds exactly n finite numbers. */
function exactly(name: string, values: unknown, n: number): number[] {
  const list = finiteList(name, values, n);
  if (list.length !== n) throw new RangeError(`${name} must hold ${n} numbers, got ${list.length}`);
  return list;
}

/** Evaluates f at θ for C, checking what comes back, so that no NaN reaches the figure unannounced. */
function evaluateChecked(evaluate: CurvatureFigureSpec['evaluate'], C: number[][], theta: Point): CurvaturePoint {
  const p = evaluate(C, theta);
  // Built only for an error: this runs for every grid point on every redraw.
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

/** Settings of `curvatureFigure`: one state of the curvature explorer. */
export interface CurvatureFigureSpec {
  /**
   * f, its gradient and the first-order approximation's errors at θ for C = [[a, b], [b, c]]; the
   * approximation itself is the gradient at C = 0 (e.g. `(C, θ) => ({ value: quadraticValue(C, g, θ),
   * ...firstOrderError(C, g, θ) })` from maml-lab/derivations).
   */
  evaluate: (C: number[][], theta: Point) => CurvaturePoint;
  /** The curvature: a, b and c of C = [[a, b], [b, c]]. */
  curvature: [number, number, number];
  /** The point θ whose two arrows are drawn bold (default ½, ½). */
  theta?: Point;
  /**
   * How long an arrow is drawn per unit of the vector's length: one scale for every state, so that lengths
   * compare as the sliders move (default: the longest arrow of this state spans one and a half grid cells).
   */
  arrowScale?: number;
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

/** The explorer's default arrow scale for a largest gradient length `longest` over a square of side `side`: 1.5 grid cells of 7. */
export function curvatureArrowScale(longest: number, side = 1, arrowGrid = 7): number {
  if (!(longest > 0) || !Number.isFinite(longest)) throw new RangeError(`longest must be a positive length, got ${longest}`);
  return (1.5 * side) / arrowGrid / longest;
}

/** Both figures' parts for one state: one figure of three panels ('one', both fields the same), or two ('two'). */
function curvatureParts(spec: CurvatureFigureSpec, layoutOf: 'one' | 'two'): { field: Figure; maps: Figure } {
  if (typeof spec?.evaluate !== 'function') throw new RangeError('evaluate must be a function (C, θ) → {value, gradient, angleDegrees, lengthRatio}');
  const [a, b, c] = exactly('curvature', spec.curvature, 3);
  const [lo, hi] = spec.domain ?? [0, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`domain must be [lo, hi] with finite lo < hi, got [${lo}, ${hi}]`);
  const theta = exactly('theta', spec.theta === undefined ? [(lo + hi) / 2, (lo + hi) / 2] : Array.from(spec.theta), 2);
  const kind = checkArrowKind(spec.arrows ?? { kind: 'gradient' });
  const arrowAxis = cellCentres(lo, hi, gridSize('arrowGrid', spec.arrowGrid, 7, 2, 25));
  // One grid serves the contour lines and the error maps: each θ is evaluated once.
  const axis = evenly(lo, hi, gridSize('grid', spec.grid, 21, 3, 101));
  const tails: Point[] = arrowAxis.flatMap((y) => arrowAxis.map((x) => [x, y]));
  const C = [[a, b], [b, c]];
  const zero = [[0, 0], [0, 0]];
  const approximation = drawnVectors(kind, tails.map((t) => evaluateChecked(spec.evaluate, zero, t).gradient));
  const gradients = drawnVectors(kind, tails.map((t) => evaluateChecked(spec.evaluate, C, t).gradient));
  const atTheta = evaluateChecked(spec.evaluate, C, theta);
  const atThetaVectors = drawnVectors(kind, [evaluateChecked(spec.evaluate, zero, theta).gradient, atTheta.gradient]);
  const longest = Math.max(...[...approximation, ...gradients, ...atThetaVectors].map(([u, v]) => Math.hypot(u, v)));
  const scale = spec.arrowScale ?? (longest > 0 ? curvatureArrowScale(longest, hi - lo, arrowAxis.length) : 1);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`arrowScale must be a positive number, got ${spec.arrowScale}`);
  const headMax = ARROW_STYLE.headMaxShare * (hi - lo);
  const points = axis.map((y) => axis.map((x) => evaluateChecked(spec.evaluate, C, [x, y])));
  const exact = a === 0 && b === 0 && c === 0;
  const largest = Math.max(...points.flat().map((p) => (Number.isNaN(p.angleDegrees) ? 0 : p.angleDegrees)));
  // At the default scale (and the live explorer's) an arrow spans at most 1.5 grid cells, and the bold
  // ones start at θ, which may sit on the square's edge: the left panel's range leaves that much room
  // around the square, so no arrow is cut.
  const pad = (1.5 * (hi - lo)) / arrowAxis.length;
  const panel = (x: string, y: string) => ({ xaxis: x, yaxis: y });
  // The maps' column: right of the left panel in one figure, or a figure of its own.
  const mapColumn: [number, number] = layoutOf === 'one' ? [0.68, 0.92] : [0.1, 0.78];
  const mapCentre = (mapColumn[0] + mapColumn[1]) / 2;
  const mapAxes = (x: string, y: string, domain: [number, number]) => ({
    [`xaxis${x}`]: { domain: mapColumn, range: [lo, hi], constrain: 'domain', anchor: `y${y}`, title: { text: 'θ₁', standoff: 2 }, ...FRAMED },
    [`yaxis${y}`]: { domain, range: [lo, hi], constrain: 'domain', anchor: `x${x}`, scaleanchor: `x${x}`, title: { text: 'θ₂', standoff: 2 }, ...FRAMED },
  });
  const mapTitle = (text: string, y: number) => ({ text, x: mapCentre, xref: 'paper', xanchor: 'center', y, yref: 'paper', yanchor: 'bottom', showarrow: false, font: { size: 13 } });
  const exactNote = (y: number) => ({ text: 'C = 0: g is the gradient,<br>exact at every θ', x: mapCentre, xref: 'paper', xanchor: 'center', y, yref: 'paper', yanchor: 'middle', showarrow: false, bgcolor: 'rgba(255,255,255,0.85)', bordercolor: '#888888', font: { size: 12 } });
  const field = [
    // Unlabelled lines (the hover gives f): placing the labels took half of each redraw in the live explorer.
    { ...contourTrace({ name: 'f(θ)', x: axis, y: axis, z: points.map((row) => row.map((p) => short(p.value))) }), contours: { coloring: 'lines', showlabels: false }, showlegend: true },
    // The approximation wide beneath, the gradient narrow on top: where they agree (C = 0) both show.
    { type: 'scatter', mode: 'lines', name: arrowLabel('g = ∇f at C = 0', kind), ...arrowSegments(tails, approximation, { scale, headMax }), line: { color: DATA_COLOURS[1], width: 2.5 * ARROW_STYLE.width }, hoverinfo: 'skip', cliponaxis: false },
    { type: 'scatter', mode: 'lines', name: arrowLabel('∇f(θ)', kind), ...arrowSegments(tails, gradients, { scale, headMax }), line: { color: DATA_COLOURS[0], width: ARROW_STYLE.width }, hoverinfo: 'skip', cliponaxis: false },
    { type: 'scatter', mode: 'lines', name: 'at the chosen θ', ...arrowSegments([theta, theta], atThetaVectors, { scale, headMax: 2 * headMax }), line: { color: '#333333', width: 2 * ARROW_STYLE.width }, hoverinfo: 'skip', cliponaxis: false, showlegend: false },
    { type: 'scatter', mode: 'markers', name: 'θ (drag it)', x: [short(theta[0])], y: [short(theta[1])], marker: { size: 12, color: '#ffffff', line: { color: '#333333', width: 2 } }, hovertemplate: 'θ = (%{x:.3f}, %{y:.3f})<extra></extra>' },
  ];
  const maps = [
    {
      type: 'heatmap', name: 'angle error', x: axis, y: axis, ...panel('x2', 'y2'),
      z: points.map((row) => row.map((p) => (Number.isNaN(p.angleDegrees) ? null : short(p.angleDegrees)))),
      colorscale: SEQUENTIAL_COLOURS.map(([at, colour]) => [at, colour]), zmin: 0, zmax: 180,
      colorbar: { title: { text: 'angle (°)', side: 'right' }, x: 1.0, y: 1, yanchor: 'top', len: 0.42, tickvals: [0, 45, 90, 135, 180] },
      hovertemplate: 'θ = (%{x:.2f}, %{y:.2f}): angle between g and ∇f %{z:.1f}°<extra></extra>',
    },
    {
      type: 'heatmap', name: 'length ratio', x: axis, y: axis, ...panel('x3', 'y3'),
      // log₂ of the ratio for the colour, held just past the colour range where the ratio is ∞ (∇f = 0);
      // the ratio itself for the hover, null (shown as ∞) there.
      z: points.map((row) => row.map((p) => short(Math.max(-RATIO_OCTAVES - 1, Math.min(RATIO_OCTAVES + 1, Math.log2(p.lengthRatio)))))),
      customdata: points.map((row) => row.map((p) => (Number.isFinite(p.lengthRatio) ? short(p.lengthRatio) : null))),
      ...DIVERGING_SCALE, zmin: -RATIO_OCTAVES, zmax: RATIO_OCTAVES,
      colorbar: { title: { text: '‖g‖ / ‖∇f‖', side: 'right' }, x: 1.0, y: 0, yanchor: 'bottom', len: 0.42, tickvals: [-3, -2, -1, 0, 1, 2, 3], ticktext: ['⅛', '¼', '½', '1', '2', '4', '8'] },
      hovertemplate: 'θ = (%{x:.2f}, %{y:.2f}): ‖g‖ / ‖∇f‖ = %{customdata:.3g}<extra></extra>',
      hoverongaps: false,
    },
  ];
  const title = { text: spec.title ?? 'Curvature and the first-order gradient', subtitle: { text: `C = [[${labelNumber(a)}, ${labelNumber(b)}], [${labelNumber(b)}, ${labelNumber(c)}]] · largest angle error on the square ${labelNumber(largest)}°` } };
  // constrain: 'domain' keeps each square's range and shrinks its box instead of widening the range.
  const fieldAxes = (width: number) => ({
    xaxis: { domain: [0, width], range: [lo - pad, hi + pad], constrain: 'domain', fixedrange: true, title: { text: 'θ₁' }, ...LINEAR_TICKS },
    yaxis: { domain: [0, 1], range: [lo - pad, hi + pad], constrain: 'domain', fixedrange: true, title: { text: 'θ₂' }, scaleanchor: 'x', ...LINEAR_TICKS },
  });
  // The error maps are framed: where the approximation is exact they are all white.
  const mapLayout = {
    ...mapAxes('2', '2', [0.56, 0.94]),
    ...mapAxes('3', '3', [0, 0.38]),
    annotations: [mapTitle('angle between g and ∇f', 0.95), mapTitle('length ratio ‖g‖ / ‖∇f‖', 0.39), ...(exact ? [exactNote(0.75), exactNote(0.19)] : [])],
  };
  const legend = { orientation: 'h', x: 0, xanchor: 'left', y: 1.01, yanchor: 'bottom', title: { text: `arrow length = ${labelNumber(scale)} × the vector's length:` } };
  const common = { dragmode: false, height: HEIGHTS.explorer, margin: { t: 120, r: 20 } };
  if (layoutOf === 'one') {
    const all = { data: [...field, ...maps], layout: { title, ...fieldAxes(0.56), ...mapLayout, legend, ...common } };
    return { field: all, maps: all };
  }
  return {
    // Half the width of the one figure: the legend's title goes above its entries, which wrap below it.
    field: { data: field, layout: { title, ...fieldAxes(1), legend: { ...legend, title: { ...legend.title, side: 'top' } }, ...common, margin: { t: 150, r: 20 } } },
    maps: { data: maps, layout: { ...mapLayout, showlegend: false, ...common } },
  };
}

/**
 * One state of the curvature explorer: f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ with C = [[a, b], [b, c]], its
 * gradient and its first-order approximation g (the gradient at C = 0). Three panels: left, contour lines
 * of f, both arrow fields (all gradients, or all descent steps, never both) and, bold, the two arrows at the
 * chosen θ; right, the angle between g and ∇f (0° white) and the ratio of their lengths (1 white, log
 * scale), each map titled and both axes named. At C = 0 the maps are exact everywhere and say so.
 * `evaluate` supplies the numbers, so it draws exactly what the float64 reference computes. The book's live
 * explorer (src/web) draws the same panels as two figures (`curvaturePanels`).
 *
 * @example
 * import { curvatureFigure } from 'maml-lab/plots';
 * import { firstOrderError, quadraticValue } from 'maml-lab/derivations';
 * const g = [0.1, -0.1];
 * const figure = curvatureFigure({ evaluate: (C, t) => ({ value: quadraticValue(C, g, t), ...firstOrderError(C, g, t) }), curvature: [0.5, -0.1, 0], theta: [0.3, 0.1] });
 * figure.data.length; // 7
 * (figure.layout.yaxis2 as { title: { text: string } }).title.text; // "θ₂"
 */
export function curvatureFigure(spec: CurvatureFigureSpec): Figure {
  return curvatureParts(spec, 'one').field;
}

/**
 * The panels of `curvatureFigure` as two figures, for the live explorer to draw side by side: `field` (the
 * contours, the arrows and θ) and `maps` (the angle and length-ratio maps). Moving θ changes only `field`,
 * so the explorer redraws that alone; a change of C redraws both.
 *
 * @example
 * import { curvaturePanels } from 'maml-lab/plots';
 * import { firstOrderError, quadraticValue } from 'maml-lab/derivations';
 * const g = [0.1, -0.1];
 * const { field, maps } = curvaturePanels({ evaluate: (C, t) => ({ value: quadraticValue(C, g, t), ...firstOrderError(C, g, t) }), curvature: [0.5, -0.1, 0], theta: [0.3, 0.1] });
 * [field.data.length, maps.data.length]; // [5, 2]
 */
export function curvaturePanels(spec: CurvatureFigureSpec): { field: Figure; maps: Figure } {
  return curvatureParts(spec, 'two');
}
