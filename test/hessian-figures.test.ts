/**
 * The Hessian figures of src/plots as specs: the diverging scale is symmetric about zero with white at
 * zero, the symmetric log keeps sign and labels its ticks with real values, block lines sit between
 * layer blocks, parameter names label the axes, the three panels share one colour range, the spectrum's
 * density integrates to one and its outliers are the far-out values, and bad input is refused by name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heatmap, hessianHeatmap, hessianSplitHeatmaps, mlpParameterLayout, spectrumFigure, spectrumHistogram, symlog, symlogTicks, topEigenvalueChart } from '../src/plots';
import { BLOCK_LINE, DIVERGING_COLOURS } from '../src/plots/look';

type Shape = { xref: string; yref: string; x0: number; x1: number; y0: number; y1: number; line: unknown };

/** A symmetric n×n matrix with entries spanning decades and both signs. */
function signedMatrix(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 10 ** (i % 5) : ((i + j) % 3) - 1) * 10 ** -((i * j) % 4)));
}

/** The colour of the scale at position t ∈ [0, 1]: the stop there, which must exist. */
function stopAt(t: number): string {
  const stop = DIVERGING_COLOURS.find(([at]) => Math.abs(at - t) < 1e-12);
  assert.ok(stop, `no colour stop at ${t}`);
  return stop[1];
}

function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

describe('the diverging scale', () => {
  test('is symmetric about its middle: a stop at t has a partner at 1 − t, and the middle is white', () => {
    for (const [at] of DIVERGING_COLOURS) stopAt(1 - at);
    assert.equal(stopAt(0.5), '#ffffff');
    // Equal distance from zero, equal lightness on either side (ColorBrewer's RdBu is balanced to ±12 levels).
    for (const [at, colour] of DIVERGING_COLOURS) {
      const lightness = (hex: string) => rgb(hex).reduce((a, b) => a + b, 0) / 3;
      assert.ok(Math.abs(lightness(colour) - lightness(stopAt(1 - at))) < 30, `stops ${at} and ${1 - at} differ in lightness`);
    }
  });

  test('is red below zero and blue above', () => {
    const [r0, , b0] = rgb(stopAt(0.2));
    const [r1, , b1] = rgb(stopAt(0.8));
    assert.ok(r0 > b0 && b1 > r1);
  });

  test('puts zero, and only zero, on white: zmin = −zmax = −max|entry|', () => {
    const figure = heatmap({ title: 'H', z: [[0.5, -7], [-7, 3]] });
    assert.deepEqual([figure.data[0].zmin, figure.data[0].zmax], [-7, 7]);
    assert.deepEqual(figure.data[0].colorscale, DIVERGING_COLOURS.map(([at, c]) => [at, c]));
    // (0 − zmin) / (zmax − zmin) = 0.5: zero maps to the white stop.
    assert.equal((0 - (figure.data[0].zmin as number)) / ((figure.data[0].zmax as number) - (figure.data[0].zmin as number)), 0.5);
  });

  test('an all-zero matrix is all white, not a NaN range', () => {
    const figure = heatmap({ title: 'zero', z: [[0, 0], [0, 0]] });
    assert.deepEqual([figure.data[0].zmin, figure.data[0].zmax], [-1e-12, 1e-12]);
  });
});

