/**
 * Arrows, sliders and the curvature explorer as specs: arrow geometry (tip, heads), gradients and descent
 * steps never mixed and named in the legend, frames for every slider combination whose steps lead to
 * the right states, the explorer drawing exactly what its `evaluate` computes, the HTML output carrying
 * the frames, and bad input refused by name instead of drawn as NaN.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstOrderError, quadraticGradient, quadraticValue } from '../src/derivations';
import { render } from '../src/notebook';
import { arrowFigure, arrowSegments, curvatureFigure, curvaturePanels, lineChart, withSliders, type Figure } from '../src/plots';
import { ARROW_STYLE } from '../src/plots/look';

type Trace = Record<string, unknown>;
type Slider = { active: number; steps: { label: string; args: [string[], unknown] }[] };

const g = [0.1, -0.1];
const evaluate = (C: number[][], t: ArrayLike<number>) => ({ value: quadraticValue(C, g, t), ...firstOrderError(C, g, t) });

describe('arrows', () => {
  test('an arrow runs from its tail to tail + scale·vector, with two barbs of the styled length and angle', () => {
    const { x, y } = arrowSegments([[1, 2]], [[3, 4]], { scale: 0.5, headMax: 10 });
    assert.deepEqual([x[0], y[0], x[1], y[1]], [1, 2, 2.5, 4]);
    const length = 2.5; // ‖(1.5, 2)‖
    for (const i of [2, 5]) {
      const barb = Math.hypot((x[i] as number) - 2.5, (y[i] as number) - 4);
      assert.ok(Math.abs(barb - ARROW_STYLE.headShare * length) < 1e-3, `barb ${barb}`);
      // the barb leaves the tip at 25° to the arrow's reversed direction (−1.5, −2)
      const cos = (((x[i] as number) - 2.5) * -1.5 + ((y[i] as number) - 4) * -2) / (barb * length);
      assert.ok(Math.abs(Math.acos(cos) * (180 / Math.PI) - ARROW_STYLE.headAngleDegrees) < 0.1);
    }
    assert.deepEqual([x[3], x[4]], [null, 2.5]);
  });

  test('heads never exceed headMax; a zero vector draws nothing', () => {
    const { x, y } = arrowSegments([[0, 0], [5, 5]], [[100, 0], [0, 0]], { scale: 1, headMax: 2 });
    assert.equal(x.length, 6);
    assert.ok(Math.abs(Math.hypot((x[2] as number) - 100, y[2] as number) - 2) < 1e-3);
  });

  test('one kind per figure: gradients as given, descent steps as −α·gradient, named so in the legend', () => {
    const sets = [{ name: 'MAML', tails: [[0, 0]], vectors: [[1, 2]] }];
    const gradient = arrowFigure({ title: 't', arrows: { kind: 'gradient' }, sets, scale: 1 });
    const descent = arrowFigure({ title: 't', arrows: { kind: 'descent step', alpha: 0.5 }, sets, scale: 1 });
    assert.equal(gradient.data[0].name, 'MAML (gradient)');
    assert.equal(descent.data[0].name, 'MAML: descent step −0.5·(gradient)');
    assert.deepEqual([(gradient.data[0].x as number[])[1], (gradient.data[0].y as number[])[1]], [1, 2]);
    assert.deepEqual([(descent.data[0].x as number[])[1], (descent.data[0].y as number[])[1]], [-0.5, -1]);
    assert.match((gradient.layout.legend as { title: { text: string } }).title.text, /1× length/);
    assert.equal((gradient.layout.yaxis as { scaleanchor: string }).scaleanchor, 'x');
  });

  test('paths: the line through every point, heads along it, the end marked; typed arrays accepted', () => {
    const points = Array.from({ length: 17 }, (_, i) => Float64Array.of(i, Math.sin(i)));
    const figure = arrowFigure({ title: 't', arrows: { kind: 'gradient' }, paths: [{ name: 'run', points }] });
    const [line, heads, end] = figure.data;
    assert.equal((line.x as number[]).length, 17);
    assert.equal((heads.x as (number | null)[]).filter((v) => v === null).length, 2 * 5); // 5 heads, two barbs each
    // evenly along the path: a path whose last 12 steps are tiny still gets its heads spread out
    const converging = [[0, 0], [10, 0], ...Array.from({ length: 12 }, (_, i) => [10 + 1e-3 * (i + 1), 0])];
    const spread = arrowFigure({ title: 't', arrows: { kind: 'gradient' }, paths: [{ name: 'run', points: converging, heads: 4 }] }).data[1];
    const tips = (spread.x as (number | null)[]).filter((_, i) => i % 3 === 0);
    assert.deepEqual(tips.map((x) => Math.round(x as number)), [1, 1, 4, 4, 6, 6, 9, 9]);
    assert.deepEqual([(end.x as number[])[0], (end.y as number[])[0]], [16, Math.sin(16)]);
  });

  test('bad input is refused by name', () => {
    assert.throws(() => arrowFigure({ title: 't', arrows: { kind: 'gradient' }, sets: [{ name: 'a', tails: [[0, 0]], vectors: [[NaN, 1]] }] }), /sets\[0\]\.vectors\[0\]\[0\] is NaN/);
    assert.throws(() => arrowFigure({ title: 't', arrows: { kind: 'gradient' }, sets: [{ name: 'a', tails: [[0, 0], [1, 1]], vectors: [[1, 1]] }] }), /2 tails but 1 vectors/);
    assert.throws(() => arrowFigure({ title: 't', arrows: { kind: 'gradient' }, sets: [{ name: 'a', tails: [[0, 0, 0]], vectors: [[1, 1]] }] }), /an \[x, y\] pair/);
    assert.throws(() => arrowFigure({ title: 't', arrows: { kind: 'descent step' } as never, sets: [] }), /alpha/);
    assert.throws(() => arrowFigure({ title: 't', arrows: { kind: 'gradient' } }), /at least one arrow set or path/);
    assert.throws(() => arrowFigure({ title: 't', arrows: { kind: 'gradient' }, paths: [{ name: 'p', points: [[0, 0], [1, 1]] }], contour: { name: 'f', x: [0, 1, 2], y: [0, 1], z: [[0, 1], [1, 2]] } }), /3 x by 2 y values, but z is 2×2/);
  });
});

describe('sliders', () => {
  const base = lineChart({ title: 'y = a·x + b', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 'line', x: [0, 1], y: [0, 0] }] });
  const spec = {
    sliders: [{ name: 'a', values: [0, 1, 2], start: 2 }, { name: 'b', values: [-1, 1], start: -1 }],
    traces: [0],
    frame: ([a, b]: number[]) => ({ data: [{ y: [b, a + b] }], layout: { title: { text: `a = ${a}, b = ${b}` } } }),
    buttons: [{ label: 'flat', values: [0, -1] }],
  };

  test('a frame per combination; the figure starts in the start state', () => {
    const figure = withSliders(base, spec);
    assert.equal(figure.frames?.length, 6);
    assert.deepEqual(figure.data[0].y, [-1, 1]);
    assert.equal((figure.layout.title as { text: string }).text, 'a = 2, b = -1');
    assert.deepEqual((figure.layout.sliders as Slider[]).map((s) => s.active), [2, 0]);
  });

  test('in every state each slider stands at that state\'s value, and each of its steps leads to the state with only that value changed', () => {
    const figure = withSliders(base, spec);
    const byName = new Map((figure.frames ?? []).map((f) => [f.name as string, f]));
    for (const frame of figure.frames ?? []) {
      const sliders = (frame.layout as { sliders: Slider[] }).sliders;
      const [b, aPlusB] = (frame.data as Trace[])[0].y as number[];
      assert.deepEqual(sliders.map((s) => s.active), [spec.sliders[0].values.indexOf(aPlusB - b), spec.sliders[1].values.indexOf(b)]);
      sliders.forEach((slider, i) => {
        slider.steps.forEach((step, j) => {
          const target = byName.get(step.args[0][0]);
          assert.ok(target, `step ${j} of slider ${i} leads to a missing frame ${step.args[0][0]}`);
          const targetSliders = (target.layout as { sliders: Slider[] }).sliders;
          assert.equal(targetSliders[i].active, j);
          assert.equal(targetSliders[1 - i].active, sliders[1 - i].active, 'the other slider stays');
        });
      });
    }
  });

  test('buttons jump to an existing state', () => {
    const figure = withSliders(base, spec);
    const button = (figure.layout.updatemenus as { buttons: { label: string; args: [string[]] }[] }[])[0].buttons[0];
    const target = (figure.frames ?? []).find((f) => f.name === button.args[0][0]);
    assert.deepEqual((target?.data as Trace[])[0].y, [-1, -1]);
  });

  test('too many states, a start off the values, values out of order, a wrong frame: clear errors', () => {
    const many = { ...spec, sliders: [0, 1, 2].map((i) => ({ name: `s${i}`, values: [0, 1, 2, 3, 4, 5, 6], start: 0 })), frame: () => ({ data: [{}] }) };
    assert.throws(() => withSliders(base, many), /343 states, more than the 216 allowed/);
    assert.throws(() => withSliders(base, { ...spec, sliders: [{ name: 'a', values: [0, 1], start: 0.5 }] }), /starts at 0.5, which is not one of its values/);
    assert.throws(() => withSliders(base, { ...spec, sliders: [{ name: 'a', values: [1, 0], start: 1 }] }), /must increase/);
    assert.throws(() => withSliders(base, { ...spec, frame: () => ({ data: [] }) }), /must return data for each of the 1 traces/);
    assert.throws(() => withSliders(base, { ...spec, traces: [3] }), /not a trace of the figure/);
    assert.throws(() => withSliders(base, { ...spec, buttons: [{ label: 'x', values: [5, 1] }] }), /sets a = 5, which is not one of its values/);
  });
});

describe('the curvature figure (one state of the live explorer)', () => {
  const C = [[0.5, 0], [0, -0.5]];
  const figure = curvatureFigure({ evaluate, curvature: [0.5, 0, -0.5], theta: [0.3, 0.1], arrowGrid: 5, grid: 11 });
  const trace = (name: string) => figure.data.find((t) => t.name === name) as Trace;

  test('at C = 0 both error maps are exactly zero (angle 0°, log₂ of the ratio 0), everywhere, and a note says so', () => {
    const zero = curvatureFigure({ evaluate, curvature: [0, 0, 0], arrowGrid: 5, grid: 11 });
    const at = (name: string) => zero.data.find((t) => t.name === name) as Trace;
    assert.ok((at('angle error').z as number[][]).flat().every((v) => v === 0));
    assert.ok((at('length ratio').z as number[][]).flat().every((v) => v === 0));
    const notes = (zero.layout.annotations as { text: string }[]).filter((n) => n.text.startsWith('C = 0'));
    assert.equal(notes.length, 2);
    assert.equal((figure.layout.annotations as { text: string }[]).filter((n) => n.text.startsWith('C = 0')).length, 0);
  });

  test('it draws what evaluate computes: f for the contours, ∇f = C(θ − ½) + g for the arrows, θ where asked', () => {
    const contour = figure.data[0];
    const axis = contour.x as number[];
    assert.equal((contour.z as number[][])[3][7], Number(quadraticValue(C, g, [axis[7], axis[3]]).toPrecision(4)));
    // the first arrow's tip: its tail plus scale·∇f, with the scale the approximation arrows show
    const approx = figure.data[1];
    const scale = ((approx.x as number[])[1] - (approx.x as number[])[0]) / g[0];
    const arrows = trace('∇f(θ) (gradient)');
    const tail = [(arrows.x as number[])[0], (arrows.y as number[])[0]];
    const grad = quadraticGradient(C, g, tail);
    assert.ok(Math.abs((arrows.x as number[])[1] - (tail[0] + scale * grad[0])) < 1e-3);
    assert.ok(Math.abs((arrows.y as number[])[1] - (tail[1] + scale * grad[1])) < 1e-3);
    assert.deepEqual([(trace('θ (drag it)').x as number[])[0], (trace('θ (drag it)').y as number[])[0]], [0.3, 0.1]);
    // the legend names the scale the arrows are drawn at
    assert.match((figure.layout.legend as { title: { text: string } }).title.text, new RegExp(`${String(Number(scale.toPrecision(3)))} × the vector's length`));
  });

  test('a given arrow scale is used as it is, so that lengths compare across states', () => {
    const fixed = curvatureFigure({ evaluate, curvature: [0.2, 0.1, 0], arrowScale: 0.5 });
    const approx = fixed.data[1];
    assert.ok(Math.abs((approx.x as number[])[1] - (approx.x as number[])[0] - 0.5 * g[0]) < 1e-6);
  });

  test('every panel names its axes, the maps are titled, and no arrow is cut at the edge of the square', () => {
    for (const axis of ['xaxis', 'yaxis', 'xaxis2', 'yaxis2', 'xaxis3', 'yaxis3']) {
      assert.match((figure.layout[axis] as { title: { text: string } }).title.text, /^θ[₁₂]$/, axis);
    }
    const titles = (figure.layout.annotations as { text: string }[]).map((n) => n.text);
    assert.ok(titles.includes('angle between g and ∇f') && titles.some((t) => t.startsWith('length ratio')), titles.join('; '));
    for (const f of [figure, curvatureFigure({ evaluate, curvature: [-0.5, 0.5, -0.5], theta: [0, 1] }), curvatureFigure({ evaluate, curvature: [0.5, 0.5, 0.5], theta: [1, 0] })]) {
      const [xRange, yRange] = [(f.layout.xaxis as { range: number[] }).range, (f.layout.yaxis as { range: number[] }).range];
      for (const t of f.data.filter((d) => d.type === 'scatter')) {
        for (const x of (t.x as (number | null)[]).filter((v): v is number => v !== null)) assert.ok(x >= xRange[0] && x <= xRange[1], `${t.name}: x = ${x} outside ${xRange}`);
        for (const y of (t.y as (number | null)[]).filter((v): v is number => v !== null)) assert.ok(y >= yRange[0] && y <= yRange[1], `${t.name}: y = ${y} outside ${yRange}`);
      }
    }
  });

  test('all arrows are gradients, or all are descent steps', () => {
    const names = figure.data.map((t) => t.name as string).filter((n) => /∇f|g =/.test(n));
    assert.ok(names.length === 2 && names.every((n) => n.endsWith('(gradient)')), names.join('; '));
    const descent = curvatureFigure({ evaluate, curvature: [0, 0, 0], arrowGrid: 3, grid: 5, arrows: { kind: 'descent step', alpha: 0.5 } });
    assert.ok(descent.data.map((t) => t.name as string).filter((n) => /∇f|g =/.test(n)).every((n) => n.includes('descent step')));
  });

  test("the live explorer's two figures hold the one figure's traces, the left panel's axes and the maps' axes, notes and titles", () => {
    const spec = { evaluate, curvature: [0.5, 0, -0.5] as [number, number, number], theta: [0.3, 0.1] as [number, number], arrowGrid: 5, grid: 11 };
    const { field, maps } = curvaturePanels(spec);
    assert.deepEqual([...field.data, ...maps.data], curvatureFigure(spec).data);
    assert.deepEqual(field.data.map((t) => t.name), ['f(θ)', 'g = ∇f at C = 0 (gradient)', '∇f(θ) (gradient)', 'at the chosen θ', 'θ (drag it)']);
    assert.ok(!('xaxis2' in field.layout) && 'xaxis' in field.layout && 'xaxis2' in maps.layout && 'yaxis3' in maps.layout && !('xaxis' in maps.layout));
    assert.deepEqual((field.layout.xaxis as { domain: number[] }).domain, [0, 1]);
    const zero = curvaturePanels({ ...spec, curvature: [0, 0, 0] });
    assert.equal((zero.maps.layout.annotations as { text: string }[]).filter((n) => n.text.startsWith('C = 0')).length, 2);
    // each map's title sits over its column
    const column = (maps.layout.xaxis2 as { domain: number[] }).domain;
    for (const n of maps.layout.annotations as { x: number }[]) assert.ok(Math.abs(n.x - (column[0] + column[1]) / 2) < 1e-12);
  });

  test('bad input is refused by name, never drawn as NaN', () => {
    const nan = (C: number[][], t: ArrayLike<number>) => ({ ...evaluate(C, t), value: C[0][0] === 0.5 ? NaN : 0 });
    assert.throws(() => curvatureFigure({ evaluate: nan, curvature: [0.5, 0, 0], arrowGrid: 3, grid: 5 }), /gave the value NaN/);
    const short = (C: number[][], t: ArrayLike<number>) => ({ ...evaluate(C, t), gradient: [1] });
    assert.throws(() => curvatureFigure({ evaluate: short, curvature: [0, 0, 0], arrowGrid: 3, grid: 5 }), /two finite numbers are needed/);
    assert.throws(() => curvatureFigure({ evaluate, curvature: [0, NaN, 0] }), /curvature\[1\] is NaN/);
    assert.throws(() => curvatureFigure({ evaluate, curvature: [0, 0] as unknown as [number, number, number] }), /curvature needs at least 3/);
    assert.throws(() => curvatureFigure({ evaluate, curvature: [0, 0, 0], theta: [0.1, 0.2, 0.3] }), /theta must hold 2 numbers/);
    assert.throws(() => curvatureFigure({ evaluate, curvature: [0, 0, 0], grid: 2 }), /grid must be a whole number from 3 to 101/);
    assert.throws(() => curvatureFigure({ evaluate, curvature: [0, 0, 0], domain: [1, 0] }), /domain must be \[lo, hi\]/);
    assert.throws(() => curvatureFigure({ evaluate, curvature: [0, 0, 0], arrowScale: -1 }), /arrowScale must be a positive number/);
    // a non-symmetric curvature never reaches the figure: the reference refuses it
    assert.throws(() => evaluate([[0.5, 0.1], [0.2, 0]], [0, 0]), /C must be symmetric/);
  });
});
