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
 * isFigure(lineChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [] })); // true
 */
export function isFigure(x: unknown): x is Figure {
  return typeof x === 'object' && x !== null && Array.isArray((x as Figure).data) && typeof (x as Figure).layout === 'object';
}

/**
 * A line chart; every series must have as many x as y values.
 *
 * @example
 * lineChart({ title: 'loss', x: { title: 'iteration' }, y: { title: 'MSE', log: true },
 *   series: [{ name: 'MAML', x: [0, 1, 2], y: [3, 2, 1.5] }] });
 */
export function lineChart(spec: { title: string; x: Axis; y: Axis; series: Series[] }): Figure {
  spec.series.forEach((s, i) => {
    if (s.x.length !== s.y.length) throw new RangeError(`series[${i}] ("${s.name}") has ${s.x.length} x values but ${s.y.length} y values`);
  });
  return {
    data: spec.series.map((s) => ({
      type: 'scatter',
      mode: s.markers ? 'markers' : 'lines',
      name: s.name,
      x: s.x,
      y: s.y,
      ...(s.markers ? { marker: { size: 8 } } : { line: { dash: s.dash ?? 'solid' } }),
    })),
    layout: {
      title: { text: spec.title },
      xaxis: { title: { text: spec.x.title }, type: spec.x.log ? 'log' : 'linear' },
      yaxis: { title: { text: spec.y.title }, type: spec.y.log ? 'log' : 'linear' },
      margin: { t: 50, r: 20 },
      height: 380,
    },
  };
}

/**
 * A matrix as a heatmap with a diverging colour scale centred on zero (a Hessian, a Jacobian).
 *
 * @example
 * heatmap({ title: 'H₀', z: [[2, -1], [-1, 2]] });
 */
export function heatmap(spec: { title: string; z: number[][]; labels?: string[] }): Figure {
  const extent = Math.max(1e-12, ...spec.z.flat().map(Math.abs));
  return {
    data: [{ type: 'heatmap', z: spec.z, x: spec.labels, y: spec.labels, colorscale: 'RdBu', reversescale: true, zmin: -extent, zmax: extent }],
    layout: { title: { text: spec.title }, yaxis: { autorange: 'reversed', scaleanchor: 'x' }, height: 420, margin: { t: 50 } },
  };
}
