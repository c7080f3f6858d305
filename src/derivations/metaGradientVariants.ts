import * as exact from './exact';
import type { Instance } from './instance';
import { meanVector } from './numeric';

/*
 * The doctor's catalogue: the exact meta-gradient and the near-misses that MAML code is known to compute
 * instead, each in float64 from the same exact routes the derivation is certified with (`exact.*`), averaged
 * over tasks as `metaGradient` averages. No second MLP: every variant is a different use of the same inner
 * trajectory, Hessian-vector products and query gradients.
 */

/** One entry of the catalogue: its name, its meta-gradient (flat, maml-lab layout) and how it is compared. */
export interface MetaGradientVariant {
  name: string;
  /** What it is, in one line (for the verdict and the notebook). */
  description: string;
  vector: Float64Array;
  /** Compared up to a positive scale (Reptile: its rate ε is the user's). */
  scaleFree?: boolean;
  /** A constant factor of the exact meta-gradient, reported as such (sum-over-tasks: T; half-mse: ½). */
  factor?: number;
}

/** The settings every variant shares: the inner loop's k, and iMAML's λ and Reptile's rate when known. */
export interface VariantSettings {
  steps: number;
  lambda?: number;
  reptileRate?: number;
}

/** A variant that could not be computed for this input, and why (e.g. iMAML without λ). */
export interface UnavailableVariant {
  name: string;
  reason: string;
}

/**
 * The names of the catalogue in its order, the order in which coinciding variants yield to the plainer
 * one: `second-order-last-steps-only(j=J)` stands for each J, `imaml(1/lambda)` is iMAML run with 1/λ
 * in place of the given λ (the λ ↔ 1/λ confusion between "regularisation strength" and "prior variance").
 *
 * @example
 * import { VARIANT_NAMES } from 'maml-lab/derivations';
 * VARIANT_NAMES.length; // 12
 * VARIANT_NAMES[0]; // "maml"
 */
export const VARIANT_NAMES = [
  'maml',
  'fomaml',
  'reptile',
  'imaml',
  'imaml(1/lambda)',
  'hessian-at-theta',
  'second-order-last-steps-only(j=J)',
  'wrong-sign',
  'one-loss',
  'no-adaptation',
  'sum-over-tasks',
  'half-mse',
] as const;

/**
 * Every variant of the meta-gradient for these tasks (one `Instance` per task, all at the same θ and α):
 * - `maml`: ∏ᵢ(I − αH(θᵢ))·∇L_query(θₖ), the exact gradient of the mean query loss after k steps;
 * - `fomaml`: ∇L_query(θₖ) (every inner gradient taken as a constant: `create_graph=False`);
 * - `reptile`: ε·(θ − θₖ) with ε = reptileRate (default 1), compared up to a positive scale;
 * - `imaml`, `imaml(1/lambda)`: (I + H(θₖ)/λ)⁻¹∇L_query(θₖ), θₖ after k steps on the support loss plus
 *   (λ/2)‖θ' − θ‖², with λ and with 1/λ (only when λ is given);
 * - `hessian-at-theta`: ∏(I − αH(θ))·∇L_query(θₖ), every step's Hessian taken at θ;
 * - `second-order-last-steps-only(j=J)`: only the last J factors (I − αH(θₖ₋ⱼ))⋯(I − αH(θₖ₋₁)), the graph kept
 *   through the last J steps, for J = 1 … k − 1 (and J = 1 at k = 1, where it is maml);
 * - `wrong-sign`: ∏(I + αH(θᵢ))·∇L_query(θₖ);
 * - `one-loss`: maml with the support set as the query set;
 * - `no-adaptation`: ∇L_query(θ);
 * - `sum-over-tasks`: T·maml (summed over the T tasks instead of averaged); `half-mse`: ½·maml.
 * Variants that cannot be computed (no λ; I + H/λ not positive definite) are listed with the reason.
 *
 * @example
 * import { makeInstance, metaGradientVariants } from 'maml-lab/derivations';
 * const tasks = [makeInstance({ kind: 'tanh', seed: 0 }), makeInstance({ kind: 'tanh', seed: 1 })];
 * const { variants, unavailable } = metaGradientVariants(tasks, { steps: 2 });
 * variants.map((v) => v.name).join(' '); // "maml fomaml reptile hessian-at-theta second-order-last-steps-only(j=1) wrong-sign one-loss no-adaptation sum-over-tasks half-mse"
 * unavailable.map((u) => u.name); // ["imaml", "imaml(1/lambda)"]
 * // sum-over-tasks is the mean's gradient times the 2 tasks
 * variants[8].vector[0] / variants[0].vector[0]; // ≈ 2
 */
