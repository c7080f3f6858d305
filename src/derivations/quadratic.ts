import * as math from 'mathjs';
import type { Method } from '../meta/methods/types';
import { requireInteger, requirePositive } from '../meta/validate';
import type { Matrix } from './check';
import { identityMatrix } from './exact';
import { meanVector, norm } from './numeric';

/*
 * The quadratic family f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ in float64 and in closed form: gradient C(θ − ½) + g,
 * Hessian C everywhere. The inner loop is affine in θ, so every meta-gradient is a formula, e.g. MAML's
 * (I − αC)ᵏ∇f_query(θₖ), with nothing differentiated: the reference the tfjs methods are compared with on
 * `quadraticTasks`, and the numbers the curvature explorer draws.
 */

/** One quadratic task in float64: the curvature C both sets share and the linear terms g of each. */
export interface QuadraticTask64 {
  C: Matrix;
  /** g of the support loss (the inner loop's). */
  support: number[];
  /** g of the query loss (the meta-objective's). */
  query: number[];
}

/** Throws naming `name` unless C is a square, symmetric matrix of finite numbers; returns its size. */
function checkCurvature(C: unknown, name = 'C'): number {
  if (!Array.isArray(C) || C.length === 0) throw new RangeError(`${name} must be a square matrix (an array of rows), got ${typeof C}`);
  const n = C.length;
  C.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== n) throw new RangeError(`${name} must be square: it has ${n} rows but row ${i} has ${Array.isArray(row) ? row.length : typeof row} entries`);
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${i}][${j}] is ${String(v)}; a finite number is needed`);
    });
  });
  const m = C as number[][];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (m[i][j] !== m[j][i]) throw new RangeError(`${name} must be symmetric (it is a Hessian), but ${name}[${i}][${j}] = ${m[i][j]} and ${name}[${j}][${i}] = ${m[j][i]}`);
    }
  }
  return n;
}

/** Throws naming `name` unless v holds n finite numbers; returns it as an array. */
function checkVector(name: string, v: unknown, n: number): number[] {
  const values = v instanceof Float64Array || v instanceof Float32Array ? Array.from(v) : v;
  if (!Array.isArray(values) || values.length !== n) throw new RangeError(`${name} must hold ${n} numbers (C is ${n}×${n}), got ${Array.isArray(values) ? values.length : typeof v}`);
  values.forEach((x: unknown, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${name}[${i}] is ${String(x)}; a finite number is needed`);
  });
  return values as number[];
}

function matVec(A: Matrix, v: readonly number[]): number[] {
  return A.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
}

function zeroMatrix(n: number): Matrix {
  return Array.from({ length: n }, () => new Array<number>(n).fill(0));
}

function matMul(A: Matrix, B: Matrix): Matrix {
  return A.map((row) => B[0].map((_, j) => row.reduce((s, a, l) => s + a * B[l][j], 0)));
}

/**
 * f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ for a symmetric C; throws on a non-symmetric C, a non-finite entry or
 * vectors of the wrong size.
 *
 * @example
 * import { quadraticValue } from 'maml-lab/derivations';
 * // C = I, g = (1, 0), θ = (1, 1): ½·(½² + ½²) + 1
 * quadraticValue([[1, 0], [0, 1]], [1, 0], [1, 1]); // 1.25
 */
export function quadraticValue(C: Matrix, g: ArrayLike<number>, theta: ArrayLike<number>): number {
  const n = checkCurvature(C);
  const gv = checkVector('g', g, n);
  const d = checkVector('theta', theta, n).map((t) => t - 0.5);
  const Cd = matVec(C, d);
  return d.reduce((s, x, i) => s + 0.5 * x * Cd[i] + gv[i] * (x + 0.5), 0);
}

/**
 * ∇f(θ) = C(θ − ½) + g: the gradient of `quadraticValue`. With C = 0 it is g everywhere, the first-order
 * approximation; at θ = ½ it is g whatever C is.
 *
 * @example
 * import { quadraticGradient } from 'maml-lab/derivations';
 * quadraticGradient([[0.5, 0.1], [0.1, 0]], [0.1, -0.1], [1, 0.5]); // [0.35, -0.05]
 * quadraticGradient([[0.5, 0.1], [0.1, 0]], [0.1, -0.1], [0.5, 0.5]); // [0.1, -0.1]
 */
