/**
 * Runs one fuzz case through maml-lab's public functions on the kernel (one cached kernel for the whole
 * sequence, as in a notebook session) and compares every result with the float64 twin (twin.ts) and, on
 * a sample, with tfjs autodiff.
 *
 * Tolerance: ‖kernel − twin‖ ≤ C·√(L·(k + 1))·(D + u·‖twin‖) (+ terms for iMAML's CG stopping point,
 * for MAML's and iMAML's start vector ∇L_q, and for Reptile on tfjs), where D is the distance the twin moves when its float32 inputs are perturbed by a
 * relative u = 2⁻²⁴ (the problem's conditioning, measured), L the weight layers and k the inner steps
 * (the chain of passes rounding accumulates along). A result the twin finds ill-posed in float32 (D over
 * 1% of it, or beyond float32's range) is not compared, only counted; a kernel NaN where the twin is
 * finite always fails, and a refusal ("… is not finite") is accepted only where the twin's values or
 * workspace approach float32's range. For meta-gradients D is also estimated from two coarse probes
 * (inputs moved by 16u with other signs, divided by 16): a ReLU kink or a saturated tanh unit near the
 * twin's path can put the kernel off by more than a move of u shows (seed 2, case 964).
 */
import * as tf from '@tensorflow/tfjs';
import {
  evaluate, flattenParams, hessianOperator, hessianSplit, hessianVectorProducts, lanczos, lossHessian, metaGradient, mlp, releaseKernels, train,
  modelKernel, type Model, type TaskBatch,
} from '../../src/meta';
import type { Batch, Call, Case, Points } from './cases';
import { twinEvaluate, twinHessian, twinInputs, twinMeta, twinProducts, twinTrain, U, type TwinInputs } from './twin';

/** The constant C above: the largest measured error/tolerance ratio over the 10-minute run is in the report. */
export const C = 16;

export interface Comparison {
  quantity: string;
  /** ‖kernel − reference‖ / ‖reference‖. */
  relative: number;
  /** ‖kernel − reference‖ / tolerance: above 1 fails. */
  ratio: number;
}

