/*
 * The kernel (src/kernel: AssemblyScript SIMD in float32, its TypeScript twin in float64) against the tfjs
 * route and the float64 references of src/derivations, on every method, k = 1…5, relu and tanh.
 * Errors are normwise: ‖a − b‖₂ / ‖b‖₂ (`relativeError`). Bounds: 1e-5 in float32, 1e-10 in float64.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { float64Math, kernelHessian, kernelHessianProducts, kernelMetaGradient, MAX_BANKS, wasmMath, workspaceEnd, type KernelTasks } from '../src/kernel';
import {
  disposeTasks, evaluate, flattenParams, gaussNewtonPart, hessianSplit, hessianVectorProducts, KERNEL_RELEASE_BYTES, lossHessian, metaGradient, mlp, modelKernel, ready,
  releaseKernels, residualPart, sinusoidTasks, train, type Activation, type Method, type TaskBatch,
} from '../src/meta';
import { instancesFromBatch, referenceHessianSplit, referenceMetaGradient, relativeError } from '../src/derivations';
import { noLeak } from './helpers';
import { makeCase, type Batch } from './fuzz/cases';
import { random } from './fuzz/random';

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

describe('kernel regressions (issue 15): each fails with its fix reverted', () => {
  test('a meta-gradient whose float32 passes overflow while its loss stays finite is refused, in metaGradient and in train (fuzz seed 1, case 923)', async () => {
    // A 10-layer ReLU net whose FOMAML inner loop (k = 15) reaches a loss of 1.3e30: float32 holds the loss,
    // but 159 gradient entries came back NaN (the float64 twin's largest is 5.2e14).
    const c = makeCase(random(1, 923), 1, 923);
    const call = c.calls[4] as { kind: string; method: 'fomaml'; steps: number; alpha: number; batch: Batch };
    assert.equal(call.kind, 'metaGradient');
    const model = mlp(c.sizes, { activation: c.activation });
    let at = 0;
    const params = model.shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(c.theta.subarray(at, (at += size)), shape as number[], 'float32');
    });
    const batchOf = () => {
      const of = (p: Batch['support']) => ({ x: tf.tensor3d(p.x, [p.tasks, p.points, c.sizes[0]]), y: tf.tensor3d(p.y, [p.tasks, p.points, c.sizes[c.sizes.length - 1]]) });
      return { support: of(call.batch.support), query: of(call.batch.query), count: call.batch.support.tasks };
    };
    const batch = batchOf();
    const options = { method: call.method, steps: call.steps, alpha: call.alpha, engine: 'kernel' as const };
    assert.throws(() => metaGradient(model, params, batch, options), /the meta-gradient is not finite \(\d+ of \d+ entries\): float32 overflowed inside the kernel's passes .*try a smaller alpha/);
    await assert.rejects(async () => {
      await train({ model, params, objective: call.method, iterations: 1, alpha: call.alpha, steps: call.steps, engine: 'kernel', sample: () => batchOf() });
    }, /training diverged at iteration 1: the meta-gradient is not finite/);
    tf.dispose(params);
    disposeTasks(batch);
  });

  test('after a metaGradient that diverged, hessianVectorProducts on tanh are exact (every buffer a pass reads is written or cleared first)', () => {
    releaseKernels();
    const p = problem('tanh');
    const n = p.model.parameterCount;
    assert.throws(() => metaGradient(p.model, p.params, p.batch, { alpha: 1e30, steps: 3, engine: 'kernel' }), /the meta-loss is not finite/);
    const directions = tf.randomNormal([2, n], 0, 1, 'float32', 9) as tf.Tensor2D;
    const points = { x: p.batch.support.x, y: p.batch.support.y };
    const products = hessianVectorProducts(p.model, p.params, points, directions, { task: 1, engine: 'kernel' });
    const inst = p.instances[1];
    const d = Float64Array.from(directions.dataSync());
    const reference = [0, 1].flatMap((r) => Array.from(inst.net.hessianVectorProduct(inst.theta, d.subarray(r * n, (r + 1) * n), inst.support)));
    assert.ok(relativeError(products.dataSync(), reference) < FLOAT32, `relative error ${relativeError(products.dataSync(), reference)}`);
    tf.dispose([products, directions, ...p.params]);
    disposeTasks(p.batch);
  });

  test('more than 32 weight layers (34, 40) give the float64 twin\'s meta-gradient and loss', () => {
    for (const depth of [34, 40]) {
      const sizes = [1, ...new Array(depth - 1).fill(5), 1];
      const math = wasmMath(sizes, 'tanh');
      const wide = float64Math(sizes, 'tanh');
      const layout = math.layout;
      const theta = Float64Array.from({ length: layout.parameterCount }, (_, i) => Math.fround(0.7 * Math.sin(1.3 * i + 0.4)));
      const read = (values: number[]) => Float64Array.from(values, (v) => Math.fround(v));
      const tasks: KernelTasks = { support: { x: read([0.1, -0.4, 0.8, 1.2]), y: read([0.3, -0.2, 0.5, 0.1]), tasks: 2, points: 2 }, query: { x: read([0.5, -0.9]), y: read([0.2, 0.4]), tasks: 2, points: 1 } };
      const options = { method: 'maml' as const, alpha: 0.05, steps: 3 };
      const k = kernelMetaGradient(math, theta, tasks, options);
      const r = kernelMetaGradient(wide, theta, tasks, options);
      assert.ok(relativeError(k.grad, r.grad) < 1e-4, `${depth} layers: meta-gradient relative error ${relativeError(k.grad, r.grad)}`);
      assert.ok(Math.abs(k.loss - r.loss) < 1e-5 * r.loss, `${depth} layers: loss ${k.loss} vs ${r.loss}`);
    }
  });

  test('a workspace wasm cannot hold (over 4 GiB) is refused with what to shrink, and the kernel stays exact after it', () => {
    const math = wasmMath([1, 40, 40, 1], 'relu');
    const wide = float64Math([1, 40, 40, 1], 'relu');
    const small = { x: [0.5, -1], y: [1, 2], tasks: 1, points: 2 };
    const theta = Float64Array.from({ length: math.layout.parameterCount }, (_, i) => Math.fround(0.2 * Math.cos(i)));
    // 140,000 points × 16 banks: about 4.4 GiB, which wrapped past 4 GiB into a 257 MB heap before.
    const big = { x: new Float32Array(140_000), y: new Float32Array(140_000), tasks: 1, points: 140_000 };
    assert.throws(
      () => kernelMetaGradient(math, theta, { support: big, query: small }, { method: 'maml', alpha: 0.01, steps: 15 }),
      /maml-lab kernel: this call needs 4\.\d+ GiB of memory .* more than wasm's 4 GiB: use fewer points per task or fewer tasks per call/,
    );
    const options = { method: 'maml' as const, alpha: 0.01, steps: 15 };
    const after = kernelMetaGradient(math, theta, { support: small, query: small }, options);
    assert.ok(relativeError(after.grad, kernelMetaGradient(wide, theta, { support: small, query: small }, options).grad) < FLOAT32);
  });

  test('a workspace past 2 GiB (70,000 query points in 16 banks) is laid out, not wrapped: setup\'s end is read unsigned', () => {
    const math = wasmMath([1, 40, 40, 1], 'relu');
    const theta = Float64Array.from({ length: math.layout.parameterCount }, (_, i) => Math.fround(0.2 * Math.cos(i)));
    const support = { x: [0.5, -1], y: [1, 2], tasks: 1, points: 2 };
    const x = Float32Array.from({ length: 70_000 }, (_, i) => Math.sin(i));
    const query = { x, y: x.map((v) => v * v), tasks: 1, points: 70_000 };
    const options = { method: 'maml' as const, alpha: 0.01, steps: 15 };
    assert.ok(workspaceEnd(math.layout, 'relu', 70_000, 16, 0) > 2 ** 31);
    const k = kernelMetaGradient(math, theta, { support, query }, options);
    assert.ok(math.heap().buffer.byteLength > 2 ** 31);
    // The reference in 70 chunks of 1,000 query points (the meta-gradient is linear in the query gradient,
    // and equal chunks' mean losses average to the whole's), so the float64 twin's banks stay small.
    const wide = float64Math([1, 40, 40, 1], 'relu');
    const grad = new Float64Array(k.grad.length);
    let loss = 0;
    for (let c = 0; c < 70; c++) {
      const chunk = { x: x.subarray(c * 1000, (c + 1) * 1000), y: query.y.subarray(c * 1000, (c + 1) * 1000), tasks: 1, points: 1000 };
      const part = kernelMetaGradient(wide, theta, { support, query: chunk }, options);
      part.grad.forEach((g, i) => (grad[i] += g / 70));
      loss += part.loss / 70;
    }
    // 1e-4: the kernel sums 70,000 points' gradients in float32 (about √70,000·u); a wrapped pointer gives O(1) or a trap.
    assert.ok(relativeError(k.grad, grad) < 1e-4 && Math.abs(k.loss - loss) < 1e-4 * loss, `relative error ${relativeError(k.grad, grad)}, loss ${k.loss} vs ${loss}`);
  });

  test('the mean over tasks is accumulated in float64: 50,000 identical tasks give one task\'s meta-gradient to float32 rounding', () => {
    const math = wasmMath([1, 8, 1], 'tanh');
    const theta = Float64Array.from({ length: math.layout.parameterCount }, (_, i) => Math.fround(0.5 * Math.sin(i + 1)));
    const repeat = (values: number[], times: number) => Float32Array.from({ length: values.length * times }, (_, i) => values[i % values.length]);
    const one = { support: { x: [0.3, -0.7], y: [0.4, 0.1], tasks: 1, points: 2 }, query: { x: [0.9], y: [-0.2], tasks: 1, points: 1 } };
    const many: KernelTasks = { support: { x: repeat([0.3, -0.7], 50_000), y: repeat([0.4, 0.1], 50_000), tasks: 50_000, points: 2 }, query: { x: repeat([0.9], 50_000), y: repeat([-0.2], 50_000), tasks: 50_000, points: 1 } };
    const options = { method: 'fomaml' as const, alpha: 0.05, steps: 1 };
    const single = kernelMetaGradient(math, theta, one, options).grad;
    // Summed in float32, the rounding grew with the tasks: 3.4e-6 relative at 50,000.
    const error = relativeError(kernelMetaGradient(math, theta, many, options).grad, single);
    assert.ok(error < 1e-7, `relative error ${error}`);
  });

  test('a cached kernel that grew past KERNEL_RELEASE_BYTES is dropped after its call, and the next call makes a fresh one', () => {
    releaseKernels();
    const model = mlp([1, 100, 100, 1]);
    const params = model.init(0);
    const points = { x: tf.randomNormal([10, 1], 0, 1, 'float32', 1) as tf.Tensor2D, y: tf.randomNormal([10, 1], 0, 1, 'float32', 2) as tf.Tensor2D };
    const small = modelKernel(model);
    gaussNewtonPart(model, params, points, { engine: 'kernel' });
    assert.ok(small.heap().buffer.byteLength > KERNEL_RELEASE_BYTES, 'the Gauss–Newton part should need more than the threshold');
    assert.notEqual(modelKernel(model), small, 'the grown kernel is still cached');
    tf.dispose([...params, points.x, points.y]);
  });
});
