/*
 * The planted breaks aimed at notebooks/10-kernel.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  {
    name: "the kernel's product formula takes half a step per Hessian factor",
    file: 'kernel/metaGradients.js',
    find: 'math.combine(n, s.v, 1, s.v, -s.alpha, s.hv)',
    replace: 'math.combine(n, s.v, 1, s.v, -s.alpha / 2, s.hv)',
    notebook: '10-kernel.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  // Notebooks 03 and 10: the engines against the float64 references, and what the kernel does.
  {
    name: "the kernel's product formula reads bank i instead of i − 1",
    file: 'kernel/metaGradients.js',
    find: 'math.bank(i - 1);',
    replace: 'math.bank(i);',
    notebook: '10-kernel.ipynb',
    caughtBy: /claim failed: k = 1: the kernel's product formula/,
    engine: 'kernel',
  },
  {
    name: "engine 'kernel' silently runs tfjs",
    file: 'meta/engine.js',
    find: 'const forced = option ?? requestedEngine();',
    replace: "const forced = option === 'kernel' ? 'tfjs' : option ?? requestedEngine();",
    notebook: '10-kernel.ipynb',
    caughtBy: /claim failed: the kernel dispatches no tfjs operation/,
    engine: 'kernel',
  },
  {
    name: 'the float64 Hessian-vector product has no Gauss–Newton part',
    file: 'derivations/float64Mlp.js',
    find: 'hessianVectorProduct: (theta, v, data) => backprop(theta, data, v),',
    replace: "hessianVectorProduct: (theta, v, data) => backprop(theta, data, v, 'residual'),",
    notebook: '10-kernel.ipynb',
    caughtBy: /claim failed: the kernel \(wasm SIMD\) against the float64 R-operator/,
    engine: 'kernel',
  },
];
