/*
 * What the four-methods explorer (fourMethodsExplorer.ts) computes for one state, without the DOM: the page
 * and the book's check in Node call the same function, so what the check compares is what the reader saw.
 * Everything comes from the float64 closed forms of src/derivations/quadratic.ts: each method's
 * meta-gradient at θ (quadraticReferenceMetaGradient), where its meta-training ends and its Jacobian
 * (quadraticStationaryPoint), and MAML's meta-objective (quadraticMetaObjective).
 */
import { centralGradient } from '../derivations/finiteDifferences';
import { norm, relativeError } from '../derivations/numeric';
import { quadraticMetaObjective, quadraticReferenceMetaGradient, quadraticStationaryPoint, type QuadraticTask64 } from '../derivations/quadratic';
import { symmetricEigenvalues } from '../derivations/symmetricEigenvalues';
import type { Method } from '../meta/methods/types';
import type { CheckOutcome } from './curvature';

/** The four methods, in the order the explorer draws and lists them. */
export const FOUR_METHODS: readonly Method[] = ['maml', 'fomaml', 'reptile', 'imaml'];

/** The names the page shows. */
export const METHOD_NAMES: Record<Method, string> = { maml: 'MAML', fomaml: 'first-order MAML', reptile: 'Reptile', imaml: 'iMAML' };

/** The state the explorer shows: the five sliders and θ. */
export interface FourMethodsState {
  alpha: number;
  steps: number;
  lambda: number;
  reptileRate: number;
  outerRate: number;
  theta: [number, number];
}

/** What happens to meta-training with one method from θ at this outer rate. */
export type PathStatus = 'converges' | 'diverges' | 'no single end point' | 'error';

/** One method at one state. */
export interface MethodReading {
  method: Method;
  /** Its meta-gradient g(θ) by the closed form; null when the closed form refused (see `message`). */
  gradient: [number, number] | null;
  /** θ* where g vanishes: the exact end point of meta-training; null when there is none (or no single one). */
  stationary: [number, number] | null;
  /** g's Jacobian J (constant: g is affine in θ); null with `stationary`. */
  jacobian: number[][] | null;
  /** The eigenvalues μ of g's Jacobian (constant: g is affine in θ), ascending. */
  eigenvalues: [number, number] | null;
  /** max over μ of |1 − βμ|: each outer step multiplies the distance to θ* by at most this. */
  contraction: number | null;
  status: PathStatus;
  /** The outer steps' path from θ (θ first); null unless it converges. */
  path: [number, number][] | null;
  /** The path's last point; null unless it converges. */
  end: [number, number] | null;
  /** What the page says about this method's path (or why there is none). */
  message: string;
}

/** MAML's meta-objective as the exact quadratic it is: F(θ) = F(θ*) + ½(θ − θ*)ᵀH(θ − θ*). */
export interface MetaObjectiveForm {
  centre: [number, number];
  value: number;
  hessian: number[][];
}

/** What the explorer computes for one state: the numbers it shows and its check. */
export interface FourMethodsReading {
  methods: MethodReading[];
  /** MAML's meta-objective as a quadratic form, for the contour lines; null when MAML has no single θ*. */
  objective: MetaObjectiveForm | null;
  /** ‖central differences of F − MAML's closed form‖ / ‖closed form‖ at θ. */
  differenceError: number;
  /** Largest ‖closed form − J(p − θ*)‖ / ‖closed form at θ‖ over the methods, at p = θ and at the path's end. */
  affineError: number;
  /** Largest ‖end − θ*‖ / (ρᴺ‖θ − θ*‖) over the converging paths: at most 1 when each step contracts as its eigenvalues say. */
  pathBound: number;
  /** |F(θ) by the quadratic form − quadraticMetaObjective(θ)| / (1 + |F(θ)|). */
  objectiveError: number;
  check: CheckOutcome;
}

