import type { Figure } from './figure';
import { ARROW_STYLE, DATA_COLOURS, HEIGHTS, LINEAR_TICKS, REFERENCE_STYLE, labelNumber } from './look';
import { finiteList, matrixShape, positive } from './validate';

/** A point or a vector in the plane, [x, y]: an array or a typed array of two numbers. */
export type Point = ArrayLike<number>;

/** A checked point: two finite numbers. */
type Pair = [number, number];

/**
 * What the arrows of a figure are: gradients as they are, or descent steps −α·gradient (where one step of
 * gradient descent moves θ). One kind per figure, named in its legend, so that a reader never has to
 * guess which way an arrow points.
 */
export type ArrowKind = { kind: 'gradient' } | { kind: 'descent step'; alpha: number };

/** Arrows of one kind and colour: one per tail, each drawn from its tail along its vector. */
export interface ArrowSet {
  name: string;
  tails: Point[];
  /** The gradients, whatever the figure's ArrowKind (a descent-step figure scales them by −α itself). */
  vectors: Point[];
  dash?: 'solid' | 'dash' | 'dot';
  /** Which data colour (an index into the shared palette), so that related sets and paths can share one; by default the next one. */
  colourIndex?: number;
}

/** A path of points (θ over meta-training), drawn as a line with arrowheads spread evenly along it. */
export interface PathSet {
  name: string;
  points: Point[];
  /**
   * How many arrowheads show the direction of travel (default 5), at equal distances along the path, so
   * that they do not pile up where the steps get short (near convergence).
   */
  heads?: number;
  dash?: 'solid' | 'dash' | 'dot';
  /** Which data colour (an index into the shared palette); by default the next one. */
  colourIndex?: number;
}

/** A function sampled on a grid for contour lines beneath the arrows: z[i][j] at (x[j], y[i]). */
export interface ContourSpec {
  name: string;
  x: number[];
  y: number[];
  z: number[][];
}

/** Breaks a Plotly line between arrows (and paths): a point with null coordinates. */
type Coordinate = number | null;

/** A number rounded to 4 significant digits: enough for a colour or a contour level, and a quarter of the JSON. */
export function short(x: number): number {
  return Number(x.toPrecision(4));
}

/**
 * Coordinates rounded to a hundred-thousandth of the span they cover (finer than a pixel of any figure),
 * whatever their size: 4 significant digits would blur a short arrow at θ ≈ 100.
 */
export function roundCoordinates(xs: Coordinate[], ys: Coordinate[]): { x: Coordinate[]; y: Coordinate[] } {
  const finite = [...xs, ...ys].filter((v): v is number => v !== null);
  if (finite.length === 0) return { x: xs, y: ys };
  const extent = (vs: Coordinate[]) => {
    const f = vs.filter((v): v is number => v !== null);
    return f.length ? Math.max(...f) - Math.min(...f) : 0;
  };
  const span = Math.max(extent(xs), extent(ys)) || Math.max(...finite.map(Math.abs)) || 1;
  const decimals = Math.min(15, Math.max(0, 5 - Math.floor(Math.log10(span))));
  const round = (v: Coordinate) => (v === null ? null : Number(v.toFixed(decimals)));
  return { x: xs.map(round), y: ys.map(round) };
}

/** Throws naming `name` unless points is a list of (at least `min`) finite [x, y] pairs; returns them as arrays. */
export function checkPoints(name: string, points: unknown, min = 0): Pair[] {
  if (!Array.isArray(points)) throw new RangeError(`${name} must be an array of [x, y] points, got ${typeof points}`);
  if (points.length < min) throw new RangeError(`${name} needs at least ${min} point${min === 1 ? '' : 's'}, got ${points.length}`);
  return points.map((p: unknown, i) => {
    const values = finiteList(`${name}[${i}]`, ArrayBuffer.isView(p) ? Array.from(p as Float64Array) : p);
    if (values.length !== 2) throw new RangeError(`${name}[${i}] must be an [x, y] pair, got ${values.length} numbers`);
    return [values[0], values[1]];
  });
}

/**
 * The two barbs of an arrowhead at (x, y) for an arrow travelling along (dx, dy), each `head` long, as
 * coordinates tip → barb, null, tip → barb (nothing for a zero direction).
 */