export interface CaseReport {
  comparisons: Comparison[];
  /** Calls (or quantities) not compared because the twin found them ill-posed in float32. */
  skipped: number;
  /** Expected failures that failed as they should. */
  refused: number;
  calls: number;
  /** The first failure: call index and what went wrong. */
  failure?: { call: number; kind: string; message: string };
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

class Mismatch extends Error {}

/**
 * Whether a twin's result lies where float32 passes can overflow: a loss past 1e24 (residuals past 1e12), a
 * gradient entry past 1e18, whose products through the layers approach float32's 3.4e38, or a value in the
 * twin's workspace past 1e38 (`peak`: a deep net's activations can pass it while its output stays moderate). There the
 * kernel may rightly refuse ("… is not finite"); it must never return a non-finite entry.
 */
function overflowProne(loss: number, grad: ArrayLike<number>, peak = 0): boolean {
  if (!Number.isFinite(loss) || loss > 1e24 || !(peak <= 1e38)) return true;
  for (let i = 0; i < grad.length; i++) if (!(Math.abs(grad[i]) <= 1e18)) return true;
  return false;
}
/** The kernel's refusals of a result float32 could not hold. */
const NOT_FINITE = /the meta-loss is not finite|the meta-gradient is not finite|the gradient is not finite/;

/** The coarse probes of a meta-gradient: inputs moved by COARSE·u, with these sign patterns. */
export const COARSE = 16;
const COARSE_PATTERNS = [0xc0a5e, 0xc0a5f];

/**
 * A quantity's check; returns undefined when the twin finds it ill-posed in float32. `coarse` are the twin's
 * answers on the coarse probes: where the answer is not smooth (a ReLU kink, a saturated tanh unit near
 * the twin's path) a move of u can miss what the kernel's rounding, accrued over every pass, meets. D is
 * then the largest of the linear estimates, and the case is ill-posed where a coarse move passes 1%.
 */
function compare(quantity: string, kernel: ArrayLike<number>, twin: ArrayLike<number>, perturbed: ArrayLike<number>, depth: number, extra = 0, coarse: ArrayLike<number>[] = []): Comparison | undefined {
  const scale = norm(twin);
  const far = Math.max(0, ...coarse.map((v) => distance(v, twin)));
  const D = Math.max(distance(perturbed, twin), far / COARSE);
  if (!Number.isFinite(scale) || !Number.isFinite(D) || D > 1e-2 * scale || far > 1e-2 * scale || Array.prototype.some.call(twin, (v: number) => Math.abs(v) > 1e30)) return undefined;
  if (kernel.length !== twin.length) throw new Mismatch(`${quantity}: ${kernel.length} values, expected ${twin.length}`);
  const gap = distance(kernel, twin);
  const tolerance = C * Math.sqrt(depth) * (D + U * scale) + extra;
  const comparison = { quantity, relative: gap === 0 ? 0 : gap / scale, ratio: gap === 0 ? 0 : gap / tolerance };
  if (!(gap <= tolerance)) {
    throw new Mismatch(`${quantity}: relative error ${comparison.relative.toExponential(2)} (‖Δ‖ ${gap.toExponential(2)} > tolerance ${tolerance.toExponential(2)}; twin sensitivity D ${D.toExponential(2)}, ‖twin‖ ${scale.toExponential(2)})`);
  }
  return comparison;
}

function tensors(c: Case, model: Model): tf.Tensor[] {
  let at = 0;
  return model.shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(c.theta.subarray(at, at + size), shape as number[], 'float32');
    at += size;
    return t;
  });
}
const pointsOf = (p: Points) => ({ x: tf.tensor3d(p.x, [p.tasks, p.points, p.x.length / (p.tasks * p.points)]), y: tf.tensor3d(p.y, [p.tasks, p.points, p.y.length / (p.tasks * p.points)]) });

function taskBatch(b: Batch): TaskBatch {
  return { support: pointsOf(b.support), query: pointsOf(b.query), count: b.support.tasks };
}

function flat(grads: tf.Tensor[]): Float32Array {
  const joined = flattenParams(grads);
  const values = joined.dataSync() as Float32Array;
  tf.dispose([joined, ...grads]);
  return values;
}

/** The errors a failing call may give: its own message, never a wasm trap or a wrong number. */
const EXPECTED: Record<string, RegExp> = {
  diverge: /the meta-loss is not finite|the meta-gradient is not finite/,
  indefinite: /is not positive definite/,
  badShape: /must have \d+ output\(s\) for this model/,
  oversized: /kernel.*(GiB|memory).*(fewer|shrink|smaller)/i,
};

interface Context {
  c: Case;
  model: Model;
  params: tf.Tensor[];
  exact: TwinInputs;
  moved: TwinInputs;
  coarse: TwinInputs[];
  depth: (steps: number) => number;
  report: CaseReport;
}

function record(ctx: Context, comparison: Comparison | undefined): void {
  if (comparison === undefined) ctx.report.skipped++;
  else ctx.report.comparisons.push(comparison);
}

