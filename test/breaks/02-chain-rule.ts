/*
 * The planted breaks aimed at notebooks/02-chain-rule.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  {
    name: 'the exact method drops one Hessian factor (the first inner gradient is a constant)',
    file: 'meta/inner.js',
    find: '{ firstOrder: loop.firstOrder, pull }',
    replace: '{ firstOrder: loop.firstOrder || i === 0, pull }',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,

    engine: 'tfjs',
  },
  // Notebooks 01 and 02: the derivation's checks against symbolic, float64 and finite-difference routes.
  {
    name: 'the symbolic inner update adds the gradient instead of subtracting it',
    file: 'derivations/symbolic.js',
    find: "new math.OperatorNode('-', 'subtract', [thetaSymbols[p]",
    replace: "new math.OperatorNode('+', 'add', [thetaSymbols[p]",
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed: the total derivative dF\/dθ/,
    engine: 'kernel',
  },
  {
    name: 'the float64 product formula takes every Hessian at θ',
    file: 'derivations/exact.js',
    find: 'const hv = inst.net.hessianVectorProduct(points[i], out, inst.support);',
    replace: 'const hv = inst.net.hessianVectorProduct(points[0], out, inst.support);',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  {
    name: "the derivation's checks scale every tolerance by 10⁶ (they accept any error)",
    file: 'derivations/check.js',
    find: 'function compareRoutes(name, instance, reference, candidate, tolerance, note) {',
    replace: 'function compareRoutes(name, instance, reference, candidate, tolerance, note) {\n    tolerance = { ...tolerance, relative: 1e6 * tolerance.relative };',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed: the checks reject the wrong formula/,
    engine: 'kernel',
  },
  // The one-dimensional example, the inner loop, ∇θθ₀ = I, the stop-gradient and the first-order terms.
  {
    name: "deriveSymbolically's first-order value takes the query gradient on the support set",
    file: 'derivations/symbolic.js',
    find: 'const query = gradient(spec.query, path[steps]);',
    replace: 'const query = gradient(spec.support, path[steps]);',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed: the partial derivative L⁽¹⁾′\(θ₂\)/,
    engine: 'kernel',
  },
  {
    name: "the autodiff Jacobian's rows come out in reverse order",
    file: 'derivations/autodiff.js',
    find: 'const e = tf.oneHot(i, m).asType',
    replace: 'const e = tf.oneHot(m - 1 - i, m).asType',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
  {
    name: "stopGradient's value and gradient are swapped (zero forwards, the identity backwards)",
    file: 'meta/inner.js',
    find: 'value: tf.clone(x),\n    gradFunc: (dy) => tf.zerosLike(dy),',
    replace: 'value: tf.zerosLike(x),\n    gradFunc: (dy) => tf.clone(dy),',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
  {
    name: 'mamlLoss starts the inner loop at stopGradient(θ) (θ₀ taken as a fresh copy of θ): no gradient reaches θ',
    file: 'meta/inner.js',
    find: 'loss(innerLoop(loss, (0, batchedLoss_1.perTask)(params, tasks.count), tasks.support, loop), tasks.query)',
    replace: 'loss(innerLoop(loss, (0, batchedLoss_1.perTask)(params.map((p) => (0, exports.stopGradient)(p)), tasks.count), tasks.support, loop), tasks.query)',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
  {
    name: "FOMAML's float64 query gradient is taken at θₖ₋₁ instead of θₖ",
    file: 'derivations/exact.js',
    find: 'return inst.net.gradient(innerTrajectory(inst, steps)[steps], inst.query);',
    replace: 'return inst.net.gradient(innerTrajectory(inst, steps)[steps - 1], inst.query);',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  {
    name: "the float64 gradient uses ½MSE's factor 1/P while its Hessian keeps the MSE's 2/P",
    file: 'derivations/float64Mlp.js',
    find: 'a[last].map((o, j) => scale * (o - y[j]));',
    replace: 'a[last].map((o, j) => (scale / 2) * (o - y[j]));',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
];
