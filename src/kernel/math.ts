import type { KernelActivation, KernelLayout } from './layout';

/**
 * How many workspace banks a kernel can hold (`prepare`'s `banks`): the exact meta-gradient keeps one per
 * inner step up to this many and runs the passes again beyond (assembly/mlp.ts has the same bound).
 *
 * @example
 * import { MAX_BANKS } from 'maml-lab/kernel';
 * MAX_BANKS; // 16
 */
export const MAX_BANKS = 16;

/** The precision a kernel computes in. */
export type KernelPrecision = 'float32' | 'float64';

/**
 * The passes and vector operations every kernel algorithm is written in, on one heap of floats addressed by
 * element offsets: the wasm SIMD kernel (float32) and its TypeScript twin (float64) both provide them, so
 * the meta-gradients and Hessians are written once. Vectors are in the padded layout (`KernelLayout`),
 * `padded` floats long; points are [points × features] row-major.
 */
export interface KernelMath {
  readonly precision: KernelPrecision;
  readonly layout: KernelLayout;
  readonly activation: KernelActivation;
  /**
   * Lays out the passes' workspace for up to `maxPoints` points, in `banks` copies (default 1; at most
   * MAX_BANKS), selects bank 0, and returns the offset of `floats` free floats after it (16-byte aligned),
   * growing the heap when needed. Invalidates earlier views from `heap()`.
   */
  prepare(maxPoints: number, floats: number, banks?: number): number;
  /**
   * Selects the workspace bank the passes use: each holds one point's forward pass and δ, so products at
   * an earlier point need not run its passes again.
   */
  bank(b: number): void;
  /** The heap as it is now (a view that `prepare` may replace). */
  heap(): Float32Array | Float64Array;
  /** g ← ∇L(θ) of the MSE on (x, y); returns L. Leaves this point's passes in the bank, as `forward` + `sharedBackward` would. */
  lossGradient(theta: number, x: number, y: number, points: number, g: number): number;
  forward(theta: number, x: number, points: number): void;
  lossAfterForward(y: number, points: number): number;
  /** After `forward` on `points` points: writes the network's outputs into `out`, [points × outputs] row-major. */
  outputsAfterForward(points: number, out: Float64Array): void;
  /**
   * out ← A·v at θ on (x, y): A = H (mode 1), its Gauss–Newton part (2), its residual part (3). The bank
   * must hold this point's `forward`, and for modes 1 and 3 its `sharedBackward` (or `lossGradient`).
   */
  productAfterForward(mode: 1 | 2 | 3, theta: number, v: number, x: number, y: number, points: number, out: number): void;
  /** After `forward`: the direction-free part of the backward pass (δ of every layer), for the products. */
  sharedBackward(theta: number, y: number, points: number): void;
  /**
   * out ← A·e after `forward` and `sharedBackward`, e the unit vector of layer l's weight (row i, column k),
   * or of its bias entry k when i < 0: A = H (mode 1) or its residual part (3). A column of the matrix.
   */
  unitProduct(mode: 1 | 3, theta: number, l: number, i: number, k: number, x: number, points: number, out: number): void;
  /** g ← ∇θ M_o, the gradient of output o, after `forward` on one point. */
  outputGradientAfterForward(theta: number, x: number, o: number, g: number): void;
  /** Writes the padded vector at v into `out` from `offset` on, in the flat parameter order. */
  readFlat(v: number, out: Float64Array, offset: number): void;
  /**
   * acc ← acc + a·x over n entries, acc a float64 accumulator that takes the room of two vectors (2n floats
   * of the heap, in either twin): for means over many tasks, whose rounding would otherwise grow with them.
   */
  accumulate(n: number, acc: number, a: number, x: number): void;
  /** Writes the accumulator at `acc` (padded, `layout.padded` entries) into `out` in the flat parameter order. */
  readAccumulator(acc: number, out: Float64Array): void;
  /** out ← a·x + b·y over n floats. */
  combine(n: number, out: number, a: number, x: number, b: number, y: number): void;
  /** out ← a·x + b·y + c·z over n floats. */
  combine3(n: number, out: number, a: number, x: number, b: number, y: number, c: number, z: number): void;
  dot(n: number, x: number, y: number): number;
  /** G ← G + s·JᵀJ for J [rows × n] and G [n × n]. */
  gramAdd(G: number, J: number, rows: number, n: number, s: number): void;
}