function metaCall(ctx: Context, call: Extract<Call, { kind: 'metaGradient' }>): void {
  const { c, model, params } = ctx;
  const twin = twinMeta(c, ctx.exact, call.batch, call);
  const moved = twinMeta(c, ctx.moved, call.batch, call);
  const coarse = ctx.coarse.map((inputs) => twinMeta(c, inputs, call.batch, call));
  const batch = taskBatch(call.batch);
  const options = { method: call.method, steps: call.steps, alpha: call.alpha, lambda: call.lambda, reptileRate: call.reptileRate, cg: call.cg };
  // An inner loop that diverges (the query loss past 10⁶ times its value at θ) amplifies float32's
  // rounding step after step, as in evaluate: its digits are float32's own (seed 2, case 340).
  const atTheta = twinEvaluate(c, ctx.exact, call.batch, call.alpha, 0)[0];
  const diverging = !(twin.loss <= 1e6 * Math.max(atTheta, 1e-30));
  const ill = !Number.isFinite(twin.loss) || diverging || twin.indefinite !== undefined || moved.indefinite !== undefined;
  try {
    let result: ReturnType<typeof metaGradient>;
    try {
      result = metaGradient(model, params, batch, { ...options, engine: 'kernel' });
    } catch (error) {
      const message = (error as Error).message;
      // Where the twin overflows float32 or is (nearly) indefinite, the kernel may rightly say so.
      if ((ill || overflowProne(twin.loss, twin.grad, twin.peak)) && (NOT_FINITE.test(message) || EXPECTED.indefinite.test(message))) return void ctx.report.skipped++;
      if (EXPECTED.indefinite.test(message) && distance(moved.grad, twin.grad) > 1e-4 * norm(twin.grad)) return void ctx.report.skipped++;
      throw new Mismatch(`metaGradient ${call.method} threw: ${message}`);
    }
    const grad = flat(result.grads);
    if (ill) return void ctx.report.skipped++;
    const depth = ctx.depth(call.steps);
    // iMAML: the kernel stops CG at its tolerance; the twin solves to float64 precision. The gap that
    // leaves is at most cond(A)·(relative residual), cond(A) estimated by the measured amplification.
    const amplification = distance(moved.grad, twin.grad) / (U * norm(twin.grad) || 1);
    const cgGap = call.method === 'imaml' ? C * Math.max(1, amplification) * (result.cg?.relativeResidual ?? 0) * norm(twin.grad) : 0;
    // MAML's product chain and iMAML's solve start from the query gradient and may end far smaller (the
    // chain cancels it): rounding is relative to that start, which perturbing the inputs does not show.
    const start = call.method === 'maml' || call.method === 'imaml' ? C * Math.sqrt(depth) * U * norm(twinMeta(c, ctx.exact, call.batch, { ...call, method: 'fomaml' }).grad) : 0;
    record(ctx, compare(`metaGradient ${call.method} grad`, grad, twin.grad, moved.grad, depth, cgGap + start, coarse.map((t) => t.grad)));
    record(ctx, compare(`metaGradient ${call.method} loss`, [result.loss], [twin.loss], [moved.loss], depth, 0, coarse.map((t) => [t.loss])));
    if (call.tfjs) {
      const t = metaGradient(model, params, batch, { ...options, engine: 'tfjs' });
      const tgrad = flat(t.grads);
      // tfjs's Reptile is θ − φₖ in float32: a difference of nearly equal vectors, off by about u·‖θ‖·ε.
      // Each of its k steps rounds φ once, so the difference carries up to k such roundings.
      const reptile = call.method === 'reptile' ? C * U * norm(ctx.exact.theta) * call.reptileRate * call.steps : 0;
      const tfjsCg = call.method === 'imaml' ? C * Math.max(1, amplification) * (t.cg?.relativeResidual ?? 0) * norm(twin.grad) : 0;
      const sensitivity = Math.max(distance(moved.grad, twin.grad), ...coarse.map((t) => distance(t.grad, twin.grad) / COARSE));
      const twice = (extra: number) => 2 * C * Math.sqrt(depth) * (sensitivity + U * norm(twin.grad)) + extra;
      // tfjs is the cross-check, not what is under test: where its own float32 passes overflowed, skip it.
      if (!tgrad.every(Number.isFinite)) return void ctx.report.skipped++;
      const gap = distance(grad, tgrad);
      const tol = twice(reptile + cgGap + tfjsCg + start);
      if (!(gap <= tol)) throw new Mismatch(`metaGradient ${call.method}: kernel vs tfjs ‖Δ‖ ${gap.toExponential(2)} > ${tol.toExponential(2)}`);
      ctx.report.comparisons.push({ quantity: `metaGradient ${call.method} vs tfjs`, relative: gap / norm(tgrad), ratio: gap / tol });
    }
  } finally {
    disposeBatch(batch);
  }
}

