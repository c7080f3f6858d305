import * as math from 'mathjs';
import { requireInteger, requirePositive } from '../meta/validate';
import type { Matrix } from './check';
import type { Instance } from './instance';

/*
 * The float64 closed-form route: every quantity of the derivation computed from the formula the step
 * states, with exact gradients and Hessians (backprop + R-operator in float64), no autodiff and no tfjs.
 */

/**
 * θ₀, θ₁, …, θₖ of the inner loop, θᵢ = θᵢ₋₁ − α∇L⁽⁰⁾(θᵢ₋₁), in float64.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * const path = exact.innerTrajectory(inst, 2); // [θ₀, θ₁, θ₂]
 * path.length; // 3
 * path[0] === inst.theta; // true
 */
export function innerTrajectory(inst: Instance, steps: number, theta: Float64Array = inst.theta): Float64Array[] {
  const path = [theta];
  for (let i = 0; i < steps; i++) path.push(innerUpdate64(inst, path[i]));
  return path;
}

/**
 * One inner update θ − α∇L⁽⁰⁾(θ), in float64 (the reference for the tfjs `innerUpdate`).
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * const theta1 = exact.innerUpdate64(inst, inst.theta);
 */
export function innerUpdate64(inst: Instance, theta: Float64Array): Float64Array {
  const g = inst.net.gradient(theta, inst.support);
  return theta.map((t, j) => t - inst.alpha * g[j]);
}

/**
 * The meta-objective L⁽¹⁾(θₖ(θ)) in float64.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * // the query loss at θ itself, then after two inner steps on the support set
 * exact.metaObjective(inst, 0, inst.theta); // ≈ 0.8205
 * exact.metaObjective(inst, 2, inst.theta); // ≈ 0.4264
 */
export function metaObjective(inst: Instance, steps: number, theta: Float64Array): number {
  return inst.net.loss(innerTrajectory(inst, steps, theta)[steps], inst.query);
}

/**
 * The Hessian ∇²L⁽⁰⁾(θ) of the inner loss, column by column from exact Hessian-vector products.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * // linear regression's MSE: H = (2/N)·Σ (x, 1)(x, 1)ᵀ over the support points, the same at every θ
 * exact.hessian(inst, inst.theta); // ≈ [[1.960, 0.886], [0.886, 2]]
 */
export function hessian(inst: Instance, theta: Float64Array): Matrix {
  return matrixOfProducts(theta.length, (e) => inst.net.hessianVectorProduct(theta, e, inst.support));
}

/** The n × n matrix A whose products A·eⱼ with the unit vectors are its columns. */
function matrixOfProducts(n: number, product: (e: Float64Array) => Float64Array): Matrix {
  const columns = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return product(e);
  });
  return Array.from({ length: n }, (_, i) => columns.map((c) => c[i]));
}

/**
 * The Gauss–Newton part (2/(P·O))·JᵀJ of the inner loss's Hessian (P support points, O outputs, J the
 * Jacobian of the outputs; 2/(P·O) because the MSE is a mean with no ½), column by column from the R-operator's
 * exact products GN·eⱼ = (2/(P·O))·Jᵀ(J·eⱼ).
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * // a linear model's Hessian is all Gauss–Newton
 * exact.gaussNewtonPart64(inst, inst.theta); // ≈ [[1.960, 0.886], [0.886, 2]]
 */
export function gaussNewtonPart64(inst: Instance, theta: Float64Array): Matrix {
  return matrixOfProducts(theta.length, (e) => inst.net.gaussNewtonVectorProduct(theta, e, inst.support));
}

/**
 * The residual part (2/(P·O))·Σ (M − y)·∇²M of the inner loss's Hessian, column by column from the
 * R-operator's exact products with the output errors held fixed: zero for a linear model, and the part
 * that carries the network's own curvature otherwise.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const linear = makeInstance({ kind: 'linear', seed: 0 });
 * exact.residualPart64(linear, linear.theta); // [[0, 0], [0, 0]]
 * const tanh = makeInstance({ kind: 'tanh', seed: 0 });
 * exact.residualPart64(tanh, tanh.theta).length; // 19
 */
