import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  disposeTasks, evaluate, mlp, publishedSinusoid, PUBLISHED_SINUSOID, ready, reproduceSinusoid, SINUSOID_PROTOCOLS, SINUSOID_REFERENCES, SINUSOID_SETTINGS,
  sinusoidTasks, train, type Progress,
} from '../src/meta';
import { interruptSignal, progressLine } from '../src/notebook';
import { noLeak } from './helpers';

before(async () => {
  await ready();
});

const model = mlp([1, 16, 1]);
const sample = (i: number) => sinusoidTasks({ tasks: 5, shots: 5, seed: 100 + i });

describe('train', () => {
  test('MAML lowers the meta-loss, reports progress, and leaks nothing', async () => {
    const params = model.init(0);
    const seen: Progress[] = [];
    const before = tf.memory().numTensors;
    const result = await train({ model, params, objective: 'maml', iterations: 60, alpha: 0.01, steps: 1, sample, metaLearningRate: 0.01, onProgress: (p) => seen.push(p), progressEvery: 20 });
    assert.equal(result.iterations, 60);
    assert.equal(result.interrupted, false);
    assert.deepEqual(seen.map((p) => p.iteration), [20, 40, 60]);
    assert.ok(seen.every((p) => p.iterationsPerSecond > 0 && Number.isFinite(p.metaLoss)));
    const first = result.losses.slice(0, 10).reduce((a, b) => a + b) / 10;
    const last = result.losses.slice(-10).reduce((a, b) => a + b) / 10;
    assert.ok(last < first, `meta-loss ${first} → ${last}`);
    assert.equal(tf.memory().numTensors, before + params.length, 'only the returned params remain');
    tf.dispose([...params, ...result.params]);
  });

  test('stop() ends training after the current iteration, with what it has', async () => {
    const params = model.init(1);
    const run = train({ model, params, objective: 'fomaml', iterations: 10_000, alpha: 0.01, steps: 1, sample });
    setTimeout(() => run.stop(), 50);
    const result = await run;
    assert.equal(result.interrupted, true);
    assert.ok(result.iterations > 0 && result.iterations < 10_000);
    assert.equal(result.params.length, params.length);
    tf.dispose([...params, ...result.params]);
  });

  test('aborting the signal ends training after the current iteration, interrupted, leaking nothing', async () => {
    const params = model.init(5);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: Progress[] = [];
    const run = train({ model, params, objective: 'maml', iterations: 10_000, alpha: 0.01, steps: 1, sample, signal: controller.signal, onProgress: (p) => seen.push(p), progressEvery: 1_000_000 });
    setTimeout(() => controller.abort(), 100);
    const result = await run;
    assert.equal(result.interrupted, true);
    assert.ok(result.iterations > 0 && result.iterations < 10_000, `${result.iterations} iterations`);
    assert.equal(result.losses.length, result.iterations);
    assert.deepEqual(seen.map((p) => p.iteration), [result.iterations], 'one last report with what was done');
    assert.equal(tf.memory().numTensors, before + params.length, 'only the returned params remain');
    tf.dispose([...params, ...result.params]);
  });

  test('a signal aborted before the start trains nothing and returns a copy of the parameters', async () => {
    const params = model.init(6);
    const result = await train({ model, params, objective: 'maml', iterations: 10, alpha: 0.01, steps: 1, sample, signal: AbortSignal.abort() });
    assert.equal(result.iterations, 0);
    assert.equal(result.interrupted, true);
    result.params.forEach((p, i) => assert.deepEqual(p.dataSync(), params[i].dataSync()));
    tf.dispose([...params, ...result.params]);
  });

  test('divergence stops with the iteration and a hint, leaking nothing', async () => {
    const params = model.init(2);
    const before = tf.memory().numTensors;
    await assert.rejects(
      async () => train({ model, params, objective: 'maml', iterations: 50, alpha: 1e30, steps: 2, sample }),
      /training diverged at iteration 1: the meta-loss is not finite .* try a smaller alpha/,
    );
    assert.equal(tf.memory().numTensors, before);
    tf.dispose(params);
  });

  test('bad settings are named', () => {
    const params = model.init(3);
    assert.throws(() => train({ model, params, objective: 'maml', iterations: 0, alpha: 0.01, steps: 1, sample }), /iterations must be an integer ≥ 1, got 0/);
    assert.throws(() => train({ model, params, objective: 'sgd' as never, iterations: 1, alpha: 0.01, steps: 1, sample }), /objective must be one of maml, fomaml, reptile, imaml, pretrain/);
    assert.throws(() => train({ model, params, objective: 'maml', iterations: 1, alpha: 0.01, steps: 1, sample, signal: 'SIGINT' as never }), /signal must be an AbortSignal, got string/);
    tf.dispose(params);
  });
});