function barbs(x: number, y: number, dx: number, dy: number, head: number): { x: Coordinate[]; y: Coordinate[] } {
  const length = Math.hypot(dx, dy);
  if (length === 0) return { x: [], y: [] };
  const [ux, uy] = [-dx / length, -dy / length];
  const angle = (ARROW_STYLE.headAngleDegrees * Math.PI) / 180;
  const xs: Coordinate[] = [];
  const ys: Coordinate[] = [];
  for (const turn of [angle, -angle]) {
    xs.push(x, x + head * (ux * Math.cos(turn) - uy * Math.sin(turn)), null);
    ys.push(y, y + head * (ux * Math.sin(turn) + uy * Math.cos(turn)), null);
  }
  return { x: xs, y: ys };
}

/**
 * The coordinates that draw arrows as line segments: for each, tail → tip, then the two barbs of its head,
 * one arrow after another separated by nulls, so that one scatter trace draws them all. Each vector is
 * multiplied by `scale`; heads are `ARROW_STYLE.headShare` of an arrow's drawn length, at most
 * `headMax` long. A zero vector draws nothing. The heads look right on axes of equal scale.
 *
 * @example
 * import { arrowSegments } from 'maml-lab/plots';
 * const { x, y } = arrowSegments([[0, 0]], [[1, 0]], { scale: 2, headMax: 1 });
 * x.slice(0, 2); // [0, 2]
 * y.slice(0, 2); // [0, 0]
 * x.length; // 6
 */
export function arrowSegments(tails: readonly Point[], vectors: readonly Point[], options: { scale: number; headMax: number }): { x: Coordinate[]; y: Coordinate[] } {
  if (tails.length !== vectors.length) throw new RangeError(`arrows need one vector per tail, got ${tails.length} tails and ${vectors.length} vectors`);
  const x: Coordinate[] = [];
  const y: Coordinate[] = [];
  tails.forEach((tail, i) => {
    const [x0, y0] = [tail[0], tail[1]];
    const dx = vectors[i][0] * options.scale;
    const dy = vectors[i][1] * options.scale;
    const length = Math.hypot(dx, dy);
    if (length === 0) return;
    const head = barbs(x0 + dx, y0 + dy, dx, dy, Math.min(ARROW_STYLE.headShare * length, options.headMax));
    x.push(x0, ...head.x);
    y.push(y0, ...head.y);
  });
  // The trailing null of the last arrow is dropped: it separates nothing.
  x.pop();
  y.pop();
  return roundCoordinates(x, y);
}

/** The vectors as drawn: as given for gradients, −α·vector for descent steps. */
export function drawnVectors(kind: ArrowKind, vectors: readonly Point[]): Pair[] {
  const factor = kind.kind === 'gradient' ? 1 : -positive('alpha', kind.alpha);
  return vectors.map((v) => [factor * v[0], factor * v[1]]);
}

/** The legend's name for arrows of this kind. */
export function arrowLabel(name: string, kind: ArrowKind): string {
  return kind.kind === 'gradient' ? `${name} (gradient)` : `${name}: descent step −${labelNumber(kind.alpha)}·(gradient)`;
}

/** Throws unless `kind` is one of the two arrow kinds. */
export function checkArrowKind(kind: unknown): ArrowKind {
  const k = kind as ArrowKind | undefined;
  if (k?.kind === 'gradient') return k;
  if (k?.kind === 'descent step') return (positive('arrows.alpha', k.alpha), k);
  throw new RangeError(`arrows must be { kind: 'gradient' } or { kind: 'descent step', alpha }, got ${JSON.stringify(kind)}`);
}

/** A contour trace of a sampled function: thin grey lines labelled with their values, no fill. */
export function contourTrace(contour: ContourSpec, axes: { x?: string; y?: string } = {}): Record<string, unknown> {
  const [rows, columns] = matrixShape(`${contour.name} (contour z)`, contour.z);
  finiteList('contour x', contour.x, 2);
  finiteList('contour y', contour.y, 2);
  if (columns !== contour.x.length || rows !== contour.y.length) {
    throw new RangeError(`the contour grid is ${contour.x.length} x by ${contour.y.length} y values, but z is ${rows}×${columns}; z[i][j] belongs at (x[j], y[i])`);
  }
  return {
    type: 'contour',
    name: contour.name,
    x: contour.x,
    y: contour.y,
    z: contour.z.map((row) => row.map(short)),
    ...(axes.x ? { xaxis: axes.x, yaxis: axes.y } : {}),
    contours: { coloring: 'lines', showlabels: true, labelfont: { size: 9, color: REFERENCE_STYLE.colour } },
    line: { color: REFERENCE_STYLE.colour, width: REFERENCE_STYLE.width },
    colorscale: [[0, REFERENCE_STYLE.colour], [1, REFERENCE_STYLE.colour]],
    showscale: false,
    hovertemplate: `${contour.name} = %{z:.3g} at (%{x:.3g}, %{y:.3g})<extra></extra>`,
  };
}

