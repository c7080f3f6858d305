/**
 * The curvature explorer's DOM-free parts (src/web/curvature.ts, src/web/settings.ts): what the page shows
 * for a state is the float64 reference's numbers, and bad settings are refused in the notebook's cell,
 * naming the setting, before any page sees them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstOrderError } from '../src/derivations';
import { curvatureExplorer } from '../src/notebook';
import { curvatureReading } from '../src/web/curvature';

test('a state\'s reading is firstOrderError\'s numbers, with a passing check', () => {
  const g = [0.1, -0.1];
  for (const state of [{ curvature: [0.5, -0.1, 0], theta: [0.3, 0.1] }, { curvature: [-0.5, 0.5, 0.25], theta: [0, 1] }] as const) {
    const r = curvatureReading(g, { curvature: [...state.curvature], theta: [...state.theta] });
    const [a, b, c] = state.curvature;
    const reference = firstOrderError([[a, b], [b, c]], g, state.theta);
    assert.deepEqual([r.angleDegrees, r.lengthRatio, ...r.gradient], [reference.angleDegrees, reference.lengthRatio, ...reference.gradient]);
    assert.ok(r.check.passed && r.checkError < 1e-9, r.check.text);
  }
});

test('bad settings are refused, naming the setting', () => {
  const good = { g: [0.1, -0.1] as [number, number], curvature: [0.5, -0.1, 0] as [number, number, number], theta: [0.3, 0.1] as [number, number] };
  assert.throws(() => curvatureExplorer({ ...good, g: [0, 0] }), /g must not be the zero vector/);
  assert.throws(() => curvatureExplorer({ ...good, curvature: [0.5, NaN, 0] }), /curvature\[1\] is NaN/);
  assert.throws(() => curvatureExplorer({ ...good, curvature: [0.6, 0, 0] }), /curvature\[0\] = 0.6 is outside the sliders' range/);
  assert.throws(() => curvatureExplorer({ ...good, theta: [1.2, 0] }), /theta\[0\] = 1.2 is outside the square/);
  assert.throws(() => curvatureExplorer({ ...good, limit: -1 }), /limit must be a positive number/);
  assert.throws(() => curvatureExplorer({ ...good, theta: [0.3] as unknown as [number, number] }), /theta must be an array of 2 numbers/);
});
