import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as math from 'mathjs';
import {
  disposeTasks, gaussNewtonPart, matrixRows, hessianOperator, hessianSplit, hessianVectorProducts, lanczos, lanczosRuns, lossHessian, mlp, outputJacobian,
  quadraticLoss, quadraticTasks, rademacherProbes, ready, residualPart, sinusoidTasks, spectralDensity, tridiagonalEigen, unflattenParams,
  type SymmetricOperator,
} from '../src/meta';
import {
  exact, hessianSplitSummary, instancesFromBatch, makeInstance, maxAbsDifference, referenceHessianOperator, referenceHessianSplit,
  relativeError, symmetricEigenvalues, type Instance,
} from '../src/derivations';
import { hessianSplitHeatmaps, mlpParameterLayout, spectrumFigure } from '../src/plots';
import { noLeak } from './helpers';

before(async () => {
  await ready();
});

/** An instance's θ and support points as tfjs tensors (float32), for the tfjs routes. */
function tensorsOf(inst: Instance) {
  const rows = (values: Float64Array, width: number) => tf.tensor2d(Float32Array.from(values), [values.length / width, width]);
  return {
    params: unflattenParams(inst.model, tf.tensor1d(Float32Array.from(inst.theta))),
    points: { x: rows(inst.support.x, inst.model.sizes[0]), y: rows(inst.support.y, inst.model.sizes[inst.model.sizes.length - 1]) },
  };
}

function disposeAll(t: ReturnType<typeof tensorsOf>) {
  tf.dispose([...t.params, t.points.x, t.points.y]);
}

/** The eigenvalues mathjs finds (Jacobi), ascending: an independent check of `symmetricEigenvalues`. */
function mathjsEigenvalues(rows: number[][]): Float64Array {
  return Float64Array.from(math.eigs(rows, { eigenvectors: false } as never).values as unknown as number[]).sort();
}


const KINDS = ['linear', 'tanh', 'relu'] as const;

