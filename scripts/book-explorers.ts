/**
 * The book's check of its live explorers, in a real browser: for each explorer on a page, move each of its
 * controls (sliders, the pointer on its panel, its buttons) through several states, read the numbers the
 * page computed from its read-outs, and compare them with the same quantities computed here in Node by
 * the package (the same function the page runs, src/web/*.ts without the DOM). Each state's ✓ line must
 * show a passing check, and every redraw's time from input to drawn figure is recorded. Screenshots of each
 * explorer in two states go to <book>/screenshots/. Used by scripts/book-check.ts.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { curvatureReading, type CurvatureState } from '../src/web/curvature';
import type { CurvatureSettings, ExplorerKind } from '../src/web/settings';
import { wasmMath } from '../src/kernel/wasmMath';
import { SINUSOID_READOUT_INDICES, sinusoidAdaptation, sinusoidInput, type SinusoidExplorerState } from '../src/web/sinusoid';
import type { SinusoidExplorerSettings } from '../src/web/sinusoidSettings';
import { hessianExplorerReading, type HessianSettings, type HessianState } from '../src/web/hessian';
import { fourMethodsReading, metaObjectiveForm, type FourMethodsState } from '../src/web/fourMethods';
import type { FourMethodsSettings } from '../src/web/settings';

// The functions given to page.evaluate run in the browser; these names exist there. Declared here, in
// this module only, so that the rest of scripts/ and src/ keep a project without the DOM's types.
declare const document: { querySelector(selector: string): any };
type Element = { dataset: Record<string, string | undefined>; textContent: string | null };
type HTMLElement = any;

/** What one explorer did under the check. */
export interface ExplorerReport {
  kind: string;
  /** States the check drove it through and compared with Node. */
  states: number;
  /** The largest relative difference between a number the page showed and Node's. */
  largestDifference: number;
  /** Milliseconds from input to redrawn figure, for every redraw the explorer did. */
  redrawMs: number[];
  screenshots: string[];
  problems: string[];
  /** Anything else the explorer's driver measured, for its line (e.g. the Worker's times). */
  extra?: string;
}

/** How far the page's float64 numbers may be from Node's (relative): the same code on the same IEEE doubles, so the same up to the last bit or two. */
const SAME_NUMBERS = 1e-12;

/** How long one redraw may take before the check gives up on it. */
const REDRAW_TIMEOUT_MS = 20_000;

type Driver = (page: Page, root: string, report: ExplorerReport, shot: (name: string) => Promise<void>) => Promise<void>;

/** Relative difference of a and b (0 when both are null: NaN or ∞ on both sides). */
function difference(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** Waits until the explorer has redrawn more than `before` times and is idle, then reads its state and read-outs. */
async function settled(page: Page, root: string, before: number): Promise<{ state: unknown; values: Record<string, unknown>; check: string | null; checkText: string }> {
  await page.waitForFunction(([sel, n]) => Number((document.querySelector(sel as string) as HTMLElement).dataset.redraws ?? '0') > (n as number), [root, before], { timeout: REDRAW_TIMEOUT_MS });
  // A drag's later moves may still be drawing: wait for the count to stop changing.
  let count = -1;
  for (;;) {
    const now = (await page.evaluate((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.redraws), root)) as number;
    if (now === count) break;
    count = now;
    await page.waitForTimeout(100);
  }
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as HTMLElement;
    const values: Record<string, unknown> = {};
    el.querySelectorAll('[data-quantity]').forEach((r: Element) => {
      values[r.dataset.quantity as string] = JSON.parse(r.dataset.value ?? 'null');
    });
    const check = el.querySelector('[data-check]') as Element | null;
    return { state: JSON.parse(el.dataset.state ?? 'null'), values, check: check?.dataset.check ?? null, checkText: check?.textContent ?? '' };
  }, root);
}

/**
 * Records one state's comparison: each (name, shown in the page, computed in Node) pair within `tolerance`
 * (relative), and the page's ✓ line, which must be a pass.
 */
