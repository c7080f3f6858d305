/*
 * The planted breaks aimed at notebooks/07-imaml.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  {
    name: 'iMAML uses I + λH instead of I + H/λ',
    file: 'meta/implicitSolve.js',
    find: 'tf.div(hv[i], lambda)',
    replace: 'tf.mul(hv[i], lambda)',
    notebook: '07-imaml.ipynb',
    // I + λH is indefinite where I + H/λ is not: CG refuses it with an error before any comparison is made.
    caughtBy: /claim failed|not positive definite/,

    engine: 'tfjs',
  },
  // Notebook 07's finite differences of the converged inner solve catch an unconverged or wrong iMAML.
  {
    name: "the kernel's iMAML conjugate gradient stops after one iteration (the solve is unconverged)",
    file: 'kernel/metaGradients.js',
    find: 'while (iterations < s.maxIterations && live()) {',
    replace: 'while (iterations < 1 && live()) {',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: maml-lab's iMAML gradient \(kernel/,
    engine: 'kernel',
  },
  {
    name: "tfjs iMAML's conjugate gradient stops after one iteration (the solve is unconverged)",
    file: 'meta/implicitSolve.js',
    find: 'while (iterations < maxIterations && live.some(Boolean)) {',
    replace: 'while (iterations < 1 && live.some(Boolean)) {',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: maml-lab's iMAML gradient \(tfjs/,
    engine: 'tfjs',
  },
  {
    name: 'the float64 iMAML inner loop drops the pull λ(θᵢ − θ)',
    file: 'derivations/exact.js',
    find: 'p - inst.alpha * (g[j] + lambda * (p - theta[j]))',
    replace: 'p - inst.alpha * g[j]',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: α = 0\.02: steps at which/,
    engine: 'kernel',
  },
  {
    name: 'the float64 implicit gradient takes the Hessian at θ instead of at the inner solution',
    file: 'derivations/exact.js',
    find: 'math.multiply(1 / lambda, hessian(inst, point))',
    replace: 'math.multiply(1 / lambda, hessian(inst, inst.theta))',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: the implicit gradient \(float64/,
    engine: 'kernel',
  },
];
