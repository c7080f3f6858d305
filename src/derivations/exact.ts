import * as math from 'mathjs';
import type { Matrix } from './check';
import type { Instance } from './instances';

/*
 * The float64 closed-form route: every quantity of the derivation computed from the formula the step
 * states, with exact gradients and Hessians (backprop + R-operator in float64), no autodiff and no tfjs.
 */

/**
 * θ₀, θ₁, …, θₖ of the inner loop, θᵢ = θᵢ₋₁ − α∇L⁽⁰⁾(θᵢ₋₁), in float64.
 *
 * @example
 * const [theta0, theta1] = innerTrajectory(inst, 1);
 */
export function innerTrajectory(inst: Instance, steps: number, theta: Float64Array = inst.theta): Float64Array[] {
  const path = [theta];
  for (let i = 0; i < steps; i++) path.push(innerStep(inst, path[i]));
  return path;
}

/**
 * One inner update θ − α∇L⁽⁰⁾(θ), in float64.
 *
 * @example
 * const theta1 = innerStep(inst, inst.theta);
 */
export function innerStep(inst: Instance, theta: Float64Array): Float64Array {
  const g = inst.net.gradient(theta, inst.train);
  return theta.map((t, j) => t - inst.alpha * g[j]);
}

/**
 * The meta-objective L⁽¹⁾(θₖ(θ)) in float64.
 *
 * @example
 * metaObjective(inst, 2, inst.theta); // a number
 */
export function metaObjective(inst: Instance, steps: number, theta: Float64Array): number {
  return inst.net.loss(innerTrajectory(inst, steps, theta)[steps], inst.test);
}

/**
 * The Hessian ∇²L⁽⁰⁾(θ) of the inner loss, column by column from exact Hessian-vector products.
 *
 * @example
 * hessian(inst, inst.theta); // n×n, symmetric
 */
export function hessian(inst: Instance, theta: Float64Array): Matrix {
  const n = theta.length;
  const columns = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return inst.net.hessianVectorProduct(theta, e, inst.train);
  });
  return columns[0].length === 0 ? [] : Array.from({ length: n }, (_, i) => columns.map((c) => c[i]));
}

/**
 * The inner step's Jacobian as the derivation states it: I − αH(θ).
 *
 * @example
 * innerUpdateJacobian(inst, inst.theta); // n×n
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
 * metaGradientByProduct(inst, 3); // Float64Array of length n
 */
export function metaGradientByProduct(inst: Instance, steps: number): Float64Array {
  const path = innerTrajectory(inst, steps);
  let v = inst.net.gradient(path[steps], inst.test);
  for (let i = steps; i >= 1; i--) {
    const hv = inst.net.hessianVectorProduct(path[i - 1], v, inst.train);
    v = v.map((x, j) => x - inst.alpha * hv[j]);
  }
  return v;
}

/**
 * FOMAML's meta-gradient: the query gradient at the adapted parameters, ∇L⁽¹⁾(θₖ).
 *
 * @example
 * firstOrderMetaGradient(inst, 1);
 */
export function firstOrderMetaGradient(inst: Instance, steps: number): Float64Array {
  return inst.net.gradient(innerTrajectory(inst, steps)[steps], inst.test);
}

/**
 * The n×n identity as rows.
 *
 * @example
 * identityMatrix(2); // [[1, 0], [0, 1]]
 */
export function identityMatrix(n: number): Matrix {
  return (math.identity(n, 'dense') as math.Matrix).toArray() as Matrix;
}