export function residualPart64(inst: Instance, theta: Float64Array): Matrix {
  return matrixOfProducts(theta.length, (e) => inst.net.residualVectorProduct(theta, e, inst.support));
}

/**
 * The inner step's Jacobian as the derivation states it: I − αH(θ).
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 }); // α = 0.1
 * exact.innerUpdateJacobian(inst, inst.theta); // ≈ [[0.804, -0.0886], [-0.0886, 0.8]]
 */
export function innerUpdateJacobian(inst: Instance, theta: Float64Array): Matrix {
  const n = theta.length;
  return math.subtract(identityMatrix(n), math.multiply(inst.alpha, hessian(inst, theta))) as Matrix;
}

/**
 * The exact meta-gradient by the product formula (I − αH₀)(I − αH₁)⋯(I − αHₖ₋₁)∇L⁽¹⁾(θₖ), applied right to
 * left as Hessian-vector products so no matrix is formed.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * exact.metaGradientByProduct(inst, 3); // ≈ [-0.6469, 0.6866]
 * exact.metaGradientByProduct(makeInstance({ kind: 'tanh', seed: 0 }), 3).length; // 19
 */
export function metaGradientByProduct(inst: Instance, steps: number): Float64Array {
  const path = innerTrajectory(inst, steps);
  return backThroughInnerSteps(inst, inst.net.gradient(path[steps], inst.query), path.slice(0, steps));
}

/**
 * (I + sign·αH(p₀))(I + sign·αH(p₁))⋯(I + sign·αH(pₘ₋₁))·v for the given points pᵢ (H the support loss's
 * Hessian, sign −1 by default), applied right to left as Hessian-vector products. With the inner iterates
 * θ₀…θₖ₋₁ as points and v = ∇L⁽¹⁾(θₖ) it is the exact meta-gradient (`metaGradientByProduct`); other points,
 * fewer of them or sign +1 give the near-misses the doctor compares with (`metaGradientVariants`).
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * const path = exact.innerTrajectory(inst, 3);
 * const v = inst.net.gradient(path[3], inst.query);
 * exact.backThroughInnerSteps(inst, v, path.slice(0, 3)); // ≈ [-0.6469, 0.6866]
 * // no points: v itself (FOMAML); sign +1: the product (I + αH)ᵏ
 * exact.backThroughInnerSteps(inst, v, []) === v; // true
 * exact.backThroughInnerSteps(inst, v, path.slice(0, 3), 1).length; // 2
 */
export function backThroughInnerSteps(inst: Instance, v: Float64Array, points: readonly Float64Array[], sign: -1 | 1 = -1): Float64Array {
  let out = v;
  for (let i = points.length - 1; i >= 0; i--) {
    const hv = inst.net.hessianVectorProduct(points[i], out, inst.support);
    const current = out;
    out = current.map((x, j) => x + sign * inst.alpha * hv[j]);
  }
  return out;
}

/**
 * FOMAML's meta-gradient: the query gradient at the adapted parameters, ∇L⁽¹⁾(θₖ).
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'linear', seed: 0 });
 * exact.firstOrderMetaGradient(inst, 1); // ≈ [-1.410, 1.384]
 * // the exact meta-gradient is (I − αH₀) times it
 * exact.metaGradientByProduct(inst, 1); // ≈ [-1.256, 1.232]
 */
export function firstOrderMetaGradient(inst: Instance, steps: number): Float64Array {
  return inst.net.gradient(innerTrajectory(inst, steps)[steps], inst.query);
}

/**
 * The n×n identity as rows.
 *
 * @example
 * import { exact } from 'maml-lab/derivations';
 * exact.identityMatrix(2); // [[1, 0], [0, 1]]
 */
