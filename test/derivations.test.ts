import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ready } from '../src/meta/engine';
import { unflattenParams } from '../src/meta/params';
import {
  autodiff, compareRoutes, exact, FINITE_DIFFERENCE, FLOAT32, innerJacobianStep, makeInstance, mamlDerivation,
  mlp64, route, standardInstances, verifyDerivation, verifyStep, centralGradient, centralJacobian,
} from '../src/derivations';
import { noLeak } from './helpers';

before(async () => {
  await ready();
});

describe('the MAML catalogue', () => {
  for (const steps of [1, 2, 3, 4, 5]) {
    test(`every step verifies with k = ${steps}, leaving no tensor behind`, () => {
      const result = noLeak(() => verifyDerivation(mamlDerivation({ steps })), 'verifying the catalogue');
      const failed = result.steps.flatMap((s) => s.checks.filter((c) => !c.pass).map((c) => `${s.id}: ${c.name} (${c.instance}) ${c.maxRelError}`));
      assert.deepEqual(failed, []);
      assert.deepEqual(result.steps.map((s) => s.id), [
        'inner-loop', 'chain-rule', 'theta0-identity', 'inner-step-jacobian', 'product', 'first-order', 'one-step', 'gradients-of-gradients',
      ]);
      // one Jacobian check pair per inner step and instance: the k in --steps is really used
      assert.equal(result.steps[3].checks.length, 2 * steps * 6);
      for (const s of result.steps) assert.ok(s.checks.length > 0, `${s.id} has checks`);
    });
  }

  test('a wrong inner-step formula, I + αH, is reported ✗ by the same machinery', () => {
    const context = { steps: 2, instances: standardInstances([0]) };
    const wrong = innerJacobianStep(context, (inst, theta) =>
      exact.hessian(inst, theta).map((row, r) => row.map((h, c) => (r === c ? 1 : 0) + inst.alpha * h)),
    );
    const verified = verifyStep(wrong);
    assert.equal(verified.pass, false);
    assert.ok(verified.checks.every((c) => !c.pass), 'every route disagrees with the wrong formula');
    // the error is of the size of 2αH, far above any tolerance
    assert.ok(Math.min(...verified.checks.map((c) => c.maxRelError)) > 1e-2);
  });

  test('a wrong sign in the product (I + αH factors) is caught against autodiff', () => {
    const inst = makeInstance({ kind: 'tanh', seed: 3 });
    const path = exact.innerTrajectory(inst, 2);
    let v = inst.net.gradient(path[2], inst.query);
    for (let i = 2; i >= 1; i--) {
      const hv = inst.net.hessianVectorProduct(path[i - 1], v, inst.support);
      v = v.map((x, j) => x + inst.alpha * hv[j]);
    }
    const check = compareRoutes('wrong product', inst.name, route('wrong', v), route('autodiff', autodiff.metaGradientByAutodiff(inst, 2)), FLOAT32);
    assert.equal(check.pass, false);
  });

  test('steps must be an integer ≥ 1', () => {
    assert.throws(() => mamlDerivation({ steps: 0 }), /steps must be an integer ≥ 1, got 0/);
    assert.throws(() => mamlDerivation({ steps: 1.5 }), /steps must be an integer ≥ 1, got 1.5/);
  });
});

