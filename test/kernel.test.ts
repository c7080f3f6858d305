/*
 * The kernel (src/kernel: AssemblyScript SIMD in float32, its TypeScript twin in float64) against the tfjs
 * route and the float64 references of src/derivations, on every method, k = 1…5, relu and tanh.
 * Errors are normwise: ‖a − b‖₂ / ‖b‖₂ (`relativeError`). Bounds: 1e-5 in float32, 1e-10 in float64.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { float64Math, kernelHessian, kernelHessianProducts, kernelMetaGradient, MAX_BANKS, wasmMath, type KernelTasks } from '../src/kernel';
import {
  disposeTasks, evaluate, flattenParams, gaussNewtonPart, hessianSplit, hessianVectorProducts, lossHessian, metaGradient, mlp, ready, residualPart,
  sinusoidTasks, train, type Activation, type Method, type TaskBatch,
} from '../src/meta';
import { instancesFromBatch, referenceHessianSplit, referenceMetaGradient, relativeError } from '../src/derivations';
import { noLeak } from './helpers';

before(async () => {
  await ready();
});

const FLOAT32 = 1e-5;
const FLOAT64 = 1e-10;
const METHODS: readonly Method[] = ['maml', 'fomaml', 'reptile', 'imaml'];
const ALPHA = 0.05;
// λ large enough that I + H/λ is positive definite for these nets; CG run to convergence, since the
// reference solves the system exactly (LU).
const SETTINGS = { lambda: 10, reptileRate: 0.5 };
const CG32 = { tolerance: 1e-7, maxIterations: 200 };
const CG64 = { tolerance: 1e-14, maxIterations: 500 };

/** A small problem per activation: the 1-10-10-1 MLP (141 parameters), 4 sinusoid tasks of 5 points. */
function problem(activation: Activation) {
  const model = mlp([1, 10, 10, 1], { activation });
  const params = model.init(3);
  const batch = sinusoidTasks({ tasks: 4, shots: 5, seed: 7 });
  const read = (s: { x: tf.Tensor; y: tf.Tensor }) => ({ x: Float64Array.from(s.x.dataSync()), y: Float64Array.from(s.y.dataSync()), tasks: 4, points: 5 });
  const tasks: KernelTasks = { support: read(batch.support), query: read(batch.query) };
  const theta = Float64Array.from(flattenParams(params).dataSync());
  return { model, params, batch, tasks, theta, instances: instancesFromBatch(batch, { model, theta: params, alpha: ALPHA }) };
}

function flat(grads: tf.Tensor[]): Float32Array {
  const joined = flattenParams(grads);
  const v = joined.dataSync() as Float32Array;
  tf.dispose([joined, ...grads]);
  return v;
}

for (const activation of ['relu', 'tanh'] as const) {
  describe(`kernel meta-gradients, ${activation}: every method, k = 1…5`, () => {
    // Made at the first test, after `ready()`: the wasm backend cannot make tensors before it.
    let shared: ReturnType<typeof problem> | undefined;
    for (const method of METHODS) {
      test(`${method}: float32 kernel vs float64 reference and vs tfjs (1e-5); float64 kernel vs reference (1e-10)`, () => {
        const p = (shared ??= problem(activation));
        for (let steps = 1; steps <= 5; steps++) {
          const reference = referenceMetaGradient(p.instances, { method, steps, ...SETTINGS });
          const options = { method, steps, alpha: ALPHA, ...SETTINGS, cg: CG32 };
          const kernel = noLeak(() => {
            const r = metaGradient(p.model, p.params, p.batch, { ...options, engine: 'kernel' });
            return { ...r, grads: [], flat: flat(r.grads) };
          });
          const tfjs = metaGradient(p.model, p.params, p.batch, { ...options, engine: 'tfjs' });
          const k = kernel.flat;
          const t = flat(tfjs.grads);
          assert.ok(relativeError(k, reference) < FLOAT32, `${method} k=${steps}: kernel vs float64 ${relativeError(k, reference)}`);
          // tfjs's Reptile is θ − φₖ, a difference of nearly equal float32 vectors (about 1e-6 off); the
          // kernel sums the inner steps instead, so it is held to tfjs's own distance from the reference.
          const tfjsOwn = relativeError(t, reference);
          assert.ok(relativeError(k, t) < Math.max(FLOAT32, 2 * tfjsOwn), `${method} k=${steps}: kernel vs tfjs ${relativeError(k, t)}`);
          assert.ok(Math.abs(kernel.loss - tfjs.loss) <= FLOAT32 * tfjs.loss, `${method} k=${steps}: loss ${kernel.loss} vs ${tfjs.loss}`);
          const wide = kernelMetaGradient(float64Math(p.model.sizes, activation), p.theta, p.tasks, { ...options, cg: CG64 });
          assert.ok(relativeError(wide.grad, reference) < FLOAT64, `${method} k=${steps}: float64 kernel vs reference ${relativeError(wide.grad, reference)}`);
          if (method === 'imaml') assert.ok(kernel.cg!.relativeResidual <= CG32.tolerance && wide.cg!.relativeResidual <= CG64.tolerance);
        }
      });
    }
  });
}

