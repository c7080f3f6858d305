/**
 * The four-methods explorer (notebook 09) without the DOM: what it computes for a state against the float64
 * closed forms of src/derivations (each method's meta-gradient, θ*, the path's end, MAML's meta-objective),
 * divergence said instead of drawn, iMAML's singular case shown as its message, a check that fails when a
 * route disagrees, the settings refused by name, and the figure drawing exactly the reading.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quadraticMetaObjective, quadraticReferenceMetaGradient, quadraticStationaryPoint, type QuadraticTask64 } from '../src/derivations/quadratic';
import { quadraticTasksFromBatch } from '../src/derivations/quadraticBatch';
import { disposeTasks, quadraticTasks } from '../src/meta';
import { fourMethodsExplorer, render } from '../src/notebook';
import { fourMethodsFigure } from '../src/plots';
import { FOUR_METHODS, fourMethodsCheck, fourMethodsReading, metaObjectiveForm, type FourMethodsState } from '../src/web/fourMethods';
import { checkExplorer, checkFourMethodsSettings } from '../src/web/settings';

type Trace = Record<string, unknown>;

// Notebook 09's kept tasks: those of 40 draws (seed 5) whose C is positive definite.
const pool = quadraticTasks({ tasks: 40, seed: 5 });
const tasks: QuadraticTask64[] = quadraticTasksFromBatch(pool).filter((t) => t.C[0][0] > 0 && t.C[0][0] * t.C[1][1] - t.C[0][1] ** 2 > 0);
disposeTasks(pool);
const start: FourMethodsState = { alpha: 0.1, steps: 5, lambda: 2, reptileRate: 2, outerRate: 1, theta: [1.5, -0.3] };
const optionsOf = (method: (typeof FOUR_METHODS)[number], s: FourMethodsState) => ({ method, alpha: s.alpha, steps: s.steps, lambda: s.lambda, reptileRate: s.reptileRate });
const view = { x: [-1, 1.8] as [number, number], y: [-0.6, 1.2] as [number, number] };

describe('the four-methods reading', () => {
  test('each method shows its closed-form meta-gradient at θ and its exact θ*, and its path ends there', () => {
    for (const state of [start, { ...start, alpha: 0.3, steps: 2, lambda: 0.5, reptileRate: 4, outerRate: 2, theta: [-0.8, 1] as [number, number] }]) {
      const r = fourMethodsReading(tasks, state);
      assert.ok(r.check.passed, r.check.text);
      r.methods.forEach((m) => {
        assert.deepEqual(m.gradient, Array.from(quadraticReferenceMetaGradient(tasks, state.theta, optionsOf(m.method, state))));
        const exact = quadraticStationaryPoint(tasks, optionsOf(m.method, state)).theta;
        assert.deepEqual(m.stationary, Array.from(exact));
        assert.equal(m.status, 'converges', m.message);
        assert.equal(m.path?.length, 301);
        assert.deepEqual(m.path?.[0], state.theta);
        // from its start at distance ≈ 2, ρ³⁰⁰ ≤ 0.97³⁰⁰ ≈ 10⁻⁴ of it is left at most
        assert.ok(Math.hypot(m.end![0] - exact[0], m.end![1] - exact[1]) < 1e-3, `${m.method}: ${m.message}`);
      });
    }
  });

  test('the contours are MAML\'s meta-objective itself (its quadratic form, checked at points all over the view)', () => {
    const r = fourMethodsReading(tasks, start);
    for (const p of [[-1, -0.6], [1.8, 1.2], [0.3, 0.4], [1.5, -0.3]]) {
      const F = quadraticMetaObjective(tasks, p, { alpha: start.alpha, steps: start.steps });
      assert.ok(Math.abs(metaObjectiveForm(r.objective!, p) - F) <= 1e-12 * (1 + Math.abs(F)), `at ${p}`);
    }
  });

  test('a path that would diverge is not drawn: the reading says so and names β\'s limit 2/μ_max', () => {
    const r = fourMethodsReading(tasks, { ...start, outerRate: 10 });
    assert.ok(r.check.passed, r.check.text);
    for (const m of r.methods) {
      assert.equal(m.status, 'diverges');
      assert.equal(m.path, null);
      assert.ok(m.contraction! >= 1);
      const limit = 2 / m.eigenvalues![1];
      assert.ok(limit < 10);
      assert.match(m.message, new RegExp(`diverges at this outer rate: .*converges for β < 2/μ_max = ${limit.toPrecision(3)}`));
      // just below the limit it converges
      const below = fourMethodsReading(tasks, { ...start, outerRate: limit * 0.99 }).methods.find((x) => x.method === m.method)!;
      assert.equal(below.status, 'converges');
    }
  });

  test('a meta-objective with a negative curvature diverges at every outer rate', () => {
    const saddle: QuadraticTask64[] = [{ C: [[0.4, 0], [0, -0.3]], support: [0.1, 0.2], query: [0.2, -0.1] }];
    const maml = fourMethodsReading(saddle, { ...start, outerRate: 0.1 }).methods[0];
    assert.equal(maml.status, 'diverges');
    assert.match(maml.message, /diverges at every outer rate: its Jacobian has the eigenvalue μ = -0\.\d+ ≤ 0/);
  });

  test('iMAML with I + C/λ singular shows the closed form\'s own message, and the other methods still show theirs', () => {
    const singular: QuadraticTask64[] = [{ C: [[-2, 0], [0, 0.5]], support: [0.1, 0.2], query: [0.2, -0.1] }];
    const r = fourMethodsReading(singular, { ...start, lambda: 2 });
    const imaml = r.methods.find((m) => m.method === 'imaml')!;
    assert.equal(imaml.status, 'error');
    assert.equal(imaml.gradient, null);
    assert.match(imaml.message, /imaml: I \+ C\/λ is singular for this task \(λ = 2\)/);
    assert.ok(r.methods.filter((m) => m.method !== 'imaml').every((m) => m.gradient !== null));
  });

  test('the check fails (✗) when any one route disagrees, and when a measure is NaN', () => {
    const good = { differenceError: 1e-10, affineError: 1e-15, pathBound: 0.5, objectiveError: 1e-16 };
    assert.ok(fourMethodsCheck(good).passed);
    for (const bad of [{ differenceError: 1e-5 }, { affineError: 1e-6 }, { pathBound: 1.01 }, { objectiveError: 1e-6 }, { differenceError: NaN }]) {
      const outcome = fourMethodsCheck({ ...good, ...bad });
      assert.equal(outcome.passed, false, JSON.stringify(bad));
      assert.match(outcome.text, />/);
    }
  });
});

describe('the four-methods settings and figure', () => {
  const settings = { tasks, alpha: 0.1, steps: 5, lambda: 2, reptileRate: 2, outerRate: 1, theta: [1.5, -0.3] as [number, number], view };

  test('bad settings are refused by name', () => {
    assert.equal(checkFourMethodsSettings(settings).outerSteps, 300);
    assert.throws(() => checkFourMethodsSettings({ ...settings, tasks: [] }), /tasks must be a non-empty array/);
    assert.throws(() => checkFourMethodsSettings({ ...settings, tasks: [{ C: [[1, 0.2], [0.1, 1]], support: [0, 0], query: [0, 0] }] }), /tasks\[0\]\.C must be symmetric/);
    assert.throws(() => checkFourMethodsSettings({ ...settings, tasks: [{ C: [[1, 0], [0, 1]], support: [0, NaN], query: [0, 0] }] }), /tasks\[0\]\.support\[1\] is NaN/);
    assert.throws(() => checkFourMethodsSettings({ ...settings, alpha: 2 }), /alpha must be a number in its slider's range \[0\.01, 1\], got 2/);
    assert.throws(() => checkFourMethodsSettings({ ...settings, steps: 2.5 }), /steps must be a whole number/);
    assert.throws(() => checkFourMethodsSettings({ ...settings, theta: [3, 0] }), /theta = \(3, 0\) is outside the view/);
    assert.throws(() => checkFourMethodsSettings({ ...settings, view: { x: [1, 0], y: [0, 1] } }), /view\.x and view\.y must each be \[lo, hi\]/);
    assert.throws(() => checkExplorer({ explorer: 'four-methods', settings: { ...settings, outerRate: 0 } }), /outerRate must be a number/);
  });

  test('the notebook\'s explorer renders as HTML that mounts the four-methods kind with these tasks', () => {
    const html = (render(fourMethodsExplorer(settings)) as unknown as Record<string, string>)['text/html'];
    assert.match(html, /data-explorer="four-methods"/);
    assert.ok(html.includes(JSON.stringify(tasks[0].C)));
  });

  test('the figure draws the reading: arrows from θ at the stated scale, paths, θ* rings, a note per missing path, nothing cut', () => {
    const r = fourMethodsReading(tasks, { ...start, outerRate: 7 });
    const room = 0.42;
    const figure = fourMethodsFigure({
      methods: r.methods.map((m) => ({ name: m.method, gradient: m.gradient, stationary: m.stationary, path: m.path, note: m.status === 'converges' ? undefined : m.message })),
      theta: start.theta, view, room, arrowScale: 0.8, outerSteps: 300, outerRate: 7,
    });
    const traces = figure.data as Trace[];
    const arrow = traces.find((t) => t.name === 'maml (gradient)')!;
    const [x, y] = [arrow.x as number[], arrow.y as number[]];
    assert.deepEqual([x[0], y[0]], start.theta);
    assert.ok(Math.abs(x[1] - (1.5 + 0.8 * r.methods[0].gradient![0])) < 1e-4 && Math.abs(y[1] - (-0.3 + 0.8 * r.methods[0].gradient![1])) < 1e-4);
    const legend = (figure.layout.legend as { title: { text: string } }).title.text.replace(/<br>/g, ' ').replace(/<\/?b>/g, '');
    assert.match(legend, /as gradients \(uphill; a meta-training step goes against them\), drawn at 0\.8 × their length/);
    assert.match(legend, /300 steps θ ← θ − βg\(θ\), β = 7/);
    const diverging = r.methods.filter((m) => m.status === 'diverges');
    assert.ok(diverging.length > 0 && diverging.length < 4);
    assert.equal(traces.filter((t) => String(t.name).endsWith(': path')).length, 4 - diverging.length);
    assert.deepEqual((figure.layout.annotations as { text: string }[]).map((a) => a.text), diverging.map((m) => `${m.method}: ${m.message}`));
    const rings = traces.find((t) => String(t.name).startsWith('θ*'))!;
    assert.equal((rings.x as number[]).length, 4);
    const [xRange, yRange] = [(figure.layout.xaxis as { range: number[] }).range, (figure.layout.yaxis as { range: number[] }).range];
    assert.deepEqual([xRange, yRange], [[-1 - room, 1.8 + room], [-0.6 - room, 1.2 + room]]);
    for (const t of traces.filter((t) => String(t.name).endsWith('(gradient)'))) {
      for (const v of (t.x as (number | null)[]).filter((v): v is number => v !== null)) assert.ok(v >= xRange[0] && v <= xRange[1]);
      for (const v of (t.y as (number | null)[]).filter((v): v is number => v !== null)) assert.ok(v >= yRange[0] && v <= yRange[1]);
    }
    assert.throws(() => fourMethodsFigure({ methods: [], theta: [0, 0], view, arrowScale: 1, outerSteps: 1, outerRate: 1 }), /methods must be a non-empty array/);
    assert.throws(() => fourMethodsFigure({ methods: [{ name: 'a', gradient: [1, 0], stationary: null, path: null }], theta: [0, 0], view, arrowScale: -1, outerSteps: 1, outerRate: 1 }), /arrowScale must be a finite number above 0/);
  });
});