function judgeState(report: ExplorerReport, what: string, pairs: readonly [string, number | null, number | null][], seen: { check: string | null; checkText: string }, tolerance = SAME_NUMBERS): void {
  for (const [name, shown, computed] of pairs) {
    const d = difference(shown, computed);
    report.largestDifference = Math.max(report.largestDifference, d);
    if (!(d <= tolerance)) report.problems.push(`${what}: the page shows ${name} = ${shown}, Node computes ${computed}`);
  }
  if (seen.check !== 'pass') report.problems.push(`${what}: the ✓ line is not a pass: "${seen.checkText}"`);
}

async function redraws(page: Page, root: string): Promise<number> {
  return page.evaluate((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.redraws ?? '0'), root);
}

/** Where the point (x, y) of an explorer's first panel (its xaxis and yaxis) is on the screen, in pixels. */
async function pixelOf(page: Page, root: string, x: number, y: number): Promise<[number, number]> {
  return page.evaluate(
    ([sel, tx, ty]) => {
      const plot = document.querySelector(`${sel} .maml-lab-explorer-plot`) as HTMLElement & { _fullLayout: Record<string, { _offset: number; _length: number; range: number[] }> };
      const { xaxis, yaxis } = plot._fullLayout;
      const rect = plot.getBoundingClientRect();
      return [
        rect.left + xaxis._offset + (((tx as number) - xaxis.range[0]) / (xaxis.range[1] - xaxis.range[0])) * xaxis._length,
        rect.top + yaxis._offset + ((yaxis.range[1] - (ty as number)) / (yaxis.range[1] - yaxis.range[0])) * yaxis._length,
      ] as [number, number];
    },
    [root, x, y] as const,
  );
}

/** Clicks the explorer's first panel at the data point `at`. */
async function clickAt(page: Page, root: string, at: readonly [number, number]): Promise<void> {
  const [px, py] = await pixelOf(page, root, at[0], at[1]);
  await page.mouse.click(px, py);
}

/** Presses on the explorer's first panel at `from`, drags through each point of `path` and lets go at its end. */
async function dragAlong(page: Page, root: string, from: readonly [number, number], path: readonly (readonly [number, number])[]): Promise<void> {
  const [px, py] = await pixelOf(page, root, from[0], from[1]);
  await page.mouse.move(px, py);
  await page.mouse.down();
  for (const [x, y] of path) {
    const [qx, qy] = await pixelOf(page, root, x, y);
    await page.mouse.move(qx, qy, { steps: 4 });
  }
  await page.mouse.up();
}

