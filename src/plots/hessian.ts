import type { Figure } from './figure';
import { blockLines, displayMatrix, divergingRange, heatmap, largestMagnitude, matrixAxisTicks, matrixTitle, matrixTrace, type DisplayMatrix } from './heatmap';
import { HEIGHTS } from './look';
import { matrixShape, squareSize } from './validate';
import type { ParameterLayout } from './parameters';

/** What the Hessian figures take besides the matrices. */
export interface HessianFigureOptions {
  title?: string;
  /** Names and blocks of the parameters (`mlpParameterLayout(sizes)`): axis labels and block lines. */
  parameters?: ParameterLayout;
  /** Symmetric-log colour with this threshold c (see `symlog`), for entries that span decades. */
  symlog?: number;
  /** Most cells drawn per side (see HeatmapSpec.maxCells); larger matrices are pooled by magnitude. */
  maxCells?: number;
}

/** Throws unless the layout names exactly the n parameters of the matrix called `name`. */
function checkLayout(parameters: ParameterLayout | undefined, n: number, name: string): void {
  if (parameters !== undefined && parameters.names.length !== n) {
    throw new RangeError(`parameters name ${parameters.names.length} parameters but ${name} is ${n}×${n}; pass the layout of the model the Hessian belongs to`);
  }
}

/**
 * The Hessian of a loss over the parameters as a heatmap: zero white, negative red, positive blue, axes
 * labelled with the parameters' names and dashed lines between layer blocks (W₁ | b₁ | W₂ | b₂ …).
 *
 * @example
 * import { hessianHeatmap, mlpParameterLayout } from 'maml-lab/plots';
 * const parameters = mlpParameterLayout([1, 1]); // y = x·W1 + b1
 * const figure = hessianHeatmap({ hessian: [[2.5, 1], [1, 2]], parameters });
 * figure.data[0].x; // ["W1[0,0]", "b1[0]"]
 * (figure.layout.title as { text: string }).text; // "Hessian of the loss"
 */
export function hessianHeatmap(spec: { hessian: number[][] } & HessianFigureOptions): Figure {
  const n = squareSize('hessian', spec.hessian);
  checkLayout(spec.parameters, n, 'hessian');
  const figure = heatmap({ title: spec.title ?? 'Hessian of the loss', z: spec.hessian, labels: spec.parameters?.names, blocks: spec.parameters?.blocks, symlog: spec.symlog, maxCells: spec.maxCells });
  const layout = figure.layout as Record<string, Record<string, unknown> | unknown>;
  // A large matrix gets a taller square; and both axes shrink to the square (see SQUARE_AXES).
  const height = n > LARGE_MATRIX ? HEIGHTS.heatmap * 1.5 : HEIGHTS.heatmap;
  return { ...figure, layout: { ...layout, height, xaxis: { ...(layout.xaxis as object), ...SQUARE_AXES }, yaxis: { ...(layout.yaxis as object), ...SQUARE_AXES } } };
}

/** Beyond this many rows a Hessian heatmap is drawn taller: its square is otherwise a small patch of stripes. */
const LARGE_MATRIX = 100;

/*
 * A square heatmap (y scale-anchored to x) in a wide plot area: Plotly's default widens the x range, so the
 * square sits in the middle of the width while the y axis and its block names stay at the left edge, a few
 * hundred pixels away. Constraining the domain instead shrinks the axes to the square, names beside it.
 */
const SQUARE_AXES = { constrain: 'domain' } as const;

/** Ticks of a panel's axis closer than this share of the axis are named together ("W3 b3"). */
const PANEL_TICK_SPACING = 1 / 12;

/**
 * The ticks of one of the three panels (a third of the width each): `matrixAxisTicks`, then neighbouring
 * ticks that would stand closer than PANEL_TICK_SPACING of the axis merged into one tick at the middle of
 * their blocks, named by both ("W3 b3" of a 1-6-6-1 MLP: six and one rows, whose names overprinted).
 */
export function panelAxisTicks(shown: DisplayMatrix): Record<string, unknown> {
  const ticks = matrixAxisTicks(shown);
  const { labels, blocks } = shown;
  // Every row named (a small matrix), or no blocks to name: nothing to merge.
  if (labels === undefined || blocks === undefined || ticks.ticktext === labels) return ticks;
  const middle = (start: number, end: number) => start + Math.floor((end - start - 1) / 2);
  const runs: { start: number; end: number; names: string[] }[] = [];
  for (const b of blocks) {
    const last = runs[runs.length - 1];
    if (last !== undefined && middle(b.start, b.start + b.size) - middle(last.start, last.end) < PANEL_TICK_SPACING * labels.length) {
      last.end = b.start + b.size;
      last.names.push(b.name);
    } else runs.push({ start: b.start, end: b.start + b.size, names: [b.name] });
  }
  return { tickmode: 'array', tickvals: runs.map((r) => labels[middle(r.start, r.end)]), ticktext: runs.map((r) => r.names.join(' ')) };
}