describe('symmetric log', () => {
  test('is sign(x)·log10(1 + |x|/c): odd, zero at zero, one decade per decade far above c', () => {
    assert.equal(symlog(0, 0.01), 0);
    assert.equal(symlog(-99, 1), -2);
    assert.ok(Math.abs(symlog(1e4, 1e-2) - symlog(1e3, 1e-2) - 1) < 1e-5);
    assert.ok(Math.abs(symlog(1e-5, 1) - 1e-5 / Math.LN10) < 1e-9, 'near linear below c');
  });

  test('colours the transformed values, keeps the entries for the hover, and labels the bar in real values', () => {
    const z = [[1000, -0.5], [-0.5, 0.002]];
    const { data } = heatmap({ title: 'H', z, symlog: 0.01 });
    const trace = data[0];
    assert.deepEqual(trace.customdata, z);
    assert.equal((trace.z as number[][])[0][1], -Math.log10(51));
    assert.equal(trace.zmax, Math.log10(1 + 1000 / 0.01));
    assert.equal(trace.zmin, -(trace.zmax as number));
    const bar = trace.colorbar as { tickvals: number[]; ticktext: string[]; tickmode: string };
    assert.equal(bar.tickmode, 'array');
    // Decades from 10c = 0.1 to 1000: 5 a side, so every 2nd, counted down from the largest.
    assert.deepEqual(bar.ticktext, ['−1000', '−10', '−0.1', '0', '0.1', '10', '1000'].map((t) => t.replace('−1000', '−10³').replace(/^1000$/, '10³')));
    assert.deepEqual(bar.tickvals.slice(3), [0, symlog(0.1, 0.01), symlog(10, 0.01), symlog(1000, 0.01)]);
    assert.deepEqual(bar.tickvals.slice(0, 3), bar.tickvals.slice(4).map((v) => -v).reverse());
    assert.match(trace.hovertemplate as string, /%\{customdata/);
  });

  test('labels ±max|entry| when no whole decade lies between c and it', () => {
    assert.deepEqual(symlogTicks(0.5, 0.2), { tickvals: [-symlog(0.5, 0.2), 0, symlog(0.5, 0.2)], ticktext: ['−0.5', '0', '0.5'] });
  });
});

describe('parameter names and block lines', () => {
  test('name an MLP\'s flat parameters W1, b1, W2, b2 with rows and columns of [in, out] weights', () => {
    const { names, blocks } = mlpParameterLayout([2, 3, 1]);
    assert.equal(names.length, 2 * 3 + 3 + 3 * 1 + 1);
    assert.deepEqual(names.slice(0, 4), ['W1[0,0]', 'W1[0,1]', 'W1[0,2]', 'W1[1,0]']);
    assert.equal(names[5], 'W1[1,2]');
    assert.deepEqual(names.slice(6, 9), ['b1[0]', 'b1[1]', 'b1[2]']);
    assert.deepEqual(names.slice(9), ['W2[0,0]', 'W2[1,0]', 'W2[2,0]', 'b2[0]']);
    assert.deepEqual(blocks, [
      { name: 'W1', start: 0, size: 6 },
      { name: 'b1', start: 6, size: 3 },
      { name: 'W2', start: 9, size: 3 },
      { name: 'b2', start: 12, size: 1 },
    ]);
    assert.equal(mlpParameterLayout([1, 40, 40, 1]).names.length, 1761);
    assert.throws(() => mlpParameterLayout([3]), /sizes must list at least an input and an output size/);
    assert.throws(() => mlpParameterLayout([1, 0.5, 1]), /sizes\[1\] must be a whole number/);
  });

  test('dashed lines sit half a cell before each block after the first, across the whole matrix, both ways', () => {
    const parameters = mlpParameterLayout([2, 3, 1]);
    const figure = hessianHeatmap({ hessian: signedMatrix(13), parameters });
    const shapes = figure.layout.shapes as Shape[];
    assert.equal(shapes.length, 6);
    const vertical = shapes.filter((s) => s.x0 === s.x1);
    const horizontal = shapes.filter((s) => s.y0 === s.y1);
    assert.deepEqual(vertical.map((s) => s.x0), [5.5, 8.5, 11.5]);
    assert.deepEqual(horizontal.map((s) => s.y0), [5.5, 8.5, 11.5]);
    for (const s of vertical) assert.deepEqual([s.y0, s.y1], [-0.5, 12.5]);
    for (const s of horizontal) assert.deepEqual([s.x0, s.x1], [-0.5, 12.5]);
    for (const s of shapes) assert.deepEqual(s.line, BLOCK_LINE);
    assert.equal(BLOCK_LINE.dash, 'dash');
  });

  test('a small matrix names every row and column; a large one names its blocks at their middles', () => {
    const small = hessianHeatmap({ hessian: signedMatrix(13), parameters: mlpParameterLayout([2, 3, 1]) });
    assert.deepEqual((small.layout.xaxis as { ticktext: string[] }).ticktext, mlpParameterLayout([2, 3, 1]).names);
    assert.deepEqual(small.data[0].x, mlpParameterLayout([2, 3, 1]).names);

    const parameters = mlpParameterLayout([1, 10, 1]); // 31 parameters: W1 10, b1 10, W2 10, b2 1
    const large = hessianHeatmap({ hessian: signedMatrix(31), parameters });
    for (const axis of [large.layout.xaxis, large.layout.yaxis] as { tickvals: string[]; ticktext: string[] }[]) {
      assert.deepEqual(axis.ticktext, ['W1', 'b1', 'W2', 'b2']);
      assert.deepEqual(axis.tickvals, ['W1[0,4]', 'b1[4]', 'W2[4,0]', 'b2[0]']);
    }
    assert.equal((large.data[0].x as string[])[17], 'b1[7]', 'hover still names every parameter');
  });
});

describe('a matrix larger than the screen', () => {
  // The 1-40-40-1 MLP of the sinusoid benchmark: 1761 parameters.
  const parameters = mlpParameterLayout([1, 40, 40, 1]);
  const n = parameters.names.length;
  const hessian = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === 1000 && j === 1000 ? -250 : Math.cos(i + 2 * j) * 1e-3)));
  const figure = hessianHeatmap({ hessian, parameters, symlog: 1e-4 });
  const trace = figure.data[0];

  test('is pooled by magnitude within blocks to at most 400 cells a side, and says so', () => {
    const z = trace.customdata as number[][];
    // ceil(1761 / 400) = 5 per cell; W1, b1, b2, W3 (40 each) → 8 cells, W2 (1600) → 320, b3 → 1.
    assert.equal(z.length, 8 + 8 + 320 + 8 + 8 + 1);
    assert.ok(z.every((row) => row.length === 353));
    // Parameter 1000 is W2's 920th (W2 starts at 80): pooled cell 16 + 920 / 5 = 200.
    assert.equal(z[200][200], -250, 'the extreme entry survives, in the cell of its block');
    assert.equal(trace.zmin, -symlog(250, 1e-4));
    assert.match((figure.layout.title as { subtitle: { text: string } }).subtitle.text, /largest magnitude in a block of up to 5×5/);
    assert.equal((trace.x as string[])[0], 'W1[0,0]…W1[0,4]');
    assert.equal((trace.x as string[])[352], 'b3[0]');
    assert.ok(JSON.stringify(figure).length < 3e6, `spec of ${JSON.stringify(figure).length} characters`);
  });

  test('keeps the block lines exact and names narrow neighbouring blocks together', () => {
    const shapes = figure.layout.shapes as Shape[];
    assert.deepEqual(shapes.filter((s) => s.x0 === s.x1).map((s) => s.x0), [7.5, 15.5, 335.5, 343.5, 351.5]);
    assert.deepEqual((figure.layout.xaxis as { ticktext: string[] }).ticktext, ['W1 b1', 'W2', 'b2 W3 b3']);
  });

  test('draws its square taller, with both axes shrunk to it: the block names sit beside the square, not at the plot area\'s edge', () => {
    // Plotly's default constrain ('range') widens the x range of a scale-anchored square, leaving the y axis
    // and its block names at the left edge of the wide plot area, hundreds of pixels from the square.
    for (const axis of [figure.layout.xaxis, figure.layout.yaxis] as { constrain?: string }[]) assert.equal(axis.constrain, 'domain');
    assert.ok((figure.layout.height as number) >= 600, `height ${figure.layout.height}`);
  });

  test('is drawn whole when maxCells allows it', () => {
    const whole = hessianHeatmap({ hessian: signedMatrix(30), maxCells: 30 });
    assert.deepEqual(whole.data[0].z, signedMatrix(30));
    assert.throws(() => heatmap({ title: 'H', z: [[1]], maxCells: 0 }), /maxCells must be a whole number ≥ 1, got 0/);
  });
});

