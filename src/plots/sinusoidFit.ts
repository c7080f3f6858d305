import type { Figure } from './figure';
import { DATA_COLOURS, DATA_STYLE, LINEAR_TICKS, REFERENCE_STYLE, labelNumber } from './look';
import { finiteList } from './validate';

/** One model's curves for the sinusoid fit figure. */
export interface SinusoidFitModel {
  name: string;
  /** Its curve before adapting (step 0), on the grid. */
  before: readonly number[];
  /** Its curve after `step` steps, on the grid. */
  after: readonly number[];
  /** Its query MSE after 0, 1, …, steps steps (from the true sine on the grid). */
  queryMse: readonly number[];
}

/** What the sinusoid fit figure shows: a task, its support points, and each model before and after `step` steps. */
export interface SinusoidFitSpec {
  grid: readonly number[];
  truth: readonly number[];
  support: { x: readonly number[]; y: readonly number[] };
  models: readonly SinusoidFitModel[];
  step: number;
  /** The fit panel's y range, fixed so that clicks and curves keep their place as the task changes. */
  yRange: [number, number];
}

/**
 * Two panels: left, the true sine (dotted), the support points, and each model's curve before adapting
 * (thin, dashed) and after `step` SGD steps on the support points (solid); right, each model's query MSE
 * after 0, 1, … steps, the current step marked. A pure function of numbers: the sinusoid explorer of
 * notebook 08 draws it in the page.
 *
 * @example
 * import { sinusoidFitFigure } from 'maml-lab/plots';
 * const grid = [-5, 0, 5];
 * const fig = sinusoidFitFigure({ grid, truth: [0, 0, 0], support: { x: [1], y: [0.8] }, step: 1, yRange: [-6, 6],
 *   models: [{ name: 'MAML', before: [1, 1, 1], after: [0.5, 0.5, 0.5], queryMse: [1, 0.25] }] });
 * fig.data.length; // 5
 * fig.layout.xaxis2.title.text; // "SGD steps on the support points"
 */
export function sinusoidFitFigure(spec: SinusoidFitSpec): Figure {
  const n = spec.grid.length;
  const grid = finiteList('grid', spec.grid, 2);
  const truth = finiteList('truth', spec.truth, n);
  if (truth.length !== n) throw new RangeError(`truth must have one value per grid point (${n}), got ${truth.length}`);
  const sx = finiteList('support.x', spec.support.x);
  const sy = finiteList('support.y', spec.support.y);
  if (sx.length !== sy.length) throw new RangeError(`support.x and support.y differ in length (${sx.length} and ${sy.length})`);
  const steps = spec.models[0]?.queryMse.length ?? 1;
  if (!Number.isInteger(spec.step) || spec.step < 0 || spec.step >= steps) throw new RangeError(`step must be a whole number from 0 to ${steps - 1}, got ${spec.step}`);
  const data: Record<string, unknown>[] = [
    { type: 'scatter', mode: 'lines', name: 'true sine', x: grid, y: truth, line: { color: REFERENCE_STYLE.colour, width: 2, dash: 'dot' }, xaxis: 'x', yaxis: 'y', hoverinfo: 'skip' },
    { type: 'scatter', mode: 'markers', name: `support points (${sx.length})`, x: sx, y: sy, marker: { color: '#000000', size: DATA_STYLE.markerSize + 2, symbol: 'circle-open', line: { width: 2 } }, xaxis: 'x', yaxis: 'y' },
  ];
  const stepText = (s: number) => `${s} step${s === 1 ? '' : 's'}`;
  spec.models.forEach((m, i) => {
    const colour = DATA_COLOURS[i % DATA_COLOURS.length];
    const before = finiteList(`models[${i}].before`, m.before, n);
    const after = finiteList(`models[${i}].after`, m.after, n);
    const mse = finiteList(`models[${i}].queryMse`, m.queryMse, steps);
    data.push(
      { type: 'scatter', mode: 'lines', name: `${m.name} before adapting`, x: grid, y: before, line: { color: colour, width: 1, dash: 'dash' }, opacity: 0.6, xaxis: 'x', yaxis: 'y', legendgroup: m.name },
      { type: 'scatter', mode: 'lines', name: `${m.name} after ${stepText(spec.step)} (query MSE ${labelNumber(mse[spec.step])})`, x: grid, y: after, line: { color: colour, width: 3 }, xaxis: 'x', yaxis: 'y', legendgroup: m.name },
      { type: 'scatter', mode: 'lines+markers', name: `${m.name}: query MSE`, x: mse.map((_, s) => s), y: mse, line: { color: colour, width: 2 }, marker: { size: mse.map((_, s) => (s === spec.step ? 12 : 5)), color: colour }, xaxis: 'x2', yaxis: 'y2', showlegend: false, legendgroup: m.name },
    );
  });
  const positive = spec.models.flatMap((m) => m.queryMse).filter((v) => v > 0);
  return {
    data,
    layout: {
      title: { text: `Adapting on ${sx.length} support point${sx.length === 1 ? '' : 's'}: curves after ${stepText(spec.step)} (step 0 dashed)` },
      grid: { rows: 1, columns: 2 },
      xaxis: { domain: [0, 0.62], title: { text: 'x (click to add a support point)' }, range: [grid[0], grid[n - 1]], ...LINEAR_TICKS },
      yaxis: { title: { text: 'y' }, range: spec.yRange, zeroline: true, ...LINEAR_TICKS },
      xaxis2: { domain: [0.72, 1], title: { text: 'SGD steps on the support points' }, range: [-0.5, steps - 0.5], dtick: steps > 12 ? undefined : 1, ...LINEAR_TICKS },
      yaxis2: { anchor: 'x2', title: { text: 'query MSE on the true sine (log)' }, type: positive.length > 0 ? 'log' : 'linear' },
      legend: { orientation: 'h', x: 0, y: -0.22, yanchor: 'top' },
      margin: { l: 60, r: 20, t: 50, b: 150 },
      showlegend: true,
    },
  };
}
