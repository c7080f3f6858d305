import { hessianSplitSummary, referenceHessianOperator, referenceHessianSplit, type HessianSplitSummary } from '../derivations/hessianReference';
import { mlp64, type Data64 } from '../derivations/float64Mlp';
import type { Instance } from '../derivations/instances';
import { symmetricEigenvalues } from '../derivations/symmetricEigenvalues';
import { lanczos } from '../meta/lanczos';
import type { DenseMatrix } from '../meta/lossHessian';
import { requireInteger } from '../meta/validate';
import { disposeProblem, parseMetagradSpec } from './metagrad';

/**
 * The most parameters `maml-lab hessian` holds densely. At n = 2000 the output is three n × n float64
 * matrices, 12M numbers: about 96 MB in memory and up to 230 MB of JSON, and the dense eigenvalues take
 * (2/3)·n³ ≈ 5·10⁹ multiply-adds (8–12 s on this 2-core machine). That still covers the 1-40-40-1
 * sinusoid MLP (1761 parameters: 10–20 s in all, 420 MB resident, 47 MB of JSON since most entries are 0);
 * beyond it the time grows as n³ and the output stops being something to read or plot, and `--eigen K`
 * (Lanczos: 3K + 50 Hessian-vector products, no matrix) is the route.
 */
export const DENSE_HESSIAN_LIMIT = 2000;

/** What the dense route computes with, stated in its output. */
const DENSE_ROUTE = 'float64: the hand-written MLP with Pearlmutter\'s R-operator (referenceHessianSplit), eigenvalues by Householder + QL (symmetricEigenvalues)';
const LANCZOS_ROUTE = 'float64: Lanczos with full reorthogonalisation on the hand-written MLP\'s R-operator Hessian-vector products (referenceHessianOperator)';

/** What `maml-lab hessian --spec FILE --json` prints: the support Hessian of the spec's first task, split, with its eigenvalues. */
export interface HessianOutput {
  route: string;
  parameters: number;
  hessian: DenseMatrix;
  gaussNewton: DenseMatrix;
  residual: DenseMatrix;
  /** All n eigenvalues of the Hessian, ascending. */
  eigenvalues: Float64Array;
  /** Frobenius norms, each part's share and ‖GN + R − H‖_F / ‖H‖_F. */
  split: HessianSplitSummary;
}

/** What `maml-lab hessian --spec FILE --eigen K --json` prints: the K smallest and K largest eigenvalues by Lanczos. */
export interface HessianEigenOutput {
  route: string;
  parameters: number;
  /** Lanczos iterations run. */
  iterations: number;
  /** The K smallest Ritz values, ascending, and for each the residual norm: an eigenvalue lies within it. */
  smallest: { values: number[]; residuals: number[] };
  /** The K largest Ritz values, ascending, with their residual norms. */
  largest: { values: number[]; residuals: number[] };
}

/** Lanczos iterations for K eigenvalues at each end: the extremes converge first, the K-th ones need room. */
function lanczosIterations(n: number, count: number): number {
  return Math.min(n, 3 * count + 50);
}

/** Nested rows [points][features] (checked by the spec parser) as one row-major Float64Array. */
function flat(rows: number[][]): Float64Array {
  return Float64Array.from(rows.flat());
}

/**
 * The Hessian of the spec's first task's support loss at the spec's parameters (a `metagrad` spec, read by
 * the same parser), in float64 from the spec's numbers as written, by the float64 reference route (the spec's
 * model is always an MLP): with `eigen` absent, the whole Hessian, its Gauss–Newton and residual parts and
 * all its eigenvalues, for models of at most `DENSE_HESSIAN_LIMIT` parameters (a larger one is an error that
 * names its size and offers `eigen`); with `eigen` K, the K smallest and K largest eigenvalues by Lanczos,
 * for a model of any size.
 *
 * @example
 * import { runHessian } from './hessian';
 * const task = { support: { x: [[0], [1], [2]], y: [[1], [3], [4]] }, query: { x: [[2]], y: [[5]] } };
 * const spec = { model: { type: 'mlp', sizes: [1, 1] }, params: [{ shape: [1, 1], values: [0.5] }, { shape: [1], values: [0] }],
 *   tasks: [task], alpha: 0.1, steps: 1, method: 'maml' };
 * const out = runHessian(spec);
 * // linear regression on x = 0, 1, 2: (2/3)·Σ (x, 1)(x, 1)ᵀ
 * 'hessian' in out && Array.from(out.hessian.values); // ≈ [3.3333, 2, 2, 2]
 * 'residual' in out && Array.from(out.residual.values); // [0, 0, 0, 0]
 */