describe('the three panels of a 1-6-6-1 MLP (61 parameters, block names on the axes)', () => {
  const parameters = mlpParameterLayout([1, 6, 6, 1]);
  const n = parameters.names.length;
  const m = signedMatrix(n);
  const figure = hessianSplitHeatmaps({ hessian: m, gaussNewton: m, residual: m, parameters });

  test('no two block names of a panel stand closer than a twelfth of its axis: W3 (6 rows) and b3 (1) share one tick', () => {
    for (const key of ['xaxis', 'xaxis2', 'xaxis3', 'yaxis']) {
      const axis = figure.layout[key] as { tickvals: string[]; ticktext: string[]; constrain?: string };
      const at = axis.tickvals.map((v) => parameters.names.indexOf(v));
      assert.ok(at.every((i) => i >= 0), `${key}: ticks name parameters`);
      for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= n / 12, `${key}: ${axis.ticktext[i - 1]} at ${at[i - 1]} and ${axis.ticktext[i]} at ${at[i]} overprint`);
      assert.deepEqual(axis.ticktext, ['W1', 'b1', 'W2', 'b2', 'W3 b3']);
      assert.equal(axis.constrain, 'domain');
    }
  });
});

describe('Hessian, Gauss–Newton and residual side by side', () => {
  const parameters = mlpParameterLayout([1, 2, 1]); // 7 parameters
  const gaussNewton = signedMatrix(7);
  const residual = gaussNewton.map((row, i) => row.map((_, j) => (i === j ? -20 : 0.1 * (i - j))));
  const hessian = gaussNewton.map((row, i) => row.map((v, j) => v + residual[i][j]));
  const figure = hessianSplitHeatmaps({ hessian, gaussNewton, residual, parameters });

  test('share one colour axis over the largest entry of the three, symmetric about zero', () => {
    assert.deepEqual(figure.data.map((t) => t.coloraxis), ['coloraxis', 'coloraxis', 'coloraxis']);
    const largest = Math.max(...[hessian, gaussNewton, residual].flat(2).map(Math.abs));
    const axis = figure.layout.coloraxis as { cmin: number; cmax: number; colorscale: unknown };
    assert.deepEqual([axis.cmin, axis.cmax], [-largest, largest]);
    assert.deepEqual(axis.colorscale, DIVERGING_COLOURS.map(([at, c]) => [at, c]));
    for (const t of figure.data) assert.equal(t.zmin, undefined, 'no panel has a range of its own');
  });

  test('put the three matrices in three side-by-side panels, titled, each with its block lines', () => {
    assert.deepEqual(figure.data.map((t) => t.z), [hessian, gaussNewton, residual]);
    assert.deepEqual(figure.data.map((t) => [t.xaxis, t.yaxis]), [['x', 'y'], ['x2', 'y2'], ['x3', 'y3']]);
    const domains = ['xaxis', 'xaxis2', 'xaxis3'].map((k) => (figure.layout[k] as { domain: [number, number] }).domain);
    for (let i = 1; i < 3; i++) assert.ok(domains[i][0] > domains[i - 1][1], 'panels do not overlap');
    assert.deepEqual((figure.layout.annotations as { text: string }[]).map((a) => a.text), ['Hessian ∇²L', 'Gauss–Newton part', 'residual part']);
    const shapes = figure.layout.shapes as Shape[];
    for (const [x, y] of [['x', 'y'], ['x2', 'y2'], ['x3', 'y3']]) {
      const mine = shapes.filter((s) => s.xref === x && s.yref === y);
      assert.deepEqual(mine.filter((s) => s.x0 === s.x1).map((s) => s.x0), [1.5, 3.5, 5.5]);
    }
    assert.equal((figure.layout.yaxis2 as { showticklabels: boolean }).showticklabels, false);
  });

  test('refuse parts of another shape, or a layout of another model, by name', () => {
    assert.throws(() => hessianSplitHeatmaps({ hessian, gaussNewton, residual: [[1]] }), /residual is 1×1 but hessian is 7×7/);
    assert.throws(() => hessianSplitHeatmaps({ hessian, gaussNewton, residual, parameters: mlpParameterLayout([1, 1]) }), /parameters name 2 parameters but hessian is 7×7/);
  });
});

