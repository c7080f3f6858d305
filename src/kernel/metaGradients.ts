import { packParameters } from './layout';
import { MAX_BANKS, type KernelMath } from './math';
import { planHeap, type KernelPoints, type PointsInHeap } from './heapPlan';

/** The meta-gradient methods the kernel computes (the same four as maml-lab/meta's `METHODS`). */
export type KernelMethod = 'maml' | 'fomaml' | 'reptile' | 'imaml';

/** A meta-batch for the kernel: support and query points of the same tasks. */
export interface KernelTasks {
  support: KernelPoints;
  query: KernelPoints;
}

/** Settings of a kernel meta-gradient; the meaning of each is that of maml-lab/meta's `MetaGradientOptions`. */
export interface KernelMetaOptions {
  method: KernelMethod;
  alpha: number;
  steps: number;
  lambda?: number;
  reptileRate?: number;
  cg?: { maxIterations?: number; tolerance?: number };
}

/** A meta-gradient in the flat parameter order, the mean query loss, and iMAML's solver report. */
export interface KernelMetaResult {
  loss: number;
  grad: Float32Array | Float64Array;
  cg?: { iterations: number; relativeResidual: number };
  /** iMAML only: the first (iteration, task) where I + H/λ showed non-positive curvature pᵀAp; the caller decides how to report it. */
  indefinite?: { task: number; iteration: number; curvature: number };
}

/**
 * The meta-gradient of the mean query loss over tasks by one of the four methods, task by task on the
 * kernel's passes, averaged over tasks:
 * - maml: θ₀ = θ, θᵢ = θᵢ₋₁ − α∇L_s(θᵢ₋₁); v ← ∇L_q(θₖ), then v ← v − αH_s(θᵢ₋₁)v for i = k … 1
 *   (the product formula; each H·v one R-operator pass);
 * - fomaml: ∇L_q(θₖ); reptile: ε(θ − θₖ);
 * - imaml: θᵢ = θᵢ₋₁ − α(∇L_s(θᵢ₋₁) + λ(θᵢ₋₁ − θ)), then (I + H_s(θₖ)/λ)x = ∇L_q(θₖ) by conjugate gradient
 *   on the same products, each task stopping when ‖r‖ ≤ tolerance·‖b‖ or after maxIterations.
 * Arguments are assumed checked (maml-lab/meta checks them before it dispatches here).
 *
 * @example
 * import { kernelMetaGradient, wasmMath } from 'maml-lab/kernel';
 * const math = wasmMath([1, 8, 1], 'tanh');
 * const theta = Array.from({ length: 25 }, (_, i) => Math.sin(i));
 * const tasks = {
 *   support: { x: [0, 1, 2, 3], y: [0, 1, 0, -1], tasks: 2, points: 2 },
 *   query: { x: [0.5, 1.5, 2.5, 3.5], y: [0.5, 1, -0.5, -1], tasks: 2, points: 2 },
 * };
 * const { loss, grad } = kernelMetaGradient(math, theta, tasks, { method: 'maml', alpha: 0.1, steps: 2 });
 * grad.length; // 25
 */
export function kernelMetaGradient(math: KernelMath, theta: ArrayLike<number>, tasks: KernelTasks, options: KernelMetaOptions): KernelMetaResult {
  const { layout } = math;
  const n = layout.padded;
  const count = tasks.support.tasks;
  if (tasks.query.tasks !== count) throw new RangeError(`support and query must hold the same tasks, got ${count} and ${tasks.query.tasks}`);
  const method = METHOD_KERNELS[options.method];
  const settings = settingsOf(options);
  // θ, the mean (a float64 accumulator: two vectors' room), g, v, Hv, then the method's own vectors.
  const plan = planHeap(math, 6 + method.vectors(settings.steps), [tasks.support, tasks.query], method.banks(settings.steps));
  const [theta0, mean, , g, v, hv, ...own] = plan.vectors;
  const [support, query] = plan.points;
  packParameters(layout, theta, math.heap(), theta0);
  math.heap().fill(0, mean, mean + 2 * n);
  const scratch: Scratch = { math, n, theta0, g, v, hv, own, support, query, ...settings };
  let loss = 0;
  const cg = { iterations: 0, relativeResidual: 0 };
  let indefinite: KernelMetaResult['indefinite'];
  for (let t = 0; t < count; t++) {
    const task = method.task(scratch, t);
    loss += task.loss;
    math.accumulate(n, mean, task.weight / count, task.direction);
    if (task.solve === undefined) continue;
    const { iterations, relativeResidual, curvature } = task.solve;
    cg.iterations = Math.max(cg.iterations, iterations);
    cg.relativeResidual = Math.max(cg.relativeResidual, relativeResidual);
    if (curvature !== undefined && (indefinite === undefined || iterations < indefinite.iteration)) indefinite = { task: t, iteration: iterations, curvature };
  }
  const wide = new Float64Array(layout.parameterCount);
  math.readAccumulator(mean, wide);
  const result: KernelMetaResult = { loss: loss / count, grad: math.precision === 'float32' ? Float32Array.from(wide) : wide };
  if (options.method === 'imaml') result.cg = cg;
  if (indefinite !== undefined) result.indefinite = indefinite;
  return result;
}