/** The curvature explorer (notebook 04): sliders a, b, c; θ by click and drag; "C = 0"; "Start again". */
const curvature: Driver = async (page, root, report, shot) => {
  const settings = (await page.evaluate((sel) => JSON.parse(document.querySelector(`${sel} script[type="application/json"]`)!.textContent!), root)) as CurvatureSettings;
  const compare = async (what: string, before: number, expect?: (s: CurvatureState) => string | undefined) => {
    const seen = await settled(page, root, before);
    const state = seen.state as CurvatureState;
    const node = curvatureReading(settings.g, state);
    const pairs: [string, number | null, number | null][] = [
      ['angleDegrees', seen.values.angleDegrees as number | null, Number.isNaN(node.angleDegrees) ? null : node.angleDegrees],
      ['lengthRatio', seen.values.lengthRatio as number | null, Number.isFinite(node.lengthRatio) ? node.lengthRatio : null],
      ['gradient[0]', (seen.values.gradient as number[])[0], node.gradient[0]],
      ['gradient[1]', (seen.values.gradient as number[])[1], node.gradient[1]],
    ];
    judgeState(report, what, pairs, seen);
    const wrong = expect?.(state);
    if (wrong) report.problems.push(`${what}: ${wrong}`);
    report.states++;
  };
  await compare('at the start', -1, (s) => (JSON.stringify(s) === JSON.stringify({ curvature: settings.curvature, theta: settings.theta }) ? undefined : `starts at ${JSON.stringify(s)}, not the settings' state`));
  await shot('start');
  const sliders: [string, number, number][] = [['a', 0, 0.2], ['b', 1, -0.35], ['c', 2, 0.45], ['a', 0, -0.5]];
  for (const [name, index, value] of sliders) {
    const before = await redraws(page, root);
    await page.locator(`${root} input[data-control="${name}"]`).fill(String(value));
    await compare(`slider ${name} = ${value}`, before, (s) => (Math.abs(s.curvature[index] - value) < 1e-12 ? undefined : `${name} is ${s.curvature[index]}, not ${value}`));
  }
  // θ: a click, then a drag, on the left panel; the page converts the pointer to data coordinates.
  const near = (target: [number, number]) => (s: CurvatureState) => (Math.hypot(s.theta[0] - target[0], s.theta[1] - target[1]) < 0.02 ? undefined : `θ is (${s.theta.join(', ')}), not near (${target.join(', ')}) where the pointer went`);
  let before = await redraws(page, root);
  await clickAt(page, root, [0.8, 0.7]);
  await compare('a click at θ = (0.8, 0.7)', before, near([0.8, 0.7]));
  before = await redraws(page, root);
  await dragAlong(page, root, [0.8, 0.7], [[0.6, 0.5], [0.4, 0.3], [0.2, 0.15]]);
  await compare('a drag to θ = (0.2, 0.15)', before, near([0.2, 0.15]));
  await shot('moved');
  before = await redraws(page, root);
  await page.locator(`${root} button[data-control="zero"]`).click();
  await compare('"C = 0"', before, (s) => (s.curvature.every((v) => v === 0) ? undefined : `C is ${JSON.stringify(s.curvature)} after "C = 0"`));
  // No named functions inside page.evaluate: tsx would wrap them in a helper the page does not have.
  const exact = await page.evaluate((sel) => {
    const el = document.querySelector(sel) as HTMLElement;
    const [angle, ratio] = ['angleDegrees', 'lengthRatio'].map((q) => JSON.parse((el.querySelector(`[data-quantity="${q}"]`) as Element).dataset.value ?? 'null'));
    return { angle, ratio, note: el.textContent!.includes('C = 0: g is the gradient') };
  }, root);
  if (exact.angle !== 0 || exact.ratio !== 1) report.problems.push(`"C = 0": the angle is ${exact.angle} and the ratio ${exact.ratio}, not exactly 0 and 1`);
  if (!exact.note) report.problems.push('"C = 0": the maps do not say that g is exact everywhere');
  before = await redraws(page, root);
  await page.locator(`${root} button[data-control="reset"]`).click();
  await compare('"Start again"', before, (s) => (JSON.stringify(s) === JSON.stringify({ curvature: settings.curvature, theta: settings.theta }) ? undefined : `"Start again" leads to ${JSON.stringify(s)}`));
};

/**
 * The four-methods explorer (notebook 09): every slider (α, k, λ, ε, β) through several states, β far enough
 * that methods diverge, θ by click and drag, "Start again"; each state's read-outs against Node.
 */