describe('bad matrices are refused by name, never drawn as NaN', () => {
  test('non-finite, ragged, empty, non-square with labels, wrong labels, blocks that do not tile, bad threshold', () => {
    assert.throws(() => heatmap({ title: 'H', z: [[1, Number.NaN], [0, 1]] }), /z\[0\]\[1\] is NaN; a 2×2 matrix of finite numbers is needed/);
    assert.throws(() => hessianHeatmap({ hessian: [[1, 2], [Infinity, 1]] }), /hessian\[1\]\[0\] is Infinity/);
    assert.throws(() => heatmap({ title: 'H', z: [[1, 2], [3]] }), /z must be rectangular: row 0 has 2 entries but row 1 has 1/);
    assert.throws(() => heatmap({ title: 'H', z: [] }), /z must be a non-empty matrix/);
    assert.throws(() => hessianHeatmap({ hessian: [[1, 2, 3], [4, 5, 6]] }), /hessian must be square, got 2×3/);
    assert.throws(() => heatmap({ title: 'J', z: [[1, 2, 3], [4, 5, 6]], labels: ['a', 'b'] }), /square matrix, but z is 2×3/);
    assert.throws(() => heatmap({ title: 'H', z: [[1, 0], [0, 1]], labels: ['a'] }), /labels must name each of the 2 rows/);
    assert.throws(() => heatmap({ title: 'H', z: [[1, 0], [0, 1]], labels: ['a', 'a'] }), /labels must be distinct; a appears twice/);
    assert.throws(
      () => heatmap({ title: 'H', z: [[1, 0], [0, 1]], blocks: [{ name: 'W1', start: 0, size: 1 }, { name: 'b1', start: 2, size: 1 }] }),
      /blocks\[1\] \(b1\) starts at 2 with size 1, expected start 1/,
    );
    assert.throws(() => heatmap({ title: 'H', z: [[1, 0], [0, 1]], blocks: [{ name: 'W1', start: 0, size: 1 }] }), /blocks cover 1 rows but z has 2/);
    assert.throws(() => heatmap({ title: 'H', z: [[1]], symlog: 0 }), /symlog must be a finite number above 0, got 0/);
    assert.throws(() => hessianHeatmap({ hessian: [[1]], parameters: mlpParameterLayout([1, 1]) }), /parameters name 2 parameters but hessian is 1×1/);
  });
});