describe('the float64 routes', () => {
  for (const kind of ['linear', 'tanh', 'relu'] as const) {
    test(`${kind}: backprop gradient and R-operator Hessian-vector product agree with central differences`, () => {
      const inst = makeInstance({ kind, seed: 5 });
      const g = inst.net.gradient(inst.theta, inst.support);
      const fd = centralGradient((t) => inst.net.loss(t, inst.support), inst.theta);
      assert.ok(compareRoutes('g', inst.name, route('backprop', g), route('fd', fd), FINITE_DIFFERENCE).pass);
      const v = inst.theta.map((_, j) => Math.sin(j + 1));
      const hv = inst.net.hessianVectorProduct(inst.theta, v, inst.support);
      const J = centralJacobian((t) => inst.net.gradient(t, inst.support), inst.theta);
      const fdHv = J.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      const check = compareRoutes('Hv', inst.name, route('R-op', hv), route('fd', fdHv), FINITE_DIFFERENCE);
      assert.ok(check.pass, `max rel. error ${check.maxRelError}`);
    });
  }

  test('the linear model\'s Hessian is the closed form 2·X̃ᵀX̃/n', () => {
    const inst = makeInstance({ kind: 'linear', seed: 2 });
    const H = exact.hessian(inst, inst.theta);
    const n = inst.support.points;
    let sxx = 0;
    let sx = 0;
    for (let i = 0; i < n; i++) {
      sxx += inst.support.x[i] ** 2;
      sx += inst.support.x[i];
    }
    const closed = [[(2 * sxx) / n, (2 * sx) / n], [(2 * sx) / n, 2]];
    H.forEach((row, r) => row.forEach((h, c) => assert.ok(Math.abs(h - closed[r][c]) < 1e-12, `H[${r}][${c}]`)));
  });

  test('kinkMargin is the smallest |pre-activation| of the hidden layer, as tfjs computes it', () => {
    const inst = makeInstance({ kind: 'relu', seed: 3 });
    const byTfjs = tf.tidy(() => {
      const [W1, b1] = unflattenParams(inst.model, tf.tensor1d(Float32Array.from(inst.theta))).slice(0, 2);
      const x = tf.tensor2d(Float32Array.from(inst.support.x), [inst.support.points, 1]);
      return tf.min(tf.abs(tf.add(tf.matMul(x, W1 as tf.Tensor2D), b1))).dataSync()[0];
    });
    assert.ok(Math.abs(inst.net.kinkMargin(inst.theta, inst.support) - byTfjs) < 1e-6);
    assert.throws(() => makeInstance({ kind: 'sigmoid' as never, seed: 0 }), /kind must be one of linear, tanh, relu, got "sigmoid"/);
    assert.throws(() => makeInstance({ kind: 'tanh', seed: 0, points: 0 }), /points must be an integer ≥ 1, got 0/);
  });

  test("iMAML's converged θ⋆(θ) is stationary, the inner iterates approach it, and the implicit gradient there is the derivative of θ ↦ L_query(θ⋆(θ))", () => {
    const inst = makeInstance({ kind: 'tanh', seed: 0, alpha: 0.02 });
    const lambda = 50;
    const star = exact.implicitSolution(inst, lambda);
    const stationarity = inst.net.gradient(star, inst.support).map((v, j) => v + lambda * (star[j] - inst.theta[j]));
    assert.ok(Math.hypot(...stationarity) <= 1e-12);
    const path = exact.implicitInnerIterates(inst, 30, lambda);
    assert.equal(path.length, 31);
    const distance = (x: Float64Array) => Math.hypot(...x.map((v, j) => v - star[j]));
    assert.ok(distance(path[30]) < 1e-3 * distance(path[1]), `θ₃₀ is ${distance(path[30])} from θ⋆, θ₁ ${distance(path[1])}`);
    const implicit = exact.implicitGradientAt(inst, star, lambda);
    const fd = centralGradient((t) => inst.net.loss(exact.implicitSolution(inst, lambda, t), inst.query), inst.theta, 1e-4);
    const check = compareRoutes('dL/dθ', inst.name, route('implicit', implicit), route('fd', fd), FINITE_DIFFERENCE);
    assert.ok(check.pass, `max rel. error ${check.maxRelError}`);
    assert.deepEqual(exact.implicitMetaGradient(inst, 30, lambda), exact.implicitGradientAt(inst, path[30], lambda));
    assert.throws(() => exact.implicitSolution(inst, lambda, inst.theta, { maxIterations: 0 }), /still above 1e-12 after 0 Newton steps/);
  });

  test('a parameter vector of the wrong length is refused with its expected size', () => {
    const net = mlp64([1, 3, 1], 'tanh');
    assert.throws(() => net.loss(new Float64Array(4), { x: Float64Array.of(1), y: Float64Array.of(1), points: 1 }), /theta must have 10 entries for sizes \[1, 3, 1\], got 4/);
  });
});

describe('the tfjs routes leak nothing', () => {
  test('every autodiff route leaves tf.memory().numTensors unchanged', () => {
    const inst = makeInstance({ kind: 'tanh', seed: 1 });
    const v = inst.theta.map(() => 1);
    noLeak(() => autodiff.innerUpdateByAutodiff(inst, inst.theta), 'innerUpdateByAutodiff');
    noLeak(() => autodiff.innerTrajectoryByAutodiff(inst, 3), 'innerTrajectoryByAutodiff');
    noLeak(() => autodiff.metaGradientByAutodiff(inst, 3), 'metaGradientByAutodiff');
    noLeak(() => autodiff.metaGradientByAutodiff(inst, 3, true), 'metaGradientByAutodiff (first order)');
    noLeak(() => autodiff.innerUpdateJacobianByAutodiff(inst, inst.theta), 'innerUpdateJacobianByAutodiff');
    noLeak(() => autodiff.initialJacobianByAutodiff(inst), 'initialJacobianByAutodiff');
    noLeak(() => autodiff.hessianVectorProductByAutodiff(inst, inst.theta, v), 'hessianVectorProductByAutodiff');
    noLeak(() => makeInstance({ kind: 'relu', seed: 4 }), 'makeInstance');
  });

  test('an exception inside a gradient leaks nothing', () => {
    const before = tf.memory().numTensors;
    assert.throws(() =>
      autodiff.jacobianByAutodiff((t) => {
        tf.square(t);
        throw new Error('boom inside the map');
      }, Float64Array.of(1, 2)),
    /boom inside the map/);
    assert.equal(tf.memory().numTensors, before);
  });
});
