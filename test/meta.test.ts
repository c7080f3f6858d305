import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { adam, adapt, engineInfo, innerUpdate, mamlLoss, mlp, mse, perTask, ready, regressionLoss, stopGradient, tanh, taskLoss, flattenParams, unflattenParams, tidyValue } from '../src/meta';
import { noLeak } from './helpers';

before(async () => {
  await ready();
});

const scalarAt = (f: (x: tf.Tensor) => tf.Tensor, x: number) => tidyValue(() => f(tf.scalar(x)).dataSync()[0]);

describe('tanh', () => {
  test('its derivatives of orders 1 to 3 match the closed forms', () => {
    for (const x of [-1.3, 0.3, 2]) {
      const t = Math.tanh(x);
      const d1 = 1 - t * t;
      const d2 = -2 * t * d1;
      const d3 = -2 * d1 * (1 - 3 * t * t);
      assert.ok(Math.abs(scalarAt(tf.grad(tanh), x) - d1) < 1e-6);
      assert.ok(Math.abs(scalarAt(tf.grad(tf.grad(tanh)), x) - d2) < 1e-6);
      assert.ok(Math.abs(scalarAt(tf.grad(tf.grad(tf.grad(tanh))), x) - d3) < 1e-5);
    }
  });

  test('tf.tanh itself still drops second-order terms in tfjs 4.22 (why ours exists)', () => {
    const x = 0.3;
    const t = Math.tanh(x);
    const exact = 2 * (1 - t * t) + x * (-2 * t * (1 - t * t));
    const viaTf = scalarAt(tf.grad(tf.grad((u: tf.Tensor) => tf.mul(u, tf.tanh(u)))), x);
    const viaOurs = scalarAt(tf.grad(tf.grad((u: tf.Tensor) => tf.mul(u, tanh(u)))), x);
    assert.ok(Math.abs(viaOurs - exact) < 1e-6);
    assert.ok(Math.abs(viaTf - exact) > 0.1, 'if this fails, tfjs fixed its higher-order gradients: tanh may go back to tf.tanh');
  });

  test('tf.exp and tf.sigmoid share the defect: their second derivatives come out wrong too', () => {
    const x = 1.5; // where the dropped term x·f''(x) is large enough to see in float32
    const s = 1 / (1 + Math.exp(-x));
    const cases: [string, (u: tf.Tensor) => tf.Tensor, number][] = [
      ['exp', (u) => tf.mul(u, tf.exp(u)), (2 + x) * Math.exp(x)], // (x eˣ)'' = (2 + x) eˣ
      ['sigmoid', (u) => tf.mul(u, tf.sigmoid(u)), 2 * s * (1 - s) + x * s * (1 - s) * (1 - 2 * s)],
    ];
    for (const [name, f, exact] of cases) {
      const viaTf = scalarAt(tf.grad(tf.grad(f)), x);
      assert.ok(Math.abs(viaTf - exact) > 0.1, `${name}: tfjs gave ${viaTf}, exact ${exact}`);
    }
  });
});

