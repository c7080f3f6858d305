/*
 * The planted breaks aimed at notebooks/01-bilevel-optimization.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  {
    name: "the float64 Hessian drops the MSE's 2/P",
    file: 'derivations/float64Mlp.js',
    find: ': Ra[last].map((r) => scale * r);',
    replace: ': Ra[last].map((r) => r);',
    notebook: '01-bilevel-optimization.ipynb',
    caughtBy: /claim failed: the total derivative is \(I − αH₀\) times the partial one/,
    engine: 'kernel',
  },
  // The float64 route of the first sections: the inner loop, the total derivative, the outer loop.
  {
    name: "the float64 MSE's residual has its sign flipped (y − f instead of f − y): every float64 gradient points uphill",
    file: 'derivations/float64Mlp.js',
    find: 'a[last].map((o, j) => scale * (o - y[j]));',
    replace: 'a[last].map((o, j) => scale * (y[j] - o));',
    notebook: '01-bilevel-optimization.ipynb',
    caughtBy: /claim failed: the support loss falls at every inner step/,
    engine: 'kernel',
  },
  {
    name: "the float64 inner step takes the support gradient at the task's θ, not at the current iterate (a stale point)",
    file: 'derivations/exact.js',
    find: 'const g = inst.net.gradient(theta, inst.support);',
    replace: 'const g = inst.net.gradient(inst.theta, inst.support);',
    notebook: '01-bilevel-optimization.ipynb',
    caughtBy: /claim failed: the total derivative is not the partial one/,
    engine: 'kernel',
  },
  // The sinusoid comparison: the evaluation, the interval test and the stored run.
  {
    name: "the kernel's evaluation steps up the support gradient (+α∇L instead of −α∇L)",
    file: 'kernel/adaptation.js',
    find: 'phi, 1, phi, -alpha, g);',
    replace: 'phi, 1, phi, alpha, g);',
    notebook: '01-bilevel-optimization.ipynb',
    caughtBy: /claim failed: after one step, MAML's query MSE is below/,
    engine: 'kernel',
  },
  {
    name: 'the gap between two intervals is taken the wrong way round (the lower interval minus the higher)',
    file: 'derivations/numeric.js',
    find: 'return higher.mse - higher.ci95 - (lower.mse + lower.ci95);',
    replace: 'return lower.mse - lower.ci95 - (higher.mse + higher.ci95);',
    notebook: '01-bilevel-optimization.ipynb',
    caughtBy: /claim failed: after one step, MAML's query MSE is below/,
    engine: 'kernel',
  },
  {
    name: 'the stored run is one trained for 7,000 iterations, not the paper\'s 70,000',
    file: 'results/sinusoid-finn2017-k10.json',
    find: '"shots": 10,\n  "iterations": 70000,',
    replace: '"shots": 10,\n  "iterations": 7000,',
    notebook: '01-bilevel-optimization.ipynb',
    caughtBy: /claim failed: the stored run trained for the paper's 70,000 iterations/,
    engine: 'kernel',
  },
  {
    name: "maml-lab's tanh saves its output y and differentiates as dy·(1 − y²), as tf.tanh does (y is then a constant to a second derivative)",
    file: 'meta/activations.js',
    find: 'save([x]);\n    return {\n        value: tf.tanh(x),\n        gradFunc: (dy, saved) => tf.mul(dy, tf.sub(1, tf.square((0, exports.tanh)(saved[0])))),',
    replace: 'const y = tf.tanh(x);\n    save([y]);\n    return {\n        value: y,\n        gradFunc: (dy, saved) => tf.mul(dy, tf.sub(1, tf.square(saved[0]))),',
    notebook: '01-bilevel-optimization.ipynb',
    caughtBy: /claim failed/, // first: "Gradients of gradients" on the tanh network, then the three tanh claims
    engine: 'kernel',
  },
];