describe('evaluate', () => {
  test('0..k steps with a 95% CI of 1.96·std/√n, and adaptation lowers the support-fitted query loss', () => {
    const params = model.init(4);
    const tasks = sinusoidTasks({ tasks: 50, shots: 10, seed: 7 });
    const ev = noLeak(() => evaluate(model, params, tasks, { alpha: 0.05, maxSteps: 3 }));
    assert.deepEqual(ev.steps, [0, 1, 2, 3]);
    assert.equal(ev.tasks, 50);
    // recompute step 0 by hand
    const perTask = tf.tidy(() => Array.from(tf.mean(tf.squaredDifference(model.apply(params.map((p) => tf.add(p, tf.zeros([50, ...p.shape]))), tasks.query.x), tasks.query.y), [1, 2]).dataSync()));
    const mean = perTask.reduce((a, b) => a + b) / 50;
    const sd = Math.sqrt(perTask.reduce((a, b) => a + (b - mean) ** 2, 0) / 49);
    assert.ok(Math.abs(ev.mse[0] - mean) < 1e-5);
    assert.ok(Math.abs(ev.ci95[0] - (1.96 * sd) / Math.sqrt(50)) < 1e-5);
    assert.ok(ev.mse[3] < ev.mse[0]);
    tf.dispose(params);
    disposeTasks(tasks);
  });
});

describe('interruptSignal', () => {
  test('aborts at SIGINT, shares one listener between calls, and removes it when it fires', async () => {
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    const listeners = process.listenerCount('SIGINT');
    const first = interruptSignal();
    assert.equal(interruptSignal(), first, 'calls before an interrupt share one signal');
    assert.equal(process.listenerCount('SIGINT'), listeners, 'the listener waits for the next turn of the event loop');
    await nextTurn();
    assert.equal(process.listenerCount('SIGINT'), listeners + 1);
    process.emit('SIGINT');
    assert.equal(first.aborted, true);
    assert.equal(process.listenerCount('SIGINT'), listeners);
    const next = interruptSignal();
    assert.notEqual(next, first);
    assert.equal(next.aborted, false);
    await nextTurn();
    process.emit('SIGINT');
    assert.equal(next.aborted, true);
    assert.equal(process.listenerCount('SIGINT'), listeners);
  });
});

describe('progressLine', () => {
  test('a bar, the iteration, meta-loss, rate and ETA', () => {
    const line = progressLine('MAML', { iteration: 50, iterations: 100, metaLoss: 1.2, iterationsPerSecond: 25, etaSeconds: 2 });
    assert.equal(line, `MAML ${'█'.repeat(12)}${'░'.repeat(12)} 50/100 · meta-loss 1.2000 · 25 it/s · ETA 2 s`);
  });
});

describe('sinusoidTasks', () => {
  const values = (t: tf.Tensor) => Array.from(t.dataSync());

  test('existing calls draw the numbers they drew before queryShots and frequency existed', () => {
    const before = tf.memory().numTensors;
    const batch = sinusoidTasks({ tasks: 6, shots: 4, seed: 12 });
    // The draw as it was written before: A, φ and then 2K x-values per task from the seeds 3s+1, 3s+2, 3s+3.
    const [x, y] = tf.tidy(() => {
      const a = tf.randomUniform([6, 1, 1], 0.1, 5, 'float32', 37);
      const phi = tf.randomUniform([6, 1, 1], 0, Math.PI, 'float32', 38);
      const xs = tf.randomUniform([6, 8, 1], -5, 5, 'float32', 39);
      return [xs, tf.mul(a, tf.sin(tf.sub(xs, phi)))];
    });
    const joined = (part: 'x' | 'y') => tf.tidy(() => values(tf.concat([batch.support[part], batch.query[part]], 1)));
    assert.deepEqual(joined('x'), values(x));
    assert.deepEqual(joined('y'), values(y));
    assert.deepEqual(Array.from(batch.frequency), [1, 1, 1, 1, 1, 1]);
    tf.dispose([x, y]);
    disposeTasks(batch);
    assert.equal(tf.memory().numTensors, before);
  });

  test('queryShots and frequency: shapes, ranges, y = A·sin(ωx − φ), and unchanged amplitudes and phases', () => {
    const before = tf.memory().numTensors;
    const plain = sinusoidTasks({ tasks: 50, shots: 5, seed: 3 });
    const li = sinusoidTasks({ tasks: 50, shots: 5, queryShots: 10, seed: 3, frequency: [0.8, 1.2] });
    assert.deepEqual(li.support.x.shape, [50, 5, 1]);
    assert.deepEqual(li.query.x.shape, [50, 10, 1]);
    assert.deepEqual(li.amplitude, plain.amplitude);
    assert.deepEqual(li.phase, plain.phase);
    assert.ok(Array.from(li.frequency).every((w) => w >= 0.8 && w <= 1.2));
    assert.ok(new Set(li.frequency).size > 40, 'one frequency per task');
    const qx = values(li.query.x);
    const qy = values(li.query.y);
    qx.forEach((xv, i) => {
      const t = Math.floor(i / 10);
      assert.ok(Math.abs(qy[i] - li.amplitude[t] * Math.sin(li.frequency[t] * xv - li.phase[t])) < 1e-4);
    });
    const again = sinusoidTasks({ tasks: 50, shots: 5, queryShots: 10, seed: 3, frequency: [0.8, 1.2] });
    assert.deepEqual(values(again.query.y), qy, 'the same options give the same batch');
    [plain, li, again].forEach(disposeTasks);
    assert.equal(tf.memory().numTensors, before);
  });

  test('bad queryShots and frequency are named', () => {
    assert.throws(() => sinusoidTasks({ tasks: 2, shots: 5, seed: 0, queryShots: 0 }), /queryShots must be an integer ≥ 1, got 0/);
    assert.throws(() => sinusoidTasks({ tasks: 2, shots: 5, seed: 0, frequency: [1.2, 0.8] }), /frequency must be a range \[low, high\] with 0 < low ≤ high, got \[1.2,0.8\]/);
    assert.throws(() => sinusoidTasks({ tasks: 2, shots: 5, seed: 0, frequency: 1 as never }), /frequency must be a range/);
  });
});

