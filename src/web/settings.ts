/*
 * What a notebook hands the book's live explorers: the kind of explorer and its settings, as JSON in the
 * page. No DOM here: the notebook side (src/notebook/explorer.ts) checks settings with these same functions
 * when a cell builds an explorer, so a bad setting is an error in that cell, not a blank in the page.
 */
// The Hessian explorer (notebook 05): its settings and their check live beside what it computes.
import { checkHessianSettings, type HessianSettings } from './hessian';

import { checkSinusoidExplorerSettings, type SinusoidExplorerSettings } from './sinusoidSettings';

/** The live explorers the browser bundle can mount. */
export const EXPLORER_KINDS = ['curvature', 'hessian', 'four-methods', 'sinusoid'] as const;
export type ExplorerKind = (typeof EXPLORER_KINDS)[number];

/** Settings of the curvature explorer (notebook 04): f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ. */
export interface CurvatureSettings {
  /** The fixed linear term g, which is also the first-order approximation of ∇f. */
  g: [number, number];
  /** a, b, c of C = [[a, b], [b, c]] at the start. */
  curvature: [number, number, number];
  /** θ at the start. */
  theta: [number, number];
  /** Each of a, b, c ranges over [−limit, limit] (default 0.5, the interactive page's range). */
  limit?: number;
}

/** Settings of each kind. */
export interface ExplorerSettings {
  curvature: CurvatureSettings;
  hessian: HessianSettings;
  'four-methods': FourMethodsSettings;
  sinusoid: SinusoidExplorerSettings;
}

/** An explorer as a notebook describes it: `show` renders it as HTML that mounts the live version. */
// A union over the kinds (distributive), so that checking `explorer` narrows `settings`.
export type LiveExplorer<K extends ExplorerKind = ExplorerKind> = K extends ExplorerKind ? { explorer: K; settings: ExplorerSettings[K] } : never;

/** One explorer of any kind, told apart by its `explorer` field (a union TypeScript narrows by kind). */
export type AnyLiveExplorer = { [K in ExplorerKind]: LiveExplorer<K> }[ExplorerKind];

function finitePair(name: string, value: unknown, n: number): number[] {
  if (!Array.isArray(value) || value.length !== n) throw new RangeError(`${name} must be an array of ${n} numbers, got ${JSON.stringify(value)}`);
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${i}] is ${String(v)}; a finite number is needed`);
  });
  return value as number[];
}

/**
 * The curvature explorer's settings, checked: throws naming the setting that is wrong.
 *
 * @example
 * import { checkCurvatureSettings } from './settings';
 * checkCurvatureSettings({ g: [0.1, -0.1], curvature: [0.5, -0.1, 0], theta: [0.3, 0.1] }).limit; // 0.5
 */
export function checkCurvatureSettings(settings: unknown): Required<CurvatureSettings> {
  if (settings === null || typeof settings !== 'object') throw new RangeError(`curvature explorer: settings must be an object {g, curvature, theta}, got ${JSON.stringify(settings)}`);
  const s = settings as Partial<CurvatureSettings>;
  const g = finitePair('g', s.g, 2) as [number, number];
  if (g[0] === 0 && g[1] === 0) throw new RangeError('g must not be the zero vector: the explorer compares directions with it');
  const curvature = finitePair('curvature', s.curvature, 3) as [number, number, number];
  const limit = s.limit ?? 0.5;
  if (typeof limit !== 'number' || !(limit > 0) || !Number.isFinite(limit)) throw new RangeError(`limit must be a positive number, got ${String(limit)}`);
  curvature.forEach((v, i) => {
    if (Math.abs(v) > limit) throw new RangeError(`curvature[${i}] = ${v} is outside the sliders' range [−${limit}, ${limit}]`);
  });
  const theta = finitePair('theta', s.theta, 2) as [number, number];
  theta.forEach((v, i) => {
    if (v < 0 || v > 1) throw new RangeError(`theta[${i}] = ${v} is outside the square [0, 1] the explorer draws`);
  });
  return { g, curvature, theta, limit };
}

/**
 * Checks an explorer's kind and settings; throws naming what is wrong.
 *
 * @example
 * import { checkExplorer } from './settings';
 * checkExplorer({ explorer: 'curvature', settings: { g: [0.1, -0.1], curvature: [0, 0, 0], theta: [0.5, 0.5] } }).explorer; // "curvature"
 */
export function checkExplorer(x: unknown): AnyLiveExplorer {
  const e = x as Partial<LiveExplorer>;
  if (e === null || typeof e !== 'object' || !EXPLORER_KINDS.includes(e.explorer as ExplorerKind)) {
    throw new RangeError(`explorer must be one of ${EXPLORER_KINDS.join(', ')}, got ${JSON.stringify(e?.explorer)}`);
  }
  if (e.explorer === 'curvature') return { explorer: 'curvature', settings: checkCurvatureSettings(e.settings) };
  if (e.explorer === 'hessian') return { explorer: 'hessian', settings: checkHessianSettings(e.settings) };
  if (e.explorer === 'four-methods') return { explorer: 'four-methods', settings: checkFourMethodsSettings(e.settings) };
  if (e.explorer === 'sinusoid') return { explorer: 'sinusoid', settings: checkSinusoidExplorerSettings(e.settings) };
  throw new RangeError(`explorer ${String(e.explorer)} has no settings check`);
}

// ---- The four-methods explorer (notebook 09) ----

