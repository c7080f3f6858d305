import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  adam, disposeTasks, flattenParams, linearTasks, metaGradient, mlp, quadraticLoss, quadraticTasks, ready, regressionTasks,
  sinusoidTasks, tidyValue, type Method, type TaskBatch,
} from '../src/meta';
import { exact, centralGradient, instancesFromBatch, quadraticReferenceMetaGradient, quadraticTasksFromBatch, referenceMetaGradient, relativeError } from '../src/derivations';
import { noLeak } from './helpers';

before(async () => {
  await ready();
});

const model = mlp([1, 8, 1], { activation: 'tanh' });
const relError = relativeError;

function run(method: Method, steps: number, extra: Record<string, number> = {}) {
  const params = model.init(3);
  const batch = sinusoidTasks({ tasks: 4, shots: 5, seed: 11 });
  const theta = tidyValue(() => Float64Array.from(flattenParams(params).dataSync()));
  const result = metaGradient(model, params, batch, { alpha: 0.02, steps, method, ...extra });
  const grad = tidyValue(() => Float64Array.from(flattenParams(result.grads).dataSync()));
  const insts = instancesFromBatch(batch, { model, theta, alpha: 0.02 });
  tf.dispose([...params, ...result.grads]);
  disposeTasks(batch);
  return { grad, insts, theta, result };
}

describe('metaGradient agrees with the float64 derivation engine', () => {
  for (const steps of [1, 3]) {
    test(`maml, k = ${steps}: the mean over tasks of ∏(I − αHᵢ₋₁)∇L⁽¹⁾(θₖ)`, () => {
      const { grad, insts } = run('maml', steps);
      const reference = referenceMetaGradient(insts, { method: 'maml', steps });
      assert.ok(relError(grad, reference) < 1e-4, `rel. error ${relError(grad, reference)}`);
    });
  }

  test('maml: finite differences of the mean meta-objective (float64)', () => {
    const { grad, insts, theta } = run('maml', 2);
    const fd = centralGradient((t) => insts.reduce((s, inst) => s + exact.metaObjective(inst, 2, t), 0) / insts.length, theta);
    assert.ok(relError(grad, fd) < 1e-4, `rel. error ${relError(grad, fd)}`);
  });

  test('fomaml equals the mean query gradient at the adapted parameters', () => {
    const { grad, insts } = run('fomaml', 2);
    const reference = referenceMetaGradient(insts, { method: 'fomaml', steps: 2 });
    assert.ok(relError(grad, reference) < 1e-4);
    const exactGrad = referenceMetaGradient(insts, { method: 'maml', steps: 2 });
    assert.ok(relError(grad, exactGrad) > 1e-3, 'first order differs from exact');
  });

  test('reptile is ε·mean(θ − φₖ)', () => {
    const { grad, insts } = run('reptile', 3, { reptileRate: 0.5 });
    const reference = referenceMetaGradient(insts, { method: 'reptile', steps: 3, reptileRate: 0.5 });
    assert.ok(relError(grad, reference) < 1e-4);
  });

  test('imaml is the mean of (I + H/λ)⁻¹∇L_query(φₖ), with CG stopping on its residual', () => {
    // the support Hessians here have eigenvalues down to about −15: λ must exceed that for I + H/λ ≻ 0
    const lambda = 50;
    const { grad, insts, result } = run('imaml', 3, { lambda });
    const reference = referenceMetaGradient(insts, { method: 'imaml', steps: 3, lambda });
    assert.ok(relError(grad, reference) < 1e-3, `rel. error ${relError(grad, reference)}`);
    assert.ok(result.cg && result.cg.iterations >= 1 && result.cg.iterations < 20, `iterations ${result.cg?.iterations}`);
    assert.ok(result.cg!.relativeResidual <= 1e-4);
  });

  test('quadratic family: maml matches the closed form (I − αC)ᵏ(C(θₖ − ½) + g_query)', () => {
    const tasks = quadraticTasks({ tasks: 5, seed: 2 });
    const theta = tf.tensor1d([0.3, -0.4]);
    const alpha = 0.3;
    const steps = 3;
    const { grads } = metaGradient(quadraticLoss, [theta], tasks, { alpha, steps });
    const ref = quadraticReferenceMetaGradient(quadraticTasksFromBatch(tasks), [0.3, -0.4], { method: 'maml', alpha, steps });
    assert.ok(relError(grads[0].dataSync(), ref) < 1e-5);
    tf.dispose([theta, ...grads]);
    disposeTasks(tasks);
  });
});

