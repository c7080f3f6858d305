import { mlp } from '../meta/model';
import { parseDoctorInput, type DoctorProblem, type ParameterTensor } from './doctorInput';
import { mlp64 } from './float64Mlp';
import type { Instance } from './instance';
import { metaGradientVariants, type MetaGradientVariant, type UnavailableVariant } from './metaGradientVariants';
import { cosine, logLogSlope, norm } from './numeric';

/*
 * The doctor: which algorithm does a given meta-gradient implement? It is compared, in float64, with every
 * variant of the catalogue (`metaGradientVariants`) on the user's own model, parameters and tasks.
 */

/** Within this relative error a gradient "matches": float32 arithmetic in the user's framework. */
export const MATCH_TOLERANCE = 1e-4;
/** Beyond this relative error of the nearest variant the verdict is `none`. */
export const NONE_TOLERANCE = 1e-2;
/**
 * Two variants closer than this are the same vector for this input (e.g. at k = 1, maml and
 * hessian-at-theta are one formula); float64 rounding of the two routes stays far below it.
 */
const COINCIDENCE_TOLERANCE = 1e-9;

/** One variant's comparison with the given gradient. */
export interface CandidateReport {
  name: string;
  /** ‖g − c‖ / ‖c‖ (for Reptile, c scaled by the fitted positive scale). */
  relativeError: number;
  cosine: number;
  /** The least-squares factor s of g ≈ s·c: 1 for a match; Reptile's rate; T or ½ against maml for a factor. */
  scale: number;
  /** Per parameter tensor of the input: where a near-miss deviates. */
  perLayer: { name: string; role: string; relativeError: number }[];
}

