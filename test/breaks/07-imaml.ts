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
  // The converged solution, the CG stopping rule, the float64 iterates and Hessian, the λ in the system, memory.
  {
    name: "the float64 Newton solve for θ⋆ compares the squared norm of the regularised gradient with its tolerance (it stops early)",
    file: 'derivations/exact.js',
    find: 'if (Math.hypot(...g) <= tolerance)',
    replace: 'if (g.reduce((s, v) => s + v * v, 0) <= tolerance)',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: θ⋆ solves each task's inner problem/,
    engine: 'kernel',
  },
  {
    name: "the kernel's conjugate gradient defaults to a tolerance of 1e-8, not 1e-4 (it runs on past the default stop)",
    file: 'kernel/metaGradients.js',
    find: 'tolerance: options.cg?.tolerance ?? 1e-4,',
    replace: 'tolerance: options.cg?.tolerance ?? 1e-8,',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: … and at the first iteration that gets there/,
    engine: 'kernel',
  },
  {
    name: 'the float64 iMAML inner loop pulls away from θ (the proximal term has the wrong sign)',
    file: 'derivations/exact.js',
    find: 'path.push(current.map((p, j) => p - inst.alpha * (g[j] + lambda * (p - theta[j]))));',
    replace: 'path.push(current.map((p, j) => p - inst.alpha * (g[j] + lambda * (theta[j] - p))));',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: α = 0\.02: steps at which/,
    engine: 'kernel',
  },
  {
    name: 'the float64 MSE sums over the points instead of averaging (its gradient and Hessian are P times too large)',
    file: 'derivations/float64Mlp.js',
    find: 'const scale = 2 / (data.points * outputs);',
    replace: 'const scale = 2 / outputs;',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  {
    name: "the kernel's conjugate gradient solves (λI + H)x = b, the system times λ (the gradient comes out λ times too small)",
    file: 'kernel/metaGradients.js',
    find: 'math.combine(n, s.Ap, 1, s.p, 1 / s.lambda, s.hv);',
    replace: 'math.combine(n, s.Ap, s.lambda, s.p, 1, s.hv);',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: maml-lab's iMAML gradient \(kernel/,
    engine: 'kernel',
  },
  {
    name: "tfjs iMAML's conjugate gradient solves (λI + H)x = b, the system times λ (the gradient comes out λ times too small)",
    file: 'meta/implicitSolve.js',
    find: 'return v.map((x, i) => tf.add(x, tf.div(hv[i], lambda)));',
    replace: 'return v.map((x, i) => tf.add(tf.mul(x, lambda), hv[i]));',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: maml-lab's iMAML gradient \(tfjs/,
    engine: 'tfjs',
  },
  {
    name: "tfjs iMAML takes the query gradient through its inner loop, as MAML does (a tape kept over every inner step)",
    file: 'meta/methods/imaml.js',
    find: 'const { value, grads } = tf.valueAndGrads((...p) => tf.mean(loss(p, tasks.query)))(phi);',
    replace: 'const { value, grads } = tf.valueAndGrads((...p) => tf.mean(loss((0, inner_1.innerLoop)(loss, p, tasks.support, { alpha, steps, proximal: { lambda, anchor: theta } }), tasks.query)))(theta);',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: maml-lab's iMAML gradient \(tfjs/,
    engine: 'tfjs',
  },
  {
    name: "measureCosts reports the bytes a call leaves alive (the profile's newBytes), not its peak",
    file: 'derivations/cost.js',
    find: 'const peakBytes = kernels.length ? profile.peakBytes - bytesBefore : 0;',
    replace: 'const peakBytes = kernels.length ? profile.newBytes : 0;',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: tfjs, MAML: smallest growth per inner step/,
    engine: 'kernel',
  },
];
