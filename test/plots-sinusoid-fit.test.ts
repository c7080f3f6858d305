import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sinusoidFitFigure } from '../src/plots';

const grid = [-5, -2.5, 0, 2.5, 5];
const spec = {
  grid, truth: grid.map((x) => 2 * Math.sin(x)), support: { x: [1, 2], y: [2 * Math.sin(1), 2 * Math.sin(2)] }, step: 2, yRange: [-6.5, 6.5] as [number, number],
  models: [
    { name: 'MAML', before: [0, 0, 0, 0, 0], after: [1, 1, 1, 1, 1], queryMse: [2, 1, 0.5] },
    { name: 'pretrained', before: [0, 1, 0, 1, 0], after: [0, 1, 1, 1, 0], queryMse: [3, 2.5, 2.2] },
  ],
};

test('the fit panel draws the sine, the points and each model before and after the step; the MSE panel marks the step', () => {
  const fig = sinusoidFitFigure(spec);
  const names = fig.data.map((d) => d.name as string);
  assert.deepEqual(names.slice(0, 2), ['true sine', 'support points (2)']);
  assert.ok(names.includes('MAML after 2 steps (query MSE 0.5)'));
  assert.ok(names.includes('pretrained after 2 steps (query MSE 2.2)'));
  const mse = fig.data.find((d) => d.name === 'pretrained: query MSE')!;
  assert.deepEqual(mse.y, [3, 2.5, 2.2]);
  assert.deepEqual((mse.marker as { size: number[] }).size, [5, 5, 12]);
  assert.deepEqual((fig.layout.yaxis as { range: number[] }).range, [-6.5, 6.5]);
  assert.match(((fig.layout.xaxis as { title: { text: string } }).title.text), /^x/);
});

test('bad input is refused, naming it', () => {
  assert.throws(() => sinusoidFitFigure({ ...spec, step: 3 }), /step must be a whole number from 0 to 2/);
  assert.throws(() => sinusoidFitFigure({ ...spec, truth: [1, 2] }), /truth/);
  assert.throws(() => sinusoidFitFigure({ ...spec, support: { x: [1], y: [] } }), /support.x and support.y differ/);
});
