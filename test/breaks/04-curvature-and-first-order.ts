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
];