export function quadraticGradient(C: Matrix, g: ArrayLike<number>, theta: ArrayLike<number>): Float64Array {
  const n = checkCurvature(C);
  const gv = checkVector('g', g, n);
  const Cd = matVec(C, checkVector('theta', theta, n).map((t) => t - 0.5));
  return Float64Array.from(Cd, (v, i) => v + gv[i]);
}

/** How far the first-order approximation g is from the gradient ∇f(θ) at one θ. */
export interface FirstOrderError {
  /** ∇f(θ) = C(θ − ½) + g. */
  gradient: Float64Array;
  /** The angle between g and ∇f(θ) in degrees, 0 to 180; NaN where ∇f(θ) = 0 (no direction to compare). */
  angleDegrees: number;
  /** ‖g‖ / ‖∇f(θ)‖: 1 when the lengths agree; Infinity where ∇f(θ) = 0. */
  lengthRatio: number;
}

/**
 * The gradient of f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ and the error of its first-order approximation g (the
 * gradient with C = 0): the angle between them and the ratio of their lengths.
 *
 * @example
 * import { firstOrderError } from 'maml-lab/derivations';
 * const e = firstOrderError([[0.5, 0], [0, 0]], [0.1, 0.1], [0.7, 0.5]); // ∇f = (0.2, 0.1)
 * e.angleDegrees; // ≈ 18.43
 * e.lengthRatio; // ≈ 0.6325
 */
export function firstOrderError(C: Matrix, g: ArrayLike<number>, theta: ArrayLike<number>): FirstOrderError {
  const gradient = quadraticGradient(C, g, theta);
  const gv = Array.from(g);
  const size = norm(gradient);
  if (size === 0) return { gradient, angleDegrees: NaN, lengthRatio: Infinity };
  // Kahan's form 2·atan2(‖u − v‖, ‖u + v‖) of unit vectors: exactly 0 for equal vectors, and accurate near
  // 0° and 180°, where acos of the cosine loses half the digits (it gave 10⁻⁶° for identical vectors).
  const u = gv.map((x) => x / norm(gv));
  const v = Array.from(gradient, (x) => x / size);
  const angle = 2 * Math.atan2(norm(u.map((x, i) => x - v[i])), norm(u.map((x, i) => x + v[i])));
  return { gradient, angleDegrees: (angle * 180) / Math.PI, lengthRatio: norm(gv) / size };
}

/** The inner loop's settings: step size α, k steps, and iMAML's pull λ (none when absent). */
export interface QuadraticInnerLoop {
  alpha: number;
  steps: number;
  lambda?: number;
}

/** B = I − α(C + λI), the matrix one inner step multiplies θᵢ − ½ by. */
function stepMatrix(C: Matrix, alpha: number, lambda: number): Matrix {
  return C.map((row, i) => row.map((c, j) => (i === j ? 1 : 0) - alpha * (c + (i === j ? lambda : 0))));
}

/**
 * θₖ after k inner steps from θ on the support loss (plus (λ/2)‖θ' − θ‖² when `lambda` is given), in closed
 * form: with e = θᵢ − ½ and B = I − α(C + λI), each step is e ← Be − α(g_support − λ(θ − ½)), so
 * eₖ = Bᵏe₀ − α(I + B + … + Bᵏ⁻¹)(g_support − λ(θ − ½)).
 *
 * @example
 * import { quadraticAdapted } from 'maml-lab/derivations';
 * const task = { C: [[1, 0], [0, 1]], support: [0, 0], query: [0, 0] };
 * // each step halves θ − ½ when α = 0.5 and C = I
 * quadraticAdapted(task, [1.5, 0.5], { alpha: 0.5, steps: 2 }); // [0.75, 0.5]
 */