/**
 * n points at equal distances along a polyline, at (j + ½)/n of its length, each with the direction of
 * the segment it lies on. A path that does not move has none.
 */
function headsAlong(points: readonly Pair[], n: number): [Pair, Pair][] {
  const lengths = points.slice(1).map((b, j) => Math.hypot(b[0] - points[j][0], b[1] - points[j][1]));
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const out: [Pair, Pair][] = [];
  let segment = 0;
  let before = 0; // length of the path before `segment`
  for (let j = 0; j < n; j++) {
    const target = ((j + 0.5) / n) * total;
    while (before + lengths[segment] < target) before += lengths[segment++];
    const [a, b] = [points[segment], points[segment + 1]];
    const t = (target - before) / lengths[segment];
    out.push([[a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])], [b[0] - a[0], b[1] - a[1]]]);
  }
  return out;
}

/** The n-th colour of the shared palette (cycling). */
function colourAt(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`colourIndex must be a whole number ≥ 0, got ${n}`);
  return DATA_COLOURS[n % DATA_COLOURS.length];
}

/** The largest length among the vectors, or 0. */
function longest(vectors: readonly Point[]): number {
  return vectors.reduce((m, v) => Math.max(m, Math.hypot(v[0], v[1])), 0);
}

/** The [min, max] of values, widened by a share of the span on each side (or by 1 when they are all equal). */
function paddedRange(values: number[], share = 0.08): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi > lo ? share * (hi - lo) : 1;
  return [lo - pad, hi + pad];
}

/** What `arrowFigure` draws. */
export interface ArrowFigureSpec {
  title: string;
  /** Whether the arrows are gradients or descent steps: one kind per figure. */
  arrows: ArrowKind;
  sets?: ArrowSet[];
  paths?: PathSet[];
  /** Contour lines of a function beneath everything (e.g. the meta-objective). */
  contour?: ContourSpec;
  /** Axis titles (default θ₁ and θ₂). */
  axes?: [string, string];
  /**
   * Drawn length per unit of vector. Default: the longest arrow is a quarter of the wider span of the
   * view. The legend title states it, since every arrow is scaled alike.
   */
  scale?: number;
}

/**
 * Arrows (vectors from points), paths of points with arrowheads and optional contour lines, on axes of
 * equal scale (so that angles and heads are true). Every arrow is a gradient or every arrow is a descent
 * step −α·gradient, as `arrows` says, and the legend names which; all share one scale, stated in the
 * legend's title. Colours follow DATA_COLOURS, paths first. Use it for meta-gradients from one θ, or for
 * θ over meta-training.
 *
 * @example
 * import { arrowFigure } from 'maml-lab/plots';
 * const figure = arrowFigure({
 *   title: 'Meta-gradients at θ',
 *   arrows: { kind: 'gradient' },
 *   sets: [{ name: 'MAML', tails: [[0, 0]], vectors: [[1, 0.5]] }, { name: 'FOMAML', tails: [[0, 0]], vectors: [[0.8, 0.7]] }],
 *   paths: [{ name: 'MAML training', points: [[0, 0], [-0.5, -0.2], [-0.8, -0.3]] }],
 *   scale: 1,
 * });
 * // a path is three traces (line, arrowheads, end marker) under one legend entry
 * figure.data.filter((trace) => trace.showlegend !== false).map((trace) => trace.name); // ["MAML training", "MAML (gradient)", "FOMAML (gradient)"]
 * (figure.layout.yaxis as { scaleanchor: string }).scaleanchor; // "x"
 */