/** Central differences of the quadratic meta-objective against MAML's closed form: both are exact up to rounding (step 10⁻⁵). */
export const DIFFERENCE_TOLERANCE = 1e-7;
/** The affine form g(θ) = J(θ − θ*) and the closed form: the same numbers up to rounding. */
export const AFFINE_TOLERANCE = 1e-9;

/** v · M for a 2 × 2 matrix and a 2-vector: M v. */
function times(M: number[][], v: readonly number[]): [number, number] {
  return [M[0][0] * v[0] + M[0][1] * v[1], M[1][0] * v[0] + M[1][1] * v[1]];
}

function pair(v: ArrayLike<number>): [number, number] {
  return [v[0], v[1]];
}

/**
 * θ* and J of one method for one setting of its inner loop, kept per task list: they do not depend on θ or
 * on β, so dragging θ or moving the outer rate reuses them (the closed forms behind them take most of a
 * redraw's time otherwise). The same numbers either way: this only avoids recomputing them.
 */
const stationaryPoints = new WeakMap<QuadraticTask64[], Map<string, ReturnType<typeof quadraticStationaryPoint> | Error>>();

function stationaryPointOf(tasks: QuadraticTask64[], options: Parameters<typeof quadraticStationaryPoint>[1]): ReturnType<typeof quadraticStationaryPoint> {
  let known = stationaryPoints.get(tasks);
  if (known === undefined) stationaryPoints.set(tasks, (known = new Map()));
  // Only what the method reads enters the key, so that moving λ recomputes iMAML's point alone.
  const { method, alpha, steps, lambda, reptileRate } = options;
  const key = JSON.stringify([method, alpha, steps, method === 'imaml' ? lambda : 0, method === 'reptile' ? reptileRate : 0]);
  let found = known.get(key);
  if (found === undefined) {
    try {
      found = quadraticStationaryPoint(tasks, options);
    } catch (error) {
      found = error as Error;
    }
    if (known.size > 200) known.clear();
    known.set(key, found);
  }
  if (found instanceof Error) throw found;
  return found;
}