export function quadraticAdapted(task: QuadraticTask64, theta: ArrayLike<number>, loop: QuadraticInnerLoop): Float64Array {
  const n = checkCurvature(task.C, 'task.C');
  const gs = checkVector('task.support', task.support, n);
  const d0 = checkVector('theta', theta, n).map((t) => t - 0.5);
  requirePositive('alpha', loop.alpha);
  requireInteger('steps', loop.steps, 0);
  const lambda = loop.lambda ?? 0;
  if (loop.lambda !== undefined) requirePositive('lambda', loop.lambda);
  const B = stepMatrix(task.C, loop.alpha, lambda);
  const b = gs.map((g, i) => g - lambda * d0[i]);
  let power = identityMatrix(n); // Bʲ
  let sum = zeroMatrix(n); // I + B + … + Bʲ⁻¹
  for (let j = 0; j < loop.steps; j++) {
    sum = sum.map((row, i) => row.map((s, l) => s + power[i][l]));
    power = matMul(B, power);
  }
  const Be = matVec(power, d0);
  const Sb = matVec(sum, b);
  return Float64Array.from(Be, (v, i) => 0.5 + v - loop.alpha * Sb[i]);
}

/** Settings of a quadratic reference meta-gradient: the method and its inner loop. */
export interface QuadraticReferenceOptions {
  method: Method;
  alpha: number;
  steps: number;
  /** iMAML's λ (default 1, as `metaGradient`). */
  lambda?: number;
  /** Reptile's ε (default 1, as `metaGradient`). */
  reptileRate?: number;
}

/** One task's meta-gradient by its closed form. */
function taskMetaGradient(task: QuadraticTask64, theta: number[], options: QuadraticReferenceOptions): Float64Array {
  const { method, alpha, steps } = options;
  const n = theta.length;
  const query = (phi: Float64Array) => quadraticGradient(task.C, task.query, phi);
  if (method === 'imaml') {
    const lambda = options.lambda ?? 1;
    const phi = quadraticAdapted(task, theta, { alpha, steps, lambda });
    const A = task.C.map((row, i) => row.map((c, j) => (i === j ? 1 : 0) + c / lambda));
    if (Math.abs(math.det(A)) < 1e-14) throw new RangeError(`imaml: I + C/λ is singular for this task (λ = ${lambda}); choose another λ`);
    return Float64Array.from((math.lusolve(A, Array.from(query(phi))) as Matrix).map((row) => row[0]));
  }
  const phi = quadraticAdapted(task, theta, { alpha, steps });
  if (method === 'fomaml') return query(phi);
  if (method === 'reptile') return Float64Array.from(theta, (t, i) => (options.reptileRate ?? 1) * (t - phi[i]));
  // MAML: ∇θ f_query(θₖ) = (∇θ θₖ)ᵀ ∇f_query(θₖ) = ((I − αC)ᵏ)ᵀ ∇f_query(θₖ), and (I − αC)ᵏ is symmetric.
  let v = Array.from(query(phi));
  const A = stepMatrix(task.C, alpha, 0);
  for (let i = 0; i < steps; i++) v = matVec(A, v);
  return Float64Array.from(v.slice(0, n));
}

/**
 * Every method's meta-gradient on quadratic tasks in closed form, averaged over the tasks as
 * `metaGradient` averages: MAML (I − αC)ᵏ∇f_query(θₖ), FOMAML ∇f_query(θₖ), Reptile ε(θ − θₖ), iMAML
 * (I + C/λ)⁻¹∇f_query(θₖ) with θₖ from the regularised inner loop; θₖ and θₖ by `quadraticAdapted`.
 *
 * @example
 * import { quadraticReferenceMetaGradient } from 'maml-lab/derivations';
 * const tasks = [{ C: [[1, 0], [0, 1]], support: [0, 0], query: [1, 0] }];
 * // θₖ = ½ + (½)ᵏ(θ − ½); at θ = ½ MAML gives (I − ½I)²·(1, 0)
 * quadraticReferenceMetaGradient(tasks, [0.5, 0.5], { method: 'maml', alpha: 0.5, steps: 2 }); // [0.25, 0]
 * quadraticReferenceMetaGradient(tasks, [0.5, 0.5], { method: 'fomaml', alpha: 0.5, steps: 2 }); // [1, 0]
 */
