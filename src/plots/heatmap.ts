import type { Figure } from './figure';
import { BLOCK_LINE, DIVERGING_SCALE, HEIGHTS, LINEAR_TICKS, labelNumber } from './look';
import type { ParameterBlock } from './parameters';
import { groupLabel, poolByMagnitude, poolGroups } from './pool';
import { symlog, symlogTicks } from './symlog';
import { matrixShape, positive } from './validate';

/** A signed matrix to draw, and how to label and colour it. */
export interface HeatmapSpec {
  title: string;
  /** The matrix, row by row; every entry finite. */
  z: number[][];
  /** Names of the rows and columns (a square matrix only), e.g. `mlpParameterLayout(sizes).names`. */
  labels?: string[];
  /**
   * Blocks of rows and columns (a square matrix only; they must tile it in order): dashed lines are drawn
   * where one block ends and the next begins, and when there are more labels than can be read the block
   * names label the axes instead.
   */
  blocks?: ParameterBlock[];
  /**
   * Colour by the symmetric log sign(x)·log₁₀(1 + |x|/c) with this threshold c, for entries that span
   * decades; the colour bar is labelled with the entries' own values, and so is the hover text.
   */
  symlog?: number;
  /**
   * Most cells drawn per side (400 unless set). A larger matrix is pooled: each cell shows the entry of
   * largest magnitude in its group of rows × columns (groups never straddle a block), values kept to 4
   * significant digits, and the title says so. A Hessian of the 1-40-40-1 MLP (1761²) would otherwise
   * be a 125 MB spec that no notebook or browser handles in under a second.
   */
  maxCells?: number;
}

/** Up to this many labels every row and column is named; beyond it the block names label the axes. */
const MAX_NAMED_TICKS = 24;

/** Cells per side drawn at most, unless a spec says otherwise (see HeatmapSpec.maxCells). */
const DEFAULT_MAX_CELLS = 400;

/** The matrix, its size and its labels and blocks, checked against each other. */
interface CheckedMatrix {
  rows: number;
  columns: number;
  labels?: string[];
  blocks?: ParameterBlock[];
}

/** A checked matrix as it is drawn: pooled (factor > 1) when larger than the cells allowed. */
export interface DisplayMatrix extends CheckedMatrix {
  z: number[][];
  /** Rows (and columns) per drawn cell: 1 when the matrix is drawn whole. */
  factor: number;
}

/** Checks a heatmap's matrix, labels, blocks and threshold; throws naming the argument at fault. */
export function checkHeatmap(spec: HeatmapSpec, name = 'z'): CheckedMatrix {
  const [rows, columns] = matrixShape(name, spec.z);
  if (spec.symlog !== undefined) positive('symlog', spec.symlog);
  if ((spec.labels !== undefined || spec.blocks !== undefined) && rows !== columns) {
    throw new RangeError(`labels and blocks name the rows and columns of a square matrix, but ${name} is ${rows}×${columns}`);
  }
  if (spec.labels !== undefined && (!Array.isArray(spec.labels) || spec.labels.length !== rows)) {
    throw new RangeError(`labels must name each of the ${rows} rows of ${name}, got ${Array.isArray(spec.labels) ? spec.labels.length : typeof spec.labels} labels`);
  }
  if (spec.labels !== undefined && new Set(spec.labels).size !== rows) {
    // Plotly merges equal category names into one row, which would shift the whole picture.
    throw new RangeError(`labels must be distinct; ${spec.labels.find((l, i) => spec.labels!.indexOf(l) !== i)} appears twice`);
  }
  if (spec.blocks !== undefined) {
    let next = 0;
    spec.blocks.forEach((b, i) => {
      if (b.start !== next || !Number.isInteger(b.size) || b.size < 1) {
        throw new RangeError(`blocks must tile the ${rows} rows in order: blocks[${i}] (${b.name}) starts at ${b.start} with size ${b.size}, expected start ${next} and size ≥ 1`);
      }
      next += b.size;
    });
    if (next !== rows) throw new RangeError(`blocks cover ${next} rows but ${name} has ${rows}`);
  }
  if (spec.maxCells !== undefined && (!Number.isInteger(spec.maxCells) || spec.maxCells < 1)) throw new RangeError(`maxCells must be a whole number ≥ 1, got ${spec.maxCells}`);
  return { rows, columns, labels: spec.labels, blocks: spec.blocks };
}