const fourMethods: Driver = async (page, root, report, shot) => {
  const settings = (await page.evaluate((sel) => JSON.parse(document.querySelector(`${sel} script[type="application/json"]`)!.textContent!), root)) as FourMethodsSettings;
  const start = { alpha: settings.alpha, steps: settings.steps, lambda: settings.lambda, reptileRate: settings.reptileRate, outerRate: settings.outerRate, theta: settings.theta };
  const asNull = (v: unknown) => (Array.isArray(v) && v.length === 0 ? null : (v as number[] | number | null));
  const compare = async (what: string, before: number, expect?: (s: FourMethodsState, diverging: number) => string | undefined) => {
    const seen = await settled(page, root, before);
    const state = seen.state as FourMethodsState;
    const node = fourMethodsReading(settings.tasks, state, settings.outerSteps ?? 300);
    const pairs: [string, number | null, number | null][] = [];
    const vectorPairs = (name: string, shown: unknown, computed: readonly number[] | null) => {
      const s = asNull(shown) as number[] | null;
      if ((s === null) !== (computed === null)) pairs.push([name, s === null ? null : NaN, computed === null ? null : NaN]);
      else if (s !== null && computed !== null) computed.forEach((v, i) => pairs.push([`${name}[${i}]`, s[i], v]));
    };
    node.methods.forEach((m) => {
      vectorPairs(`gradient-${m.method}`, seen.values[`gradient-${m.method}`], m.gradient);
      vectorPairs(`stationary-${m.method}`, seen.values[`stationary-${m.method}`], m.stationary);
      vectorPairs(`end-${m.method}`, seen.values[`end-${m.method}`], m.end);
      vectorPairs(`contraction-${m.method}`, seen.values[`contraction-${m.method}`] === null ? null : [seen.values[`contraction-${m.method}`]].flat(), m.contraction === null ? null : [m.contraction]);
    });
    vectorPairs('objective', seen.values.objective === null ? null : [seen.values.objective].flat(), node.objective === null ? null : [metaObjectiveForm(node.objective, state.theta)]);
    judgeState(report, what, pairs, seen);
    const diverging = (await page.evaluate((sel) => (document.querySelector(sel) as HTMLElement).querySelectorAll('[data-status="diverges"]').length, root)) as number;
    const nodeDiverging = node.methods.filter((m) => m.status === 'diverges').length;
    if (diverging !== nodeDiverging) report.problems.push(`${what}: the page marks ${diverging} methods as diverging, Node ${nodeDiverging}`);
    const wrong = expect?.(state, diverging);
    if (wrong) report.problems.push(`${what}: ${wrong}`);
    report.states++;
  };
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  await compare('at the start', -1, (s) => (same(s, start) ? undefined : `starts at ${JSON.stringify(s)}, not the settings' state`));
  await shot('start');
  const moves: [keyof typeof start, number, ((diverging: number) => string | undefined)?][] = [
    ['alpha', 0.3], ['alpha', 1], ['alpha', 0.05],
    ['steps', 1], ['steps', 10], ['steps', 3],
    ['lambda', 0.5], ['lambda', 8],
    ['reptileRate', 0.5], ['reptileRate', 4.5],
    ['outerRate', 0.3],
    ['outerRate', 10, (n) => (n > 0 ? undefined : 'no method diverges at β = 10')],
    ['outerRate', 2],
  ];
  for (const [name, value, also] of moves) {
    const before = await redraws(page, root);
    await page.locator(`${root} input[data-control="${name}"]`).fill(String(value));
    await compare(`slider ${name} = ${value}`, before, (s, n) => (Math.abs((s[name] as number) - value) < 1e-12 ? also?.(n) : `${name} is ${s[name]}, not ${value}`));
  }
  // θ: a click, then a drag, in the figure; the page converts the pointer to data coordinates.
  const span = Math.max(settings.view.x[1] - settings.view.x[0], settings.view.y[1] - settings.view.y[0]);
  const near = (target: [number, number]) => (s: FourMethodsState) => (Math.hypot(s.theta[0] - target[0], s.theta[1] - target[1]) < 0.01 * span ? undefined : `θ is (${s.theta.join(', ')}), not near (${target.join(', ')}) where the pointer went`);
  let before = await redraws(page, root);
  await clickAt(page, root, [0.8, 0.7]);
  await compare('a click at θ = (0.8, 0.7)', before, near([0.8, 0.7]));
  before = await redraws(page, root);
  await dragAlong(page, root, [0.8, 0.7], [[0.4, 0.2], [-0.2, 0], [-0.8, 1.0]]);
  await compare('a drag to θ = (−0.8, 1.0)', before, near([-0.8, 1.0]));
  before = await redraws(page, root);
  await page.locator(`${root} input[data-control="outerRate"]`).fill('7');
  await compare('slider outerRate = 7 after the drag', before, (_s, n) => (n > 0 ? undefined : 'no method diverges at β = 7'));
  await shot('moved-diverging');
  before = await redraws(page, root);
  await page.locator(`${root} button[data-control="reset"]`).click();
  await compare('"Start again"', before, (s) => (same(s, start) ? undefined : `"Start again" leads to ${JSON.stringify(s)}`));
};

/**
 * The Hessian explorer (notebook 05): the activation select, each width slider and the points slider through
 * several states, ending at the 1-40-40-1 ReLU network on 10 points (1761 parameters); each state's
 * eigenvalues, norms and loss against `hessianExplorerReading` in Node; one line per state with its times.
 */
