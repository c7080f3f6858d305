/**
 * The fuzzer's references: every kernel call's float64 twin (src/kernel/float64Math.ts, a fresh instance
 * per call so that no state is shared with what is under test), run twice: on the float32 inputs as given,
 * and on the same inputs each multiplied by (1 ± u), u = 2⁻²⁴ (signs from a fixed stream). The distance
 * between the two runs is how far float32 rounding of the inputs alone moves the answer: the problem's
 * own sensitivity, which the tolerance scales with (check.ts).
 */
import { float64Math, kernelHessian, kernelHessianProducts, kernelLossCurve, kernelMetaGradient, kernelPretrainGradient, type KernelMath, type KernelMetaResult, type KernelPoints, type KernelTasks } from '../../src/kernel';
import { adamArrays } from '../../src/meta';
import type { Batch, Case, MetaSettings, Points } from './cases';
import { random } from './random';

export const U = 2 ** -24;

/** The values times (1 + scale·s), s = ±1 from a fixed stream of `pattern`; `scale` 0 returns a float64 copy. */
function widen(values: ArrayLike<number>, scale: number, stream: number, pattern = 0x5eed): Float64Array {
  const r = random(pattern, stream);
  return Float64Array.from(values as ArrayLike<number>, (v) => v * (1 + (r.next() < 0.5 ? -scale : scale)));
}

export interface TwinInputs {
  theta: Float64Array;
  points(p: Points): KernelPoints;
  batch(b: Batch): KernelTasks;
}

/**
 * The case's inputs in float64: exact (`perturbed` false), each entry moved by a relative u (true), or a
 * coarse probe `{ scale, pattern }`: each entry moved by a relative scale·u with the signs of `pattern`.
 */
export function twinInputs(c: Case, perturbed: boolean | { scale: number; pattern: number }): TwinInputs {
  const scale = perturbed === false ? 0 : perturbed === true ? U : perturbed.scale * U;
  const pattern = typeof perturbed === 'object' ? perturbed.pattern : 0x5eed;
  let stream = 1;
  const points = (p: Points): KernelPoints => ({ x: widen(p.x, scale, stream++, pattern), y: widen(p.y, scale, stream++, pattern), tasks: p.tasks, points: p.points });
  return { theta: widen(c.theta, scale, 0, pattern), points, batch: (b) => ({ support: points(b.support), query: points(b.query) }) };
}

export function twinMath(c: Case): KernelMath {
  return float64Math(c.sizes, c.sizes.length === 2 ? 'identity' : c.activation);
}

/** One task of a set of points (the kernel's Hessian routes take one). */
export function taskPoints(p: KernelPoints, task: number): KernelPoints {
  const xs = p.x.length / p.tasks;
  const ys = p.y.length / p.tasks;
  return { x: (p.x as Float64Array).subarray(task * xs, (task + 1) * xs), y: (p.y as Float64Array).subarray(task * ys, (task + 1) * ys), tasks: 1, points: p.points };
}

/**
 * The twin's CG runs to float64 convergence: the reference is the exact solve, not the kernel's stopping
 * point. `peak` is the largest magnitude left in the twin's workspace (activations, δ, the steps' points):
 * past float32's 3.4e38 the kernel's passes overflow though the result itself may be moderate.
 */
export function twinMeta(c: Case, inputs: TwinInputs, batch: Batch, s: MetaSettings): KernelMetaResult & { peak: number } {
  const math = twinMath(c);
  const result = kernelMetaGradient(math, inputs.theta, inputs.batch(batch), { ...s, cg: { tolerance: 1e-12, maxIterations: 500 } });
  const heap = math.heap() as unknown as ArrayLike<number>;
  let peak = 0;
  for (let i = 0; i < heap.length; i++) if (!(Math.abs(heap[i]) <= peak)) peak = Math.abs(heap[i]);
  return { ...result, peak };
}

export function twinHessian(c: Case, inputs: TwinInputs, p: Points, task: number, part: 'hessian' | 'gaussNewton' | 'residual'): Float64Array {
  return kernelHessian(twinMath(c), inputs.theta, taskPoints(inputs.points(p), task), part);
}

export function twinProducts(c: Case, inputs: TwinInputs, p: Points, task: number, directions: ArrayLike<number>, m: number): Float64Array {
  return kernelHessianProducts(twinMath(c), inputs.theta, taskPoints(inputs.points(p), task), Float64Array.from(directions), m);
}

/** Mean query MSE over tasks after 0 … maxSteps steps (what `evaluate` reports as `mse`). */
export function twinEvaluate(c: Case, inputs: TwinInputs, batch: Batch, alpha: number, maxSteps: number): Float64Array {
  const curve = kernelLossCurve(twinMath(c), inputs.theta, inputs.batch(batch), alpha, maxSteps);
  const tasks = batch.support.tasks;
  return Float64Array.from({ length: maxSteps + 1 }, (_, s) => curve.subarray(s * tasks, (s + 1) * tasks).reduce((a, b) => a + b, 0) / tasks);
}

/**
 * `train`'s losses in float64: Adam (`adamArrays`, float64 moments) on the twin's meta-gradients, and, per
 * iteration, the bound on how much a float32 run may differ later because of Adam: a gradient entry within
 * rounding of zero can take either sign, and Adam then moves that coordinate by up to 2·lr either way.
 */
export function twinTrain(c: Case, inputs: TwinInputs, call: Extract<Case['calls'][number], { kind: 'train' }>): { losses: number[]; flipBound: number[] } {
  const math = twinMath(c);
  const theta = Float64Array.from(inputs.theta);
  const adam = adamArrays({ learningRate: call.learningRate });
  const state = adam.init(theta.length);
  const risky = new Float64Array(theta.length);
  const losses: number[] = [];
  const flipBound: number[] = [];
  for (const b of call.batches) {
    const tasks = inputs.batch(b);
    const { loss, grad } = call.objective === 'pretrain' ? kernelPretrainGradient(math, theta, tasks) : kernelMetaGradient(math, theta, tasks, { ...call, method: call.objective, cg: { tolerance: 1e-4, maxIterations: 20 } });
    losses.push(loss);
    flipBound.push(risky.reduce((s, r, j) => s + r * Math.abs(grad[j]), 0));
    const largest = Array.from(grad).reduce((m, g) => Math.max(m, Math.abs(g)), 0);
    grad.forEach((g, j) => {
      if (Math.abs(g) <= 1e-3 * largest) risky[j] += 2 * call.learningRate;
    });
    adam.step(theta, grad, state);
  }
  return { losses, flipBound };
}