export function identityMatrix(n: number): Matrix {
  return (math.identity(n, 'dense') as math.Matrix).toArray() as Matrix;
}

/**
 * Reptile's direction for one task, ε·(θ − θₖ), θₖ being k SGD steps of size α on the support set.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * exact.reptileDirection(inst, 3, 0.5).length; // 19
 */
export function reptileDirection(inst: Instance, steps: number, rate = 1): Float64Array {
  const phi = innerTrajectory(inst, steps)[steps];
  return inst.theta.map((t, j) => rate * (t - phi[j]));
}

/**
 * iMAML's inner iterates θ₀ = θ, θ₁, …, θₖ in float64: k gradient steps of size α on the regularised support
 * loss L_support(θ') + (λ/2)‖θ' − θ‖², θᵢ = θᵢ₋₁ − α(∇L_support(θᵢ₋₁) + λ(θᵢ₋₁ − θ)). They approach the
 * converged solution θ⋆(θ) (`implicitSolution`) when α is small enough for the regularised loss's curvature.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0, alpha: 0.02 });
 * const path = exact.implicitInnerIterates(inst, 3, 50); // [θ₀, θ₁, θ₂, θ₃]
 * path.length; // 4
 * path[0] === inst.theta; // true
 */
export function implicitInnerIterates(inst: Instance, steps: number, lambda: number, theta: Float64Array = inst.theta): Float64Array[] {
  requireInteger('steps', steps, 0);
  requirePositive('lambda', lambda);
  const path = [theta];
  for (let i = 0; i < steps; i++) {
    const current = path[i];
    const g = inst.net.gradient(current, inst.support);
    path.push(current.map((p, j) => p - inst.alpha * (g[j] + lambda * (p - theta[j]))));
  }
  return path;
}

/**
 * iMAML's converged inner solution θ⋆(θ) = argmin over θ' of L_support(θ') + (λ/2)‖θ' − θ‖² (the iMAML
 * paper's φ*), in float64 by Newton's method from θ: θ' ← θ' − (H(θ') + λI)⁻¹(∇L_support(θ') + λ(θ' − θ)),
 * H the exact support Hessian, until the regularised gradient's norm is at most `tolerance` (default 1e-12).
 * Throws when it has not got there in `maxIterations` (default 50) Newton steps.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0, alpha: 0.02 });
 * const star = exact.implicitSolution(inst, 50);
 * star.length; // 19
 * // the regularised gradient vanishes there
 * const g = inst.net.gradient(star, inst.support).map((v, j) => v + 50 * (star[j] - inst.theta[j]));
 * Math.max(...g.map(Math.abs)) <= 1e-12; // true
 */
export function implicitSolution(
  inst: Instance,
  lambda: number,
  theta: Float64Array = inst.theta,
  options: { tolerance?: number; maxIterations?: number } = {},
): Float64Array {
  requirePositive('lambda', lambda);
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 50;
  let x = theta;
  for (let i = 0; i <= maxIterations; i++) {
    const g = inst.net.gradient(x, inst.support).map((v, j) => v + lambda * (x[j] - theta[j]));
    if (Math.hypot(...g) <= tolerance) return x;
    if (i === maxIterations) break;
    const A = math.add(hessian(inst, x), math.multiply(lambda, identityMatrix(x.length))) as Matrix;
    const step = math.lusolve(A, Array.from(g)) as Matrix;
    const current = x;
    x = current.map((v, j) => v - step[j][0]);
  }
  throw new RangeError(`implicitSolution: the regularised gradient is still above ${tolerance} after ${maxIterations} Newton steps (lambda = ${lambda}); use a larger lambda`);
}

/**
 * The implicit gradient (I + H(point)/λ)⁻¹∇L_query(point) at a given point, by LU decomposition (mathjs) with
 * H the exact support Hessian there. At the converged θ⋆(θ) (`implicitSolution`) it is the derivative of
 * θ ↦ L_query(θ⋆(θ)); at an inner iterate θₖ it is what iMAML computes (`implicitMetaGradient`).
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0, alpha: 0.02 });
 * exact.implicitGradientAt(inst, exact.implicitSolution(inst, 50), 50).length; // 19
 */
