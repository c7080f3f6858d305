import { packParameters } from './layout';
import type { KernelMath } from './math';
import { planHeap } from './heapPlan';
import type { KernelTasks } from './metaGradients';

/**
 * Each task's query MSE after 0, 1, …, maxSteps plain SGD steps of size α on its support set, from θ:
 * row s of the result ([maxSteps + 1] × tasks) holds every task's loss after s steps. `observe`, when
 * given, is called after each step's query forward pass with the step, the task and the adapted
 * parameters' offset, so a caller can read the outputs (`outputsAfterForward`) or φ (`readFlat`) there.
 *
 * @example
 * import { kernelLossCurve, wasmMath } from 'maml-lab/kernel';
 * const math = wasmMath([1, 1], 'identity');
 * const tasks = {
 *   support: { x: [0, 1], y: [1, 3], tasks: 1, points: 2 },
 *   query: { x: [2], y: [5], tasks: 1, points: 1 },
 * };
 * const curve = kernelLossCurve(math, [0, 0], tasks, 0.1, 3);
 * curve.length; // 4
 * curve[0]; // 25
 * curve[3] < curve[0]; // true
 */
export function kernelLossCurve(
  math: KernelMath,
  theta: ArrayLike<number>,
  tasks: KernelTasks,
  alpha: number,
  maxSteps: number,
  observe?: (step: number, task: number, phi: number) => void,
): Float64Array {
  const n = math.layout.padded;
  const count = tasks.support.tasks;
  const plan = planHeap(math, 3, [tasks.support, tasks.query]);
  const [theta0, phi, g] = plan.vectors;
  const [support, query] = plan.points;
  packParameters(math.layout, theta, math.heap(), theta0);
  const curve = new Float64Array((maxSteps + 1) * count);
  for (let t = 0; t < count; t++) {
    math.combine(n, phi, 1, theta0, 0, theta0);
    for (let s = 0; s <= maxSteps; s++) {
      if (s > 0) {
        math.lossGradient(phi, support.taskX(t), support.taskY(t), support.points, g);
        math.combine(n, phi, 1, phi, -alpha, g);
      }
      math.forward(phi, query.taskX(t), query.points);
      curve[s * count + t] = math.lossAfterForward(query.taskY(t), query.points);
      observe?.(s, t, phi);
    }
  }
  return curve;
}
