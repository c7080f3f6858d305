/*
 * The planted breaks aimed at notebooks/11-is-my-maml-exact.ipynb: deliberate bugs in the built package that
 * a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  {
    name: "the doctor's Hessian factors lose their α: I − H instead of I − αH",
    file: 'derivations/exact.js',
    find: 'x + sign * inst.alpha * hv[j]',
    replace: 'x + sign * hv[j]',
    notebook: '11-is-my-maml-exact.ipynb',
    caughtBy: /claim failed: of the four methods of metaGradient at k = 3, the doctor names/,
    engine: 'kernel',
  },
  {
    name: "the doctor's Reptile variant points the wrong way: θₖ − θ",
    file: 'derivations/metaGradientVariants.js',
    find: '(v - paths[t][k][j])',
    replace: '(paths[t][k][j] - v)',
    notebook: '11-is-my-maml-exact.ipynb',
    caughtBy: /claim failed: of the four methods of metaGradient at k = 3, the doctor names/,
    engine: 'kernel',
  },
];