describe('metaGradient: memory and bad input', () => {
  test('1,000 meta-steps with Adam leave tf.memory().numTensors unchanged', () => {
    const small = mlp([1, 4, 1]);
    const tasks = linearTasks({ tasks: 4, shots: 3, seed: 0 });
    const opt = adam({ learningRate: 1e-3 });
    noLeak(() => {
      let params = small.init(0);
      let state = opt.init(params);
      for (let i = 0; i < 1000; i++) {
        const method: Method = (['maml', 'fomaml', 'reptile', 'imaml'] as const)[i % 4];
        const { grads } = metaGradient(small, params, tasks, { alpha: 0.01, steps: 1, method, lambda: 50 });
        const next = opt.step(params, grads, state);
        tf.dispose([...params, ...grads, ...state.m, ...state.v]);
        ({ params, state } = next);
      }
      tf.dispose([...params, ...state.m, ...state.v]);
    }, '1,000 meta-steps');
    disposeTasks(tasks);
  });

  test('clear errors naming the argument, and nothing leaks when they are thrown', () => {
    const params = model.init(0);
    const tasks = sinusoidTasks({ tasks: 3, shots: 4, seed: 0 });
    const opts = { alpha: 0.01, steps: 1 };
    noLeak(() => {
      assert.throws(() => metaGradient(model, params, tasks, { ...opts, alpha: 0 }), /alpha must be a finite number > 0, got 0/);
      assert.throws(() => metaGradient(model, params, tasks, { ...opts, alpha: Infinity }), /alpha must be a finite number > 0, got Infinity/);
      assert.throws(() => metaGradient(model, params, tasks, { ...opts, steps: 0 }), /steps must be an integer ≥ 1, got 0/);
      assert.throws(() => metaGradient(model, params, tasks, { ...opts, method: 'imaml', lambda: 0 }), /lambda must be a finite number > 0, got 0/);
      assert.throws(() => metaGradient(model, params, tasks, { ...opts, method: 'imaml', lambda: 200 }), /imaml: alpha·lambda must be below 2 .* got 0\.01 · 200 = 2/);
      assert.throws(() => metaGradient(model, params, tasks, { ...opts, method: 'sgd' as Method }), /method must be one of maml, fomaml, reptile, imaml/);
      assert.throws(() => metaGradient(model, params.slice(0, 2), tasks, opts), /params must be a list of 4 tensors/);
      assert.throws(() => metaGradient(model, params, { ...tasks, count: 0 }, opts), /tasks must hold at least one task/);
      const wrongWidth = { ...tasks, support: { x: tf.zeros([3, 4, 2]) as tf.Tensor3D, y: tasks.support.y } };
      assert.throws(() => metaGradient(model, params, wrongWidth, opts), /tasks\.support\.x must have 1 input feature\(s\) for this model, got 2/);
      tf.dispose(wrongWidth.support.x);
      const wrongCount = { ...tasks, query: { x: tasks.query.x, y: tf.zeros([2, 4, 1]) as tf.Tensor3D } };
      assert.throws(() => metaGradient(model, params, wrongCount, opts), /tasks\.query must hold 3 tasks/);
      tf.dispose(wrongCount.query.y);
      assert.throws(() => metaGradient(model, params, tasks, { alpha: 1e30, steps: 3 }), /the meta-loss is not finite .*try a smaller alpha \(now 1e\+30\)/);
      assert.throws(() => metaGradient(model, params, tasks, { ...opts, method: 'imaml', lambda: 0.01 }), /imaml: I \+ H\/λ is not positive definite for task \d+ .* use a larger lambda/);
    }, 'failed calls');
    tf.dispose(params);
    disposeTasks(tasks);
  });

  test('imaml: a task whose query gradient is zero needs no CG iteration and gives a zero gradient', () => {
    const line = mlp([1, 1]);
    const params = [tf.zeros([1, 1]), tf.zeros([1])];
    const flat = { x: tf.tensor3d([[[1], [2]]]) as tf.Tensor3D, y: tf.tensor3d([[[0], [0]]]) as tf.Tensor3D };
    const r = metaGradient(line, params, { support: flat, query: flat, count: 1 }, { alpha: 0.1, steps: 1, method: 'imaml', lambda: 1 });
    assert.deepEqual(r.cg, { iterations: 0, relativeResidual: 0 });
    assert.deepEqual(r.grads.map((g) => Array.from(g.dataSync())), [[0], [0]]);
    tf.dispose([...params, ...r.grads, flat.x, flat.y]);
  });

  test('regressionTasks checks nested arrays and names the first bad shape', () => {
    assert.throws(() => regressionTasks({ support: { x: [[[0]], [[1]]], y: [[[0]]] }, query: { x: [[[0]]], y: [[[0]]] } }), /support\.y has 1 tasks, but support\.x has 2/);
    assert.throws(() => regressionTasks({ support: { x: [[[0], [1]]], y: [[[0]]] }, query: { x: [[[0]]], y: [[[0]]] } }), /support\.y has 1 points per task, but support\.x has 2/);
    assert.throws(() => regressionTasks({ support: { x: [[[0, null]]], y: [[[0]]] }, query: { x: [[[0]]], y: [[[0]]] } }), /support\.x\[0\]\[0\]\[1\] must be a finite number, got null/);
    assert.throws(() => regressionTasks({ support: { x: [], y: [] }, query: { x: [], y: [] } }), /support\.x must be a non-empty array/);
  });

  test('the same seed gives the same batch', () => {
    const [a, b] = [sinusoidTasks({ tasks: 2, shots: 3, seed: 5 }), sinusoidTasks({ tasks: 2, shots: 3, seed: 5 })];
    assert.deepEqual(Array.from(a.support.y.dataSync()), Array.from(b.support.y.dataSync()));
    assert.deepEqual(Array.from(a.amplitude), Array.from(b.amplitude));
    for (const amp of a.amplitude) assert.ok(amp >= 0.1 && amp <= 5);
    disposeTasks(a);
    disposeTasks(b);
  });
});