describe('the MSE Hessian and its split on tfjs agree with the float64 reference', () => {
  for (const kind of KINDS) {
    for (const seed of [0, 1]) {
      test(`${kind}, seed ${seed}: H, Gauss–Newton and residual each within 1e-4 (float32); GN + R = H`, () => {
        const inst = makeInstance({ kind, seed });
        const reference = referenceHessianSplit(inst);
        const t = tensorsOf(inst);
        const split = noLeak(() => hessianSplit(inst.model, t.params, t.points), 'hessianSplit');
        disposeAll(t);
        for (const part of ['hessian', 'gaussNewton', 'residual'] as const) {
          const error = relativeError(split[part].values, reference[part].values);
          // measured: at most 8e-8 on these instances
          assert.ok(error <= 1e-4, `${part}: relative error ${error}`);
        }
        // The float64 parts come from three different R-operator products: their sum is a real check.
        assert.ok(hessianSplitSummary(reference).relativeSumError <= 1e-10, `float64 GN + R vs H: ${hessianSplitSummary(reference).relativeSumError}`);
        assert.ok(hessianSplitSummary(split).relativeSumError <= 1e-4, `tfjs GN + R vs H: ${hessianSplitSummary(split).relativeSumError}`);
        // the reference H is the one the derivation catalogue uses
        assert.deepEqual(matrixRows(reference.hessian), exact.hessian(inst, inst.theta));
      });
    }
  }

  test('linear model: the residual part is exactly zero and H = GN, the same at every θ', () => {
    const inst = makeInstance({ kind: 'linear', seed: 0 });
    const elsewhere = inst.theta.map((t, i) => t + 3 - 2 * i);
    for (const theta of [inst.theta, elsewhere]) {
      const reference = referenceHessianSplit(inst, theta);
      assert.ok(reference.residual.values.every((r) => r === 0));
      assert.ok(maxAbsDifference(reference.hessian.values, reference.gaussNewton.values) <= 1e-15);
      const t = tensorsOf({ ...inst, theta });
      const split = hessianSplit(inst.model, t.params, t.points);
      disposeAll(t);
      assert.ok(split.residual.values.every((r) => r === 0), 'tfjs residual part is exactly zero');
      assert.ok(relativeError(split.hessian.values, split.gaussNewton.values) <= 1e-6);
      assert.deepEqual(reference.hessian.values, referenceHessianSplit(inst).hessian.values, 'H does not depend on θ');
    }
    // and it is the closed form (2/N)·Σ (x, 1)(x, 1)ᵀ
    const xs = Array.from(inst.support.x);
    const closed = [xs.reduce((s, x) => s + x * x, 0), xs.reduce((s, x) => s + x, 0), xs.reduce((s, x) => s + x, 0), xs.length].map((v) => (2 / xs.length) * v);
    assert.ok(maxAbsDifference(referenceHessianSplit(inst).hessian.values, closed) <= 1e-14);
  });

  test('a tanh MLP and a ReLU MLP have a residual part of the size of the whole', () => {
    for (const kind of ['tanh', 'relu'] as const) {
      const summary = hessianSplitSummary(referenceHessianSplit(makeInstance({ kind, seed: 0 })));
      assert.ok(summary.shares.residual > 0.15, `${kind}: residual share ${summary.shares.residual}`);
      assert.ok(Math.abs(summary.shares.gaussNewton + summary.shares.residual - 1) < 1e-12);
    }
  });

  test('the 1-20-20-1 ReLU MLP on a sinusoid task (481 parameters): all three within 1e-4', () => {
    const model = mlp([1, 20, 20, 1], { activation: 'relu' });
    const params = model.init(2);
    const tasks = sinusoidTasks({ tasks: 2, shots: 10, seed: 3 });
    const [, inst] = instancesFromBatch(tasks, { model, theta: params, alpha: 0.01 });
    const split = noLeak(() => hessianSplit(model, params, tasks.support, { task: 1 }), 'hessianSplit on task 1 of a batch');
    const reference = referenceHessianSplit(inst);
    tf.dispose(params);
    disposeTasks(tasks);
    for (const part of ['hessian', 'gaussNewton', 'residual'] as const) {
      assert.ok(relativeError(split[part].values, reference[part].values) <= 1e-4, `${part}: ${relativeError(split[part].values, reference[part].values)}`);
    }
  });

  test('the output Jacobian: row p is the float64 gradient of the output at point p', () => {
    const inst = makeInstance({ kind: 'tanh', seed: 1 });
    const t = tensorsOf(inst);
    const J = noLeak(() => outputJacobian(inst.model, t.params, t.points.x), 'outputJacobian');
    disposeAll(t);
    assert.deepEqual(J.shape, [8, 19]);
    // Row p against float64 backprop: the loss of point p alone is (M − y)², with gradient 2(M − y)∇M. Its
    // output-bias entry (the last) is 2(M − y), which gives M; the target y = M − ½ then makes it ∇M itself.
    for (let p = 0; p < 8; p++) {
      const point = (y: number) => ({ x: inst.support.x.subarray(p, p + 1), y: Float64Array.of(y), points: 1 });
      const output = inst.net.gradient(inst.theta, point(0))[18] / 2;
      const row = inst.net.gradient(inst.theta, point(output - 0.5));
      assert.ok(relativeError(J.values.subarray(p * 19, (p + 1) * 19), row) <= 1e-5, `row ${p}: ${relativeError(J.values.subarray(p * 19, (p + 1) * 19), row)}`);
    }
  });
});

