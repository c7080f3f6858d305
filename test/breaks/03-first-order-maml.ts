/*
 * The planted breaks aimed at notebooks/03-first-order-maml.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

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
];