/** What `diagnoseMetaGradient` returns. */
export interface Diagnosis {
  /** The variant the gradient matches or is closest to (the plainer of coinciding ones), or `none`. */
  nearest: string;
  verdict: string;
  /** Every variant computed, in catalogue order. */
  candidates: CandidateReport[];
  /** Variants that coincide with `nearest` for this input (so the gradient matches them equally). */
  coincident: string[];
  /** Variants that could not be computed, and why (e.g. iMAML without λ). */
  unavailable: UnavailableVariant[];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** g − s·c over [from, to) relative to ‖s·c‖ there; 0 when both vanish. */
function sliceError(g: Float64Array, c: Float64Array, s: number, from: number, to: number): number {
  let gap = 0;
  let ref = 0;
  for (let i = from; i < to; i++) {
    gap += (g[i] - s * c[i]) ** 2;
    ref += (s * c[i]) ** 2;
  }
  return gap === 0 ? 0 : Math.sqrt(gap) / Math.sqrt(ref);
}

/** The factor a variant is compared at: 1, or for a scale-free one the best positive s (or 1 when there is none). */
function comparedScale(variant: MetaGradientVariant, fitted: number): number {
  return variant.scaleFree && fitted > 0 ? fitted : 1;
}

function compare(g: Float64Array, variant: MetaGradientVariant, tensors: readonly ParameterTensor[]): CandidateReport {
  const c = variant.vector;
  const cc = dot(c, c);
  const scale = cc === 0 ? 0 : dot(g, c) / cc;
  const s = comparedScale(variant, scale);
  return {
    name: variant.name,
    relativeError: sliceError(g, c, s, 0, c.length),
    cosine: cosine(g, c),
    scale,
    perLayer: tensors.map((t) => ({ name: t.name, role: t.role, relativeError: sliceError(g, c, s, t.offset, t.offset + t.size) })),
  };
}

/** Whether two variants are the same vector here (up to a positive scale when either is scale-free). */
function coincide(a: MetaGradientVariant, b: MetaGradientVariant): boolean {
  const scaleFree = a.scaleFree || b.scaleFree;
  const s = scaleFree ? dot(a.vector, b.vector) / dot(b.vector, b.vector) : 1;
  return s > 0 && sliceError(a.vector, b.vector, s, 0, a.vector.length) <= COINCIDENCE_TOLERANCE;
}

/**
 * A relative error as the verdict writes it: three significant digits, and as a percentage.
 *
 * @example
 * import { formatRelativeError } from 'maml-lab/derivations';
 * formatRelativeError(0.0123); // "1.23e-2 (1.2%)"
 */
export function formatRelativeError(e: number): string {
  return `${e.toExponential(2).replace('e+', 'e')} (${(100 * e).toPrecision(2)}%)`;
}

function instancesOf(problem: DoctorProblem, alpha = problem.alpha): Instance[] {
  const model = mlp(problem.sizes, { activation: problem.activation });
  const net = mlp64(problem.sizes, problem.activation);
  return problem.tasks.map((task, t) => ({ name: `task ${t}`, model, net, theta: problem.theta, alpha, ...task }));
}

function verdictOf(best: CandidateReport, variant: MetaGradientVariant, coincident: string[], k: number): string {
  const also = coincident.length > 0 ? `; ${coincident.join(', ')} ${coincident.length === 1 ? 'coincides' : 'coincide'} with it for this input (k = ${k})` : '';
  const how = variant.scaleFree
    ? `, up to the positive scale ${best.scale.toPrecision(4)}`
    : variant.factor !== undefined
      ? ` (maml's meta-gradient times the constant ${variant.factor})`
      : '';
  if (best.relativeError <= MATCH_TOLERANCE) return `matches ${best.name}${how} (relative error ${best.relativeError.toExponential(2)})${also}`;
  return `closest to ${best.name}${how}, off by ${formatRelativeError(best.relativeError)}${also}`;
}

/**
 * Which meta-gradient algorithm does a given gradient implement? Compares it in float64 with every variant
 * of the catalogue (`metaGradientVariants`: maml, fomaml, reptile, imaml, imaml(1/lambda),
 * hessian-at-theta, second-order-last-steps-only(j=…), wrong-sign, one-loss, no-adaptation, sum-over-tasks,
 * half-mse) on the input's own model, parameters and tasks. Each candidate gets its relative error, cosine
 * and least-squares scale; the verdict says "matches NAME" within 1e-4 (float32 noise), "closest to NAME, off
 * by X" within 1%, and `nearest` is `none` beyond. Variants that coincide for this input (at k = 1, maml,
 * hessian-at-theta and second-order-last-steps-only(j=1)) yield to the first in catalogue order, and the
 * verdict names the others. `input` is the doctor's JSON (see `parseDoctorInput`) or a parsed problem;
 * `gradient` overrides the input's.
 *
 * @example
 * import { diagnoseMetaGradient, exact, makeInstance, toLayout } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * const data = (d: { x: Float64Array; y: Float64Array }) => ({ x: [Array.from(d.x, (v) => [v])], y: [Array.from(d.y, (v) => [v])] });
 * const input = {
 *   model: { sizes: [1, 6, 1], activation: 'tanh', layout: 'maml-lab' }, params: toLayout([1, 6, 1], 'maml-lab', inst.theta),
 *   support: data(inst.support), query: data(inst.query), alpha: inst.alpha, steps: 2,
 *   gradient: toLayout([1, 6, 1], 'maml-lab', exact.firstOrderMetaGradient(inst, 2)),
 * };
 * const d = diagnoseMetaGradient(input);
 * d.nearest; // "fomaml"
 * d.verdict.startsWith('matches fomaml'); // true
 * d.candidates.find((c) => c.name === 'maml')!.relativeError > 0.01; // true
 */
export function diagnoseMetaGradient(input: unknown, options: { gradient?: Float64Array } = {}): Diagnosis {
  const problem = isProblem(input) ? input : parseDoctorInput(input);
  const g = options.gradient ?? problem.gradient;
  if (g === undefined) throw new RangeError('gradient is missing: the meta-gradient to diagnose, one array per parameter tensor in the layout of params');
  if (g.length !== problem.theta.length) throw new RangeError(`gradient must have ${problem.theta.length} entries, got ${g.length}`);
  if (norm(g) === 0) throw new RangeError('gradient is zero everywhere: there is nothing to diagnose');
  const { variants, unavailable } = metaGradientVariants(instancesOf(problem), { steps: problem.steps, lambda: problem.lambda, reptileRate: problem.reptileRate });
  const candidates = variants.map((v) => compare(g, v, problem.tensors));
  let best = 0;
  candidates.forEach((c, i) => {
    if (c.relativeError < candidates[best].relativeError) best = i;
  });
  // The plainer name of coinciding variants: the first in catalogue order that is the same vector as the best.
  const first = variants.findIndex((v) => coincide(v, variants[best]));
  const chosen = first >= 0 ? first : best;
  const coincident = variants.filter((v, i) => i !== chosen && coincide(v, variants[chosen])).map((v) => v.name);
  const report = { ...candidates[best], name: variants[chosen].name };
  if (candidates[best].relativeError > NONE_TOLERANCE) {
    return {
      nearest: 'none',
      verdict: `none: no variant is within 1%; the closest is ${report.name}, off by ${formatRelativeError(report.relativeError)}`,
      candidates,
      coincident: [],
      unavailable,
    };
  }
  return { nearest: report.name, verdict: verdictOf(report, variants[chosen], coincident, problem.steps), candidates, coincident, unavailable };
}

function isProblem(input: unknown): input is DoctorProblem {
  return typeof input === 'object' && input !== null && (input as DoctorProblem).theta instanceof Float64Array;
}

/** How the error of the given gradients against maml shrinks with α. */
export interface AlphaOrder {
  alphas: number[];
  /** The diagnosis at each α. */
  nearest: string[];
  /** ‖g(α) − maml(α)‖ / ‖maml(α)‖ at each α. */
  errors: number[];
  /** p in error ≈ C·αᵖ (least squares in log–log): 1 for FOMAML and for a wrong Hessian. */
  order: number;
  /** C: the geometric mean of error/αᵖ, what tells two O(α) errors apart. */
  constant: number;
}

/**
 * The order in α of the error against the exact meta-gradient, from one gradient per α (`gradients`, in
 * the order of `alphas`): FOMAML's is O(α), a wrong Hessian's O(α) with another constant, a matching one
 * stays at the noise floor (order ≈ 0).
 *
 * @example
 * import { errorOrderInAlpha, exact, makeInstance, toLayout } from 'maml-lab/derivations';
 * const alphas = [0.002, 0.004, 0.008];
 * const inst = (alpha: number) => makeInstance({ kind: 'tanh', seed: 0, alpha });
 * const base = inst(0.002);
 * const data = (d: { x: Float64Array; y: Float64Array }) => ({ x: [Array.from(d.x, (v) => [v])], y: [Array.from(d.y, (v) => [v])] });
 * const input = {
 *   model: { sizes: [1, 6, 1], activation: 'tanh', layout: 'maml-lab' }, params: toLayout([1, 6, 1], 'maml-lab', base.theta),
 *   support: data(base.support), query: data(base.query), alpha: 0.002, steps: 1,
 *   gradients: alphas.map((a) => toLayout([1, 6, 1], 'maml-lab', exact.firstOrderMetaGradient(inst(a), 1))),
 * };
 * const order = errorOrderInAlpha(input, alphas);
 * order.nearest; // ["fomaml", "fomaml", "fomaml"]
 * // O(α): the error doubles with α
 * Math.abs(order.order - 1) < 0.05; // true
 */
export function errorOrderInAlpha(input: unknown, alphas: readonly number[]): AlphaOrder {
  const problem = isProblem(input) ? input : parseDoctorInput(input);
  if (alphas.length < 2 || !alphas.every((a) => Number.isFinite(a) && a > 0)) throw new RangeError(`alphas must list at least two finite numbers > 0, got [${alphas.join(', ')}]`);
  if (new Set(alphas).size < 2) throw new RangeError(`alphas must hold at least two different values, got [${alphas.join(', ')}]`);
  const gradients = problem.gradients;
  if (gradients === undefined || gradients.length !== alphas.length) {
    throw new RangeError(`gradients must hold one meta-gradient per α (${alphas.length}, for alphas [${alphas.join(', ')}]), got ${gradients?.length ?? 'none'}`);
  }
  const nearest: string[] = [];
  const errors = alphas.map((alpha, i) => {
    const d = diagnoseMetaGradient({ ...problem, alpha }, { gradient: gradients[i] });
    nearest.push(d.nearest);
    return d.candidates[0].relativeError;
  });
  // Floored at float64's rounding, so an exact match gives order 0 at the noise floor rather than log(0).
  const positive = errors.map((e) => Math.max(e, 1e-16));
  const order = logLogSlope(alphas, positive);
  const constant = Math.exp(alphas.reduce((s, a, i) => s + Math.log(positive[i]) - order * Math.log(a), 0) / alphas.length);
  return { alphas: [...alphas], nearest, errors, order, constant };
}