test(`exact MAML beyond the kernel's ${MAX_BANKS - 1} kept inner steps (k = 20) runs the passes again and agrees with float64`, () => {
  const p = problem('tanh');
  const reference = referenceMetaGradient(p.instances, { method: 'maml', steps: 20 });
  assert.ok(relativeError(flat(metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 20, engine: 'kernel' }).grads), reference) < FLOAT32);
  const wide = kernelMetaGradient(float64Math(p.model.sizes, 'tanh'), p.theta, p.tasks, { method: 'maml', alpha: ALPHA, steps: 20 });
  assert.ok(relativeError(wide.grad, reference) < FLOAT64);
});

describe('kernel Hessians: the full matrix, its Gauss–Newton and residual parts, products', () => {
  for (const activation of ['relu', 'tanh'] as const) {
    test(`${activation}: lossHessian and hessianSplit on the kernel agree with float64 (1e-5) and tfjs; the float64 kernel to 1e-10`, () => {
      const p = problem(activation);
      const inst = p.instances[1];
      const reference = referenceHessianSplit(inst);
      const points = { x: p.batch.support.x, y: p.batch.support.y };
      const kernel = noLeak(() => hessianSplit(p.model, p.params, points, { task: 1, engine: 'kernel' }));
      const tfjs = hessianSplit(p.model, p.params, points, { task: 1, engine: 'tfjs' });
      for (const part of ['hessian', 'gaussNewton', 'residual'] as const) {
        assert.ok(relativeError(kernel[part].values, reference[part].values) < FLOAT32, `${part}: kernel vs float64 ${relativeError(kernel[part].values, reference[part].values)}`);
        assert.ok(relativeError(kernel[part].values, tfjs[part].values) < FLOAT32, `${part}: kernel vs tfjs`);
        const wide = kernelHessian(float64Math(p.model.sizes, activation), inst.theta, { ...inst.support, tasks: 1 }, part);
        assert.ok(relativeError(wide, reference[part].values) < FLOAT64, `${part}: float64 kernel vs reference ${relativeError(wide, reference[part].values)}`);
      }
      const H = lossHessian(p.model, p.params, points, { task: 1 });
      // By default an MLP's Hessian is the kernel's, bit for bit (unless MAML_LAB_ENGINE=tfjs says otherwise).
      assert.deepEqual(H.values, (process.env.MAML_LAB_ENGINE === 'tfjs' ? tfjs : kernel).hessian.values);
      assert.ok(relativeError(gaussNewtonPart(p.model, p.params, points, { task: 1 }).values, reference.gaussNewton.values) < FLOAT32);
      assert.ok(relativeError(residualPart(p.model, p.params, points, { task: 1 }).values, reference.residual.values) < FLOAT32);
      disposeTasks(p.batch);
      tf.dispose(p.params);
    });
  }

  test('hessianVectorProducts on the kernel: rows H·vᵢ as on tfjs, and as the float64 kernel', () => {
    const p = problem('tanh');
    const n = p.model.parameterCount;
    const directions = tf.randomNormal([3, n], 0, 1, 'float32', 5) as tf.Tensor2D;
    const points = { x: p.batch.support.x, y: p.batch.support.y };
    const kernel = noLeak(() => {
      const products = hessianVectorProducts(p.model, p.params, points, directions, { task: 2, engine: 'kernel' });
      const values = products.dataSync();
      products.dispose();
      return values;
    });
    const tfjs = hessianVectorProducts(p.model, p.params, points, directions, { task: 2, engine: 'tfjs' });
    assert.ok(relativeError(kernel, tfjs.dataSync()) < FLOAT32);
    const inst = p.instances[2];
    const wide = kernelHessianProducts(float64Math(p.model.sizes, 'tanh'), inst.theta, { ...inst.support, tasks: 1 }, Float64Array.from(directions.dataSync()), 3);
    const reference = [0, 1, 2].flatMap((r) => Array.from(inst.net.hessianVectorProduct(inst.theta, Float64Array.from(directions.dataSync().subarray(r * n, (r + 1) * n)), inst.support)));
    assert.ok(relativeError(wide, reference) < FLOAT64);
    tf.dispose([tfjs, directions, ...p.params]);
    disposeTasks(p.batch);
  });

  test('a network with several inputs and outputs (2-5-7-3): the kernel layout pads rows and columns correctly', () => {
    const model = mlp([2, 5, 7, 3], { activation: 'tanh' });
    const params = model.init(1);
    const points = { x: tf.randomNormal([6, 2], 0, 1, 'float32', 2) as tf.Tensor2D, y: tf.randomNormal([6, 3], 0, 1, 'float32', 3) as tf.Tensor2D };
    const kernel = hessianSplit(model, params, points, { engine: 'kernel' });
    const tfjs = hessianSplit(model, params, points, { engine: 'tfjs' });
    for (const part of ['hessian', 'gaussNewton', 'residual'] as const) assert.ok(relativeError(kernel[part].values, tfjs[part].values) < FLOAT32, part);
    const batch: TaskBatch = { support: { x: tf.reshape(points.x, [2, 3, 2]) as tf.Tensor3D, y: tf.reshape(points.y, [2, 3, 3]) as tf.Tensor3D }, query: { x: tf.reshape(points.x, [2, 3, 2]) as tf.Tensor3D, y: tf.reshape(points.y, [2, 3, 3]) as tf.Tensor3D }, count: 2 };
    const k = flat(metaGradient(model, params, batch, { alpha: 0.1, steps: 3, engine: 'kernel' }).grads);
    const t = flat(metaGradient(model, params, batch, { alpha: 0.1, steps: 3, engine: 'tfjs' }).grads);
    assert.ok(relativeError(k, t) < FLOAT32);
    tf.dispose([...params, points.x, points.y]);
    disposeTasks(batch);
  });
});