describe('the spectrum', () => {
  // A bulk around zero and two outliers, as a Hessian's spectrum looks (Sagun et al. 2017).
  const bulk = Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898) * 0.05);
  const eigenvalues = [...bulk, 3.5, 7.25];

  test('bins into densities that integrate to one, and marks exactly the far-out values', () => {
    const h = spectrumHistogram(eigenvalues, { bins: 40 });
    assert.equal(h.edges.length, 41);
    assert.equal(h.edges[0], Math.min(...eigenvalues));
    assert.equal(h.edges[40], 7.25);
    const area = h.density.reduce((sum, d, i) => sum + d * (h.edges[i + 1] - h.edges[i]), 0);
    assert.ok(Math.abs(area - 1) < 1e-12, `area ${area}`);
    assert.deepEqual(h.outliers, [3.5, 7.25]);
  });

  test('draws bars on a log density axis without the empty bins, and the outliers as labelled markers', () => {
    const figure = spectrumFigure({ eigenvalues, bins: 40 });
    const [bars, outliers] = figure.data;
    assert.equal(bars.type, 'bar');
    assert.ok((bars.y as number[]).every((d) => d > 0));
    assert.ok((bars.y as number[]).length < 40);
    assert.deepEqual(outliers.x, [3.5, 7.25]);
    assert.deepEqual(outliers.text, ['3.5', '7.25']);
    assert.equal((outliers.marker as { symbol: string }).symbol, 'diamond');
    assert.equal((figure.layout.yaxis as { type: string }).type, 'log');
    assert.match((figure.layout.title as { text: string }).text, /202 eigenvalues, 2 outliers/);
  });

  test('a low-rank spectrum: round-off around the zero bulk is not an outlier, the non-zero eigenvalues are', () => {
    // A rank-2 Hessian in 24 dimensions, eigenvalues as float32 leaves them: most exactly 0 (IQR = 0).
    const eigenvalues = [-3e-7, ...new Array<number>(20).fill(0), 2e-7, 0.8, 2.5];
    assert.deepEqual(spectrumHistogram(eigenvalues).outliers, [0.8, 2.5]);
  });

  test('a spectrum of equal eigenvalues is one bar of density one; bad eigenvalues are refused', () => {
    assert.deepEqual(spectrumHistogram([2, 2, 2], { bins: 1 }), { edges: [1.5, 2.5], density: [1], outliers: [] });
    assert.throws(() => spectrumFigure({ eigenvalues: [] }), /eigenvalues needs at least 1 value, got 0/);
    assert.throws(() => spectrumFigure({ eigenvalues: [1, Number.NaN] }), /eigenvalues\[1\] is NaN/);
    assert.throws(() => spectrumHistogram([1, 2], { bins: 0 }), /bins must be a whole number ≥ 1, got 0/);
  });
});

