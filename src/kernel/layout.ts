/** A hidden-layer nonlinearity the kernel knows; the output layer is always linear. */
export type KernelActivation = 'identity' | 'relu' | 'tanh';

/** One layer in the padded layout: W [rows × o4] at `w`, b [o4] at `b` (offsets in floats). */
export interface KernelLayer {
  in: number;
  out: number;
  /** `out` rounded up to a multiple of 4: SIMD works on four outputs at a time. */
  o4: number;
  /** Rows of W: `in` for the first layer, the previous layer's o4 after it. */
  rows: number;
  w: number;
  b: number;
}

/**
 * Where every parameter of an MLP lives in the kernel's padded layout, and how it maps to the flat order
 * of maml-lab's parameter vectors (W₁ [in, out] row-major, b₁, W₂, b₂, …). Rows of W and b are padded to a
 * multiple of 4 floats with zeros, so that every row starts 16-byte aligned; the padding stays zero
 * through every pass.
 */
export interface KernelLayout {
  sizes: readonly number[];
  layers: readonly KernelLayer[];
  /** Parameters in the padded layout (a multiple of 4). */
  padded: number;
  /** Parameters in the flat order. */
  parameterCount: number;
  /** flatIndex[i]: the padded offset of flat parameter i. */
  flatIndex: Int32Array;
}

const round4 = (n: number) => (n + 3) & ~3;

/**
 * The padded layout of an MLP with these layer sizes (the same one the wasm kernel computes in `setup`).
 *
 * @example
 * import { kernelLayout } from 'maml-lab/kernel';
 * const layout = kernelLayout([1, 40, 40, 1]);
 * layout.parameterCount; // 1761
 * layout.padded; // 1884
 * layout.layers[2].rows; // 40
 */
export function kernelLayout(sizes: readonly number[]): KernelLayout {
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new RangeError(`sizes must list at least two positive integer layer sizes, got ${JSON.stringify(sizes)}`);
  }
  const layers: KernelLayer[] = [];
  let padded = 0;
  for (let l = 1; l < sizes.length; l++) {
    const o4 = round4(sizes[l]);
    const rows = l === 1 ? sizes[0] : round4(sizes[l - 1]);
    layers.push({ in: sizes[l - 1], out: sizes[l], o4, rows, w: padded, b: padded + rows * o4 });
    padded += rows * o4 + o4;
  }
  const parameterCount = layers.reduce((n, L) => n + L.in * L.out + L.out, 0);
  const flatIndex = new Int32Array(parameterCount);
  let k = 0;
  for (const L of layers) {
    for (let i = 0; i < L.in; i++) for (let j = 0; j < L.out; j++) flatIndex[k++] = L.w + i * L.o4 + j;
    for (let j = 0; j < L.out; j++) flatIndex[k++] = L.b + j;
  }
  return { sizes: [...sizes], layers, padded, parameterCount, flatIndex };
}

/**
 * Writes a flat parameter vector into `heap` at `at` in the padded layout (padding zeroed).
 *
 * @example
 * import { kernelLayout, packParameters } from 'maml-lab/kernel';
 * const layout = kernelLayout([1, 2, 1]); // W₁ [1, 2], b₁ [2], W₂ [2, 1], b₂ [1]: 7 parameters
 * const heap = new Float64Array(layout.padded);
 * packParameters(layout, [1, 2, 3, 4, 5, 6, 7], heap, 0);
 * Array.from(heap.subarray(0, 8)); // [1, 2, 0, 0, 3, 4, 0, 0]
 */
export function packParameters(layout: KernelLayout, flat: ArrayLike<number>, heap: Float32Array | Float64Array, at: number): void {
  if (flat.length !== layout.parameterCount) throw new RangeError(`expected ${layout.parameterCount} parameters, got ${flat.length}`);
  heap.fill(0, at, at + layout.padded);
  const index = layout.flatIndex;
  for (let i = 0; i < index.length; i++) heap[at + index[i]] = flat[i];
}

/**
 * Reads a padded vector from `heap` at `at` into a flat one (`out`, from `offset`), scaled by `scale`.
 *
 * @example
 * import { kernelLayout, packParameters, unpackParameters } from 'maml-lab/kernel';
 * const layout = kernelLayout([1, 2, 1]);
 * const heap = new Float32Array(layout.padded);
 * packParameters(layout, [1, 2, 3, 4, 5, 6, 7], heap, 0);
 * Array.from(unpackParameters(layout, heap, 0, new Float64Array(7))); // [1, 2, 3, 4, 5, 6, 7]
 */
export function unpackParameters<T extends Float32Array | Float64Array>(layout: KernelLayout, heap: Float32Array | Float64Array, at: number, out: T, offset = 0, scale = 1): T {
  const index = layout.flatIndex;
  for (let i = 0; i < index.length; i++) out[offset + i] = scale * heap[at + index[i]];
  return out;
}