function disposeBatch(b: TaskBatch): void {
  tf.dispose([b.support.x, b.support.y, b.query.x, b.query.y]);
}

function hessianCall(ctx: Context, call: Extract<Call, { kind: 'hessian' | 'split' }>): void {
  const points = pointsOf(call.points);
  try {
    const parts = call.kind === 'hessian' ? (['hessian'] as const) : (['hessian', 'gaussNewton', 'residual'] as const);
    const kernel = call.kind === 'hessian' ? { hessian: lossHessian(ctx.model, ctx.params, points, { task: call.task, engine: 'kernel' }) } : hessianSplit(ctx.model, ctx.params, points, { task: call.task, engine: 'kernel' });
    for (const part of parts) {
      const twin = twinHessian(ctx.c, ctx.exact, call.points, call.task, part);
      const moved = twinHessian(ctx.c, ctx.moved, call.points, call.task, part);
      record(ctx, compare(`${call.kind === 'hessian' ? 'lossHessian' : 'hessianSplit'} ${part}`, (kernel as Partial<Record<typeof part, { values: Float64Array }>>)[part]!.values, twin, moved, ctx.depth(1)));
    }
  } finally {
    tf.dispose([points.x, points.y]);
  }
}

function productsCall(ctx: Context, call: Extract<Call, { kind: 'hvp' }>): void {
  const points = pointsOf(call.points);
  const directions = tf.tensor2d(call.directions, [call.m, ctx.model.parameterCount]);
  try {
    const out = hessianVectorProducts(ctx.model, ctx.params, points, directions, { task: call.task, engine: 'kernel' });
    const kernel = out.dataSync();
    out.dispose();
    const twin = twinProducts(ctx.c, ctx.exact, call.points, call.task, call.directions, call.m);
    const moved = twinProducts(ctx.c, ctx.moved, call.points, call.task, call.directions, call.m);
    record(ctx, compare('hessianVectorProducts', kernel, twin, moved, ctx.depth(1)));
    if (call.tfjs) {
      const t = hessianVectorProducts(ctx.model, ctx.params, points, directions, { task: call.task, engine: 'tfjs' });
      record(ctx, compare('hessianVectorProducts vs tfjs', kernel, t.dataSync(), moved, 4 * ctx.depth(1)));
      t.dispose();
    }
  } finally {
    tf.dispose([points.x, points.y, directions]);
  }
}

/** Lanczos on the kernel's operator: every block of products it asked for is checked against the twin's. */
function lanczosCall(ctx: Context, call: Extract<Call, { kind: 'lanczos' }>): void {
  const points = pointsOf(call.points);
  try {
    const operator = hessianOperator(ctx.model, ctx.params, points, { task: call.task, engine: 'kernel' });
    const blocks: { vectors: Float32Array[]; products: Float64Array[] }[] = [];
    lanczos({ size: operator.size, apply: (vs) => {
      const products = operator.apply(vs);
      blocks.push({ vectors: vs.map((v) => Float32Array.from(v)), products });
      return products;
    } }, { iterations: call.iterations, seed: call.seed });
    for (const { vectors, products } of blocks) {
      const directions = new Float32Array(vectors.length * operator.size);
      vectors.forEach((v, i) => directions.set(v, i * operator.size));
      const kernel = new Float64Array(directions.length);
      products.forEach((p, i) => kernel.set(p, i * operator.size));
      const twin = twinProducts(ctx.c, ctx.exact, call.points, call.task, directions, vectors.length);
      const moved = twinProducts(ctx.c, ctx.moved, call.points, call.task, directions, vectors.length);
      record(ctx, compare('lanczos products', kernel, twin, moved, ctx.depth(1)));
    }
  } finally {
    tf.dispose([points.x, points.y]);
  }
}