describe('top eigenvalue against 1/α and 2/α', () => {
  test('is a line per run with 1/α (FOMAML unbounded, dotted) and the stability edge 2/α (dashed) as reference lines across every iteration', () => {
    const figure = topEigenvalueChart({
      alpha: 0.01,
      runs: [
        { name: 'MAML', iterations: [0, 50, 100], topEigenvalue: [12, 80, 150] },
        { name: 'FOMAML', iterations: [0, 50, 120], topEigenvalue: [12, 90, 210] },
      ],
    });
    assert.deepEqual(figure.data.map((t) => t.name), [
      "1/α = 100: FOMAML's error along that eigenvector is unbounded (reference)",
      '2/α = 200: one step no longer shrinks along it (reference)',
      'MAML',
      'FOMAML',
    ]);
    assert.deepEqual([figure.data[0].x, figure.data[0].y], [[0, 120], [100, 100]]);
    assert.deepEqual([figure.data[1].x, figure.data[1].y], [[0, 120], [200, 200]]);
    assert.deepEqual(figure.data.slice(0, 2).map((t) => (t.line as { dash: string }).dash), ['dot', 'dash']);
  });

  test('refuses a step size that is not positive, no runs, or a NaN eigenvalue', () => {
    const runs = [{ name: 'a', iterations: [0], topEigenvalue: [1] }];
    assert.throws(() => topEigenvalueChart({ alpha: 0, runs }), /alpha must be a finite number above 0, got 0/);
    assert.throws(() => topEigenvalueChart({ alpha: 0.1, runs: [] }), /runs must list at least one run/);
    assert.throws(() => topEigenvalueChart({ alpha: 0.1, runs: [{ name: 'a', iterations: [0], topEigenvalue: [Number.NaN] }] }), /runs\[0\]\.topEigenvalue\[0\] is NaN/);
  });
});
