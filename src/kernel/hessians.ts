import { packParameters } from './layout';
import type { KernelMath } from './math';
import { planHeap, type KernelPoints } from './heapPlan';

/** Which matrix: the MSE Hessian, its Gauss–Newton part (2/(P·O))·JᵀJ, or its residual part (2/(P·O))·Σ(M − y)∇²M. */
export type HessianPart = 'hessian' | 'gaussNewton' | 'residual';

const MODE: Readonly<Record<HessianPart, 1 | 2 | 3>> = { hessian: 1, gaussNewton: 2, residual: 3 };

function onePoints(points: KernelPoints): void {
  if (points.tasks !== 1) throw new RangeError(`the Hessian routes take one task's points, got ${points.tasks} tasks`);
}

/**
 * Products of one task's MSE Hessian (or one of its parts) with many directions: row i of the result is
 * A·vᵢ for row i of `directions` [m × n], flat parameter order. One forward pass at θ, then an R-forward
 * and R-backward pass per direction.
 *
 * @example
 * import { kernelHessianProducts, float64Math } from 'maml-lab/kernel';
 * // linear regression y ≈ w·x + b on x = 1, 2: MSE Hessian [[5, 3], [3, 2]]
 * const math = float64Math([1, 1], 'identity');
 * const points = { x: [1, 2], y: [0, 0], tasks: 1, points: 2 };
 * Array.from(kernelHessianProducts(math, [0, 0], points, Float64Array.of(1, 0, 1, 1), 2)); // [5, 3, 8, 5]
 */
export function kernelHessianProducts(math: KernelMath, theta: ArrayLike<number>, points: KernelPoints, directions: ArrayLike<number>, m: number, part: HessianPart = 'hessian'): Float64Array {
  onePoints(points);
  const { layout } = math;
  const N = layout.parameterCount;
  if (directions.length !== m * N) throw new RangeError(`directions must hold ${m}·${N} values, got ${directions.length}`);
  const plan = planHeap(math, 3, [points]);
  const [at, v, out] = plan.vectors;
  const { x, y } = plan.points[0];
  const heap = math.heap();
  packParameters(layout, theta, heap, at);
  math.forward(at, x, points.points);
  math.sharedBackward(at, y, points.points);
  const result = new Float64Array(m * N);
  const direction = ArrayBuffer.isView(directions) ? (r: number) => (directions as Float32Array).subarray(r * N, (r + 1) * N) : (r: number) => Array.prototype.slice.call(directions, r * N, (r + 1) * N);
  for (let r = 0; r < m; r++) {
    // Packed with its padding zeroed: the heap is reused, and a padded entry left over from an earlier call
    // (NaN after one that diverged) would flow into the R-passes wherever σ′ is not 0 there (tanh at 0).
    packParameters(layout, direction(r), heap, v);
    math.productAfterForward(MODE[part], at, v, x, y, points.points, out);
    math.readFlat(out, result, r * N);
  }
  return result;
}

/**
 * One task's full MSE Hessian, or its Gauss–Newton or residual part, as a float64 n × n matrix (row-major,
 * flat parameter order). The Hessian and the residual part come from R-operator products with the unit
 * vectors (`unitProduct`), all sharing one forward and one plain backward pass; the Gauss–Newton part from the output Jacobian J (one backward
 * pass per point and output) as (2/(P·O))·JᵀJ.
 *
 * @example
 * import { kernelHessian, float64Math } from 'maml-lab/kernel';
 * const math = float64Math([1, 1], 'identity');
 * const points = { x: [1, 2], y: [3, -1], tasks: 1, points: 2 };
 * Array.from(kernelHessian(math, [1, 0], points)); // [5, 3, 3, 2]
 * Array.from(kernelHessian(math, [1, 0], points, 'residual')); // [0, 0, 0, 0]
 */
export function kernelHessian(math: KernelMath, theta: ArrayLike<number>, points: KernelPoints, part: HessianPart = 'hessian'): Float64Array {
  onePoints(points);
  const { layout } = math;
  const n = layout.padded;
  const N = layout.parameterCount;
  const index = layout.flatIndex;
  const values = new Float64Array(N * N);
  if (part === 'gaussNewton') {
    const outputs = layout.sizes[layout.sizes.length - 1];
    const inputs = layout.sizes[0];
    const rows = points.points * outputs;
    // θ, then J [rows × n] and G [n × n] as one block of vectors.
    const plan = planHeap(math, 1 + rows + n, [points]);
    const at = plan.vectors[0];
    const J = plan.vectors[1];
    const G = J + rows * n;
    const { x } = plan.points[0];
    const heap = math.heap();
    packParameters(layout, theta, heap, at);
    for (let p = 0; p < points.points; p++) {
      math.forward(at, x + p * inputs, 1);
      for (let o = 0; o < outputs; o++) math.outputGradientAfterForward(at, x + p * inputs, o, J + (p * outputs + o) * n);
    }
    heap.fill(0, G, G + n * n);
    math.gramAdd(G, J, rows, n, 2 / rows);
    for (let i = 0; i < N; i++) math.readFlat(G + index[i] * n, values, i * N);
    return values;
  }
  const plan = planHeap(math, 2, [points]);
  const [at, out] = plan.vectors;
  const { x, y } = plan.points[0];
  const heap = math.heap();
  packParameters(layout, theta, heap, at);
  math.forward(at, x, points.points);
  math.sharedBackward(at, y, points.points);
  const mode = MODE[part] as 1 | 3;
  let j = 0;
  // Column j of A is A·eⱼ, and A is symmetric, so it is row j too; j runs in the flat order (W row-major, then b).
  const column = (l: number, i: number, k: number) => {
    math.unitProduct(mode, at, l, i, k, x, points.points, out);
    math.readFlat(out, values, j * N);
    j++;
  };
  layout.layers.forEach((layer, l) => {
    for (let i = 0; i < layer.in; i++) for (let k = 0; k < layer.out; k++) column(l, i, k);
    for (let k = 0; k < layer.out; k++) column(l, -1, k);
  });
  return values;
}