describe('sinusoid references', () => {
  test('Li et al.\'s Table 1 per test K, and Finn et al.\'s setup only as an outside rerun', () => {
    assert.deepEqual(SINUSOID_REFERENCES.li2017.figures.filter((f) => f.trainShots === 5).map((f) => [f.testShots, f.mse, f.ci95]), [[5, 1.13, 0.18], [10, 0.85, 0.14], [20, 0.71, 0.12]]);
    assert.equal(SINUSOID_REFERENCES.li2017.kind, 'publication');
    assert.equal(SINUSOID_REFERENCES.finn2017.kind, 'outside rerun');
    assert.deepEqual({ ...PUBLISHED_SINUSOID }, { source: 'Li et al. 2017 (Meta-SGD), Table 1', method: 'MAML', shots: 5, steps: 1, mse: 1.13, ci95: 0.18 });
    assert.equal(publishedSinusoid(5, 'li2017'), 'Li et al. 2017 (Meta-SGD), Table 1: MAML trained at K = 5, 1 step: 1.13 ± 0.18 at K = 5, 0.85 ± 0.14 at K = 10, 0.71 ± 0.12 at K = 20');
    assert.match(publishedSinusoid(5), /^no published figure: Finn et al\. 2017 show regression as figures only\. an outside PyTorch rerun .*not a publication: MAML trained at K = 5, 1 step: 0\.53 at K = 5\./);
    assert.match(publishedSinusoid(10), /0\.32 at K = 10/);
    assert.match(publishedSinusoid(7, 'li2017'), /none at hand for K = 7 \(Li et al\. 2017 \(Meta-SGD\), Table 1 has K = 5, 20\)/);
    assert.throws(() => publishedSinusoid(5, 'li2018' as never), /protocol must be one of finn2017, li2017, got "li2018"/);
    assert.equal(SINUSOID_PROTOCOLS.finn2017, SINUSOID_SETTINGS, 'finn2017 is the settings the committed results were made with');
  });
});

describe('reproduceSinusoid', () => {
  test('aborting the signal stops the whole run: the method in training keeps what it has, the rest are skipped', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const out = await reproduceSinusoid({ iterations: 1_000_000, seed: 1, shots: 5, signal: controller.signal });
    assert.equal(out.interrupted, true);
    assert.deepEqual(Object.keys(out.results), ['maml']);
    const maml = out.results.maml!;
    assert.ok(!('error' in maml) && maml.interrupted && maml.iterations > 0 && maml.iterations < 1_000_000);
    assert.ok(Number.isFinite(maml['1'].mse));
    assert.equal(tf.memory().numTensors, before);
  });

  test('li2017 scores every method at K = 5, 10 and 20 on the same 100 tasks, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const out = await reproduceSinusoid({ iterations: 2, seed: 0, shots: 5, protocol: 'li2017' });
    assert.equal(out.protocol, 'li2017');
    assert.equal(out.interrupted, false);
    assert.deepEqual(Object.keys(out.results), ['maml', 'fomaml', 'reptile', 'pretrained']);
    for (const r of Object.values(out.results)) {
      assert.ok(!('error' in r) && r.tested);
      assert.deepEqual(Object.keys(r.tested), ['5', '10', '20']);
      assert.deepEqual(r.tested['5'], { '1': r['1'], '10': r['10'], curve: r.curve }, 'the training K is scored once');
      assert.equal(r.tested['20'].curve.tasks, 100);
      assert.ok(r.tested['20']['10'].mse < r.tested['5']['10'].mse, 'more support points fit better after 10 steps');
    }
    assert.equal(tf.memory().numTensors, before);
    await assert.rejects(async () => reproduceSinusoid({ iterations: 1, seed: 0, shots: 5, protocol: 'li' as never }), /protocol must be one of finn2017, li2017, got "li"/);
  });
});
