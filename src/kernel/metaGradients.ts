import { packParameters, unpackParameters } from './layout';
import { MAX_BANKS, type KernelMath } from './math';
import { planHeap, type KernelPoints } from './heapPlan';

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
 * - maml: φ₀ = θ, φᵢ = φᵢ₋₁ − α∇L_s(φᵢ₋₁); v ← ∇L_q(φₖ), then v ← v − αH_s(φᵢ₋₁)v for i = k … 1
 *   (the product formula; each H·v one R-operator pass);
 * - fomaml: ∇L_q(φₖ); reptile: ε(θ − φₖ);
 * - imaml: φᵢ = φᵢ₋₁ − α(∇L_s(φᵢ₋₁) + λ(φᵢ₋₁ − θ)), then (I + H_s(φₖ)/λ)x = ∇L_q(φₖ) by conjugate gradient
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
  const { method, alpha, steps } = options;
  const count = tasks.support.tasks;
  if (tasks.query.tasks !== count) throw new RangeError(`support and query must hold the same tasks, got ${count} and ${tasks.query.tasks}`);
  const trajectory = method === 'maml' ? steps + 1 : 2;
  const extra = method === 'imaml' ? 4 : 0;
  // θ, the running mean, g, v, Hv, the trajectory, and iMAML's x, r, p, Ap.
  // Exact MAML keeps inner step i's passes in bank i (up to MAX_BANKS − 1 steps; later ones run again
  // for their product), and the query pass in the last bank.
  const kept = method === 'maml' ? Math.min(steps, MAX_BANKS - 1) : 0;
  const scratch = kept;
  const plan = planHeap(math, 5 + trajectory + extra, [tasks.support, tasks.query], kept + 1);
  const [theta0, mean, g, v, hv, ...rest] = plan.vectors;
  const phi = rest.slice(0, trajectory);
  const [cx, cr, cp, cAp] = rest.slice(trajectory);
  const [support, query] = plan.points;
  const Ps = support.points;
  const Pq = query.points;
  packParameters(layout, theta, math.heap(), theta0);
  math.heap().fill(0, mean, mean + n);
  const lambda = options.lambda ?? 1;
  const rate = options.reptileRate ?? 1;
  const maxIterations = options.cg?.maxIterations ?? 20;
  const tolerance = options.cg?.tolerance ?? 1e-4;
  let loss = 0;
  let iterations = 0;
  let relativeResidual = 0;
  let indefinite: KernelMetaResult['indefinite'];

  for (let t = 0; t < count; t++) {
    const xs = support.taskX(t);
    const ys = support.taskY(t);
    // The inner loop: phi[i] holds φᵢ for exact MAML, the two latest otherwise.
    math.combine(n, phi[0], 1, theta0, 0, theta0);
    let last = phi[0];
    for (let i = 1; i <= steps; i++) {
      const prev = last;
      last = method === 'maml' ? phi[i] : phi[i % 2];
      math.bank(i - 1 < kept ? i - 1 : scratch);
      math.lossGradient(prev, xs, ys, Ps, g);
      // Reptile's θ − φₖ is α·Σᵢ∇L_s(φᵢ₋₁): summed as such (in v), not as a difference of two nearly equal vectors.
      if (method === 'reptile' && i === 1) math.combine(n, v, 1, g, 0, g);
      else if (method === 'reptile') math.combine(n, v, 1, v, 1, g);
      if (method === 'imaml') math.combine3(n, last, 1 - alpha * lambda, prev, -alpha, g, alpha * lambda, theta0);
      else math.combine(n, last, 1, prev, -alpha, g);
    }
    math.bank(scratch);
    if (method === 'reptile') {
      math.forward(last, query.taskX(t), Pq);
      loss += math.lossAfterForward(query.taskY(t), Pq);
      math.combine(n, mean, 1, mean, (rate * alpha) / count, v);
      continue;
    }
    loss += math.lossGradient(last, query.taskX(t), query.taskY(t), Pq, v);
    if (method === 'maml') {
      for (let i = steps; i >= 1; i--) {
        if (i - 1 < kept) {
          math.bank(i - 1);
        } else {
          math.forward(phi[i - 1], xs, Ps);
          math.sharedBackward(phi[i - 1], ys, Ps);
        }
        math.productAfterForward(1, phi[i - 1], v, xs, ys, Ps, hv);
        math.combine(n, v, 1, v, -alpha, hv);
      }
    }
    if (method === 'imaml') {
      const solve = conjugateGradient(math, { phi: last, xs, ys, points: Ps, b: v, x: cx, r: cr, p: cp, Ap: cAp, hv, lambda, maxIterations, tolerance });
      iterations = Math.max(iterations, solve.iterations);
      relativeResidual = Math.max(relativeResidual, solve.relativeResidual);
      if (solve.curvature !== undefined && (indefinite === undefined || solve.iterations < indefinite.iteration)) {
        indefinite = { task: t, iteration: solve.iterations, curvature: solve.curvature };
      }
      math.combine(n, mean, 1, mean, 1 / count, cx);
      continue;
    }
    math.combine(n, mean, 1, mean, 1 / count, v);
  }
  const grad = unpackParameters(layout, math.heap(), mean, math.precision === 'float32' ? new Float32Array(layout.parameterCount) : new Float64Array(layout.parameterCount));
  const result: KernelMetaResult = { loss: loss / count, grad };
  if (method === 'imaml') result.cg = { iterations, relativeResidual };
  if (indefinite !== undefined) result.indefinite = indefinite;
  return result;
}

/**
 * Conjugate gradient on (I + H/λ)x = b for one task, H the support Hessian at φ (its forward pass run
 * here once, shared by every product). `curvature` is set when pᵀAp ≤ 0 (or NaN) at iteration
 * `iterations`: the system is not positive definite there.
 */
function conjugateGradient(
  math: KernelMath,
  s: { phi: number; xs: number; ys: number; points: number; b: number; x: number; r: number; p: number; Ap: number; hv: number; lambda: number; maxIterations: number; tolerance: number },
): { iterations: number; relativeResidual: number; curvature?: number } {
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