describe('the figures take what the Hessian routes return', () => {
  test('hessianSplitHeatmaps of a tfjs split, spectrumFigure of its eigenvalues', () => {
    const inst = makeInstance({ kind: 'relu', seed: 0 });
    const t = tensorsOf(inst);
    const split = hessianSplit(inst.model, t.params, t.points);
    disposeAll(t);
    const figure = hessianSplitHeatmaps({
      hessian: matrixRows(split.hessian), gaussNewton: matrixRows(split.gaussNewton), residual: matrixRows(split.residual),
      parameters: mlpParameterLayout(inst.model.sizes),
    });
    assert.equal(figure.data.length, 3);
    const spectrum = spectrumFigure({ eigenvalues: Array.from(symmetricEigenvalues(split.hessian)) });
    assert.ok(spectrum.data.length >= 1);
  });
});

describe('batched Hessian-vector products', () => {
  test('each row is H·v for its direction, against the float64 R-operator', () => {
    const inst = makeInstance({ kind: 'relu', seed: 1 });
    const t = tensorsOf(inst);
    const directions = rademacherProbes(19, 5, 7);
    const V = tf.tensor2d(directions.map((d) => Array.from(d)));
    const products = noLeak(() => {
      const hv = hessianVectorProducts(inst.model, t.params, t.points, V);
      const rows = hv.arraySync();
      hv.dispose();
      return rows;
    }, 'hessianVectorProducts (result disposed)');
    V.dispose();
    const operator = hessianOperator(inst.model, t.params, t.points);
    const applied = noLeak(() => operator.apply(directions), 'hessianOperator.apply');
    disposeAll(t);
    directions.forEach((d, i) => {
      const reference = inst.net.hessianVectorProduct(inst.theta, d, inst.support);
      assert.ok(relativeError(products[i], reference) <= 1e-5, `direction ${i}`);
      assert.ok(relativeError(applied[i], reference) <= 1e-5, `operator, direction ${i}`);
    });
  });

  test('any BatchedLoss: the quadratic family\'s Hessian is its task\'s C', () => {
    const tasks = quadraticTasks({ tasks: 4, seed: 5 });
    const theta = tf.tensor1d([0.3, -0.2]);
    const H = noLeak(() => lossHessian(quadraticLoss, [theta], tasks.support, { task: 2 }), 'lossHessian of a BatchedLoss');
    const C = (tasks.support.C.arraySync() as number[][][])[2];
    tf.dispose(theta);
    disposeTasks(tasks);
    assert.ok(maxAbsDifference(H.values, C.flat()) <= 1e-6, `${Array.from(H.values)} vs ${C.flat()}`);
  });

  test('the block size changes the batching, not the numbers; 3-D points with `task` equal that task\'s 2-D points', () => {
    const model = mlp([1, 5, 1], { activation: 'tanh' });
    const params = model.init(4);
    const tasks = sinusoidTasks({ tasks: 3, shots: 6, seed: 2 });
    const whole = lossHessian(model, params, tasks.support, { task: 1 });
    const blocks = noLeak(() => lossHessian(model, params, tasks.support, { task: 1, blockSize: 4 }), 'lossHessian in blocks');
    const x = tf.squeeze(tf.slice(tasks.support.x, [1], [1]), [0]);
    const y = tf.squeeze(tf.slice(tasks.support.y, [1], [1]), [0]);
    const flat = lossHessian(model, params, { x, y });
    tf.dispose([...params, x, y]);
    disposeTasks(tasks);
    assert.ok(maxAbsDifference(whole.values, blocks.values) <= 1e-6);
    assert.ok(maxAbsDifference(whole.values, flat.values) <= 1e-6);
  });
});

