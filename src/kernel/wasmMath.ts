import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { KernelActivation } from './layout';
import type { KernelMath } from './math';
import { wasmMathFromModule, type WasmModule } from './wasmInstance';

/*
 * The kernel in Node: mlp.wasm read from disk and compiled once per process; the instance itself is made
 * by wasmInstance.ts, which the browser's Worker shares.
 */
const Wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule } }).WebAssembly;

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
  return wasmMathFromModule(wasmModule(), sizes, activation);
}
