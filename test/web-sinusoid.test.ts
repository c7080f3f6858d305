/*
 * The sinusoid explorer's DOM-free computation (src/web/sinusoid.ts): the kernel's float32 adaptation
 * against the float64 references of maml-lab/derivations, the check failing on a wrong kernel, and the
 * settings check naming what is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { float64Math, wasmMath } from '../src/kernel';
import { exact, mlp64 } from '../src/derivations';
import type { Instance } from '../src/derivations/instance';
import { SINUSOID_GRID, sineTarget, sinusoidAdaptation, type SinusoidAdaptationInput } from '../src/web/sinusoid';
import { checkSinusoidExplorerSettings } from '../src/web/sinusoidSettings';

const sizes = [1, 40, 40, 1];
// A deterministic θ of the right size (Glorot-like scale), no symmetry between units.
const theta = Array.from({ length: 1761 }, (_, i) => Math.fround(0.25 * Math.sin(2.3 * i + 0.7)));
const input: SinusoidAdaptationInput = {
  sizes, activation: 'relu', alpha: 0.01, steps: 10,
  models: [{ name: 'a', theta }, { name: 'b', theta: theta.map((v) => Math.fround(0.8 * v)) }],
  amplitude: 3.2, phase: 0.9, points: [-4.1, -2.5, -1, 0.3, 1.7, 2.2, 3.9],
};

test('the kernel adaptation matches the float64 inner loop of derivations, step by step', () => {
  const r = sinusoidAdaptation(wasmMath(sizes, 'relu'), input);
  assert.equal(r.check.passed, true, r.check.text);
  const net = mlp64(sizes, 'relu');
  const query = { x: Float64Array.from(SINUSOID_GRID), y: Float64Array.from(SINUSOID_GRID, (x) => sineTarget(3.2, 0.9, x)), points: SINUSOID_GRID.length };
  const support = { x: Float64Array.from(input.points), y: Float64Array.from(input.points, (x) => sineTarget(3.2, 0.9, x)), points: input.points.length };
  input.models.forEach((m, i) => {
    const path = exact.innerTrajectory({ net, support, alpha: 0.01 } as unknown as Instance, 10, Float64Array.from(m.theta));
    const run = r.runs[i];
    assert.equal(run.queryMse.length, 11);
    path.forEach((t, s) => {
      const reference = net.loss(t, query);
      assert.ok(Math.abs(run.queryMse[s] - reference) / reference < 1e-5, `model ${m.name}, step ${s}: ${run.queryMse[s]} vs ${reference}`);
    });
    // Adapting lowers the query MSE on this task (7 support points spread over [−5, 5])
    assert.ok(run.queryMse[10] < run.queryMse[0]);
  });
  assert.ok(r.largestError > 0 && r.largestError < 1e-5, `float32 rounding shows, and is small: ${r.largestError}`);
});

test('the curves drawn are the network outputs, the same on the float64 twin', () => {
  const r32 = sinusoidAdaptation(wasmMath(sizes, 'relu'), input);
  const r64 = sinusoidAdaptation(float64Math(sizes, 'relu'), input);
  assert.ok(r64.largestError < 1e-12, `two float64 routes agree: ${r64.largestError}`);
  for (const s of [0, 1, 10]) {
    const a = r32.runs[0].predictions[s];
    const b = r64.runs[0].predictions[s];
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    assert.ok(worst < 1e-4, `step ${s}: ${worst}`);
  }
  assert.ok(new Set(r32.runs[0].predictions[10]).size > 50, 'a curve, not a constant');
});

test('the check fails when the kernel computes something else (a tanh kernel for a relu model)', () => {
  const r = sinusoidAdaptation(wasmMath(sizes, 'tanh'), input);
  assert.equal(r.check.passed, false);
  assert.match(r.check.text, /> 0.00001/);
});

test('with no support points every step is the model itself', () => {
  const r = sinusoidAdaptation(wasmMath(sizes, 'relu'), { ...input, points: [] });
  assert.equal(r.runs[0].predictions.length, 11);
  assert.deepEqual(r.runs[0].predictions[10], r.runs[0].predictions[0]);
  assert.equal(r.check.passed, true);
});

test('bad settings are refused, naming the setting', () => {
  const good = { sizes, activation: 'relu', alpha: 0.01, steps: 10, models: [{ name: 'MAML', theta }], amplitudeRange: [0.1, 5], phaseRange: [0, Math.PI], amplitude: 2, phase: 1, points: [0] };
  assert.equal(checkSinusoidExplorerSettings(good).models[0].theta.length, 1761);
  assert.throws(() => checkSinusoidExplorerSettings({ ...good, models: [{ name: 'MAML', theta: theta.slice(1) }] }), /models\[0\] \(MAML\): theta must hold the 1761 parameters/);
  assert.throws(() => checkSinusoidExplorerSettings({ ...good, points: Array(11).fill(0) }), /points must be an array of at most 10/);
  assert.throws(() => checkSinusoidExplorerSettings({ ...good, amplitude: 7 }), /amplitude = 7 is outside amplitudeRange/);
  assert.throws(() => checkSinusoidExplorerSettings({ ...good, points: [6] }), /points\[0\] = 6 is outside/);
  assert.throws(() => checkSinusoidExplorerSettings({ ...good, alpha: -1 }), /alpha must be positive/);
});