export function arrowFigure(spec: ArrowFigureSpec): Figure {
  const kind = checkArrowKind(spec.arrows);
  if ((spec.sets ?? []).length + (spec.paths ?? []).length === 0) throw new RangeError('arrowFigure needs at least one arrow set or path');
  const sets = (spec.sets ?? []).map((s, i) => {
    const tails = checkPoints(`sets[${i}].tails`, s.tails, 1);
    const vectors = checkPoints(`sets[${i}].vectors`, s.vectors);
    if (vectors.length !== tails.length) throw new RangeError(`sets[${i}] ("${s.name}") has ${tails.length} tails but ${vectors.length} vectors`);
    return { ...s, tails, vectors };
  });
  const paths = (spec.paths ?? []).map((p, i) => {
    if (p.heads !== undefined && (!Number.isInteger(p.heads) || p.heads < 0)) throw new RangeError(`paths[${i}].heads must be a whole number ≥ 0, got ${p.heads}`);
    return { ...p, points: checkPoints(`paths[${i}].points`, p.points, 2) };
  });
  const contour = spec.contour ? contourTrace(spec.contour) : undefined;
  const drawn = sets.map((s) => drawnVectors(kind, s.vectors));
  // The view: the contour grid when there is one, else every point and unscaled tip.
  const xs = spec.contour ? spec.contour.x : [...sets.flatMap((s, i) => s.tails.flatMap(([x], j) => [x, x + drawn[i][j][0]])), ...paths.flatMap((p) => p.points.map(([x]) => x))];
  const ys = spec.contour ? spec.contour.y : [...sets.flatMap((s, i) => s.tails.flatMap(([, y], j) => [y, y + drawn[i][j][1]])), ...paths.flatMap((p) => p.points.map(([, y]) => y))];
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) || 1;
  const top = Math.max(0, ...drawn.map(longest));
  const scale = spec.scale === undefined ? (top > 0 ? (0.25 * span) / top : 1) : positive('scale', spec.scale);
  const headMax = ARROW_STYLE.headMaxShare * span * 2;
  const pathTraces = paths.map((p, i) => {
    const last = p.points.length - 1;
    // Smaller heads on paths than on arrows: a path's heads mark its direction, the line is the data.
    const drawnHeads = headsAlong(p.points, p.heads ?? 5).map(([at, direction]) => barbs(at[0], at[1], direction[0], direction[1], headMax / 2));
    const colour = colourAt(p.colourIndex ?? i);
    const end = p.points[last];
    return [
      { type: 'scatter', mode: 'lines', name: p.name, legendgroup: p.name, ...roundCoordinates(p.points.map(([x]) => x), p.points.map(([, y]) => y)), line: { color: colour, width: 2, dash: p.dash ?? 'solid' }, hovertemplate: `${p.name}: (%{x:.4g}, %{y:.4g})<extra></extra>` },
      { type: 'scatter', mode: 'lines', name: `${p.name}: direction`, legendgroup: p.name, showlegend: false, hoverinfo: 'skip', ...roundCoordinates(drawnHeads.flatMap((h) => h.x), drawnHeads.flatMap((h) => h.y)), line: { color: colour, width: 2 } },
      { type: 'scatter', mode: 'markers', name: `${p.name}: end`, legendgroup: p.name, showlegend: false, x: [end[0]], y: [end[1]], marker: { color: colour, size: 9, symbol: 'x' }, hovertemplate: `${p.name} ends at (%{x:.4g}, %{y:.4g})<extra></extra>` },
    ];
  });
  const arrowTraces = sets.map((s, i) => ({
    type: 'scatter',
    mode: 'lines',
    name: arrowLabel(s.name, kind),
    ...arrowSegments(s.tails, drawn[i], { scale, headMax }),
    line: { color: colourAt(s.colourIndex ?? paths.length + i), width: ARROW_STYLE.width, dash: s.dash ?? 'solid' },
    hoverinfo: 'skip',
  }));
  const [axisX, axisY] = spec.axes ?? ['θ₁', 'θ₂'];
  return {
    data: [...(contour ? [contour] : []), ...pathTraces.flat(), ...arrowTraces],
    layout: {
      title: { text: spec.title },
      // Equal scales; constrain: 'domain' keeps the ranges and shrinks the box instead of widening a range.
      xaxis: { title: { text: axisX }, ...LINEAR_TICKS, constrain: 'domain', range: spec.contour ? [Math.min(...xs), Math.max(...xs)] : paddedRange(xs) },
      yaxis: { title: { text: axisY }, ...LINEAR_TICKS, constrain: 'domain', scaleanchor: 'x', range: spec.contour ? [Math.min(...ys), Math.max(...ys)] : paddedRange(ys) },
      legend: { title: { text: sets.length ? `arrows drawn at ${labelNumber(scale)}× length` : '' } },
      height: HEIGHTS.arrows,
      margin: { t: 50 },
    },
  };
}