/** The three parts side by side, in this order. */
const PARTS = [
  ['hessian', 'Hessian ∇²L'],
  ['gaussNewton', 'Gauss–Newton part'],
  ['residual', 'residual part'],
] as const;

/** Horizontal gap between panels, as a fraction of the figure's width. */
const PANEL_GAP = 0.04;

/**
 * The Hessian, its Gauss–Newton part and its residual part side by side on ONE colour scale (a shared
 * Plotly coloraxis over the largest entry of the three), so that equal colours are equal numbers across
 * the panels and a residual part that is small next to the Gauss–Newton part looks pale. Every panel has
 * the parameter names and block lines.
 *
 * @example
 * import { hessianSplitHeatmaps, mlpParameterLayout } from 'maml-lab/plots';
 * const figure = hessianSplitHeatmaps({
 *   hessian: [[3, 1], [1, 2]], gaussNewton: [[2, 1], [1, 2]], residual: [[1, 0], [0, 0]],
 *   parameters: mlpParameterLayout([1, 1]),
 * });
 * figure.data.map((trace) => trace.coloraxis); // ["coloraxis", "coloraxis", "coloraxis"]
 * const colours = figure.layout.coloraxis as { cmin: number; cmax: number };
 * [colours.cmin, colours.cmax]; // [-3, 3]
 */
export function hessianSplitHeatmaps(spec: { hessian: number[][]; gaussNewton: number[][]; residual: number[][] } & HessianFigureOptions): Figure {
  const n = squareSize('hessian', spec.hessian);
  // The Hessian itself was checked by squareSize: only the parts are left (a 1761² matrix takes tens of ms).
  PARTS.filter(([key]) => key !== 'hessian').forEach(([key]) => {
    const [rows, columns] = matrixShape(key, spec[key]);
    if (rows !== n || columns !== n) throw new RangeError(`${key} is ${rows}×${columns} but hessian is ${n}×${n}; the parts must have the Hessian's shape`);
  });
  checkLayout(spec.parameters, n, 'hessian');
  const shown = PARTS.map(([key]) => displayMatrix({ title: '', z: spec[key], labels: spec.parameters?.names, blocks: spec.parameters?.blocks, maxCells: spec.maxCells }, key));
  const width = (1 - 2 * PANEL_GAP) / 3;
  const layout: Record<string, unknown> = {
    title: matrixTitle(spec.title ?? 'The Hessian and its two parts, on one colour scale', shown[0]),
    coloraxis: divergingRange(largestMagnitude(shown.map((m) => m.z)), spec.symlog, 'coloraxis'),
    shapes: PARTS.flatMap((_, i) => blockLines(shown[i], axisName('x', i), axisName('y', i))),
    annotations: PARTS.map(([, title], i) => ({ text: title, showarrow: false, xref: 'paper', yref: 'paper', x: i * (width + PANEL_GAP) + width / 2, y: 1, xanchor: 'center', yanchor: 'bottom' })),
    height: HEIGHTS.panels,
    margin: { t: 80 },
  };
  PARTS.forEach((_, i) => {
    const ticks = panelAxisTicks(shown[i]);
    layout[axisKey('x', i)] = { domain: [i * (width + PANEL_GAP), i * (width + PANEL_GAP) + width], anchor: axisName('y', i), showgrid: false, ...SQUARE_AXES, ...ticks };
    // Only the first panel names its rows: the three share them.
    layout[axisKey('y', i)] = { anchor: axisName('x', i), autorange: 'reversed', scaleanchor: axisName('x', i), showgrid: false, ...SQUARE_AXES, ...ticks, showticklabels: i === 0, ticks: '' };
  });
  return {
    data: PARTS.map(([, title], i) => ({
      ...matrixTrace(shown[i], spec.symlog),
      name: title,
      xaxis: axisName('x', i),
      yaxis: axisName('y', i),
      coloraxis: 'coloraxis',
    })),
    layout,
  };
}

/** Plotly's name of the i-th axis in traces and shapes: 'x', 'x2', 'x3'. */
function axisName(letter: 'x' | 'y', i: number): string {
  return i === 0 ? letter : `${letter}${i + 1}`;
}

/** Plotly's layout key of the i-th axis: 'xaxis', 'xaxis2', 'xaxis3'. */
function axisKey(letter: 'x' | 'y', i: number): string {
  return i === 0 ? `${letter}axis` : `${letter}axis${i + 1}`;
}