/** The settings every method reads, defaults filled in. */
interface Settings {
  alpha: number;
  steps: number;
  lambda: number;
  rate: number;
  maxIterations: number;
  tolerance: number;
}
function settingsOf(options: KernelMetaOptions): Settings {
  return {
    alpha: options.alpha,
    steps: options.steps,
    lambda: options.lambda ?? 1,
    rate: options.reptileRate ?? 1,
    maxIterations: options.cg?.maxIterations ?? 20,
    tolerance: options.cg?.tolerance ?? 1e-4,
  };
}

/** What a method's task step works on: the heap's shared vectors (offsets), its own vectors and the points. */
interface Scratch extends Settings {
  math: KernelMath;
  n: number;
  theta0: number;
  g: number;
  v: number;
  hv: number;
  own: number[];
  support: PointsInHeap;
  query: PointsInHeap;
}

interface CgReport {
  iterations: number;
  relativeResidual: number;
  curvature?: number;
}

/** One task's share: its query loss, and the vector whose mean over tasks (times `weight`) is the meta-gradient. */
interface TaskResult {
  loss: number;
  direction: number;
  weight: number;
  solve?: CgReport;
}

/** A method on the kernel: how many vectors and banks it needs for k inner steps, and one task's work. */
interface MethodKernel {
  vectors(steps: number): number;
  banks(steps: number): number;
  task(s: Scratch, t: number): TaskResult;
}

/**
 * The inner loop on task t's support set from θ: step i computes g = ∇L_s(θᵢ₋₁) (in bank `bankOf(i)`) and
 * `update(θᵢ₋₁, θᵢ, i)` writes θᵢ into `slot(i)`. Returns θₖ's offset.
 */
function adapt(s: Scratch, t: number, slot: (i: number) => number, bankOf: (i: number) => number, update: (prev: number, next: number, i: number) => void): number {
  const { math, n } = s;
  math.combine(n, slot(0), 1, s.theta0, 0, s.theta0);
  for (let i = 1; i <= s.steps; i++) {
    math.bank(bankOf(i));
    math.lossGradient(slot(i - 1), s.support.taskX(t), s.support.taskY(t), s.support.points, s.g);
    update(slot(i - 1), slot(i), i);
  }
  return slot(s.steps);
}

/** The plain step θᵢ = θᵢ₋₁ − α∇L_s(θᵢ₋₁). */
const sgd = (s: Scratch) => (prev: number, next: number) => s.math.combine(s.n, next, 1, prev, -s.alpha, s.g);
/** Two vectors in turn hold θᵢ₋₁ and θᵢ, for the methods that need only θₖ. */
const alternate = (s: Scratch) => (i: number) => s.own[i % 2];
const firstBank = () => 0;

/**
 * Exact MAML: v ← ∇L_q(θₖ), then v ← v − αH_s(θᵢ₋₁)v for i = k … 1. Inner step i keeps its passes in bank
 * i − 1 (up to MAX_BANKS − 1 steps; later ones run again for their product), the query pass the last bank.
 */
const maml: MethodKernel = {
  vectors: (steps) => steps + 1,
  banks: (steps) => Math.min(steps, MAX_BANKS - 1) + 1,
  task(s, t) {
    const { math, n } = s;
    const kept = Math.min(s.steps, MAX_BANKS - 1);
    const phi = (i: number) => s.own[i];
    const xs = s.support.taskX(t);
    const ys = s.support.taskY(t);
    const last = adapt(s, t, phi, (i) => (i - 1 < kept ? i - 1 : kept), sgd(s));
    math.bank(kept);
    const loss = math.lossGradient(last, s.query.taskX(t), s.query.taskY(t), s.query.points, s.v);
    for (let i = s.steps; i >= 1; i--) {
      if (i - 1 < kept) {
        math.bank(i - 1);
      } else {
        math.forward(phi(i - 1), xs, s.support.points);
        math.sharedBackward(phi(i - 1), ys, s.support.points);
      }
      math.productAfterForward(1, phi(i - 1), s.v, xs, ys, s.support.points, s.hv);
      math.combine(n, s.v, 1, s.v, -s.alpha, s.hv);
    }
    return { loss, direction: s.v, weight: 1 };
  },
};

