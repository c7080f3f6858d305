import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { mlp64 } from '../src/derivations/float64Mlp';
import { symmetricEigenvalues } from '../src/derivations/symmetricEigenvalues';
import { relativeError } from '../src/derivations/numeric';
import { float64Math } from '../src/kernel/float64Math';
import { checkHessianSettings, explorerParameters, explorerPoints, hessianExplorerReading, ZERO_EIGENVALUE } from '../src/web/hessian';

/** The float64 reference's matrix, column by column: A·eⱼ from mlp64's R-operator products. */
function referenceMatrix(product: (v: Float64Array) => Float64Array, n: number): Float64Array {
  const values = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    values.set(product(e), j * n);
  }
  return values;
}

for (const [activation, widths, points] of [['tanh', [6], 5], ['relu', [5, 4], 7], ['tanh', [3, 3, 2], 1]] as const) {
  test(`hessian explorer: ${activation} 1-${widths.join('-')}-1 on ${points} point(s) against the float64 references`, async () => {
    const settings = { activation, widths: [...widths], points, amplitude: 1.5, phase: 0.3, seed: 2 };
    const reading = await hessianExplorerReading(settings);
    const sizes = [1, ...widths, 1];
    const net = mlp64(sizes, activation);
    const theta = explorerParameters(sizes, 2);
    const { x, y } = explorerPoints(points, 1.5, 0.3);
    const data = { x: Float64Array.from(x), y: Float64Array.from(y), points };
    const n = net.parameterCount;
    assert.equal(reading.parameterCount, n);
    const parts = { hessian: 'hessianVectorProduct', gaussNewton: 'gaussNewtonVectorProduct', residual: 'residualVectorProduct' } as const;
    for (const [part, product] of Object.entries(parts) as [keyof typeof parts, (typeof parts)[keyof typeof parts]][]) {
      const reference = referenceMatrix((v) => net[product](theta, v, data), n);
      assert.ok(relativeError(reading[part].values, reference) < 1e-12, `${part}: ${relativeError(reading[part].values, reference)}`);
    }
    // The spectrum against the dense float64 eigen-solver: the same non-zero eigenvalues.
    const dense = symmetricEigenvalues(reading.hessian);
    const scale = Math.max(...Array.from(dense, Math.abs));
    const nonZero = Array.from(dense).filter((v) => Math.abs(v) > ZERO_EIGENVALUE * scale);
    assert.equal(reading.spectrum.nonZero.length, nonZero.length);
    assert.equal(reading.spectrum.zeros, n - nonZero.length);
    nonZero.forEach((v, i) => assert.ok(Math.abs(v - reading.spectrum.nonZero[i]) <= 1e-10 * scale, `eigenvalue ${i}: ${v} against ${reading.spectrum.nonZero[i]}`));
    assert.ok(Math.abs(reading.spectrum.largest - Math.max(dense[n - 1], 0)) <= 1e-10 * scale);
    assert.ok(reading.relativeSumError < 1e-12);
    assert.ok(reading.loss > 0 && Number.isFinite(reading.loss));
    assert.ok(reading.check.passed, reading.check.text);
    assert.match(reading.check.text, /^float64: /);
  });
}

test('hessian explorer: the check fails when the kernel computes another network (a relu kernel for a tanh state)', async () => {
  const reading = await hessianExplorerReading({ activation: 'tanh', widths: [4], points: 3 }, { math: (sizes) => float64Math(sizes, 'relu') });
  assert.equal(reading.check.passed, false);
  assert.ok(reading.checkErrors.hessian > 1e-3, String(reading.checkErrors.hessian));
  assert.match(reading.check.text, /> 1e-9/);
});

test('hessian explorer: progress goes up to 1 through every stage', async () => {
  const seen: [number, string][] = [];
  await hessianExplorerReading({ activation: 'relu', widths: [3], points: 2 }, { onProgress: (f, s) => seen.push([f, s]) });
  assert.deepEqual(seen.map(([, s]) => s), ['the Hessian', 'its residual part', 'its Gauss–Newton part', 'the spectrum', 'the float64 check', 'done']);
  assert.ok(seen.every(([f], i) => i === 0 || f > seen[i - 1][0]));
});

test('hessian explorer settings: bad input names the field', () => {
  assert.throws(() => checkHessianSettings({ activation: 'sigmoid', widths: [4], points: 3 }), /activation must be one of relu, tanh/);
  assert.throws(() => checkHessianSettings({ activation: 'relu', widths: [4, 0], points: 3 }), /widths\[1\] must be a whole number in \[1, 40\]/);
  assert.throws(() => checkHessianSettings({ activation: 'relu', widths: [], points: 3 }), /widths must list 1 to 3/);
  assert.throws(() => checkHessianSettings({ activation: 'relu', widths: [4], points: 21 }), /points must be a whole number in \[1, 20\]/);
  assert.throws(() => checkHessianSettings({ activation: 'relu', widths: [4], points: 3, amplitude: Number.NaN }), /amplitude must be a finite number/);
  assert.throws(() => checkHessianSettings(null), /settings must be an object/);
});

test('hessian explorer figures: linear colours for a small network, symmetric-log beyond 100 parameters; the sorted eigenvalues', async () => {
  const { hessianExplorerFigures } = await import('../src/plots/hessianExplorer');
  const { matrixRows } = await import('../src/meta/denseMatrix');
  for (const widths of [[6], [12, 12]]) {
    const r = await hessianExplorerReading({ activation: 'relu', widths, points: 4 });
    const { split, spectrum } = hessianExplorerFigures({
      sizes: r.sizes, activation: 'relu', points: 4,
      hessian: matrixRows(r.hessian), gaussNewton: matrixRows(r.gaussNewton), residual: matrixRows(r.residual),
      nonZero: r.spectrum.nonZero, zeros: r.spectrum.zeros,
    });
    const title = (split.layout.title as { text: string }).text;
    assert.equal(title.includes('symmetric-log'), r.parameterCount > 100, title);
    assert.deepEqual(spectrum.data[0].y, r.spectrum.nonZero);
    assert.match((spectrum.layout.title as { text: string }).text, new RegExp(`The ${r.spectrum.nonZero.length} non-zero eigenvalues of H, sorted \\(${r.spectrum.zeros} are zero\\)`));
  }
  assert.throws(() => hessianExplorerFigures({ sizes: [1, 1], activation: 'relu', points: 1, hessian: [[1, 0], [0, 1]], gaussNewton: [[1, 0], [0, 1]], residual: [[0, 0], [0, 0]], nonZero: [Number.NaN], zeros: 0 }), /nonZero\[0\] is NaN/);
  assert.throws(() => hessianExplorerFigures({ sizes: [1, 1], activation: 'relu', points: 1, hessian: [[1, 0], [0, 1]], gaussNewton: [[1, 0], [0, 1]], residual: [[0, 0], [0]], nonZero: [1], zeros: 0 }), /residual/);
});