/** One method: its meta-gradient at θ, θ*, the Jacobian's eigenvalues and the path of meta-training. */
function methodReading(tasks: QuadraticTask64[], method: Method, state: FourMethodsState, outerSteps: number): MethodReading & { affine: number; bound: number } {
  const options = { method, alpha: state.alpha, steps: state.steps, lambda: state.lambda, reptileRate: state.reptileRate };
  const none = { stationary: null, jacobian: null, eigenvalues: null, contraction: null, path: null, end: null, affine: 0, bound: 0 };
  let gradient: [number, number];
  try {
    gradient = pair(quadraticReferenceMetaGradient(tasks, state.theta, options));
  } catch (error) {
    return { method, gradient: null, status: 'error', message: (error as Error).message, ...none };
  }
  let stationary: [number, number];
  let jacobian: number[][];
  try {
    const point = stationaryPointOf(tasks, options);
    stationary = pair(point.theta);
    jacobian = point.jacobian;
  } catch (error) {
    return { method, gradient, status: 'no single end point', message: (error as Error).message, ...none };
  }
  const scale = Math.max(norm(gradient), Number.MIN_VALUE);
  // g is affine in θ, so g(θ) = J(θ − θ*): the paths below step with this form (300 closed-form calls per
  // method would take longer than a redraw may), and it is checked against the closed form at θ and at the end.
  const affineAt = (p: readonly number[]) => times(jacobian, [p[0] - stationary[0], p[1] - stationary[1]]);
  const differs = (p: readonly number[], g: ArrayLike<number>) => {
    const a = affineAt(p);
    return Math.hypot(a[0] - g[0], a[1] - g[1]) / scale;
  };
  let affine = differs(state.theta, gradient);
  const eigenvalues = pair(symmetricEigenvalues(jacobian));
  const beta = state.outerRate;
  const contraction = Math.max(...eigenvalues.map((mu) => Math.abs(1 - beta * mu)));
  const found = { gradient, stationary, jacobian, eigenvalues, contraction };
  const mus = eigenvalues.map((mu) => mu.toPrecision(3)).join(' and ');
  if (contraction >= 1) {
    const message =
      eigenvalues[0] <= 0
        ? `diverges at every outer rate: its Jacobian has the eigenvalue μ = ${eigenvalues[0].toPrecision(3)} ≤ 0, so |1 − βμ| ≥ 1 for every β > 0`
        : `diverges at this outer rate: |1 − βμ| = ${contraction.toPrecision(3)} ≥ 1 for the Jacobian's μ = ${mus} (converges for β < 2/μ_max = ${(2 / eigenvalues[1]).toPrecision(3)})`;
    return { method, ...found, status: 'diverges', path: null, end: null, message, affine, bound: 0 };
  }
  const path: [number, number][] = [state.theta];
  for (let i = 0; i < outerSteps; i++) {
    const p = path[i];
    const g = affineAt(p);
    path.push([p[0] - beta * g[0], p[1] - beta * g[1]]);
  }
  const end = path[outerSteps];
  affine = Math.max(affine, differs(end, quadraticReferenceMetaGradient(tasks, end, options)));
  const start = Math.hypot(state.theta[0] - stationary[0], state.theta[1] - stationary[1]);
  const left = Math.hypot(end[0] - stationary[0], end[1] - stationary[1]);
  // ‖(I − βJ)ᴺ(θ − θ*)‖ ≤ ρᴺ‖θ − θ*‖ for a symmetric J; a little room for rounding.
  const allowed = contraction ** outerSteps * start * (1 + 1e-9) + 1e-12 * (1 + norm(stationary));
  const bound = left === 0 ? 0 : left / allowed;
  const message = left <= 1e-6 * (1 + start) ? `converges: |1 − βμ| ≤ ${contraction.toPrecision(3)} for μ = ${mus}; at θ* after ${outerSteps} steps` : `converges (|1 − βμ| ≤ ${contraction.toPrecision(3)} for μ = ${mus}), but is still ${left.toPrecision(3)} from θ* after ${outerSteps} steps`;
  return { method, ...found, status: 'converges', path, end, message, affine, bound };
}

/**
 * The numbers the four-methods explorer shows for one state, in float64, with its check: each method's
 * meta-gradient at θ, its exact end point θ*, the path of `outerSteps` meta-training steps θ ← θ − βg(θ)
 * from θ (none when it diverges, with the eigenvalue that makes it), and MAML's meta-objective for the
 * contour lines. The check compares four independent routes: MAML's closed form against central differences
 * of the meta-objective at θ; every method's closed form against the affine form J(θ − θ*) at θ and at its
 * path's end; each path's end against the contraction its eigenvalues allow; the objective's quadratic
 * form against the objective itself at θ.
 *
 * @example
 * import { fourMethodsReading } from './fourMethods';
 * const tasks = [{ C: [[0.3, 0.1], [0.1, 0.2]], support: [0.1, -0.2], query: [0.2, -0.1] }];
 * const r = fourMethodsReading(tasks, { alpha: 0.1, steps: 5, lambda: 2, reptileRate: 2, outerRate: 1, theta: [1.5, -0.3] });
 * r.methods.map((m) => m.status).join(); // "converges,converges,converges,converges"
 * r.check.passed; // true
 */