const hessian: Driver = async (page, root, report, shot) => {
  const settings = (await page.evaluate((sel) => JSON.parse(document.querySelector(`${sel} script[type="application/json"]`)!.textContent!), root)) as HessianSettings;
  const compare = async (what: string, before: number, expect?: (s: HessianState) => string | undefined) => {
    const seen = await settled(page, root, before);
    const state = seen.state as HessianState;
    // The page computes on the wasm kernel (float32) in its Worker: so does Node, on the same mlp.wasm.
    const node = await hessianExplorerReading({ ...settings, ...state }, { math: wasmMath });
    const pairs: [string, number, number][] = [
      ['largestEigenvalue', seen.values.largestEigenvalue as number, node.spectrum.largest],
      ['smallestEigenvalue', seen.values.smallestEigenvalue as number, node.spectrum.smallest],
      ['nonZeroEigenvalues', seen.values.nonZeroEigenvalues as number, node.spectrum.nonZero.length],
      ['hessianNorm', seen.values.hessianNorm as number, node.frobenius.hessian],
      ['gaussNewtonNorm', seen.values.gaussNewtonNorm as number, node.frobenius.gaussNewton],
      ['residualNorm', seen.values.residualNorm as number, node.frobenius.residual],
      ['residualShare', seen.values.residualShare as number, node.residualShare],
      ['loss', seen.values.loss as number, node.loss],
    ];
    judgeState(report, what, pairs, seen);
    const wrong = expect?.(state);
    if (wrong) report.problems.push(`${what}: ${wrong}`);
    report.states++;
    const ms = await page.locator(root).getAttribute('data-redraw-ms');
    console.log(`  hessian explorer, ${what}: n = ${node.parameterCount}, λ_max ${node.spectrum.largest.toPrecision(5)}, ‖GN‖ ${node.frobenius.gaussNewton.toPrecision(4)}, ‖R‖ ${node.frobenius.residual.toPrecision(4)}; page: computed in ${(seen.values.computeMs as number).toFixed(0)} ms, input to figure ${ms} ms; ${seen.checkText.slice(0, 2)}`);
  };
  const is = (want: Partial<HessianState>) => (s: HessianState) => {
    const wrong = Object.entries(want).filter(([k, v]) => JSON.stringify(s[k as keyof HessianState]) !== JSON.stringify(v));
    return wrong.length === 0 ? undefined : `the state is ${JSON.stringify(s)}, not ${JSON.stringify(want)}`;
  };
  await compare('at the start', -1, is({ activation: settings.activation, widths: settings.widths, points: settings.points }));
  await shot('start');
  const steps: [string, string, Partial<HessianState>][] = [
    ['activation', 'tanh', { activation: 'tanh' }],
    ['width1', '4', { widths: [4, settings.widths[1]] }],
    ['points', '15', { points: 15 }],
    ['width2', '25', { widths: [4, 25] }],
    ['activation', 'relu', { activation: 'relu' }],
    ['points', '10', { points: 10 }],
    ['width1', '40', { widths: [40, 25] }],
    ['width2', '40', { activation: 'relu', widths: [40, 40], points: 10 }],
  ];
  for (const [control, value, want] of steps) {
    const before = await redraws(page, root);
    const locator = page.locator(`${root} [data-control="${control}"]`);
    if (control === 'activation') await locator.selectOption(value);
    else await locator.fill(value);
    await compare(`${control} = ${value}`, before, is(want));
  }
  await shot('1761');
};

/**
 * How far the sinusoid explorer's numbers may be from Node's (relative, or absolute below 0.01): both run
 * the same mlp.wasm (float32, plain SIMD, deterministic) and the same float64 JavaScript, so they agree to
 * the last bit unless the two V8s' Math.sin differ in the last place of a target; 1e-6 allows that and
 * nothing else.
 */
const SAME_FLOAT32 = 1e-6;

