/**
 * The Plotly specs of src/plots: tick formats of log and linear axes, reference series, and that the
 * figures existing notebooks draw keep their data order, names and dashes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heatmap, lineChart, type Series } from '../src/plots';
import { BLOCK_LINE, DATA_COLOURS, DIVERGING_COLOURS, DIVERGING_SCALE, REFERENCE_STYLE, logAxisTicks } from '../src/plots/look';

/** n points spread evenly in log space from lo to hi. */
function logSpace(lo: number, hi: number, n = 25): number[] {
  return Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
}

function chart(series: Series[], log = true) {
  return lineChart({ title: 't', x: { title: 'α', log }, y: { title: 'error', log }, series });
}

describe('log axes', () => {
  test('label decades as powers of ten (10⁻⁴, not 100µ), one per decade over several decades', () => {
    const alphas = logSpace(1e-4, 10 ** -0.5);
    const { layout } = chart([{ name: 'k = 1', x: alphas, y: alphas }]);
    for (const axis of [layout.xaxis, layout.yaxis]) {
      assert.deepEqual(axis, { title: { text: (axis as { title: { text: string } }).title.text }, type: 'log', exponentformat: 'power', showexponent: 'all', dtick: 1 });
    }
  });

  test('label every n-th decade once one per decade would give more than 8 labels', () => {
    assert.equal(logAxisTicks([1e-12, 1]).dtick, 2); // 12 decades
    assert.equal(logAxisTicks([1e-12, 1e4]).dtick, 2); // 16 decades: still 9 labels
    assert.equal(logAxisTicks([1e-20, 1e5]).dtick, 4); // 25 decades
    assert.equal(logAxisTicks([1e-8, 1]).dtick, 1); // 8 decades: 9 labels, one per decade
  });

  test('use 1-2-5 labels between one and two decades, and Plotly\'s plain numbers under one', () => {
    assert.equal(logAxisTicks([0.01, 0.5]).dtick, 'D2');
    assert.equal(logAxisTicks([60, 10_000]).dtick, 1); // 2.2 decades
    // Within a decade 'D1' would print bare digits 2…9 with no power of ten on the axis.
    assert.deepEqual(logAxisTicks([0.2, 0.9]), { exponentformat: 'power', showexponent: 'all' });
  });

  test('span only the values a log axis can show', () => {
    // Zeros, negatives and NaN are dropped by Plotly; counting them would invent decades.
    assert.equal(logAxisTicks([0, -5, Number.NaN, Infinity, 0.01, 0.5]).dtick, 'D2');
    assert.deepEqual(logAxisTicks([0, -1]), { exponentformat: 'power', showexponent: 'all' });
    assert.deepEqual(logAxisTicks([]), { exponentformat: 'power', showexponent: 'all' });
  });

  test('are spaced per axis, from every series on that axis, references included', () => {
    const x = [1, 2, 3];
    const { layout } = lineChart({
      title: 't',
      x: { title: 'steps' },
      y: { title: 'residual', log: true },
      series: [
        { name: 'residual', x, y: [1e-1, 1e-3, 1e-9] },
        { name: 'tolerance', x, y: [1e-12, 1e-12, 1e-12], reference: true },
      ],
    });
    assert.equal((layout.yaxis as { dtick: number }).dtick, 2); // 1e-12 … 1e-1: 11 decades
    assert.deepEqual(layout.xaxis, { title: { text: 'steps' }, type: 'linear', exponentformat: 'none', separatethousands: true });
  });
});

describe('reference series', () => {
  const x = [1e-3, 1e-2, 1e-1];
  const figure = chart([
    { name: 'MAML', x, y: [1e-6, 1e-4, 1e-2] },
    { name: 'slope 2', x, y: [2e-6, 2e-4, 2e-2], reference: true },
    { name: 'FOMAML', x, y: [1e-5, 1e-3, 1e-1], dash: 'dash' },
    { name: 'tolerance (reference)', x, y: [1e-3, 1e-3, 1e-3], reference: true, dash: 'dot' },
  ]);

  test('are drawn first, so they lie beneath the data, and listed after the data in the legend', () => {
    assert.deepEqual(
      figure.data.map((t) => t.name),
      ['slope 2 (reference)', 'tolerance (reference)', 'MAML', 'FOMAML'],
    );
    assert.deepEqual(figure.data.map((t) => t.legendrank), [2000, 2000, undefined, undefined]);
  });

  test('are thin, grey and dashed unless they choose a dash', () => {
    assert.deepEqual(figure.data[0].line, { dash: 'dash', color: REFERENCE_STYLE.colour, width: 1 });
    assert.deepEqual(figure.data[1].line, { dash: 'dot', color: REFERENCE_STYLE.colour, width: 1 });
  });

  test('leave the data series their colours, as if the references were not there', () => {
    assert.deepEqual(figure.data[2].line, { dash: 'solid', color: DATA_COLOURS[0] });
    assert.deepEqual(figure.data[3].line, { dash: 'dash', color: DATA_COLOURS[1] });
    assert.ok(!DATA_COLOURS.includes(REFERENCE_STYLE.colour), 'no data series is drawn in the reference grey');
  });
});

describe('backwards compatibility', () => {
  test('a chart without references keeps data[i] = series[i], with the same trace fields as before', () => {
    const series: Series[] = [
      { name: 'true curve', x: [0, 1], y: [0, 1], dash: 'dot' },
      { name: 'support points', x: [0.5], y: [0.4], markers: true },
      { name: 'after 1 step', x: [0, 1], y: [0.1, 0.9] },
    ];
    const { data, layout } = chart(series, false);
    assert.deepEqual(data, [
      { type: 'scatter', mode: 'lines', name: 'true curve', x: [0, 1], y: [0, 1], line: { dash: 'dot', color: DATA_COLOURS[0] } },
      { type: 'scatter', mode: 'markers', name: 'support points', x: [0.5], y: [0.4], marker: { size: 8, color: DATA_COLOURS[1] } },
      { type: 'scatter', mode: 'lines', name: 'after 1 step', x: [0, 1], y: [0.1, 0.9], line: { dash: 'solid', color: DATA_COLOURS[2] } },
    ]);
    assert.deepEqual(layout.title, { text: 't' });
    assert.equal(layout.height, 380);
  });

  test('series with mismatched lengths are still refused by name', () => {
    assert.throws(() => chart([{ name: 'bad', x: [1, 2], y: [1] }]), /series\[0\] \("bad"\) has 2 x values but 1 y values/);
  });

  test('heatmap: diverging scale centred on zero, plain colour-bar numbers', () => {
    const { data, layout } = heatmap({ title: 'H₀', z: [[2, -3], [-3, 2]], labels: ['a', 'b'] });
    assert.deepEqual(data, [
      {
        type: 'heatmap',
        z: [[2, -3], [-3, 2]],
        x: ['a', 'b'],
        y: ['a', 'b'],
        hovertemplate: 'row %{y}, column %{x}: %{z:.4g}<extra></extra>',
        ...DIVERGING_SCALE,
        zmin: -3,
        zmax: 3,
        colorbar: { exponentformat: 'none', separatethousands: true },
      },
    ]);
    assert.deepEqual(layout.yaxis, { autorange: 'reversed', scaleanchor: 'x', showgrid: false, tickmode: 'array', tickvals: ['a', 'b'], ticktext: ['a', 'b'] });
  });
});