/**
 * Checks a heatmap's input (naming `name` in errors) and returns the matrix as it will be drawn: whole, or
 * pooled by magnitude when a side is longer than maxCells.
 */
export function displayMatrix(spec: HeatmapSpec, name = 'z'): DisplayMatrix {
  const checked = checkHeatmap(spec, name);
  const factor = Math.ceil(Math.max(checked.rows, checked.columns) / (spec.maxCells ?? DEFAULT_MAX_CELLS));
  if (factor <= 1) return { ...checked, z: spec.z, factor: 1 };
  const rows = poolGroups(checked.rows, checked.blocks, factor);
  const columns = checked.rows === checked.columns ? rows : poolGroups(checked.columns, undefined, factor);
  const labels = checked.labels ?? Array.from({ length: checked.rows }, (_, i) => String(i));
  return {
    z: poolByMagnitude(spec.z, rows.groups, columns.groups),
    rows: rows.groups.length,
    columns: columns.groups.length,
    // Rectangular matrices have no labels (checkHeatmap); index ranges name their pooled cells in the hover.
    ...(checked.rows === checked.columns ? { labels: rows.groups.map((g) => groupLabel(labels, g)) } : {}),
    ...(rows.blocks === undefined ? {} : { blocks: rows.blocks }),
    factor,
  };
}

/** The figure title, saying when cells are pooled and how. */
export function matrixTitle(title: string, display: DisplayMatrix): Record<string, unknown> {
  if (display.factor === 1) return { text: title };
  return { text: title, subtitle: { text: `each cell: the entry of largest magnitude in a block of up to ${display.factor}×${display.factor}` } };
}

/** The largest |entry| over matrices, never 0 (a zero matrix is drawn all white on [−1e-12, 1e-12]). */
export function largestMagnitude(matrices: readonly (readonly (readonly number[])[])[]): number {
  let extent = 1e-12;
  for (const z of matrices) for (const row of z) for (const v of row) extent = Math.max(extent, Math.abs(v));
  return extent;
}

/**
 * The colour range and bar of a diverging scale over [−extent, extent], linear or symmetric-log: as
 * trace fields (zmin, zmax) or as a shared `coloraxis` (cmin, cmax).
 */
export function divergingRange(extent: number, c: number | undefined, fields: 'trace' | 'coloraxis'): Record<string, unknown> {
  const top = c === undefined ? extent : symlog(extent, c);
  const colorbar = c === undefined ? { ...LINEAR_TICKS } : { tickmode: 'array', ...symlogTicks(extent, c), title: { text: `symmetric log, c = ${labelNumber(c)}`, side: 'right' } };
  return fields === 'trace' ? { ...DIVERGING_SCALE, zmin: -top, zmax: top, colorbar } : { ...DIVERGING_SCALE, cmin: -top, cmax: top, colorbar };
}

/**
 * The trace fields that draw one matrix: its values (symmetric-log ones with the entries kept for the
 * hover text) and its labels. The colour range is set by the caller (divergingRange), so panels can share it.
 */
export function matrixTrace(display: DisplayMatrix, c: number | undefined): Record<string, unknown> {
  const value = c === undefined ? '%{z:.4g}' : '%{customdata:.4g}';
  // Pooled colours need no more digits than the pooled entries have.
  const digits = (v: number): number => (display.factor === 1 ? v : Number(v.toPrecision(4)));
  return {
    type: 'heatmap',
    z: c === undefined ? display.z : display.z.map((row) => row.map((v) => digits(symlog(v, c)))),
    ...(c === undefined ? {} : { customdata: display.z }),
    ...(display.labels === undefined ? {} : { x: display.labels, y: display.labels }),
    hovertemplate: `row %{y}, column %{x}: ${value}<extra></extra>`,
  };
}

/** A block narrower than this share of the axis is named together with its narrow neighbours. */
const NARROW_BLOCK = 1 / 25;