/** First-order MAML: ∇L_q(θₖ). */
const fomaml: MethodKernel = {
  vectors: () => 2,
  banks: () => 1,
  task(s, t) {
    const last = adapt(s, t, alternate(s), firstBank, sgd(s));
    return { loss: s.math.lossGradient(last, s.query.taskX(t), s.query.taskY(t), s.query.points, s.v), direction: s.v, weight: 1 };
  },
};

/**
 * Reptile: ε(θ − θₖ) = εα·Σᵢ∇L_s(θᵢ₋₁), summed as such (in v), not as a difference of two nearly equal
 * vectors; the query loss at θₖ is reported, not differentiated.
 */
const reptile: MethodKernel = {
  vectors: () => 2,
  banks: () => 1,
  task(s, t) {
    const { math, n } = s;
    const step = sgd(s);
    const last = adapt(s, t, alternate(s), firstBank, (prev, next, i) => {
      // v starts as g itself: 0·v would carry whatever an earlier call left there (0·NaN is NaN).
      if (i === 1) math.combine(n, s.v, 1, s.g, 0, s.g);
      else math.combine(n, s.v, 1, s.v, 1, s.g);
      step(prev, next);
    });
    math.forward(last, s.query.taskX(t), s.query.points);
    return { loss: math.lossAfterForward(s.query.taskY(t), s.query.points), direction: s.v, weight: s.rate * s.alpha };
  },
};

/** iMAML: θᵢ = θᵢ₋₁ − α(∇L_s(θᵢ₋₁) + λ(θᵢ₋₁ − θ)), then (I + H_s(θₖ)/λ)x = ∇L_q(θₖ) by conjugate gradient. */
const imaml: MethodKernel = {
  vectors: () => 6,
  banks: () => 1,
  task(s, t) {
    const { math, n, alpha, lambda } = s;
    const last = adapt(s, t, alternate(s), firstBank, (prev, next) => math.combine3(n, next, 1 - alpha * lambda, prev, -alpha, s.g, alpha * lambda, s.theta0));
    const loss = math.lossGradient(last, s.query.taskX(t), s.query.taskY(t), s.query.points, s.v);
    const [, , x, r, p, Ap] = s.own;
    const solve = conjugateGradient(math, { phi: last, xs: s.support.taskX(t), ys: s.support.taskY(t), points: s.support.points, b: s.v, x, r, p, Ap, hv: s.hv, lambda, maxIterations: s.maxIterations, tolerance: s.tolerance });
    return { loss, direction: x, weight: 1, solve };
  },
};

const METHOD_KERNELS: Readonly<Record<KernelMethod, MethodKernel>> = { maml, fomaml, reptile, imaml };

/**
 * Conjugate gradient on (I + H/λ)x = b for one task, H the support Hessian at θₖ (its forward pass run
 * here once, shared by every product). `curvature` is set when pᵀAp ≤ 0 (or NaN) at iteration
 * `iterations`: the system is not positive definite there.
 */
function conjugateGradient(
  math: KernelMath,
  s: { phi: number; xs: number; ys: number; points: number; b: number; x: number; r: number; p: number; Ap: number; hv: number; lambda: number; maxIterations: number; tolerance: number },
): CgReport {
  const n = math.layout.padded;
  math.forward(s.phi, s.xs, s.points);
  math.sharedBackward(s.phi, s.ys, s.points);
  math.combine(n, s.x, 0, s.b, 0, s.b);
  math.combine(n, s.r, 1, s.b, 0, s.b);
  math.combine(n, s.p, 1, s.b, 0, s.b);
  const bb = math.dot(n, s.b, s.b);
  let rs = bb;
  let iterations = 0;
  const live = () => rs > s.tolerance * s.tolerance * bb;
  while (iterations < s.maxIterations && live()) {
    math.productAfterForward(1, s.phi, s.p, s.xs, s.ys, s.points, s.hv);
    math.combine(n, s.Ap, 1, s.p, 1 / s.lambda, s.hv);
    const pAp = math.dot(n, s.p, s.Ap);
    if (!(pAp > 0)) return { iterations: iterations + 1, relativeResidual: bb > 0 ? Math.sqrt(rs / bb) : 0, curvature: pAp };
    const step = rs / pAp;
    math.combine(n, s.x, 1, s.x, step, s.p);
    math.combine(n, s.r, 1, s.r, -step, s.Ap);
    const next = math.dot(n, s.r, s.r);
    const beta = rs > 0 ? next / rs : 0;
    math.combine(n, s.p, 1, s.r, beta, s.p);
    rs = next;
    iterations++;
  }
  return { iterations, relativeResidual: bb > 0 ? Math.sqrt(rs / bb) : 0 };
}
