import { kernelLayout, type KernelActivation, type KernelLayout } from './layout';
import { MAX_BANKS, type KernelMath } from './math';

/*
 * The slice of the WebAssembly JavaScript API used here: the project's lib settings (ES2022, Node's types)
 * do not declare the WebAssembly global, though every Node version maml-lab supports has it.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
/** A compiled WebAssembly.Module (typed loosely: see above). */
export type WasmModule = object;
const Wasm = (globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule; Instance: new (module: WasmModule, imports: object) => { exports: unknown } };
}).WebAssembly;

/** The exports of mlp.wasm (compiled from ./assembly/mlp.ts); pointers are byte offsets. */
interface MlpExports {
  memory: WasmMemory;
  setup(sizes: number, count: number, activation: number, maxPoints: number, work: number, banks: number): number;
  selectBank(b: number): void;
  clearWorkspace(): void;
  paddedCount(): number;
  forward(theta: number, x: number, points: number): void;
  lossAfterForward(y: number, points: number): number;
  lossGradient(theta: number, x: number, y: number, points: number, g: number): number;
  productAfterForward(mode: number, theta: number, v: number, x: number, y: number, points: number, out: number): void;
  outputGradientAfterForward(theta: number, x: number, o: number, g: number): void;
  sharedBackward(theta: number, y: number, points: number): void;
  unitProduct(mode: number, theta: number, l: number, i: number, k: number, x: number, points: number, out: number): void;
  combine(n: number, out: number, a: number, x: number, b: number, y: number): void;
  combine3(n: number, out: number, a: number, x: number, b: number, y: number, c: number, z: number): void;
  dot(n: number, x: number, y: number): number;
  gramAdd(G: number, J: number, rows: number, n: number, s: number): void;
  gatherWide(src: number, index: number, n: number, dst: number): void;
  accumulate(n: number, acc: number, a: number, x: number): void;
}

const ACTIVATION_CODE: Readonly<Record<KernelActivation, number>> = { identity: 0, relu: 1, tanh: 2 };
const PAGE = 65536;
/** wasm32 addresses 4 GiB: 65536 pages of 64 KiB. */
const MAX_MEMORY = 65536 * PAGE;
/** i32 fields per layer in the kernel's table (assembly/mlp.ts, FIELDS). */
const FIELDS = 12;
/** The field of a layer's pre-activations a (assembly/mlp.ts, A_AT): the last layer's a is the output. */
const A_AT = 6;
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * Where the kernel's workspace ends when `setup` lays it out from byte `work` for `maxPoints` points in
 * `banks` banks: the same arithmetic as assembly/mlp.ts (its table of banks × layers × 12 i32s, then per
 * bank and layer a, h, Ra, Rh (h and Rh shared with a and Ra where linear), δ and δWᵀ, then six scratch
 * blocks and a row of zeros), done here in float64 so that a plan too large for wasm is refused before the
 * kernel's 32-bit pointers could wrap.
 *
 * @example
 * import { kernelLayout, workspaceEnd } from 'maml-lab/kernel';
 * // [1, 4, 1] relu, 2 points, 1 bank, from 0: the table (2 layers · 12 i32s = 96 B), layer 1's a, h, Ra,
 * // Rh, δ (32 B each) and δWᵀ (8 B), layer 2's a, Ra, δ and δWᵀ (32 B each), 16-byte aligned (400),
 * // then six scratch blocks (2 points · 4 floats) and a row of zeros (16 B)
 * workspaceEnd(kernelLayout([1, 4, 1]), 'relu', 2, 1, 0); // 608
 */
export function workspaceEnd(layout: KernelLayout, activation: KernelActivation, maxPoints: number, banks: number, work: number): number {
  const { layers } = layout;
  let at = align16(work + banks * layers.length * FIELDS * 4);
  const maxWidth = Math.max((layout.sizes[0] + 3) & ~3, ...layers.map((l) => l.o4));
  for (let bank = 0; bank < banks; bank++) {
    layers.forEach((layer, l) => {
      const block = maxPoints * layer.o4 * 4;
      const linear = l === layers.length - 1 || activation === 'identity';
      at += (linear ? 3 : 5) * block + maxPoints * layer.rows * 4;
    });
  }
  return align16(at) + 6 * maxPoints * maxWidth * 4 + maxWidth * 4;
}

