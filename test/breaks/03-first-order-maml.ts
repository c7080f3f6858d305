/*
 * The planted breaks aimed at notebooks/03-first-order-maml.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';
import { swappedScores } from './swappedScores';

export const BREAKS: Mutation[] = [
  {
    name: 'fomaml returns 1.01× its value',
    file: 'meta/methods/fomaml.js',
    find: 'grads: grads.map((g) => tf.sum(g, 0))',
    replace: 'grads: grads.map((g) => tf.mul(1.01, tf.sum(g, 0)))',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed/,

    engine: 'tfjs',
  },
  {
    name: 'the float64 product formula multiplies by I + αH',
    file: 'derivations/exact.js',
    find: 'return backThroughInnerSteps(inst, inst.net.gradient(path[steps], inst.query), path.slice(0, steps));',
    replace: 'return backThroughInnerSteps(inst, inst.net.gradient(path[steps], inst.query), path.slice(0, steps), 1);',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: exact MAML on tfjs \(autodiff/,
    engine: 'tfjs',
  },
  {
    name: "the float64 MSE drops its 2/P (1/P)",
    file: 'derivations/float64Mlp.js',
    find: 'const scale = 2 / (data.points * outputs);',
    replace: 'const scale = 1 / (data.points * outputs);',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: without it, tfjs autodiff gives I − αH₀/,
    engine: 'tfjs',
  },
  // The stop-gradient itself: on the wrong branch, "first order" differentiates through the inner gradient and
  // exact MAML does not. Fails the step Jacobians, the stop-gradient route to FOMAML and, training on tfjs,
  // the live runs' MAML against FOMAML.
  {
    name: 'the inner step stops the gradient when firstOrder is false, not when it is true',
    file: 'meta/inner.js',
    find: 'const g = options.firstOrder ? (0, exports.stopGradient)(grads[i]) : grads[i];',
    replace: 'const g = options.firstOrder ? grads[i] : (0, exports.stopGradient)(grads[i]);',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: with the stop-gradient, the step's Jacobian is exactly I/,
    engine: 'tfjs',
  },
  // The float64 references behind the sweeps and the Taylor view.
  {
    name: "the float64 Hessian-vector product's R-pass leaves out the MSE's 2/P",
    file: 'derivations/float64Mlp.js',
    find: ": part === 'residual' ? new Float64Array(delta.length) : Ra[last].map((r) => scale * r);",
    replace: ": part === 'residual' ? new Float64Array(delta.length) : Ra[last].slice();",
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: without it, tfjs autodiff gives I − αH₀/,
    engine: 'kernel',
  },
  {
    name: "the float64 FOMAML reference takes the support set's gradient at θₖ, not the query set's",
    file: 'derivations/exact.js',
    find: 'return inst.net.gradient(innerTrajectory(inst, steps)[steps], inst.query);',
    replace: 'return inst.net.gradient(innerTrajectory(inst, steps)[steps], inst.support);',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: … though g and g_FO still point in nearly the same direction/,
    engine: 'kernel',
  },
  // The cost measurement: every count comes from the profile of one call.
  {
    name: 'measureCosts profiles the call without calling it (no kernels, every count 0)',
    file: 'derivations/cost.js',
    find: 'const profile = await tf.profile(() => tensorsOf(calls[name]()));',
    replace: 'const profile = await tf.profile(() => tensorsOf(calls[name]));',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: at k = 1, FOMAML does half of MAML's arithmetic/,
    engine: 'tfjs',
  },
  // The stored full runs (results/), read by `seedScores` and compared by `intervalGap`.
  {
    name: 'the stored-run reader gives 03 the 10-step score for one step and the other way round',
    file: 'meta/storedRun.js',
    find: 'return scored[String(at.steps)].mse;',
    replace: "return scored[at.steps === 1 ? '10' : '1'].mse;",
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: K = 10: seeds \(of 5\) where FOMAML's query MSE after one step is above MAML's/,
    engine: 'kernel',
  },
  // The live short runs: training that does not move θ leaves every trained score at the untrained start's.
  {
    name: "the kernel's trainer steps a copy of θ (θ never moves)",
    file: 'meta/kernelRoute.js',
    find: 'optimizer.step(theta, grad, state);',
    replace: 'optimizer.step(Float32Array.from(theta), grad, state);',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: maml: seeds \(of 3\) whose mean meta-loss over the last 50 iterations is below/,
    engine: 'kernel',
  },
  // Added by the lead for the claims the first pass left unguarded (issue 16's ledger).
  {
    name: 'the gap between two intervals leaves out their half-widths (the means alone)',
    file: 'derivations/numeric.js',
    find: 'return higher.mse - higher.ci95 - (lower.mse + lower.ci95);',
    replace: 'return higher.mse - lower.mse;',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: K = 10: seeds whose own 95% intervals separate the two/,
    engine: 'kernel',
  },
  {
    name: 'the float64 product formula stops before its first factor (the loop ends at i = 1)',
    file: 'derivations/exact.js',
    find: 'for (let i = points.length - 1; i >= 0; i--) {',
    replace: 'for (let i = points.length - 1; i > 0; i--) {',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: what FOMAML drops on this batch/,
    engine: 'kernel',
  },
  {
    name: 'the float64 product formula starts from the query gradient at θ₀, not at θₖ',
    file: 'derivations/exact.js',
    find: 'inst.net.gradient(path[steps], inst.query), path.slice(0, steps));',
    replace: 'inst.net.gradient(path[0], inst.query), path.slice(0, steps));',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  {
    name: 'each tfjs inner step keeps its intermediate tensors (gradientStep without tf.tidy)',
    file: 'meta/inner.js',
    find: 'return tf.tidy(() => {\n        const grads = tf.grads(',
    replace: 'return ((f) => f())(() => {\n        const grads = tf.grads(',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: FOMAML's peak grows by at most one parameter copy per step/,
    engine: 'kernel',
  },
  {
    name: "the K = 5 run stored seed 3's MAML and FOMAML scores under each other's names",
    ...swappedScores('sinusoid-finn2017-k5.json', 3, 'maml', 'fomaml'),
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: K = 5/,
    engine: 'kernel',
  },
  {
    name: 'the tfjs inner loop keeps every iterate θᵢ until the call ends (innerLoop without tf.tidy)',
    file: 'meta/inner.js',
    find: 'return tf.tidy(() => {\n        const stepLoss',
    replace: 'return ((f) => f())(() => {\n        const stepLoss',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed: iMAML's peak does not grow with k/,
    engine: 'kernel',
  },
  {
    name: 'the float64 MSE sums over the points instead of averaging (its gradient and Hessian are P times too large)',
    file: 'derivations/float64Mlp.js',
    find: 'const scale = 2 / (data.points * outputs);',
    replace: 'const scale = 2 / outputs;',
    notebook: '03-first-order-maml.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
];
