/*
 * The kernel's outputs after `forward` (outputsAfterForward), which the sinusoid explorer draws: on a linear
 * model whose outputs are known in closed form, and the wasm kernel against its float64 twin on an MLP, in
 * bank 0 and in another bank (the wrapper finds the outputs through the selected bank's table).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { float64Math, packParameters, planHeap, wasmMath, type KernelMath } from '../src/kernel';
import { maxAbsDifference } from '../src/derivations/numeric';

function outputs(math: KernelMath, theta: number[], x: number[], bank = 0): Float64Array {
  const plan = planHeap(math, 1, [{ x, y: x.map(() => 0), tasks: 1, points: x.length }], bank + 1);
  packParameters(math.layout, theta, math.heap(), plan.vectors[0]);
  math.bank(bank);
  math.forward(plan.vectors[0], plan.points[0].x, x.length);
  const out = new Float64Array(x.length);
  math.outputsAfterForward(x.length, out);
  return out;
}

test('outputs of M(x) = 2x + 1 on both twins are the closed form', () => {
  const x = [-2, -0.5, 0, 1, 3];
  for (const math of [wasmMath([1, 1], 'identity'), float64Math([1, 1], 'identity')]) {
    assert.deepEqual(Array.from(outputs(math, [2, 1], x)), x.map((v) => 2 * v + 1));
  }
});

test('wasm outputs match the float64 twin on a [1, 40, 40, 1] relu MLP, in bank 0 and bank 2', () => {
  const sizes = [1, 40, 40, 1];
  const n = 40 + 40 + 40 * 40 + 40 + 40 + 1; // 1761
  // A deterministic θ with no symmetry between units
  const theta = Array.from({ length: n }, (_, i) => 0.3 * Math.sin(1.7 * i + 0.3));
  const x = Array.from({ length: 37 }, (_, i) => -5 + i * 0.27);
  const reference = outputs(float64Math(sizes, 'relu'), theta, x);
  for (const bank of [0, 2]) {
    const got = outputs(wasmMath(sizes, 'relu'), theta, x, bank);
    const scale = Math.max(...reference.map(Math.abs));
    assert.ok(maxAbsDifference(got, reference) / scale < 1e-5, `bank ${bank}: ${maxAbsDifference(got, reference)}`);
    assert.ok(new Set(Array.from(got)).size > 30, 'the outputs vary with x');
  }
});