describe('kernel engine choice and errors', () => {
  test('an MLP runs on the kernel by default: its numbers are the kernel route\'s, bit for bit, and not tfjs\'s', { skip: process.env.MAML_LAB_ENGINE === 'tfjs' }, () => {
    const p = problem('relu');
    const byDefault = flat(metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 2 }).grads);
    const kernel = flat(metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 2, engine: 'kernel' }).grads);
    const tfjs = flat(metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 2, engine: 'tfjs' }).grads);
    assert.deepEqual(byDefault, kernel);
    assert.notDeepEqual(byDefault, tfjs);
  });

  test('a custom loss cannot be forced onto the kernel; a bad engine name is refused', () => {
    const p = problem('relu');
    const custom = (params: tf.Tensor[], batch: { x: tf.Tensor3D; y: tf.Tensor3D }) => tf.mean(tf.square(tf.sub(p.model.apply(params, batch.x), batch.y)), [1, 2]) as tf.Tensor1D;
    assert.throws(() => metaGradient(custom, p.params, p.batch, { alpha: ALPHA, steps: 1, engine: 'kernel' }), /engine 'kernel' computes MLPs with the MSE loss only; this is a custom loss: use engine 'tfjs'/);
    assert.throws(() => metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 1, engine: 'gpu' as 'tfjs' }), /engine must be one of kernel, tfjs, got "gpu"/);
    // The custom loss runs on tfjs by default, and gives the model's numbers.
    const viaCustom = flat(metaGradient(custom, p.params, p.batch, { alpha: ALPHA, steps: 1 }).grads);
    const viaModel = flat(metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 1, engine: 'tfjs' }).grads);
    assert.ok(relativeError(viaCustom, viaModel) < 1e-6);
  });

  test('bad input gives the same errors on both engines', () => {
    const p = problem('relu');
    const wrong = [tf.zeros([1, 3]), ...p.params.slice(1)];
    const cases: [string, (engine: 'kernel' | 'tfjs') => unknown][] = [
      ['wrong parameter shape', (engine) => metaGradient(p.model, wrong, p.batch, { alpha: ALPHA, steps: 1, engine })],
      ['negative alpha', (engine) => metaGradient(p.model, p.params, p.batch, { alpha: -1, steps: 1, engine })],
      ['zero steps', (engine) => metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 0, engine })],
      ['αλ ≥ 2', (engine) => metaGradient(p.model, p.params, p.batch, { alpha: 1, steps: 1, method: 'imaml', lambda: 2, engine })],
      ['bad reptile rate', (engine) => metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 1, method: 'reptile', reptileRate: 0, engine })],
      ['bad CG tolerance', (engine) => metaGradient(p.model, p.params, p.batch, { alpha: ALPHA, steps: 1, method: 'imaml', cg: { tolerance: -1 }, engine })],
      ['diverging inner loop', (engine) => metaGradient(p.model, p.params, p.batch, { alpha: 1e30, steps: 3, engine })],
      ['Hessian of a task beyond the batch', (engine) => lossHessian(p.model, p.params, p.batch.support, { task: 9, engine })],
      ['Hessian with mismatched points', (engine) => lossHessian(p.model, p.params, { x: tf.zeros([3, 1]), y: tf.zeros([3, 2]) }, { engine })],
    ];
    for (const [name, run] of cases) {
      const message = (engine: 'kernel' | 'tfjs') => {
        try {
          run(engine);
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      };
      const tfjs = message('tfjs');
      assert.notEqual(tfjs, 'no error', name);
      assert.equal(message('kernel'), tfjs, name);
    }
  });

  test('an indefinite iMAML system is the same error on both engines (up to the curvature printed)', () => {
    const p = problem('relu');
    const run = (engine: 'kernel' | 'tfjs') => assert.throws(() => metaGradient(p.model, p.params, p.batch, { alpha: 0.01, steps: 1, method: 'imaml', lambda: 1e-3, engine }), /imaml: I \+ H\/λ is not positive definite for task \d+ \(pᵀAp = .* at CG iteration \d+\); the support loss is too curved for lambda = 0.001: use a larger lambda/);
    run('tfjs');
    run('kernel');
  });
});