/** The sinusoid explorer (notebook 08): amplitude and phase sliders, clicked support points, "clear points", the step slider, play, "Start again". */
const sinusoid: Driver = async (page, root, report, shot) => {
  const settings = (await page.evaluate((sel) => JSON.parse(document.querySelector(`${sel} script[type="application/json"]`)!.textContent!), root)) as SinusoidExplorerSettings;
  const math = wasmMath(settings.sizes, settings.activation);
  const compare = async (what: string, before: number, expect?: (s: SinusoidExplorerState) => string | undefined) => {
    const seen = await settled(page, root, before);
    const state = seen.state as SinusoidExplorerState;
    const node = sinusoidAdaptation(math, sinusoidInput(settings, state));
    const shown = { mse: seen.values.queryMse as number[], predictions: seen.values.predictions as number[] };
    const computed = { mse: node.runs.map((r) => r.queryMse[state.step]), predictions: node.runs.flatMap((r) => SINUSOID_READOUT_INDICES.map((i) => r.predictions[state.step][i])) };
    for (const key of ['mse', 'predictions'] as const) {
      computed[key].forEach((c, i) => {
        const d = Math.abs((shown[key]?.[i] ?? NaN) - c) / Math.max(Math.abs(c), 0.01);
        report.largestDifference = Math.max(report.largestDifference, Number.isNaN(d) ? Infinity : d);
        if (!(d <= SAME_FLOAT32)) report.problems.push(`${what}: the page shows ${key}[${i}] = ${shown[key]?.[i]}, Node's kernel computes ${c}`);
      });
    }
    if (seen.check !== 'pass') report.problems.push(`${what}: the ✓ line is not a pass: "${seen.checkText}"`);
    if (node.check.passed !== true) report.problems.push(`${what}: Node's check fails too: ${node.check.text}`);
    const wrong = expect?.(state);
    if (wrong) report.problems.push(`${what}: ${wrong}`);
    report.states++;
  };
  await compare('at the start', -1, (s) => (s.amplitude === settings.amplitude && s.phase === settings.phase && JSON.stringify(s.points) === JSON.stringify(settings.points) ? undefined : `starts at ${JSON.stringify(s)}, not the settings' state`));
  await shot('start');
  for (const [name, value] of [['amplitude', 4.2], ['phase', 2.5]] as const) {
    const before = await redraws(page, root);
    await page.locator(`${root} input[data-control="${name}"]`).fill(String(value));
    await compare(`slider ${name} = ${value}`, before, (s) => (Math.abs(s[name] - value) < 1e-12 ? undefined : `${name} is ${s[name]}, not ${value}`));
  }
  let before = await redraws(page, root);
  await page.locator(`${root} button[data-control="clear"]`).click();
  await compare('"clear points"', before, (s) => (s.points.length === 0 ? undefined : `${s.points.length} points after "clear points"`));
  // Support points by clicks on the left panel, at these x (y anywhere in the panel: the sine gives it).
  const clicks = [-3.5, -1.2, 0.8, 2.9];
  for (const [k, x] of clicks.entries()) {
    before = await redraws(page, root);
    await clickAt(page, root, [x, 0]);
    await compare(`a click at x = ${x}`, before, (s) => (s.points.length === k + 1 && Math.abs(s.points[k] - x) < 0.06 ? undefined : `points are ${JSON.stringify(s.points)} after clicking at x = ${x}`));
  }
  for (const step of [0, Math.ceil(settings.steps / 2), settings.steps]) {
    before = await redraws(page, root);
    await page.locator(`${root} input[data-control="step"]`).fill(String(step));
    await compare(`step slider = ${step}`, before, (s) => (s.step === step ? undefined : `the step is ${s.step}, not ${step}`));
  }
  await shot('adapted');
  before = await redraws(page, root);
  await page.locator(`${root} button[data-control="play"]`).click();
  await page.waitForFunction(([sel, k]) => JSON.parse((document.querySelector(sel) as HTMLElement).dataset.state ?? '{}').step === k && (document.querySelector(sel) as HTMLElement).dataset.redraws !== undefined, [root, settings.steps] as const, { timeout: 20_000 });
  await compare('after play', before, (s) => (s.step === settings.steps ? undefined : `play ended at step ${s.step}`));
  before = await redraws(page, root);
  await page.locator(`${root} button[data-control="reset"]`).click();
  await compare('"Start again"', before, (s) => (s.amplitude === settings.amplitude && JSON.stringify(s.points) === JSON.stringify(settings.points) ? undefined : `"Start again" leads to ${JSON.stringify(s)}`));
  // The Worker's errors come back as rejected promises with their message (no silent hang): an unknown
  // task, and settings the task refuses. No named functions inside page.evaluate (see above).
  const errors = await page.evaluate(async () => {
    const run = (globalThis as any).MamlLabWeb.runInWorker;
    const messages: string[] = [];
    for (const [task, input] of [['noSuchTask', {}], ['sinusoidAdaptation', { sizes: [1, 40, 40, 1], activation: 'relu', alpha: 0.01, steps: 1, models: [{ name: 'short', theta: [1, 2] }], amplitude: 1, phase: 0, points: [0] }]]) {
      messages.push(await run(task, input).then(() => 'resolved', (e: Error) => `rejected: ${e.message}`));
    }
    return messages;
  });
  if (!/^rejected: the Worker has no task "noSuchTask"/.test(errors[0])) report.problems.push(`an unknown task: ${errors[0]}`);
  if (!/^rejected: model short: theta has 2 numbers/.test(errors[1])) report.problems.push(`a task that throws: ${errors[1]}`);
  const worker = ((await page.locator(root).getAttribute('data-worker-times')) ?? '').split(' ').filter(Boolean).map((t) => t.split('/').map(Number));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const adapted = worker.filter(([, n]) => n > 0);
  report.extra =
    `Worker round trips ${worker.map(([ms]) => ms.toFixed(0)).join(', ')} ms (the first starts the Worker and compiles the kernel); per adaptation step, median ` +
    `${median(adapted.map(([, n, k]) => k / n)).toFixed(2)} ms on the kernel and ${median(adapted.map(([, n, , r]) => r / n)).toFixed(2)} ms for its float64 check; errors in the Worker rejected: ${errors.filter((e) => e.startsWith('rejected')).length} of 2`;
};