export function metaGradientVariants(instances: readonly Instance[], settings: VariantSettings): { variants: MetaGradientVariant[]; unavailable: UnavailableVariant[] } {
  if (instances.length === 0) throw new RangeError('instances must not be empty');
  const k = settings.steps;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`steps must be an integer ≥ 1, got ${k}`);
  const paths = instances.map((inst) => exact.innerTrajectory(inst, k));
  const queryAtEnd = instances.map((inst, t) => inst.net.gradient(paths[t][k], inst.query));
  const perTask = (f: (inst: Instance, t: number) => Float64Array) => meanVector(instances.map(f));
  const chain = (points: (t: number) => Float64Array[], sign: -1 | 1 = -1) => perTask((inst, t) => exact.backThroughInnerSteps(inst, queryAtEnd[t], points(t), sign));

  const maml = chain((t) => paths[t].slice(0, k));
  const variants: MetaGradientVariant[] = [
    { name: 'maml', description: 'the exact meta-gradient, through all k inner steps', vector: maml },
    { name: 'fomaml', description: 'first-order MAML: the query gradient at the adapted parameters', vector: perTask((_, t) => queryAtEnd[t]) },
    {
      name: 'reptile',
      description: 'Reptile: θ − θₖ, up to its rate',
      vector: perTask((inst, t) => inst.theta.map((v, j) => (settings.reptileRate ?? 1) * (v - paths[t][k][j]))),
      scaleFree: true,
    },
  ];
  const unavailable: UnavailableVariant[] = [];
  const lambdas: [string, number | undefined][] = [['imaml', settings.lambda], ['imaml(1/lambda)', settings.lambda === undefined ? undefined : 1 / settings.lambda]];
  for (const [name, lambda] of lambdas) {
    if (lambda === undefined) {
      unavailable.push({ name, reason: 'the input gives no lambda' });
      continue;
    }
    try {
      const vector = perTask((inst) => exact.implicitGradientByConjugateGradient(inst, exact.implicitInnerIterates(inst, k, lambda)[k], lambda));
      variants.push({ name, description: `iMAML with λ = ${lambda}`, vector });
    } catch (error) {
      unavailable.push({ name, reason: (error as Error).message });
    }
  }
  variants.push({ name: 'hessian-at-theta', description: "every step's Hessian taken at θ", vector: chain((t) => Array.from({ length: k }, () => paths[t][0])) });
  for (let j = 1; j <= Math.max(1, k - 1); j++) {
    variants.push({ name: `second-order-last-steps-only(j=${j})`, description: `the graph kept through only the last ${j} of ${k} inner steps`, vector: chain((t) => paths[t].slice(k - j, k)) });
  }
  variants.push(
    { name: 'wrong-sign', description: 'the product of (I + αH) instead of (I − αH)', vector: chain((t) => paths[t].slice(0, k), 1) },
    { name: 'one-loss', description: 'the support set used as the query set', vector: perTask((inst) => exact.metaGradientByProduct({ ...inst, query: inst.support }, k)) },
    { name: 'no-adaptation', description: 'the query gradient at θ, no inner step', vector: perTask((inst) => inst.net.gradient(inst.theta, inst.query)) },
    { name: 'sum-over-tasks', description: `maml summed over the ${instances.length} tasks instead of averaged`, vector: maml.map((v) => v * instances.length), factor: instances.length },
    { name: 'half-mse', description: 'maml of half the MSE (a ½ in front of the loss)', vector: maml.map((v) => v / 2), factor: 0.5 },
  );
  return { variants, unavailable };
}