async function trainCall(ctx: Context, call: Extract<Call, { kind: 'train' }>): Promise<void> {
  const twin = twinTrain(ctx.c, ctx.exact, call);
  const moved = twinTrain(ctx.c, ctx.moved, call);
  // As overflowProne: past 1e24 a loss's float32 passes may overflow, and training may rightly stop.
  const overflows = twin.losses.some((l) => !Number.isFinite(l) || l > 1e24);
  let run: Awaited<ReturnType<typeof train>>;
  try {
    run = await train({
      model: ctx.model, params: ctx.params, objective: call.objective, iterations: call.batches.length, alpha: call.alpha, steps: call.steps,
      lambda: call.lambda, reptileRate: call.reptileRate, metaLearningRate: call.learningRate, engine: 'kernel', sample: (i) => taskBatch(call.batches[i]),
    });
  } catch (error) {
    if (overflows && /training diverged/.test((error as Error).message)) return void ctx.report.skipped++;
    throw error;
  }
  tf.dispose(run.params);
  if (overflows) return void ctx.report.skipped++;
  // The first loss is at θ itself; later ones also carry Adam's possible sign flips (twinTrain).
  twin.losses.forEach((loss, i) => {
    const extra = i === 0 ? 0 : twin.flipBound[i] + 1e-3 * Math.abs(loss);
    record(ctx, compare(`train ${call.objective} loss ${i}`, [run.losses[i]], [loss], [moved.losses[i]], ctx.depth(call.steps), extra));
  });
}

function evaluateCall(ctx: Context, call: Extract<Call, { kind: 'evaluate' }>): void {
  const batch = taskBatch(call.batch);
  try {
    const kernel = evaluate(ctx.model, ctx.params, batch, { alpha: call.alpha, maxSteps: call.maxSteps, engine: 'kernel' });
    const twin = twinEvaluate(ctx.c, ctx.exact, call.batch, call.alpha, call.maxSteps);
    const moved = twinEvaluate(ctx.c, ctx.moved, call.batch, call.alpha, call.maxSteps);
    // A diverging adaptation (the curve past 10⁶ times its start) amplifies float32's rounding step after
    // step, and in a saturated tanh unit 1 − tanh² rounds to 0 in float32 while float64 keeps it: from
    // there the numbers are float32's own, not comparable. The steps before are compared.
    const diverged = twin.findIndex((v) => !(v <= 1e6 * Math.max(twin[0], 1e-30)));
    const steps = diverged < 0 ? twin.length : diverged;
    if (steps < twin.length) ctx.report.skipped++;
    if (steps > 0) record(ctx, compare('evaluate mse', kernel.mse.slice(0, steps), twin.subarray(0, steps), moved.subarray(0, steps), ctx.depth(call.maxSteps)));
  } finally {
    disposeBatch(batch);
  }
}

/** A call that should fail: it must throw its own error (or, for divergence, return finite numbers where nothing overflowed). */
function failingCall(ctx: Context, call: Extract<Call, { kind: 'diverge' | 'indefinite' | 'badShape' | 'oversized' }>): void {
  const { model, params } = ctx;
  const run = (): void => {
    if (call.kind === 'oversized') {
      const [i, o] = [model.sizes[0], model.sizes[model.sizes.length - 1]];
      const big: Batch = { support: { x: new Float32Array(call.points * i), y: new Float32Array(call.points * o), tasks: 1, points: call.points }, query: { x: new Float32Array(i), y: new Float32Array(o), tasks: 1, points: 1 } };
      const batch = taskBatch(big);
      try {
        tf.dispose(metaGradient(model, params, batch, { alpha: 0.01, steps: call.steps, engine: 'kernel' }).grads);
      } finally {
        disposeBatch(batch);
      }
      return;
    }
    const batch = taskBatch(call.batch);
    try {
      const options = call.kind === 'badShape' ? { alpha: 0.01, steps: 1 } : { method: call.method, steps: call.steps, alpha: call.alpha, lambda: call.lambda, reptileRate: call.reptileRate, cg: call.cg };
      tf.dispose(metaGradient(model, params, batch, { ...options, engine: 'kernel' }).grads);
    } finally {
      disposeBatch(batch);
    }
  };
  try {
    run();
  } catch (error) {
    const message = (error as Error).message;
    // An "indefinite" system whose inner loop diverges first (in float64 too) is refused for that.
    const divergedFirst = call.kind === 'indefinite' && NOT_FINITE.test(message) && (() => {
      const twin = twinMeta(ctx.c, ctx.exact, call.batch, call);
      return overflowProne(twin.loss, twin.grad, twin.peak);
    })();
    if (!EXPECTED[call.kind].test(message) && !divergedFirst) throw new Mismatch(`${call.kind}: expected an error like ${EXPECTED[call.kind]}, got ${(error as Error).name}: ${message}`);
    ctx.report.refused++;
    return;
  }
  // Not failing is right only where nothing overflowed (a zero gradient times 1e30) or the system was definite.
  if (call.kind === 'badShape' || call.kind === 'oversized') throw new Mismatch(`${call.kind}: expected an error like ${EXPECTED[call.kind]}, the call returned`);
}

