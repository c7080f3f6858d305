import { packParameters } from './layout';
import type { KernelMath } from './math';
import { planHeap } from './heapPlan';
import type { KernelTasks } from './metaGradients';

/**
 * The non-meta baseline's gradient: of the mean over tasks of (L_support(θ) + L_query(θ))/2, at θ itself
 * (no adaptation); returns that mean loss and its gradient in the flat order.
 *
 * @example
 * import { kernelPretrainGradient, wasmMath } from 'maml-lab/kernel';
 * const math = wasmMath([1, 1], 'identity');
 * const tasks = {
 *   support: { x: [0, 1], y: [1, 3], tasks: 1, points: 2 },
 *   query: { x: [2], y: [5], tasks: 1, points: 1 },
 * };
 * // y = 2x + 1 fits every point exactly
 * kernelPretrainGradient(math, [2, 1], tasks).loss; // 0
 */
export function kernelPretrainGradient(math: KernelMath, theta: ArrayLike<number>, tasks: KernelTasks): { loss: number; grad: Float32Array | Float64Array } {
  const n = math.layout.padded;
  const count = tasks.support.tasks;
  // θ, the mean (a float64 accumulator: two vectors' room), g.
  const plan = planHeap(math, 4, [tasks.support, tasks.query]);
  const [at, mean, , g] = plan.vectors;
  packParameters(math.layout, theta, math.heap(), at);
  math.heap().fill(0, mean, mean + 2 * n);
  let loss = 0;
  for (let t = 0; t < count; t++) {
    for (const set of plan.points) {
      loss += math.lossGradient(at, set.taskX(t), set.taskY(t), set.points, g);
      math.accumulate(n, mean, 1 / (2 * count), g);
    }
  }
  const wide = new Float64Array(math.layout.parameterCount);
  math.readAccumulator(mean, wide);
  return { loss: loss / (2 * count), grad: math.precision === 'float32' ? Float32Array.from(wide) : wide };
}
