import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { kernelLayout, type KernelActivation } from './layout';
import { MAX_BANKS, type KernelMath } from './math';

/*
 * The slice of the WebAssembly JavaScript API used here: the project's lib settings (ES2022, Node's types)
 * do not declare the WebAssembly global, though every Node version maml-lab supports has it.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
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
}

const ACTIVATION_CODE: Readonly<Record<KernelActivation, number>> = { identity: 0, relu: 1, tanh: 2 };
const PAGE = 65536;

let compiled: WasmModule | undefined;

/**
 * Where mlp.wasm is: beside this file in the published package (dist/kernel), or in dist/kernel when this
 * file runs from src/ (tests and scripts through tsx, after `npm run build`).
 */
function wasmPath(): string {
  const candidates = [path.join(__dirname, 'mlp.wasm'), path.resolve(__dirname, '..', '..', 'dist', 'kernel', 'mlp.wasm')];
  const found = candidates.find((file) => existsSync(file));
  if (found !== undefined) return found;
  throw new Error(`maml-lab: the compiled kernel mlp.wasm is missing (looked in ${candidates.join(' and ')}); run \`npm run build\``);
}

/** The compiled module, once per process (instances are cheap; compiling is not). */
function wasmModule(): WasmModule {
  compiled ??= new Wasm.Module(readFileSync(wasmPath()));
  return compiled;
}

/**
 * The float32 WebAssembly SIMD kernel for one MLP: its own instance and memory, laid out for the network
 * on creation. Offsets given to and taken from it are in floats; the memory grows as problems need and
 * is then reused, so repeated calls of the same size allocate nothing.
 *
 * @example
 * import { packParameters, planHeap, wasmMath } from 'maml-lab/kernel';
 * const math = wasmMath([1, 4, 1], 'tanh');
 * math.layout.padded; // 28
 * // θ and a gradient, and two points x = 0, 1 with y = 0
 * const plan = planHeap(math, 2, [{ x: [0, 1], y: [0, 0], tasks: 1, points: 2 }]);
 * const [theta, g] = plan.vectors;
 * packParameters(math.layout, new Array(13).fill(0.5), math.heap(), theta);
 * const loss = math.lossGradient(theta, plan.points[0].x, plan.points[0].y, 2, g);
 * loss > 0; // true
 */
export function wasmMath(sizes: readonly number[], activation: KernelActivation): KernelMath {
  const layout = kernelLayout(sizes);
  const exports = new Wasm.Instance(wasmModule(), {
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
  const ensure = (bytes: number) => {
    if (bytes > memory.buffer.byteLength) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
      view = new Float32Array(memory.buffer);
      wide = undefined;
    }
  };
  const f = (offset: number) => offset * 4;

  return {
    precision: 'float32',
    layout,
    activation,
    prepare(maxPoints, floats, banks = 1) {
      if (!Number.isInteger(banks) || banks < 1 || banks > MAX_BANKS) throw new RangeError(`banks must be an integer in [1, ${MAX_BANKS}], got ${banks}`);
      if (maxPoints !== preparedPoints || banks !== preparedBanks) {
        ensure(fixedEnd);
        new Int32Array(memory.buffer, base, sizes.length).set(sizes);
        new Int32Array(memory.buffer, indexAt, N).set(layout.flatIndex);
        const work = Math.ceil(fixedEnd / 16) * 16;
        workEnd = exports.setup(base, sizes.length, ACTIVATION_CODE[activation], maxPoints, work, banks);
        ensure(workEnd);
        exports.clearWorkspace();
        if (exports.paddedCount() !== layout.padded) throw new Error('maml-lab: the wasm kernel and its wrapper disagree on the layout');
        preparedPoints = maxPoints;
        preparedBanks = banks;
      }
      exports.selectBank(0);
      const start = Math.ceil(workEnd / 16) * 16;
      ensure(start + 4 * floats);
      return start / 4;
    },
    heap: () => view,
    bank: (b) => exports.selectBank(b),
    lossGradient: (theta, x, y, points, g) => exports.lossGradient(f(theta), f(x), f(y), points, f(g)),
    forward: (theta, x, points) => exports.forward(f(theta), f(x), points),
    lossAfterForward: (y, points) => exports.lossAfterForward(f(y), points),
    productAfterForward: (mode, theta, v, x, y, points, out) => exports.productAfterForward(mode, f(theta), f(v), f(x), f(y), points, f(out)),
    outputGradientAfterForward: (theta, x, o, g) => exports.outputGradientAfterForward(f(theta), f(x), o, f(g)),
    sharedBackward: (theta, y, points) => exports.sharedBackward(f(theta), f(y), points),
    unitProduct: (mode, theta, l, i, k, x, points, out) => exports.unitProduct(mode, f(theta), l, i, k, f(x), points, f(out)),
    readFlat(v, out, offset) {
      exports.gatherWide(f(v), indexAt, N, wideAt);
      wide ??= new Float64Array(memory.buffer, wideAt, N);
      out.set(wide, offset);
    },
    combine: (n, out, a, x, b, y) => exports.combine(n, f(out), a, f(x), b, f(y)),
    combine3: (n, out, a, x, b, y, c, z) => exports.combine3(n, f(out), a, f(x), b, f(y), c, f(z)),
    dot: (n, x, y) => exports.dot(n, f(x), f(y)),
    gramAdd: (G, J, rows, n, s) => exports.gramAdd(f(G), f(J), rows, n, s),
  };
}