/**
 * What a crashed or failed earlier call might leave in the kernel's memory, written on purpose: NaN over
 * every float of the cached kernel's heap past its fixed tables. No call may read memory it has not
 * written (or cleared) itself, so the next call must still be exact.
 */
function scribble(ctx: Context): void {
  const math = modelKernel(ctx.model);
  const start = math.prepare(1, 0);
  math.heap().fill(Number.NaN, start);
}

async function dispatch(ctx: Context, call: Call): Promise<void> {
  switch (call.kind) {
    case 'metaGradient':
      return metaCall(ctx, call);
    case 'hessian':
    case 'split':
      return hessianCall(ctx, call);
    case 'hvp':
      return productsCall(ctx, call);
    case 'lanczos':
      return lanczosCall(ctx, call);
    case 'train':
      return trainCall(ctx, call);
    case 'evaluate':
      return evaluateCall(ctx, call);
    case 'scribble':
      return scribble(ctx);
    default:
      return failingCall(ctx, call);
  }
}

/** Runs a case; the first mismatch (or an unexpected error) ends it and is reported with its call index. */
export async function runCase(c: Case): Promise<CaseReport> {
  // Each case starts from a fresh kernel, so that it reruns alone exactly as it ran in the sequence.
  releaseKernels();
  const model = mlp(c.sizes, { activation: c.activation });
  const params = tensors(c, model);
  const layers = c.sizes.length - 1;
  const report: CaseReport = { comparisons: [], skipped: 0, refused: 0, calls: 0 };
  const ctx: Context = { c, model, params, exact: twinInputs(c, false), moved: twinInputs(c, true), coarse: COARSE_PATTERNS.map((pattern) => twinInputs(c, { scale: COARSE, pattern })), depth: (steps) => layers * (steps + 1), report };
  try {
    for (const [index, call] of c.calls.entries()) {
      try {
        await dispatch(ctx, call);
        report.calls++;
      } catch (error) {
        const message = error instanceof Mismatch ? error.message : `${call.kind} threw ${(error as Error).name}: ${(error as Error).message}`;
        report.failure = { call: index, kind: call.kind, message };
        return report;
      }
    }
  } finally {
    tf.dispose(params);
  }
  return report;
}

/** A case in one line: the network and its calls. */
export function describeCase(c: Case): string {
  const calls = c.calls.map((call) => {
    if (call.kind === 'metaGradient' || call.kind === 'diverge' || call.kind === 'indefinite') return `${call.kind}(${call.method} k=${call.steps} ${call.batch.support.tasks}×${call.batch.support.points})`;
    if (call.kind === 'train') return `train(${call.objective} ×${call.batches.length})`;
    if (call.kind === 'oversized') return `oversized(${call.points} points k=${call.steps})`;
    if ('points' in call && typeof call.points === 'object') return `${call.kind}(${call.points.tasks}×${call.points.points})`;
    return call.kind;
  });
  return `[${c.sizes.join(',')}] ${c.sizes.length === 2 ? 'identity' : c.activation}: ${calls.join(', ')}`;
}
