/**
 * The closed forms of src/derivations/quadratic.ts: the inner loop against its plain iteration, MAML
 * against finite differences of the meta-objective, every method against the tfjs methods on
 * `quadraticTasks` for several k, the stationary points, the first-order error's exact cases, and bad
 * input refused by name.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { disposeTasks, metaGradient, quadraticLoss, quadraticTasks, ready, type Method } from '../src/meta';
import {
  centralGradient, firstOrderError, quadraticAdapted, quadraticGradient, quadraticMetaObjective, quadraticReferenceMetaGradient,
  quadraticStationaryPoint, quadraticTasksFromBatch, quadraticValue, relativeError, type QuadraticTask64,
} from '../src/derivations';

before(async () => {
  await ready();
});

const task: QuadraticTask64 = { C: [[0.4, -0.2], [-0.2, -0.3]], support: [0.3, -0.1], query: [0.2, 0.05] };
const theta = [0.9, -0.4];

/** φₖ by running the k steps one by one, as the inner loop does. */
function iterate(t: QuadraticTask64, start: number[], alpha: number, steps: number, lambda = 0): number[] {
  let phi = [...start];
  for (let i = 0; i < steps; i++) {
    const grad = quadraticGradient(t.C, t.support, phi);
    phi = phi.map((p, j) => p - alpha * (grad[j] + lambda * (p - start[j])));
  }
  return phi;
}

describe('quadratic closed forms', () => {
  test('f and ∇f: the gradient is the finite-difference gradient of the value', () => {
    const fd = centralGradient((t) => quadraticValue(task.C, task.query, t), Float64Array.from(theta));
    assert.ok(relativeError(fd, quadraticGradient(task.C, task.query, theta)) < 1e-9);
  });

  test('the inner loop in closed form is the step-by-step iteration, with and without λ', () => {
    for (const steps of [0, 1, 4, 9]) {
      assert.ok(relativeError(quadraticAdapted(task, theta, { alpha: 0.3, steps }), iterate(task, theta, 0.3, steps)) < 1e-14, `k = ${steps}`);
      assert.ok(relativeError(quadraticAdapted(task, theta, { alpha: 0.3, steps, lambda: 2 }), iterate(task, theta, 0.3, steps, 2)) < 1e-14, `k = ${steps}, λ = 2`);
    }
  });

  test('MAML is the gradient of the meta-objective (central differences, float64)', () => {
    const tasks = [task, { C: [[0.1, 0.3], [0.3, 0.5]], support: [-0.2, 0.4], query: [-0.1, 0.3] }];
    for (const steps of [1, 2, 5]) {
      const fd = centralGradient((t) => quadraticMetaObjective(tasks, t, { alpha: 0.25, steps }), Float64Array.from(theta));
      const g = quadraticReferenceMetaGradient(tasks, theta, { method: 'maml', alpha: 0.25, steps });
      assert.ok(relativeError(fd, g) < 1e-8, `k = ${steps}: ${relativeError(fd, g)}`);
    }
  });

  test('every method agrees with the tfjs method on quadraticTasks for k = 1…4 (float32: 1e-5)', () => {
    const batch = quadraticTasks({ tasks: 6, seed: 4 });
    const tasks = quadraticTasksFromBatch(batch);
    const start = tf.tensor1d([0.2, 0.8]);
    for (const method of ['maml', 'fomaml', 'reptile', 'imaml'] as Method[]) {
      for (const steps of [1, 2, 3, 4]) {
        const settings = { method, alpha: 0.2, steps, lambda: 2, reptileRate: 0.5 };
        const { grads } = metaGradient(quadraticLoss, [start], batch, settings);
        const error = relativeError(grads[0].dataSync(), quadraticReferenceMetaGradient(tasks, [0.2, 0.8], settings));
        tf.dispose(grads);
        assert.ok(error < 1e-5, `${method}, k = ${steps}: ${error}`);
      }
    }
    tf.dispose(start);
    disposeTasks(batch);
  });

  test('the stationary point zeroes the meta-gradient, and the Jacobian is its slope', () => {
    const tasks = [task, { C: [[0.5, 0.1], [0.1, 0.4]], support: [-0.2, 0.4], query: [-0.1, 0.3] }];
    for (const method of ['maml', 'fomaml', 'reptile', 'imaml'] as Method[]) {
      const options = { method, alpha: 0.1, steps: 3, lambda: 2 };
      const { theta: star, jacobian } = quadraticStationaryPoint(tasks, options);
      const at = quadraticReferenceMetaGradient(tasks, star, options);
      assert.ok(Math.max(...at.map(Math.abs)) < 1e-12, method);
      const moved = quadraticReferenceMetaGradient(tasks, [star[0] + 1, star[1]], options);
      assert.ok(Math.abs(moved[0] - jacobian[0][0]) < 1e-12 && Math.abs(moved[1] - jacobian[1][0]) < 1e-12, method);
    }
  });

  test('first-order error: exactly none at C = 0 and at θ = ½; undefined where ∇f = 0', () => {
    for (const t of [[0, 0], [0.13, 0.92], [1, 0.4]]) {
      const e = firstOrderError([[0, 0], [0, 0]], [0.1, -0.1], t);
      assert.equal(e.angleDegrees, 0);
      assert.equal(e.lengthRatio, 1);
    }
    assert.equal(firstOrderError([[0.5, -0.3], [-0.3, 0.2]], [0.1, -0.1], [0.5, 0.5]).angleDegrees, 0);
    // C = I, g = (¼, −¼) (exact in binary): ∇f vanishes at θ = ½ − g = (¼, ¾)
    const still = firstOrderError([[1, 0], [0, 1]], [0.25, -0.25], [0.25, 0.75]);
    assert.ok(Number.isNaN(still.angleDegrees) && still.lengthRatio === Infinity);
    // exactly opposite: ∇f = −g at θ = ½ − 2g = (0, 1)
    assert.equal(firstOrderError([[1, 0], [0, 1]], [0.25, -0.25], [0, 1]).angleDegrees, 180);
  });

  test('bad input is refused by name: a non-symmetric C, a non-finite entry, vectors of the wrong size', () => {
    assert.throws(() => quadraticGradient([[1, 2], [3, 4]], [0, 0], [0, 0]), /C must be symmetric.*C\[1\]\[0\] = 3/);
    assert.throws(() => quadraticGradient([[1, NaN], [NaN, 4]], [0, 0], [0, 0]), /C\[0\]\[1\] is NaN/);
    assert.throws(() => quadraticValue([[1, 0], [0, 1]], [0, 0, 0], [0, 0]), /g must hold 2 numbers/);
    assert.throws(() => quadraticValue([[1, 0]], [0, 0], [0, 0]), /C must be square/);
    assert.throws(() => quadraticGradient([[1, 0], [0, 1]], [0, 0], [0, Infinity]), /theta\[1\] is Infinity/);
    assert.throws(() => quadraticReferenceMetaGradient([], theta, { method: 'maml', alpha: 0.1, steps: 1 }), /at least one quadratic task/);
    assert.throws(() => quadraticReferenceMetaGradient([task], theta, { method: 'sgd' as Method, alpha: 0.1, steps: 1 }), /method must be one of/);
    assert.throws(() => quadraticReferenceMetaGradient([task], theta, { method: 'imaml', alpha: 0.1, steps: 1, lambda: -1 }), /lambda/);
    assert.throws(() => quadraticReferenceMetaGradient([{ ...task, query: [1] }], theta, { method: 'maml', alpha: 0.1, steps: 1 }), /tasks\[0\]\.query must hold 2 numbers/);
  });
});