export function fourMethodsReading(tasks: QuadraticTask64[], state: FourMethodsState, outerSteps = 300): FourMethodsReading {
  const methods = FOUR_METHODS.map((m) => methodReading(tasks, m, state, outerSteps));
  const loop = { alpha: state.alpha, steps: state.steps };
  const F = (t: ArrayLike<number>) => quadraticMetaObjective(tasks, t, loop);
  const maml = methods[0];
  const differences = centralGradient(F, Float64Array.from(state.theta));
  const mamlGradient = maml.gradient ?? [NaN, NaN];
  const differenceError = relativeError(differences, mamlGradient);
  let objective: MetaObjectiveForm | null = null;
  let objectiveError = 0;
  if (maml.stationary !== null && maml.jacobian !== null) {
    // MAML's meta-gradient is F's gradient and affine, so F is this quadratic exactly, with Hessian J.
    objective = { centre: maml.stationary, value: F(maml.stationary), hessian: maml.jacobian };
    const atTheta = metaObjectiveForm(objective, state.theta);
    objectiveError = Math.abs(atTheta - F(state.theta)) / (1 + Math.abs(atTheta));
  }
  const affineError = Math.max(...methods.map((m) => m.affine));
  const pathBound = Math.max(...methods.map((m) => m.bound));
  return { methods: methods.map(({ affine: _a, bound: _b, ...m }) => m), objective, differenceError, affineError, pathBound, objectiveError, check: fourMethodsCheck({ differenceError, affineError, pathBound, objectiveError }) };
}

/** The four measures of a state's check (see `FourMethodsReading`). */
export type FourMethodsMeasures = Pick<FourMethodsReading, 'differenceError' | 'affineError' | 'pathBound' | 'objectiveError'>;

/**
 * The ✓ or ✗ of a state from its four measures: it passes only when every route agrees within its
 * tolerance (a NaN fails).
 *
 * @example
 * import { fourMethodsCheck } from './fourMethods';
 * fourMethodsCheck({ differenceError: 1e-10, affineError: 1e-15, pathBound: 0.5, objectiveError: 1e-16 }).passed; // true
 * fourMethodsCheck({ differenceError: 1e-10, affineError: 1e-15, pathBound: 1.5, objectiveError: 1e-16 }).passed; // false
 */
export function fourMethodsCheck(m: FourMethodsMeasures): CheckOutcome {
  const ok = {
    difference: m.differenceError <= DIFFERENCE_TOLERANCE,
    affine: m.affineError <= AFFINE_TOLERANCE,
    path: m.pathBound <= 1,
    objective: m.objectiveError <= AFFINE_TOLERANCE,
  };
  const sign = (pass: boolean) => (pass ? '≤' : '>');
  const text =
    `float64: MAML's closed form against central differences of its meta-objective at θ, relative error ${m.differenceError.toExponential(1)} (${sign(ok.difference)} ${DIFFERENCE_TOLERANCE}); ` +
    `each method's closed form against J(θ − θ*) at θ and at its path's end, ${m.affineError.toExponential(1)} (${sign(ok.affine)} ${AFFINE_TOLERANCE}); ` +
    `each converging path ends within ρᴺ‖θ − θ*‖ of θ* (largest share ${m.pathBound.toPrecision(2)}, ${sign(ok.path)} 1); ` +
    `the contours' quadratic form against the meta-objective at θ, ${m.objectiveError.toExponential(1)} (${sign(ok.objective)} ${AFFINE_TOLERANCE})`;
  return { passed: ok.difference && ok.affine && ok.path && ok.objective, text };
}

/**
 * MAML's meta-objective at θ from its quadratic form F(θ*) + ½(θ − θ*)ᵀH(θ − θ*): exact for quadratic
 * tasks, and cheap enough to fill a contour grid on every redraw.
 *
 * @example
 * import { metaObjectiveForm } from './fourMethods';
 * metaObjectiveForm({ centre: [0, 0], value: 1, hessian: [[2, 0], [0, 4]] }, [1, 1]); // 4
 */
export function metaObjectiveForm(form: MetaObjectiveForm, theta: readonly number[]): number {
  const d = [theta[0] - form.centre[0], theta[1] - form.centre[1]];
  const Hd = times(form.hessian, d);
  return form.value + 0.5 * (d[0] * Hd[0] + d[1] * Hd[1]);
}
