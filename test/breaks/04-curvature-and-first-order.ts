/*
 * The planted breaks aimed at notebooks/04-curvature-and-first-order.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  {
    name: "the quadratic's gradient drops the ½ shift (C θ + g for C(θ − ½) + g)",
    file: 'derivations/quadratic.js',
    find: "const Cd = matVec(C, checkVector('theta', theta, n).map((t) => t - 0.5));",
    replace: "const Cd = matVec(C, checkVector('theta', theta, n).map((t) => t));",
    notebook: '04-curvature-and-first-order.ipynb',
    caughtBy: /claim failed: .*C\(θ − ½\) \+ g against tfjs autodiff/,
    engine: 'tfjs',
  },
  {
    name: "the first-order error's length ratio is inverted",
    file: 'derivations/quadratic.js',
    find: 'lengthRatio: (0, numeric_1.norm)(gv) / size',
    replace: 'lengthRatio: size / (0, numeric_1.norm)(gv)',
    notebook: '04-curvature-and-first-order.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
  // Issue 16: each ✓ claim of the notebook is failed by some break below.
  {
    name: 'the quadratic gradient subtracts g: C(θ − ½) − g',
    file: 'derivations/quadratic.js',
    find: 'return Float64Array.from(Cd, (v, i) => v + gv[i]);',
    replace: 'return Float64Array.from(Cd, (v, i) => v - gv[i]);',
    notebook: '04-curvature-and-first-order.ipynb',
    caughtBy: /claim failed: C\(θ − ½\) \+ g against tfjs autodiff/,
    engine: 'tfjs',
  },
  {
    name: 'the quadratic gradient is returned in float32 (a Float32Array)',
    file: 'derivations/quadratic.js',
    find: 'return Float64Array.from(Cd, (v, i) => v + gv[i]);',
    replace: 'return Float32Array.from(Cd, (v, i) => v + gv[i]);',
    notebook: '04-curvature-and-first-order.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
  {
    name: "firstOrderError's angle is in radians",
    file: 'derivations/quadratic.js',
    find: 'angleDegrees: (angle * 180) / Math.PI,',
    replace: 'angleDegrees: angle,',
    notebook: '04-curvature-and-first-order.ipynb',
    caughtBy: /claim failed: at the page's start, the angle between g and ∇f\(θ\)/,
    engine: 'tfjs',
  },


  {
    name: 'symmetricEigenvalues leaves out the last off-diagonal entry of a 2 × 2 matrix',
    file: 'derivations/symmetricEigenvalues.js',
    find: 'if (n >= 2)\n        off[n - 2]',
    replace: 'if (n > 2)\n        off[n - 2]',
    notebook: '04-curvature-and-first-order.ipynb',
    caughtBy: /claim failed: \(1\) C⁻¹g = \(0\.4, 0\.4\)/,
    engine: 'tfjs',
  },
];