/**
 * Tick settings of one axis of a labelled matrix: every name when they can be read, else the name of each
 * block at its middle, else Plotly's own thinning of the names. Consecutive narrow blocks (W₁ and b₁ of
 * a 1-40-40-1 MLP take 80 of 1761 rows) share one tick, "W1 b1", whose names would otherwise overprint.
 */
export function matrixAxisTicks(checked: CheckedMatrix): Record<string, unknown> {
  const { labels, blocks } = checked;
  if (labels === undefined) return {};
  if (labels.length <= MAX_NAMED_TICKS) return { tickmode: 'array', tickvals: labels, ticktext: labels };
  if (blocks === undefined) return {};
  const runs: ParameterBlock[][] = [];
  for (const b of blocks) {
    const last = runs[runs.length - 1];
    const narrow = (x: ParameterBlock): boolean => x.size < NARROW_BLOCK * labels.length;
    if (last !== undefined && narrow(b) && narrow(last[last.length - 1])) last.push(b);
    else runs.push([b]);
  }
  const middle = (run: ParameterBlock[]): string => {
    const start = run[0].start;
    const end = run[run.length - 1].start + run[run.length - 1].size;
    return labels[start + Math.floor((end - start - 1) / 2)];
  };
  return { tickmode: 'array', tickvals: runs.map(middle), ticktext: runs.map((run) => run.map((b) => b.name).join(' ')) };
}

/**
 * Dashed lines between blocks, on the axes `x` and `y` (e.g. 'x2', 'y2'). Cell i spans i − ½ … i + ½ on
 * either axis (category axes place names at 0, 1, 2, …), so a block starting at s is separated at s − ½.
 */
export function blockLines(checked: CheckedMatrix, x = 'x', y = 'y'): Record<string, unknown>[] {
  const end = checked.rows - 0.5;
  return (checked.blocks ?? []).slice(1).flatMap((b) => [
    { type: 'line', xref: x, yref: y, x0: b.start - 0.5, x1: b.start - 0.5, y0: -0.5, y1: end, line: { ...BLOCK_LINE }, layer: 'above' },
    { type: 'line', xref: x, yref: y, x0: -0.5, x1: end, y0: b.start - 0.5, y1: b.start - 0.5, line: { ...BLOCK_LINE }, layer: 'above' },
  ]);
}

/**
 * A matrix (a Hessian, a Jacobian) as a heatmap on the diverging scale, centred on zero: zero is white,
 * negative red, positive blue, and zmin = −zmax. Optionally labelled (parameter names), split into blocks
 * by dashed lines, and coloured on a symmetric log scale. Row 0 is at the top, as a matrix is written.
 *
 * @example
 * import { heatmap, mlpParameterLayout } from 'maml-lab/plots';
 * const figure = heatmap({ title: 'H₀', z: [[2, -1], [-1, 2]] });
 * [figure.data[0].zmin, figure.data[0].zmax]; // [-2, 2]
 * const { names, blocks } = mlpParameterLayout([1, 1]); // W1[0,0], b1[0]
 * const labelled = heatmap({ title: 'H', z: [[4, 1], [1, 1]], labels: names, blocks });
 * (labelled.layout.shapes as { x0: number }[]).map((s) => s.x0); // [0.5, -0.5]
 */
export function heatmap(spec: HeatmapSpec): Figure {
  const display = displayMatrix(spec);
  const ticks = matrixAxisTicks(display);
  return {
    data: [{ ...matrixTrace(display, spec.symlog), ...divergingRange(largestMagnitude([display.z]), spec.symlog, 'trace') }],
    layout: {
      title: matrixTitle(spec.title, display),
      // A heatmap's cells are its grid: grid lines would only run past the square into the margins.
      xaxis: { showgrid: false, ...ticks },
      yaxis: { autorange: 'reversed', scaleanchor: 'x', showgrid: false, ...ticks },
      ...(display.blocks && display.blocks.length > 1 ? { shapes: blockLines(display) } : {}),
      height: HEIGHTS.heatmap,
      margin: { t: 50 },
    },
  };
}