const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);

/**
 * The float32 WebAssembly SIMD kernel for one MLP, from the compiled mlp.wasm (`module`, a
 * WebAssembly.Module): its own instance and memory, laid out for the network on creation. Offsets given to and taken from it are in floats; the memory grows as problems need and
 * is then reused, so repeated calls of the same size allocate nothing.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { packParameters, planHeap, wasmMathFromModule } from 'maml-lab/kernel';
 * // mlp.wasm as `npm run build` leaves it; a page's Worker passes the bytes it carries inline
 * const compiled = new WebAssembly.Module(readFileSync('dist/kernel/mlp.wasm'));
 * const math = wasmMathFromModule(compiled, [1, 4, 1], 'tanh');
 * math.layout.padded; // 28
 * // θ and a gradient, and two points x = 0, 1 with y = 0
 * const plan = planHeap(math, 2, [{ x: [0, 1], y: [0, 0], tasks: 1, points: 2 }]);
 * const [theta, g] = plan.vectors;
 * packParameters(math.layout, new Array(13).fill(0.5), math.heap(), theta);
 * const loss = math.lossGradient(theta, plan.points[0].x, plan.points[0].y, 2, g);
 * loss > 0; // true
 */
export function wasmMathFromModule(module: WasmModule, sizes: readonly number[], activation: KernelActivation): KernelMath {
  const layout = kernelLayout(sizes);
  const exports = new Wasm.Instance(module, {
    env: {
      abort: () => {
        throw new Error('maml-lab: the wasm kernel aborted');
      },
    },
  }).exports as unknown as MlpExports;
  const memory = exports.memory;
  // The start of free memory: past the module's static data, 16-byte aligned.
  const base = Math.ceil(memory.buffer.byteLength / 16) * 16;
  let view = new Float32Array(memory.buffer);
  let wide: Float64Array | undefined; // the float64 vector of `readFlat`, viewed once per memory buffer
  // At `base`, fixed for the instance's life: the layer sizes, the flat-to-padded index and a float64
  // vector for `readFlat`; the workspace and each call's vectors follow.
  const N = layout.parameterCount;
  const indexAt = base + 16 * Math.ceil((4 * sizes.length) / 16);
  const wideAt = indexAt + 16 * Math.ceil((4 * N) / 16);
  const fixedEnd = wideAt + 8 * N;
  let preparedPoints = -1;
  let preparedBanks = -1;
  let workEnd = 0;
  let selected = 0; // the bank the passes use
  const L = layout.layers.length;
  const outputs = sizes[sizes.length - 1];
  const o4 = layout.layers[L - 1].o4;
  const ensure = (bytes: number) => {
    if (bytes <= memory.buffer.byteLength) return;
    try {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    } catch (error) {
      throw new RangeError(`maml-lab kernel: could not grow its memory to ${gib(bytes)} GiB (${(error as Error).message}); use fewer tasks or points per call, or a narrower network`);
    }
    view = new Float32Array(memory.buffer);
    wide = undefined;
  };
  const f = (offset: number) => offset * 4;

  return {
    precision: 'float32',
    layout,
    activation,
    prepare(maxPoints, floats, banks = 1) {
      if (!Number.isInteger(banks) || banks < 1 || banks > MAX_BANKS) throw new RangeError(`banks must be an integer in [1, ${MAX_BANKS}], got ${banks}`);
      const work = align16(fixedEnd);
      const end = workspaceEnd(layout, activation, maxPoints, banks, work);
      const needed = align16(end) + 4 * floats;
      if (needed > MAX_MEMORY) {
        throw new RangeError(
          `maml-lab kernel: this call needs ${gib(needed)} GiB of memory (${gib(end - work)} GiB of workspace for ${maxPoints} points per task in ${banks} bank(s), ` +
            `${gib(4 * floats)} GiB of parameters and points), more than wasm's 4 GiB: use fewer points per task or fewer tasks per call, fewer inner steps (up to ${MAX_BANKS - 1} keep a bank each), or a narrower or shallower network`,
        );
      }
      if (maxPoints !== preparedPoints || banks !== preparedBanks) {
        preparedPoints = -1; // until the layout below is complete
        ensure(end);
        new Int32Array(memory.buffer, base, sizes.length).set(sizes);
        new Int32Array(memory.buffer, indexAt, N).set(layout.flatIndex);
        // `setup` returns a usize: read unsigned, or ends past 2 GiB come back negative.
        workEnd = exports.setup(base, sizes.length, ACTIVATION_CODE[activation], maxPoints, work, banks) >>> 0;
        if (workEnd !== end) throw new Error(`maml-lab: the wasm kernel and its wrapper disagree on the workspace (ends at ${workEnd} and ${end})`);
        exports.clearWorkspace();
        if (exports.paddedCount() !== layout.padded) throw new Error('maml-lab: the wasm kernel and its wrapper disagree on the layout');
        preparedPoints = maxPoints;
        preparedBanks = banks;
      }
      exports.selectBank(0);
      selected = 0;
      const start = Math.ceil(workEnd / 16) * 16;
      ensure(start + 4 * floats);
      return start / 4;
    },
    heap: () => view,
    bank(b) {
      exports.selectBank(b);
      selected = b;
    },
    lossGradient: (theta, x, y, points, g) => exports.lossGradient(f(theta), f(x), f(y), points, f(g)),
    forward: (theta, x, points) => exports.forward(f(theta), f(x), points),
    lossAfterForward: (y, points) => exports.lossAfterForward(f(y), points),
    outputsAfterForward(points, out) {
      // The last layer's a, found in the selected bank's table (written by `setup` at the workspace's start).
      const table = align16(fixedEnd) + 4 * FIELDS * (selected * L + L - 1);
      const at = new Int32Array(memory.buffer, table + 4 * A_AT, 1)[0] / 4;
      for (let p = 0; p < points; p++) for (let o = 0; o < outputs; o++) out[p * outputs + o] = view[at + p * o4 + o];
    },
    productAfterForward: (mode, theta, v, x, y, points, out) => exports.productAfterForward(mode, f(theta), f(v), f(x), f(y), points, f(out)),
    outputGradientAfterForward: (theta, x, o, g) => exports.outputGradientAfterForward(f(theta), f(x), o, f(g)),
    sharedBackward: (theta, y, points) => exports.sharedBackward(f(theta), f(y), points),
    unitProduct: (mode, theta, l, i, k, x, points, out) => exports.unitProduct(mode, f(theta), l, i, k, f(x), points, f(out)),
    readFlat(v, out, offset) {
      exports.gatherWide(f(v), indexAt, N, wideAt);
      wide ??= new Float64Array(memory.buffer, wideAt, N);
      out.set(wide, offset);
    },
    accumulate: (n, acc, a, x) => exports.accumulate(n, f(acc), a, f(x)),
    readAccumulator(acc, out) {
      const sums = new Float64Array(memory.buffer, f(acc), layout.padded);
      const index = layout.flatIndex;
      for (let i = 0; i < index.length; i++) out[i] = sums[index[i]];
    },
    combine: (n, out, a, x, b, y) => exports.combine(n, f(out), a, f(x), b, f(y)),
    combine3: (n, out, a, x, b, y, c, z) => exports.combine3(n, f(out), a, f(x), b, f(y), c, f(z)),
    dot: (n, x, y) => exports.dot(n, f(x), f(y)),
    gramAdd: (G, J, rows, n, s) => exports.gramAdd(f(G), f(J), rows, n, s),
  };
}
