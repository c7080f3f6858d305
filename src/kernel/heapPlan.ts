import type { KernelMath } from './math';

/** Points of one or more tasks, row-major: x [tasks × points × inputs], y [tasks × points × outputs]. */
export interface KernelPoints {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  tasks: number;
  points: number;
}

/** Where a set of points was copied in the heap, and how to find task t's rows. */
export interface PointsInHeap {
  x: number;
  y: number;
  points: number;
  /** Offsets of task t's x and y. */
  taskX(t: number): number;
  taskY(t: number): number;
}

/**
 * One call's memory: the passes' workspace for the largest point count (in `banks` copies), then `vectors` parameter vectors
 * (padded layout) and the point sets, copied in. Offsets are in floats, each block 16-byte aligned. The
 * heap is reused from call to call (it only grows), so a steady loop allocates nothing.
 *
 * @example
 * import { float64Math, planHeap } from 'maml-lab/kernel';
 * const math = float64Math([1, 4, 1], 'relu');
 * const plan = planHeap(math, 3, [{ x: [0, 1], y: [1, 2], tasks: 1, points: 2 }]);
 * plan.vectors.length; // 3
 * math.heap()[plan.points[0].y + 1]; // 2
 */
export function planHeap(math: KernelMath, vectors: number, sets: readonly KernelPoints[], banks = 1): { vectors: number[]; points: PointsInHeap[] } {
  const { layout } = math;
  const inputs = layout.sizes[0];
  const outputs = layout.sizes[layout.sizes.length - 1];
  const n = layout.padded;
  const align = (m: number) => Math.ceil(m / 4) * 4;
  for (const s of sets) {
    if (s.x.length !== s.tasks * s.points * inputs || s.y.length !== s.tasks * s.points * outputs) {
      throw new RangeError(`points must hold ${s.tasks}·${s.points} rows of ${inputs} input(s) and ${outputs} output(s), got ${s.x.length} and ${s.y.length} values`);
    }
  }
  const sizes = sets.map((s) => [align(s.x.length), align(s.y.length)]);
  const total = vectors * n + sizes.reduce((a, [x, y]) => a + x + y, 0);
  let at = math.prepare(Math.max(1, ...sets.map((s) => s.points)), total, banks);
  const heap = math.heap();
  const offsets = Array.from({ length: vectors }, (_, i) => at + i * n);
  at += vectors * n;
  const points = sets.map((s, i) => {
    const x = at;
    const y = at + sizes[i][0];
    at = y + sizes[i][1];
    heap.set(s.x, x);
    heap.set(s.y, y);
    return { x, y, points: s.points, taskX: (t: number) => x + t * s.points * inputs, taskY: (t: number) => y + t * s.points * outputs };
  });
  return { vectors: offsets, points };
}