describe('eigenvalues', () => {
  test('symmetricEigenvalues (Householder + QL) equals mathjs eigs (Jacobi) on every instance Hessian, to 1e-12', () => {
    for (const kind of KINDS) {
      const H = referenceHessianSplit(makeInstance({ kind, seed: 0 })).hessian;
      const ours = symmetricEigenvalues(H);
      const theirs = mathjsEigenvalues(matrixRows(H));
      assert.ok(maxAbsDifference(ours, theirs) <= 1e-12 * Math.max(...theirs.map(Math.abs)), `${kind}: ${maxAbsDifference(ours, theirs)}`);
      // ascending
      assert.ok(ours.every((v, i) => i === 0 || ours[i - 1] <= v));
    }
    // a dense matrix with every kind of eigenvalue: trace and Frobenius norm are kept
    const n = 30;
    const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.sin(3 * (i + j) + i * j) / (1 + Math.abs(i - j))));
    const ours = symmetricEigenvalues(A);
    assert.ok(maxAbsDifference(ours, mathjsEigenvalues(A)) <= 1e-12);
  });

  test('tridiagonalEigen: eigenvalues of T and the first/last eigenvector components, against mathjs', () => {
    const d = [2, -1, 0.5, 3, 1];
    const e = [0.7, -0.3, 1.1, 0.2];
    const T = d.map((di, i) => d.map((_, j) => (i === j ? di : Math.abs(i - j) === 1 ? e[Math.min(i, j)] : 0)));
    const { values, first, last } = tridiagonalEigen(d, e);
    const reference = math.eigs(T);
    const pairs = reference.eigenvectors.map((p) => ({ value: p.value as number, vector: p.vector as unknown as number[] })).sort((a, b) => a.value - b.value);
    pairs.forEach((p, i) => {
      assert.ok(Math.abs(values[i] - p.value) <= 1e-13);
      const scale = 1 / Math.hypot(...p.vector);
      assert.ok(Math.abs(first[i] ** 2 - (p.vector[0] * scale) ** 2) <= 1e-13);
      assert.ok(Math.abs(last[i] ** 2 - (p.vector[4] * scale) ** 2) <= 1e-13);
    });
    assert.ok(Math.abs(first.reduce((s, c) => s + c * c, 0) - 1) <= 1e-14);
  });

  for (const kind of ['tanh', 'relu'] as const) {
    test(`Lanczos on tfjs HVPs, ${kind}: the extreme eigenvalues within 1e-3 of the dense float64 ones`, () => {
      const inst = makeInstance({ kind, seed: 1 });
      const dense = symmetricEigenvalues(referenceHessianSplit(inst).hessian);
      const t = tensorsOf(inst);
      const run = noLeak(() => lanczos(hessianOperator(inst.model, t.params, t.points), { iterations: 12, seed: 3 }), 'lanczos on tfjs');
      disposeAll(t);
      const scale = Math.max(Math.abs(dense[0]), Math.abs(dense[18]));
      assert.ok(Math.abs(run.ritzValues[0] - dense[0]) <= 1e-3 * scale, `smallest ${run.ritzValues[0]} vs ${dense[0]}`);
      assert.ok(Math.abs(run.ritzValues[11] - dense[18]) <= 1e-3 * scale, `largest ${run.ritzValues[11]} vs ${dense[18]}`);
    });
  }

  test('Lanczos on the 1-20-20-1 ReLU MLP (481 parameters), 60 iterations: top and bottom within 1e-3; residual bounds hold; the seed fixes the result', () => {
    const model = mlp([1, 20, 20, 1], { activation: 'relu' });
    const params = model.init(0);
    const tasks = sinusoidTasks({ tasks: 1, shots: 10, seed: 4 });
    const [inst] = instancesFromBatch(tasks, { model, theta: params, alpha: 0.01 });
    const dense = symmetricEigenvalues(referenceHessianSplit(inst).hessian);
    const operator = hessianOperator(model, params, tasks.support);
    const run = lanczos(operator, { iterations: 60, seed: 1 });
    const again = lanczos(operator, { iterations: 60, seed: 1 });
    tf.dispose(params);
    disposeTasks(tasks);
    const top = dense[dense.length - 1];
    const bottom = dense[0];
    const scale = Math.max(Math.abs(top), Math.abs(bottom));
    assert.ok(Math.abs(run.ritzValues[59] - top) <= 1e-3 * Math.abs(top), `top ${run.ritzValues[59]} vs ${top}`);
    assert.ok(Math.abs(run.ritzValues[0] - bottom) <= 1e-3 * scale, `bottom ${run.ritzValues[0]} vs ${bottom}`);
    // each Ritz value has an eigenvalue within its residual (plus float32 noise in the products)
    run.ritzValues.forEach((theta, i) => {
      const nearest = Math.min(...dense.map((l) => Math.abs(l - theta)));
      assert.ok(nearest <= run.residuals[i] + 1e-4 * scale, `Ritz value ${i}: ${theta}, nearest eigenvalue ${nearest} away, residual ${run.residuals[i]}`);
    });
    assert.deepEqual(again.ritzValues, run.ritzValues);
  });

  test('Lanczos with k = n on the float64 operator finds every eigenvalue', () => {
    const inst = makeInstance({ kind: 'tanh', seed: 0 });
    const dense = symmetricEigenvalues(referenceHessianSplit(inst).hessian);
    const run = lanczos(referenceHessianOperator(inst), { iterations: 19 });
    assert.ok(maxAbsDifference(run.ritzValues, dense) <= 1e-10 * Math.max(...dense.map(Math.abs)));
  });
});