describe('kernel training and evaluation', () => {
  test('evaluate gives the same curve on both engines; train takes the same steps (Adam in float64 moments vs tfjs float32)', async () => {
    const model = mlp([1, 20, 20, 1], { activation: 'tanh' });
    const params = model.init(2);
    const held = sinusoidTasks({ tasks: 30, shots: 10, seed: 4 });
    const curve = (engine: 'kernel' | 'tfjs') => evaluate(model, params, held, { alpha: 0.01, maxSteps: 5, engine });
    const [k, t] = [curve('kernel'), curve('tfjs')];
    assert.deepEqual(k.steps, t.steps);
    assert.ok(relativeError(k.mse, t.mse) < FLOAT32 && relativeError(k.ci95, t.ci95) < 1e-4, `${k.mse} vs ${t.mse}`);
    const run = (engine: 'kernel' | 'tfjs', objective: 'maml' | 'reptile' | 'pretrain') =>
      train({ model, params, objective, iterations: 20, alpha: 0.01, steps: 2, engine, sample: (i) => sinusoidTasks({ tasks: 5, shots: 10, seed: i }) });
    for (const objective of ['maml', 'reptile', 'pretrain'] as const) {
      const [a, b] = [await run('kernel', objective), await run('tfjs', objective)];
      assert.ok(relativeError(a.losses, b.losses) < 1e-4, `${objective}: losses ${relativeError(a.losses, b.losses)}`);
      const [pa, pb] = [flat(a.params), flat(b.params)];
      assert.ok(relativeError(pa, pb) < 1e-4, `${objective}: parameters ${relativeError(pa, pb)}`);
    }
    tf.dispose(params);
    disposeTasks(held);
  });
});

describe('kernel memory', () => {
  test('flat over 10⁴ meta-steps: the wasm memory stops growing after the first call and the JS heap stays put', () => {
    const model = mlp([1, 40, 40, 1]);
    const batch = sinusoidTasks({ tasks: 25, shots: 10, seed: 0 });
    const params = model.init(0);
    const read = (s: { x: tf.Tensor; y: tf.Tensor }) => ({ x: s.x.dataSync(), y: s.y.dataSync(), tasks: 25, points: 10 });
    const tasks: KernelTasks = { support: read(batch.support), query: read(batch.query) };
    let theta = Float32Array.from(flattenParams(params).dataSync());
    const math = wasmMath(model.sizes, 'relu');
    const step = () => {
      const { grad } = kernelMetaGradient(math, theta, tasks, { method: 'maml', alpha: 0.01, steps: 1 });
      theta = theta.map((t, i) => t - 1e-3 * grad[i]);
    };
    step();
    const memory = math.heap().buffer.byteLength;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 1; i < 10_000; i++) step();
    assert.equal(math.heap().buffer.byteLength, memory, 'the wasm memory grew');
    const grewMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(grewMb < 20, `the JS heap grew by ${grewMb.toFixed(1)} MB over 10⁴ steps`);
    // Through the tfjs boundary, no tensor is left behind either.
    noLeak(() => {
      for (let i = 0; i < 100; i++) tf.dispose(metaGradient(model, params, batch, { alpha: 0.01, steps: 1, engine: 'kernel' }).grads);
    });
    tf.dispose(params);
    disposeTasks(batch);
  });
});