export function runHessian(raw: unknown, options: { eigen?: number } = {}): HessianOutput | HessianEigenOutput {
  if (options.eigen !== undefined) requireInteger('eigen', options.eigen, 1);
  const problem = parseMetagradSpec(raw);
  disposeProblem(problem);
  const { model, spec } = problem;
  const n = model.parameterCount;
  const data = (set: { x: number[][]; y: number[][] }): Data64 => ({ x: flat(set.x), y: flat(set.y), points: set.x.length });
  const [first] = spec.tasks;
  const inst: Instance = {
    name: 'task 0',
    model,
    net: mlp64(model.sizes, model.activation),
    theta: Float64Array.from(spec.params.flatMap((p) => p.values)),
    support: data(first.support),
    query: data(first.query),
    alpha: spec.alpha,
  };
  if (options.eigen !== undefined) {
    const count = options.eigen;
    if (count > n) throw new RangeError(`eigen must be at most the number of parameters, ${n}, got ${count}`);
    const run = lanczos(referenceHessianOperator(inst), { iterations: lanczosIterations(n, count) });
    const k = run.ritzValues.length;
    const pick = (from: number, to: number) => ({ values: Array.from(run.ritzValues.subarray(from, to)), residuals: Array.from(run.residuals.subarray(from, to)) });
    return { route: LANCZOS_ROUTE, parameters: n, iterations: run.iterations, smallest: pick(0, Math.min(count, k)), largest: pick(Math.max(0, k - count), k) };
  }
  if (n > DENSE_HESSIAN_LIMIT) {
    throw new RangeError(
      `the model has ${n} parameters: its Hessian (${n} × ${n}) is too large to print densely (at most ${DENSE_HESSIAN_LIMIT} parameters). Use --eigen K for its K smallest and K largest eigenvalues by Lanczos instead.`,
    );
  }
  const split = referenceHessianSplit(inst);
  for (const [name, m] of Object.entries(split)) {
    if (!m.values.every(Number.isFinite)) throw new RangeError(`the ${name} matrix has a non-finite entry: the loss overflows float64 at these parameters`);
  }
  return { route: DENSE_ROUTE, parameters: n, ...split, eigenvalues: symmetricEigenvalues(split.hessian), split: hessianSplitSummary(split) };
}

/**
 * The output as JSON text in pieces (typed arrays as plain arrays), so that three 2000 × 2000 matrices are
 * written a row at a time rather than built as one 230 MB string.
 *
 * @example
 * import { hessianJson } from './hessian';
 * const m = { shape: [1, 1] as [number, number], values: Float64Array.of(2) };
 * [...hessianJson({ route: 'r', parameters: 1, hessian: m, gaussNewton: m, residual: { ...m, values: Float64Array.of(0) }, eigenvalues: Float64Array.of(2),
 *   split: { frobenius: { hessian: 2, gaussNewton: 2, residual: 0 }, shares: { gaussNewton: 1, residual: 0 }, relativeSumError: 0 } })].join('').length > 0; // true
 */
export function* hessianJson(out: HessianOutput | HessianEigenOutput): Generator<string> {
  if (!('hessian' in out)) {
    yield JSON.stringify(out);
    return;
  }
  yield `{"route":${JSON.stringify(out.route)},"parameters":${out.parameters}`;
  for (const key of ['hessian', 'gaussNewton', 'residual'] as const) {
    const { shape, values } = out[key];
    yield `,${JSON.stringify(key)}:{"shape":${JSON.stringify(shape)},"values":[`;
    for (let r = 0; r < shape[0]; r++) {
      yield `${r === 0 ? '' : ','}${Array.from(values.subarray(r * shape[1], (r + 1) * shape[1])).join(',')}`;
    }
    yield ']}';
  }
  yield `,"eigenvalues":${JSON.stringify(Array.from(out.eigenvalues))},"split":${JSON.stringify(out.split)}}`;
}

const g = (x: number) => x.toPrecision(4);

/**
 * The output as a few lines of text: the route, the split's Frobenius norms and shares, and the eigenvalues
 * at both ends (with their Lanczos residuals on the `--eigen` route).
 *
 * @example
 * import { hessianText, runHessian } from './hessian';
 * const task = { support: { x: [[0], [1], [2]], y: [[1], [3], [4]] }, query: { x: [[2]], y: [[5]] } };
 * const spec = { model: { type: 'mlp', sizes: [1, 1] }, params: [{ shape: [1, 1], values: [0.5] }, { shape: [1], values: [0] }],
 *   tasks: [task], alpha: 0.1, steps: 1, method: 'maml' };
 * console.log(hessianText(runHessian(spec)));
 */
export function hessianText(out: HessianOutput | HessianEigenOutput): string {
  if (!('hessian' in out)) {
    const list = (part: { values: number[]; residuals: number[] }) => part.values.map((v, i) => `${g(v)} (±${part.residuals[i].toExponential(1)})`).join(', ');
    return [
      `Hessian of task 0's support loss: ${out.parameters} parameters, ${out.iterations} Lanczos iterations`,
      `route: ${out.route}`,
      `smallest eigenvalues: ${list(out.smallest)}`,
      `largest eigenvalues:  ${list(out.largest)}`,
    ].join('\n');
  }
  const { frobenius, shares, relativeSumError } = out.split;
  const ev = out.eigenvalues;
  const largest = Math.max(Math.abs(ev[0]), Math.abs(ev[ev.length - 1]));
  // "negative" beyond rounding: eigenvalues within 1e-12 of the largest in size count as zero
  const negative = ev.filter((v) => v < -1e-12 * largest).length;
  const ends = (values: Float64Array) => Array.from(values, g).join(', ');
  return [
    `Hessian of task 0's support loss: ${out.parameters} × ${out.parameters}`,
    `route: ${out.route}`,
    `Frobenius norm: H ${g(frobenius.hessian)}, Gauss–Newton ${g(frobenius.gaussNewton)} (share ${shares.gaussNewton.toFixed(3)}), residual ${g(frobenius.residual)} (share ${shares.residual.toFixed(3)})`,
    `‖GN + R − H‖_F / ‖H‖_F = ${relativeSumError.toExponential(2)}`,
    `eigenvalues from ${g(ev[0])} to ${g(ev[ev.length - 1])}, ${negative} negative`,
    `smallest: ${ends(ev.subarray(0, 5))}`,
    `largest:  ${ends(ev.subarray(Math.max(0, ev.length - 5)))}`,
  ].join('\n');
}