describe('the model and the inner loop', () => {
  const model = mlp([1, 4, 1], { activation: 'tanh' });
  const batch = () => ({ x: tf.tensor2d([[0.5], [-1], [2]]), y: tf.tensor2d([[1], [0], [-1]]) });

  test('init is seeded and has the documented shapes', () => {
    const [a, b] = [model.init(0), model.init(0)]; // 0 too: tfjs reads a seed of 0 as none
    assert.deepEqual(a.map((p) => p.shape), [[1, 4], [4], [4, 1], [1]]);
    assert.deepEqual(Array.from(flattenParams(a).dataSync()), Array.from(flattenParams(b).dataSync()));
    assert.equal(model.parameterCount, 13);
    tf.dispose([...a, ...b]);
  });

  test('a layer computes x·W + b', () => {
    const linear = mlp([2, 1]);
    const y = tidyValue(() => Array.from(linear.apply([tf.tensor2d([[2], [3]]), tf.tensor1d([1])], tf.tensor2d([[1, 1], [0, 2]])).dataSync()));
    assert.deepEqual(y, [6, 7]);
  });

  test('mse is the mean of squared errors, no ½', () => {
    assert.equal(tidyValue(() => mse(tf.tensor2d([[1], [3]]), tf.tensor2d([[0], [0]])).dataSync()[0]), 5);
  });

  test('innerUpdate is θ − α∇L, and adapt chains it k times', () => {
    const params = model.init(1);
    const data = batch();
    const manual = tidyValue(() => {
      const g = tf.grads((...p: tf.Tensor[]) => taskLoss(model, p, data))(params);
      return Array.from(flattenParams(params.map((p, i) => tf.sub(p, tf.mul(0.1, g[i])))).dataSync());
    });
    const viaUpdate = noLeak(() => tidyValue(() => Array.from(flattenParams(innerUpdate(model, params, data, 0.1)).dataSync())));
    manual.forEach((v, i) => assert.ok(Math.abs(v - viaUpdate[i]) < 1e-7));
    const twice = tidyValue(() => Array.from(flattenParams(innerUpdate(model, innerUpdate(model, params, data, 0.1), data, 0.1)).dataSync()));
    const viaAdapt = noLeak(() => tidyValue(() => Array.from(flattenParams(adapt(model, params, data, { alpha: 0.1, steps: 2 })).dataSync())));
    twice.forEach((v, i) => assert.ok(Math.abs(v - viaAdapt[i]) < 1e-7));
    tf.dispose([...params, data.x, data.y]);
  });

  test('adapt on a batch of tasks gives each task its own steps, as a loop over tasks does', () => {
    const params = model.init(6);
    const x = tf.tensor3d([[[0.5], [-1], [2]], [[1], [0], [-2]]]);
    const y = tf.tensor3d([[[1], [0], [-1]], [[0.3], [0.2], [2]]]);
    const batched = noLeak(() => tidyValue(() => adapt(model, params, { x, y }, { alpha: 0.1, steps: 3 }).map((p) => Array.from(p.dataSync()))));
    for (let t = 0; t < 2; t++) {
      const single = tidyValue(() => {
        const task = { x: tf.squeeze(tf.slice(x, [t, 0, 0], [1, -1, -1]), [0]), y: tf.squeeze(tf.slice(y, [t, 0, 0], [1, -1, -1]), [0]) };
        return adapt(model, params, task, { alpha: 0.1, steps: 3 }).map((p) => Array.from(p.dataSync()));
      });
      single.forEach((values, i) => {
        const size = values.length;
        values.forEach((v, j) => assert.ok(Math.abs(v - batched[i][t * size + j]) < 1e-6, `task ${t}, params[${i}][${j}]`));
      });
    }
    tf.dispose([...params, x, y]);
  });

  test('stopGradient passes the value and stops the derivative; a MAML loss started at stopGradient(θ) has a zero gradient', () => {
    const x = tf.tensor1d([3, -2]);
    const [value] = tidyValue(() => Array.from(stopGradient(x).dataSync()));
    assert.equal(value, 3);
    assert.deepEqual(tidyValue(() => Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, stopGradient(t))))(x).dataSync())), [3, -2]);
    const model = mlp([1, 4, 1], { activation: 'tanh' });
    const params = model.init(0);
    const set = { x: tf.tensor3d([[[0.5], [-1]]]), y: tf.tensor3d([[[1], [0]]]) };
    const tasks = { support: set, query: set, count: 1 };
    const objective = (start: (p: tf.Tensor[]) => tf.Tensor[]) => (...p: tf.Tensor[]) =>
      tf.mean(mamlLoss(regressionLoss(model), start(p), tasks, { alpha: 0.1, steps: 2 })) as tf.Scalar;
    const largest = (grads: tf.Tensor[]) => tidyValue(() => Math.max(...grads.map((g) => tf.max(tf.abs(g)).dataSync()[0])));
    const through = tf.grads(objective((p) => p))(params);
    const cut = tf.grads(objective((p) => p.map((t) => stopGradient(t))))(params);
    assert.ok(largest(through) > 1e-3);
    assert.equal(largest(cut), 0);
    tf.dispose([x, ...params, set.x, set.y, ...through, ...cut]);
  });

  test('perTask copies leave nothing behind but the copies', () => {
    const params = model.init(8);
    const copies = noLeak(() => tidyValue(() => perTask(params, 3).map((c) => c.shape)));
    assert.deepEqual(copies, [[3, 1, 4], [3, 4], [3, 4, 1], [3, 1]]);
    const before = tf.memory().numTensors;
    const made = perTask(params, 2);
    assert.equal(tf.memory().numTensors, before + params.length);
    tf.dispose([...made, ...params]);
  });

  test('Adam refuses settings that would give NaN', () => {
    assert.throws(() => adam({ beta1: 1 }), /beta1 must be in \[0, 1\), got 1/);
    assert.throws(() => adam({ beta2: 2 }), /beta2 must be in \[0, 1\), got 2/);
    assert.throws(() => adam({ epsilon: 0 }), /epsilon must be a finite number > 0, got 0/);
  });

  test('bad input is named', () => {
    const params = model.init(0);
    const data = batch();
    assert.throws(() => innerUpdate(model, params, data, 0), /alpha must be a finite number > 0, got 0/);
    assert.throws(() => innerUpdate(model, params, data, NaN), /alpha must be a finite number > 0, got NaN/);
    assert.throws(() => adapt(model, params, data, { alpha: 0.1, steps: 0 }), /steps must be an integer ≥ 1, got 0/);
    assert.throws(() => model.apply(params.slice(1), data.x), /params must be a list of 4 tensors/);
    assert.throws(() => model.apply([params[0], params[1], params[0], params[3]], data.x), /params\[2\] must have shape \[4, 1\], got \[1, 4\]/);
    assert.throws(() => model.apply(params, tf.zeros([3, 2])), /x must have shape \[points, 1\] or \[tasks, points, 1\], got \[3, 2\]/);
    assert.throws(() => mse(tf.zeros([3, 1]), tf.zeros([2, 1])), /prediction and target must have the same shape/);
    assert.throws(() => mlp([1]), /sizes must list at least/);
    assert.throws(() => mlp([1, 0, 1]), /sizes\[1\] must be an integer ≥ 1, got 0/);
    assert.throws(() => unflattenParams(model, tf.zeros([5])), /theta must be a vector of 13 parameters, got shape \[5\]/);
    tf.dispose([...params, data.x, data.y]);
  });

  test('a failed inner update leaks nothing', () => {
    const params = model.init(0);
    const data = batch();
    const before = tf.memory().numTensors;
    const support = { x: tf.expandDims(data.x, 0) as tf.Tensor3D, y: tf.expandDims(data.y, 0) as tf.Tensor3D };
    const wrongQuery = { x: tf.zeros([1, 2, 3]) as tf.Tensor3D, y: support.y };
    assert.throws(() => mamlLoss(regressionLoss(model), params, { support, query: wrongQuery, count: 1 }, { alpha: 0.1, steps: 2 }));
    // the three tensors made above are the caller's; everything mamlLoss made is gone
    assert.equal(tf.memory().numTensors, before + 3);
    tf.dispose([...params, data.x, data.y, support.x, support.y, wrongQuery.x]);
  });

  test('1,000 differentiated MAML losses leave tf.memory().numTensors unchanged', () => {
    const params = model.init(2);
    const data = batch();
    const set = { x: tf.expandDims(data.x, 0) as tf.Tensor3D, y: tf.expandDims(data.y, 0) as tf.Tensor3D };
    const tasks = { support: set, query: set, count: 1 };
    const loss = regressionLoss(model);
    noLeak(() => {
      for (let i = 0; i < 1000; i++) {
        tf.dispose(tf.grads((...p: tf.Tensor[]) => tf.mean(mamlLoss(loss, p, tasks, { alpha: 0.05, steps: 1 })) as tf.Scalar)(params));
      }
    }, '1,000 meta-gradients');
    tf.dispose([...params, data.x, data.y, set.x, set.y]);
  });
});

describe('the engine', () => {
  test('reports the backend it chose', () => {
    const info = engineInfo();
    assert.equal(info.backend, tf.getBackend());
    assert.equal(info.tfjsVersion, tf.version.tfjs);
    if (!process.env.MAML_LAB_BACKEND) assert.notEqual(info.reason, '');
  });
});