/** One quadratic task as the four-methods explorer takes it: QuadraticTask64 of src/derivations, 2 × 2. */
export interface FourMethodsTask {
  C: number[][];
  support: number[];
  query: number[];
}

/** Settings of the four-methods explorer (notebook 09): the tasks, and the start of every slider and of θ. */
export interface FourMethodsSettings {
  /** The float64 tasks (quadraticTasksFromBatch), 2 × 2 each: the page draws exactly these. */
  tasks: FourMethodsTask[];
  /** The inner rate α, inner steps k, iMAML's λ, Reptile's ε and the outer rate β at the start. */
  alpha: number;
  steps: number;
  lambda: number;
  reptileRate: number;
  outerRate: number;
  /** θ at the start, inside the view. */
  theta: [number, number];
  /** The region θ can be dragged over: [lo, hi] of θ₁ and of θ₂. */
  view: { x: [number, number]; y: [number, number] };
  /** Meta-training steps drawn from θ (default 300, notebook 09's). */
  outerSteps?: number;
}

/** Each slider's range: a setting outside it is refused, since the page could not show it. */
export const FOUR_METHODS_RANGES = {
  alpha: { min: 0.01, max: 1, step: 0.01 },
  steps: { min: 1, max: 10, step: 1 },
  lambda: { min: 0.1, max: 10, step: 0.1 },
  reptileRate: { min: 0.1, max: 5, step: 0.1 },
  outerRate: { min: 0.1, max: 10, step: 0.1 },
} as const;

/**
 * The four-methods explorer's settings, checked: throws naming the setting that is wrong.
 *
 * @example
 * import { checkFourMethodsSettings } from './settings';
 * const task = { C: [[0.3, 0.1], [0.1, 0.2]], support: [0.1, -0.2], query: [0.2, -0.1] };
 * checkFourMethodsSettings({ tasks: [task], alpha: 0.1, steps: 5, lambda: 2, reptileRate: 2, outerRate: 1, theta: [1.5, -0.3], view: { x: [-1, 1.8], y: [-0.6, 1.2] } }).outerSteps; // 300
 */
export function checkFourMethodsSettings(settings: unknown): Required<FourMethodsSettings> {
  if (settings === null || typeof settings !== 'object') throw new RangeError(`four-methods explorer: settings must be an object {tasks, alpha, steps, lambda, reptileRate, outerRate, theta, view}, got ${JSON.stringify(settings)}`);
  const s = settings as Partial<FourMethodsSettings>;
  if (!Array.isArray(s.tasks) || s.tasks.length === 0) throw new RangeError('tasks must be a non-empty array of {C, support, query} (quadraticTasksFromBatch)');
  const tasks = s.tasks.map((t: unknown, i): FourMethodsTask => {
    const task = t as Partial<FourMethodsTask>;
    if (task === null || typeof task !== 'object') throw new RangeError(`tasks[${i}] must be {C, support, query}, got ${JSON.stringify(t)}`);
    if (!Array.isArray(task.C) || task.C.length !== 2) throw new RangeError(`tasks[${i}].C must be a 2 × 2 matrix, got ${JSON.stringify(task.C)}`);
    const C = task.C.map((row, r) => finitePair(`tasks[${i}].C[${r}]`, row, 2));
    if (C[0][1] !== C[1][0]) throw new RangeError(`tasks[${i}].C must be symmetric (it is a Hessian), got C[0][1] = ${C[0][1]} and C[1][0] = ${C[1][0]}`);
    return { C, support: finitePair(`tasks[${i}].support`, task.support, 2), query: finitePair(`tasks[${i}].query`, task.query, 2) };
  });
  const ranged = (name: keyof typeof FOUR_METHODS_RANGES): number => {
    const v = s[name];
    const { min, max } = FOUR_METHODS_RANGES[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new RangeError(`${name} must be a number in its slider's range [${min}, ${max}], got ${String(v)}`);
    return v;
  };
  const steps = ranged('steps');
  if (!Number.isInteger(steps)) throw new RangeError(`steps must be a whole number, got ${steps}`);
  const view = s.view as FourMethodsSettings['view'] | undefined;
  if (view === null || typeof view !== 'object') throw new RangeError('view must be {x: [lo, hi], y: [lo, hi]}');
  const x = finitePair('view.x', view.x, 2) as [number, number];
  const y = finitePair('view.y', view.y, 2) as [number, number];
  if (!(x[0] < x[1]) || !(y[0] < y[1])) throw new RangeError(`view.x and view.y must each be [lo, hi] with lo < hi, got ${JSON.stringify(view)}`);
  const theta = finitePair('theta', s.theta, 2) as [number, number];
  if (theta[0] < x[0] || theta[0] > x[1] || theta[1] < y[0] || theta[1] > y[1]) throw new RangeError(`theta = (${theta.join(', ')}) is outside the view ${JSON.stringify(view)}`);
  const outerSteps = s.outerSteps ?? 300;
  if (!Number.isInteger(outerSteps) || outerSteps < 1 || outerSteps > 10_000) throw new RangeError(`outerSteps must be a whole number from 1 to 10000, got ${String(outerSteps)}`);
  return { tasks, alpha: ranged('alpha'), steps, lambda: ranged('lambda'), reptileRate: ranged('reptileRate'), outerRate: ranged('outerRate'), theta, view: { x, y }, outerSteps };
}