const DRIVERS: Record<ExplorerKind, Driver> = { curvature, hessian, 'four-methods': fourMethods, sinusoid };

/** Drives every explorer on `page` (already loaded) and reports on each. */
export async function checkExplorers(page: Page, screenshots: string, pageName: string): Promise<ExplorerReport[]> {
  const count = await page.locator('.maml-lab-explorer').count();
  const reports: ExplorerReport[] = [];
  for (let i = 0; i < count; i++) {
    const root = `.maml-lab-explorer >> nth=${i}`;
    const id = await page.locator(root).getAttribute('id');
    const selector = `#${id}`;
    const kind = (await page.locator(selector).getAttribute('data-explorer')) ?? '?';
    const report: ExplorerReport = { kind, states: 0, largestDifference: 0, redrawMs: [], screenshots: [], problems: [] };
    reports.push(report);
    try {
      await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.mounted !== 'starting' && (document.querySelector(sel) as HTMLElement).dataset.mounted !== undefined, selector, { timeout: REDRAW_TIMEOUT_MS });
      const mounted = await page.locator(selector).getAttribute('data-mounted');
      if (mounted !== 'true') {
        report.problems.push(`the ${kind} explorer did not start: ${(await page.locator(`${selector} .maml-lab-explorer-error`).textContent()) ?? mounted}`);
        continue;
      }
      const driver = DRIVERS[kind as ExplorerKind];
      if (driver === undefined) {
        report.problems.push(`no check drives the ${kind} explorer`);
        continue;
      }
      const shot = async (name: string) => {
        const file = path.join(screenshots, `${pageName}-explorer-${i + 1}-${kind}-${name}.png`);
        await page.locator(selector).screenshot({ path: file });
        report.screenshots.push(file);
      };
      await page.locator(selector).scrollIntoViewIfNeeded();
      await driver(page, selector, report, shot);
      const times = (await page.locator(selector).getAttribute('data-redraw-times')) ?? '';
      report.redrawMs = times.split(' ').filter(Boolean).map(Number);
    } catch (error) {
      report.problems.push(`the ${kind} explorer: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return reports;
}

/** One line on an explorer: states compared, the largest difference, redraw times. */
export function explorerLine(r: ExplorerReport): string {
  const sorted = [...r.redrawMs].sort((a, b) => a - b);
  const median = sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
  return `${r.kind} explorer: ${r.states} states compared with Node (largest difference ${r.largestDifference.toExponential(1)}), input to figure median ${median.toFixed(0)} ms, slowest ${(sorted[sorted.length - 1] ?? NaN).toFixed(0)} ms over ${sorted.length} redraws${r.extra ? `; ${r.extra}` : ''}`;
}
