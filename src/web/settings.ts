/*
 * What a notebook hands the book's live explorers: the kind of explorer and its settings, as JSON in the
 * page. No DOM here: the notebook side (src/notebook/explorer.ts) checks settings with these same functions
 * when a cell builds an explorer, so a bad setting is an error in that cell, not a blank in the page.
 */

import { checkSinusoidExplorerSettings, type SinusoidExplorerSettings } from './sinusoidSettings';

/** The live explorers the browser bundle can mount. */
export const EXPLORER_KINDS = ['curvature', 'sinusoid'] as const;
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
  sinusoid: SinusoidExplorerSettings;
}

/** An explorer as a notebook describes it: `show` renders it as HTML that mounts the live version. */
export interface LiveExplorer<K extends ExplorerKind = ExplorerKind> {
  explorer: K;
  settings: ExplorerSettings[K];
}

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
export function checkExplorer(x: unknown): { [K in ExplorerKind]: LiveExplorer<K> }[ExplorerKind] {
  const e = x as Partial<LiveExplorer>;
  if (e === null || typeof e !== 'object' || !EXPLORER_KINDS.includes(e.explorer as ExplorerKind)) {
    throw new RangeError(`explorer must be one of ${EXPLORER_KINDS.join(', ')}, got ${JSON.stringify(e?.explorer)}`);
  }
  if (e.explorer === 'curvature') return { explorer: 'curvature', settings: checkCurvatureSettings(e.settings) };
  if (e.explorer === 'sinusoid') return { explorer: 'sinusoid', settings: checkSinusoidExplorerSettings(e.settings) };
  throw new RangeError(`explorer ${String(e.explorer)} has no settings check`);
}
