import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { measureCosts } from '../src/derivations';
import { linearTasks, metaGradient, mlp, ready, disposeTasks } from '../src/meta';

before(async () => {
  await ready();
});

describe('measureCosts', () => {
  test('peak tensor memory is what the call holds at once, above the level before it', async () => {
    const x = tf.ones([64, 64]);
    const held = tf.zeros([1000]); // alive before and during the calls: not counted
    const costs = await measureCosts({
      square: () => tf.matMul(x, x),
      cube: () => tf.tidy(() => tf.matMul(tf.matMul(x, x), x)),
      pair: () => [tf.add(x, x), tf.mul(x, x)],
    }, { repeat: 2, warmup: 0 });
    assert.equal(costs.square.peakBytes, 64 * 64 * 4);
    assert.equal(costs.cube.peakBytes, 2 * 64 * 64 * 4);
    assert.equal(costs.pair.peakBytes, 2 * 64 * 64 * 4);
    assert.equal(costs.cube.peakTensors, 2);
    tf.dispose([x, held]);
  });

  test('times are medians of interleaved samples, and every returned tensor is disposed', async () => {
    const x = tf.ones([32, 32]);
    const order: string[] = [];
    const before = tf.memory().numTensors;
    const costs = await measureCosts({
      a: () => (order.push('a'), [tf.matMul(x, x)]),
      b: () => (order.push('b'), { grads: [tf.add(x, x)] }),
    }, { repeat: 3, warmup: 1 });
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    // warm-up round, three timed rounds, then one profiled call each
    assert.deepEqual(order, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    for (const c of Object.values(costs)) {
      assert.equal(c.samples.length, 3);
      const walls = c.samples.map((s) => s.wallMs).sort((p, q) => p - q);
      assert.equal(c.wallMs, walls[1]);
      assert.ok(c.cpuMs >= 0 && Number.isFinite(c.cpuMs));
    }
    x.dispose();
  });

  test('exact MAML holds more memory with every inner step; FOMAML records no tape through them', async () => {
    const model = mlp([1, 8, 1], { activation: 'tanh' });
    const params = model.init(0);
    const tasks = linearTasks({ tasks: 4, shots: 5, seed: 0 });
    const call = (method: 'maml' | 'fomaml', steps: number) => () => metaGradient(model, params, tasks, { alpha: 0.01, steps, method, engine: 'tfjs' }); // tfjs's tape: the kernel keeps none
    const c = await measureCosts({ maml1: call('maml', 1), maml3: call('maml', 3), fomaml1: call('fomaml', 1), fomaml3: call('fomaml', 3) }, { repeat: 1, warmup: 0 });
    const perStep = (a: number, b: number) => (b - a) / 2;
    assert.ok(perStep(c.maml1.peakBytes, c.maml3.peakBytes) > 5 * perStep(c.fomaml1.peakBytes, c.fomaml3.peakBytes));
    tf.dispose(params);
    disposeTasks(tasks);
  });

  test('counts kernels and the multiply-adds of matrix products, transposed and batched ones too', async () => {
    const a = tf.ones([5, 3]);
    const b = tf.ones([5, 4]);
    const batchA = tf.ones([2, 3, 5]);
    const broadcastA = tf.ones([1, 3, 5]);
    const batchB = tf.ones([2, 5, 4]);
    const costs = await measureCosts({
      transposed: () => tf.matMul(a, b, true, false), // (3 × 5)·(5 × 4): 12 entries, 5 products each
      batched: () => tf.matMul(batchA, batchB), // twice that
      broadcast: () => tf.matMul(broadcastA, batchB), // a's one matrix against both of b's
      elementwise: () => tf.tidy(() => tf.add(tf.mul(a, a), a)), // two kernels, no matrix product
    }, { repeat: 1, warmup: 0 });
    assert.equal(costs.transposed.multiplyAdds, 60);
    assert.equal(costs.batched.multiplyAdds, 120);
    assert.equal(costs.broadcast.multiplyAdds, 120);
    assert.equal(costs.elementwise.multiplyAdds, 0);
    assert.equal(costs.elementwise.kernels, 2);
    tf.dispose([a, b, batchA, broadcastA, batchB]);
  });

  test('rejects what it cannot measure', async () => {
    await assert.rejects(measureCosts({}), /at least one call/);
    await assert.rejects(measureCosts({ a: () => tf.scalar(1) }, { repeat: 0 }), /repeat/);
    await assert.rejects(measureCosts({ a: 5 as unknown as () => tf.Tensor }), /calls\.a must be a function/);
  });
});
