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
    find: 'const hv = inst.net.hessianVectorProduct(path[i - 1], v, inst.support);',
    replace: 'const hv = inst.net.hessianVectorProduct(path[0], v, inst.support);',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  {
    name: "the derivation's checks accept any error (tolerance × 10⁶)",
    file: 'derivations/check.js',
    find: 'maxRelError <= tolerance.relative;',
    replace: 'maxRelError <= 1e6 * tolerance.relative;',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed: the checks reject the wrong formula/,
    engine: 'kernel',
  },
];