describe('the spectral density by stochastic Lanczos quadrature', () => {
  test('weights integrate to 1; the first moment is the probes\' mean vᵀHv and estimates tr(H)/n; nodes lie in the spectrum', () => {
    const model = mlp([1, 20, 20, 1], { activation: 'relu' });
    const params = model.init(1);
    const tasks = sinusoidTasks({ tasks: 1, shots: 10, seed: 6 });
    const [inst] = instancesFromBatch(tasks, { model, theta: params, alpha: 0.01 });
    const H = referenceHessianSplit(inst).hessian;
    const n = H.shape[0];
    const probes = 16;
    const density = noLeak(() => spectralDensity(hessianOperator(model, params, tasks.support), { probes, iterations: 30, seed: 2 }), 'spectralDensity on tfjs');
    tf.dispose(params);
    disposeTasks(tasks);
    assert.equal(density.nodes.length, probes * 30);
    assert.ok(Math.abs(density.weights.reduce((a, b) => a + b, 0) - 1) <= 1e-12);
    assert.ok(density.weights.every((w) => w >= 0));
    const moment = density.nodes.reduce((s, x, i) => s + x * density.weights[i], 0);
    // Σ τ²θ = e₁ᵀTe₁ = vᵀHv for each probe, exactly: the first moment is the Hutchinson estimate
    const quadratic = rademacherProbes(n, probes, 2).map((v) => {
      const hv = inst.net.hessianVectorProduct(inst.theta, v, inst.support);
      return hv.reduce((s, h, i) => s + h * v[i], 0);
    });
    const hutchinson = quadratic.reduce((a, b) => a + b, 0) / probes;
    assert.ok(Math.abs(moment - hutchinson) <= 1e-5 * Math.abs(hutchinson), `first moment ${moment} vs mean vᵀHv ${hutchinson}`);
    // Hutchinson with ±1/√n probes: Var(vᵀHv) = 2·Σᵢ≠ⱼ Hᵢⱼ²/n², so allow 4 standard deviations of the mean
    let trace = 0;
    let offDiagonal = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) trace += H.values[i * n + i];
        else offDiagonal += H.values[i * n + j] ** 2;
      }
    }
    const sd = Math.sqrt((2 * offDiagonal) / n ** 2 / probes);
    assert.ok(Math.abs(moment - trace / n) <= 4 * sd, `first moment ${moment}, tr(H)/n ${trace / n}, sd ${sd}`);
    const eigenvalues = symmetricEigenvalues(H);
    const span = eigenvalues[n - 1] - eigenvalues[0];
    assert.ok(density.nodes[0] >= eigenvalues[0] - 1e-4 * span && density.nodes[density.nodes.length - 1] <= eigenvalues[n - 1] + 1e-4 * span);
  });

  test('with k = n on a small operator every node is an eigenvalue (the Krylov space is exhausted early where eigenvalues repeat)', () => {
    for (const kind of ['tanh', 'relu'] as const) {
      const inst = makeInstance({ kind, seed: 0 });
      const eigenvalues = symmetricEigenvalues(referenceHessianSplit(inst).hessian);
      const scale = Math.max(...eigenvalues.map(Math.abs));
      const density = spectralDensity(referenceHessianOperator(inst), { probes: 1, iterations: 19 });
      for (const node of density.nodes) assert.ok(Math.min(...eigenvalues.map((l) => Math.abs(l - node))) <= 1e-10 * scale, `${kind}: node ${node}`);
      // tanh's 19 eigenvalues are distinct, so all are found; ReLU's Hessian has a repeated 0 (dead directions)
      if (kind === 'tanh') assert.equal(density.nodes.length, 19);
      else assert.ok(density.nodes.length < 19);
    }
  });
});