export function quadraticReferenceMetaGradient(tasks: readonly QuadraticTask64[], theta: ArrayLike<number>, options: QuadraticReferenceOptions): Float64Array {
  if (!Array.isArray(tasks) || tasks.length === 0) throw new RangeError('tasks must hold at least one quadratic task');
  const methods: Method[] = ['maml', 'fomaml', 'reptile', 'imaml'];
  if (!methods.includes(options.method)) throw new RangeError(`method must be one of ${methods.join(', ')}, got ${JSON.stringify(options.method)}`);
  requireInteger('steps', options.steps, 1);
  const n = checkCurvature(tasks[0].C, 'tasks[0].C');
  const t = checkVector('theta', theta, n);
  tasks.forEach((task, i) => {
    if (checkCurvature(task.C, `tasks[${i}].C`) !== n) throw new RangeError(`tasks[${i}].C is not ${n}×${n} like tasks[0].C`);
    checkVector(`tasks[${i}].query`, task.query, n);
  });
  return meanVector(tasks.map((task) => taskMetaGradient(task, t, options)));
}

/**
 * The meta-objective MAML minimises on quadratic tasks: the mean over tasks of f_query(θₖ), θₖ after k
 * inner steps from θ. Its gradient is the MAML reference meta-gradient.
 *
 * @example
 * import { quadraticMetaObjective } from 'maml-lab/derivations';
 * const tasks = [{ C: [[1, 0], [0, 1]], support: [0, 0], query: [1, 0] }];
 * // θ₁ = ½ + ½(θ − ½) = (0.75, 0.5): ½·0.25² + 0.75
 * quadraticMetaObjective(tasks, [1, 0.5], { alpha: 0.5, steps: 1 }); // 0.78125
 */
export function quadraticMetaObjective(tasks: readonly QuadraticTask64[], theta: ArrayLike<number>, loop: { alpha: number; steps: number }): number {
  if (!Array.isArray(tasks) || tasks.length === 0) throw new RangeError('tasks must hold at least one quadratic task');
  requireInteger('steps', loop.steps, 1);
  const values = tasks.map((task) => quadraticValue(task.C, task.query, quadraticAdapted(task, theta, loop)));
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Where a method's meta-gradient vanishes on quadratic tasks, and how it changes with θ there. */
export interface QuadraticStationaryPoint {
  /** θ* with g(θ*) = 0: where meta-training with this method ends, if it converges. */
  theta: Float64Array;
  /** ∂g/∂θ (constant, since g is affine in θ): gradient descent θ ← θ − βg(θ) converges to θ* iff every eigenvalue μ of it has |1 − βμ| < 1. */
  jacobian: Matrix;
}

/**
 * The point where a method's meta-gradient is zero on quadratic tasks. Every method's meta-gradient is
 * affine in θ there, g(θ) = Jθ + g(0), so the point is the solution of Jθ* = −g(0), found exactly; J is
 * read from g at 0 and at the unit vectors. Throws when J is singular (no single such point).
 *
 * @example
 * import { quadraticReferenceMetaGradient, quadraticStationaryPoint } from 'maml-lab/derivations';
 * const tasks = [{ C: [[1, 0], [0, 2]], support: [0.2, 0], query: [0.1, -0.1] }];
 * const { theta } = quadraticStationaryPoint(tasks, { method: 'maml', alpha: 0.1, steps: 3 });
 * const g = quadraticReferenceMetaGradient(tasks, theta, { method: 'maml', alpha: 0.1, steps: 3 });
 * Math.max(...g.map(Math.abs)) < 1e-12; // true
 */
export function quadraticStationaryPoint(tasks: readonly QuadraticTask64[], options: QuadraticReferenceOptions): QuadraticStationaryPoint {
  if (!Array.isArray(tasks) || tasks.length === 0) throw new RangeError('tasks must hold at least one quadratic task');
  const n = checkCurvature(tasks[0].C, 'tasks[0].C');
  const at = (theta: number[]) => quadraticReferenceMetaGradient(tasks, theta, options);
  const g0 = at(new Array<number>(n).fill(0));
  const columns = identityMatrix(n).map((e) => at(e).map((v, i) => v - g0[i]));
  const jacobian = Array.from(g0, (_, i) => columns.map((c) => c[i]));
  if (Math.abs(math.det(jacobian)) < 1e-14) throw new RangeError(`${options.method}: the meta-gradient's Jacobian is singular on these tasks, so it has no single zero`);
  const x = math.lusolve(jacobian, Array.from(g0, (v) => -v)) as Matrix;
  return { theta: Float64Array.from(x.map((row) => row[0])), jacobian };
}
