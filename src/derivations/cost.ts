import * as tf from '@tensorflow/tfjs';
import { requireInteger } from '../meta/validate';
import { median } from './numeric';

/** What one call returns, as far as measuring it goes: tensors, or a result holding `grads`. */
export type MeasuredCall = () => tf.Tensor | tf.Tensor[] | { grads: tf.Tensor[] };

/** The measured cost of one call. */
export interface CallCost {
  /** Median wall-clock time of the timed calls, in ms (includes waiting for a busy CPU). */
  wallMs: number;
  /** Median CPU time of this process during the timed calls (user + system), in ms. */
  cpuMs: number;
  /** Every timed call's wall-clock and CPU time, in the order they ran. */
  samples: { wallMs: number; cpuMs: number }[];
  /**
   * The most bytes of tensors alive at once during one call, above what was alive before it: what the call
   * itself holds at its peak (for a gradient, the forward values its tape keeps for the backward pass).
   * Read after every kernel the call runs (`tf.profile`), so it does not depend on timing or load.
   */
  peakBytes: number;
  /** The most tensors alive at once during the call, above those alive before it. */
  peakTensors: number;
  /**
   * The tfjs kernels one call dispatched (every op, forward and backward), counted by `tf.profile`: each is
   * one trip through tfjs's dispatch and usually one new tensor. Deterministic, like `peakBytes`.
   */
  kernels: number;
  /**
   * The multiply-adds of the matrix products among those kernels (`BatchMatMul`, `_FusedMatMul`), from
   * their shapes: m·n·k per product of an m × k and a k × n matrix, times the batch. The arithmetic that
   * dominates a network's passes, counted rather than timed, so it does not depend on the machine or load.
   */
  multiplyAdds: number;
}

/** The kernels counted as matrix products by `multiplyAdds`. */
const MATRIX_PRODUCTS = new Set(['BatchMatMul', '_FusedMatMul', 'MatMul']);

/** One profiled kernel, as far as counting goes: its name and the shapes of its inputs and outputs. */
interface ProfiledKernel {
  name: string;
  inputShapes: (number[] | null)[];
  outputShapes: number[][];
}

/**
 * Multiply-adds of one matrix product: its output has m·n entries per batch (the last two dimensions m × n),
 * each a sum of k products, and k is a's last two dimensions' product over m (a is m × k or, transposed, k × m).
 */
function productMultiplyAdds(kernel: ProfiledKernel): number {
  if (!MATRIX_PRODUCTS.has(kernel.name)) return 0;
  const [a] = kernel.inputShapes;
  const [out] = kernel.outputShapes;
  if (!a || !out || a.length < 2 || out.length < 2) return 0;
  const m = out[out.length - 2];
  const k = (a[a.length - 2] * a[a.length - 1]) / m;
  return out.reduce((s, d) => s * d, 1) * k;
}

function tensorsOf(result: ReturnType<MeasuredCall>): tf.Tensor[] {
  if (result instanceof tf.Tensor) return [result];
  return Array.isArray(result) ? result : result.grads;
}

/** Runs the call, reads its last output (so lazy backends finish the work) and disposes what it returned. */
function runOnce(call: MeasuredCall): void {
  const out = tensorsOf(call());
  try {
    out[out.length - 1]?.dataSync();
  } finally {
    tf.dispose(out);
  }
}

/**
 * Time, tensor memory and operation counts of some calls (e.g. `metaGradient` with different methods or
 * step counts), for comparing them. The timed calls are interleaved round-robin, `repeat` rounds after
 * `warmup` untimed ones, so that a machine getting busier or quieter affects every call alike; each figure
 * is a median. Memory and operations are measured once per call with `tf.profile`: the peak of the bytes
 * (and tensors) alive after each kernel, above the level before the call, the number of kernels and the
 * multiply-adds of the matrix products. Every tensor a call returns is disposed.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { measureCosts } from 'maml-lab/derivations';
 * const x = tf.ones([64, 64]);
 * const costs = await measureCosts({ square: () => tf.matMul(x, x), cube: () => tf.tidy(() => tf.matMul(tf.matMul(x, x), x)) }, { repeat: 3 });
 * // at its peak the cube holds the intermediate product and the result, 64·64 float32 each
 * costs.cube.peakBytes; // 32768
 * costs.square.peakBytes; // 16384
 * // two products of 64 × 64 matrices, 64³ multiply-adds each
 * costs.cube.multiplyAdds; // 524288
 * costs.cube.kernels; // 2
 * x.dispose();
 */
export async function measureCosts<K extends string>(
  calls: Record<K, MeasuredCall>,
  options: { repeat?: number; warmup?: number } = {},
): Promise<Record<K, CallCost>> {
  const repeat = options.repeat ?? 5;
  const warmup = options.warmup ?? 1;
  requireInteger('repeat', repeat, 1);
  requireInteger('warmup', warmup, 0);
  const names = Object.keys(calls) as K[];
  if (names.length === 0) throw new RangeError('measureCosts needs at least one call');
  for (const name of names) {
    if (typeof calls[name] !== 'function') throw new TypeError(`calls.${name} must be a function`);
  }
  for (let i = 0; i < warmup; i++) for (const name of names) runOnce(calls[name]);
  const samples = Object.fromEntries(names.map((n) => [n, [] as { wallMs: number; cpuMs: number }[]])) as Record<K, { wallMs: number; cpuMs: number }[]>;
  for (let r = 0; r < repeat; r++) {
    for (const name of names) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      runOnce(calls[name]);
      const wallMs = performance.now() - start;
      const used = process.cpuUsage(cpu);
      samples[name].push({ wallMs, cpuMs: (used.user + used.system) / 1000 });
    }
  }
  const out = {} as Record<K, CallCost>;
  for (const name of names) {
    const bytesBefore = tf.memory().numBytes;
    const tensorsBefore = tf.memory().numTensors;
    const profile = await tf.profile(() => tensorsOf(calls[name]()));
    tf.dispose(profile.result as tf.Tensor[]);
    const kernels = profile.kernels;
    const peakBytes = kernels.length ? profile.peakBytes - bytesBefore : 0;
    const peakTensors = kernels.length ? Math.max(...kernels.map((k) => k.totalTensorsSnapshot)) - tensorsBefore : 0;
    const s = samples[name];
    const multiplyAdds = kernels.reduce((sum, k) => sum + productMultiplyAdds(k), 0);
    out[name] = { wallMs: median(s.map((x) => x.wallMs)), cpuMs: median(s.map((x) => x.cpuMs)), samples: s, peakBytes, peakTensors, kernels: kernels.length, multiplyAdds };
  }
  return out;
}