describe('bad input: clear errors, no tensor left behind', () => {
  let inst: Instance;
  before(() => {
    inst = makeInstance({ kind: 'tanh', seed: 0 });
  });

  function throwsCleanly(fn: () => unknown, message: RegExp) {
    noLeak(() => assert.throws(fn, message), 'the failing call');
  }

  test('parameters, points, task, directions and block size are named', () => {
    const t = tensorsOf(inst);
    const bad = {
      W: tf.zeros([1, 5]),
      y2: tf.zeros([8, 2]),
      x1: tf.zeros([8]),
      x3: tf.zeros([2, 8, 1]),
      y3: tf.zeros([2, 8, 1]),
      directions: tf.zeros([3, 18]) as tf.Tensor2D,
      xWide: tf.zeros([3, 2]),
      theta: tf.zeros([2]),
      C: tf.zeros([2, 2, 2]),
    };
    const wrong = [bad.W, ...t.params.slice(1)];
    throwsCleanly(() => lossHessian(inst.model, wrong, t.points), /params\[0\] must have shape \[1, 6\], got \[1, 5\]/);
    throwsCleanly(() => hessianSplit(inst.model, wrong, t.points), /params\[0\] must have shape \[1, 6\]/);
    throwsCleanly(() => lossHessian(inst.model, t.params, { x: t.points.x, y: bad.y2 }), /points\.y must have 1 output\(s\) for this model, got 2/);
    throwsCleanly(() => gaussNewtonPart(inst.model, t.params, { x: bad.x1, y: t.points.y }), /points\.x and \.y must both be \[points, features\]/);
    throwsCleanly(() => residualPart(inst.model, t.params, { x: bad.x3, y: bad.y3 }, { task: 2 }), /task must be below the batch's 2 task\(s\), got 2/);
    throwsCleanly(() => lossHessian(inst.model, t.params, t.points, { blockSize: 0 }), /blockSize must be an integer ≥ 1, got 0/);
    throwsCleanly(() => hessianVectorProducts(inst.model, t.params, t.points, bad.directions), /directions must be a matrix \[m, 19\]/);
    throwsCleanly(() => outputJacobian(inst.model, t.params, bad.xWide), /x must have shape \[points, 1\]/);
    const operator = hessianOperator(inst.model, t.params, t.points);
    throwsCleanly(() => operator.apply([new Float64Array(18)]), /vectors must be a non-empty list of vectors of length 19/);
    throwsCleanly(() => operator.apply([new Float64Array(19).fill(NaN)]), /vectors\[0\]\[0\] must be finite/);
    throwsCleanly(() => lossHessian(quadraticLoss, [bad.theta], { C: bad.C, g: 'no' } as never), /batch\.g must be a tensor with a leading task axis/);
    tf.dispose(Object.values(bad));
    disposeAll(t);
  });

  test('non-finite parameters or data give an error, not a NaN matrix', () => {
    const t = tensorsOf(inst);
    const nan = [tf.fill([1, 6], NaN), ...t.params.slice(1)];
    throwsCleanly(() => lossHessian(inst.model, nan, t.points), /the Hessian has a non-finite entry \(NaN at \[0, 0\]\)/);
    throwsCleanly(() => gaussNewtonPart(inst.model, nan, t.points), /the output Jacobian has a non-finite entry/);
    const badY = { x: t.points.x, y: tf.fill([8, 1], Infinity) };
    throwsCleanly(() => residualPart(inst.model, t.params, badY), /the Hessian has a non-finite entry/);
    throwsCleanly(() => lanczos(hessianOperator(inst.model, nan, t.points)), /a Hessian-vector product is not finite/);
    const directions = tf.ones([1, inst.model.parameterCount]) as tf.Tensor2D;
    throwsCleanly(() => hessianVectorProducts(inst.model, nan, t.points, directions), /a Hessian-vector product is not finite \(NaN\)/);
    directions.dispose();
    tf.dispose([nan[0], badY.y]);
    disposeAll(t);
  });

  test('Lanczos, SLQ and the eigenvalue routines check their arguments', () => {
    const operator: SymmetricOperator = referenceHessianOperator(inst);
    assert.throws(() => lanczos(operator, { iterations: 20 }), /iterations must be at most the operator's size 19, got 20/);
    assert.throws(() => lanczos(operator, { iterations: 0 }), /iterations must be an integer ≥ 1, got 0/);
    assert.throws(() => spectralDensity(operator, { probes: 0 }), /probes must be an integer ≥ 1, got 0/);
    assert.throws(() => lanczos({ size: 2, apply: () => [Float64Array.of(NaN, 0)] }), /lanczos: the operator returned a non-finite product at iteration 1/);
    assert.throws(() => lanczos({ size: 0, apply: (v) => [...v] }), /operator\.size must be an integer ≥ 1, got 0/);
    // The recurrence needs unit start vectors: a ±1 vector (n times too long in squared norm) is refused, and so is a short one.
    assert.throws(() => lanczosRuns(operator, [new Float64Array(19).fill(1)], 5), /start vector 0 must be a unit vector of length 19; it has 19 entries and norm 4\.35/);
    assert.throws(() => lanczosRuns(operator, [Float64Array.of(1)], 5), /start vector 0 must be a unit vector of length 19; it has 1 entries/);
    assert.equal(lanczosRuns(operator, [new Float64Array(19).fill(1 / Math.sqrt(19))], 5)[0].iterations, 5);
    assert.throws(() => symmetricEigenvalues([[1, 2], [0, 1]]), /matrix must be symmetric: max \|A − Aᵀ\| = 2\.000e\+0/);
    assert.throws(() => symmetricEigenvalues([[1, 2], [2]]), /matrix must be square: row 1 has 1 entries, not 2/);
    assert.throws(() => symmetricEigenvalues([[1, NaN], [NaN, 1]]), /matrix\[1\]\[0\] must be a finite number, got NaN/);
    assert.throws(() => symmetricEigenvalues({ shape: [2, 3], values: new Float64Array(6) }), /matrix must be square/);
    assert.throws(() => tridiagonalEigen([1, 2], []), /offDiagonal must hold 1 entries for a diagonal of 2, got 0/);
    assert.throws(() => tridiagonalEigen([1, Infinity], [0]), /diagonal\[1\] must be a finite number, got Infinity/);
    const m = (n: number) => ({ shape: [n, n] as [number, number], values: new Float64Array(n * n) });
    assert.throws(() => hessianSplitSummary({ hessian: m(2), gaussNewton: m(3), residual: m(2) }), /split\.gaussNewton must have the Hessian's shape \[2,2\], got \[3,3\]/);
  });
});
