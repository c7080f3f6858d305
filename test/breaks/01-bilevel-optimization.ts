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
];