export function implicitGradientAt(inst: Instance, point: Float64Array, lambda: number): Float64Array {
  requirePositive('lambda', lambda);
  const A = math.add(identityMatrix(point.length), math.multiply(1 / lambda, hessian(inst, point))) as Matrix;
  const x = math.lusolve(A, Array.from(inst.net.gradient(point, inst.query))) as Matrix;
  return Float64Array.from(x.map((row) => row[0]));
}

/**
 * iMAML's meta-gradient for one task by a direct solve: θₖ from k steps of size α on
 * L_support(θ') + (λ/2)‖θ' − θ‖² starting at θ (`implicitInnerIterates`), then (I + H/λ)x = ∇L_query(θₖ)
 * solved by LU decomposition (`implicitGradientAt`) with H the exact support Hessian at θₖ. The reference
 * for the conjugate-gradient route.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0, alpha: 0.02 });
 * exact.implicitMetaGradient(inst, 5, 50).length; // 19
 */
export function implicitMetaGradient(inst: Instance, steps: number, lambda: number): Float64Array {
  return implicitGradientAt(inst, implicitInnerIterates(inst, steps, lambda)[steps], lambda);
}

/**
 * The implicit gradient (I + H(point)/λ)⁻¹∇L_query(point) like `implicitGradientAt`, but by conjugate
 * gradient on exact float64 Hessian-vector products, so no n × n matrix is formed: what a model of a few
 * thousand parameters needs (the LU route is cubic). Stops when ‖r‖ ≤ tolerance·‖b‖ (default 1e-12) and
 * throws when it has not got there in `maxIterations` (default 4n), or when I + H/λ is not positive definite.
 *
 * @example
 * import { exact, makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0, alpha: 0.02 });
 * const point = exact.implicitInnerIterates(inst, 2, 50)[2];
 * const byCg = exact.implicitGradientByConjugateGradient(inst, point, 50);
 * const byLu = exact.implicitGradientAt(inst, point, 50);
 * Math.max(...byCg.map((v, j) => Math.abs(v - byLu[j]))) < 1e-10; // true
 */
export function implicitGradientByConjugateGradient(
  inst: Instance,
  point: Float64Array,
  lambda: number,
  options: { tolerance?: number; maxIterations?: number } = {},
): Float64Array {
  requirePositive('lambda', lambda);
  const n = point.length;
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 4 * n;
  const apply = (v: Float64Array) => {
    const hv = inst.net.hessianVectorProduct(point, v, inst.support);
    return v.map((x, j) => x + hv[j] / lambda);
  };
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, j) => s + x * b[j], 0);
  const b = inst.net.gradient(point, inst.query);
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = dot(r, r);
  const goal = tolerance * Math.sqrt(dot(b, b));
  for (let it = 0; it <= maxIterations; it++) {
    if (Math.sqrt(rr) <= goal) return x;
    if (it === maxIterations) break;
    const Ap = apply(p);
    const curvature = dot(p, Ap);
    if (!(curvature > 0)) throw new RangeError(`I + H/λ is not positive definite at this point (pᵀAp = ${curvature}, lambda = ${lambda}); use a larger lambda`);
    const step = rr / curvature;
    for (let j = 0; j < n; j++) {
      x[j] += step * p[j];
      r[j] -= step * Ap[j];
    }
    const next = dot(r, r);
    for (let j = 0; j < n; j++) p[j] = r[j] + (next / rr) * p[j];
    rr = next;
  }
  throw new RangeError(`implicitGradientByConjugateGradient: the relative residual is still ${(Math.sqrt(rr) / Math.sqrt(dot(b, b))).toExponential(2)} after ${maxIterations} iterations (lambda = ${lambda})`);
}
