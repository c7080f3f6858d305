/*
 * The planted breaks aimed at notebooks/09-four-methods.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  // Notebooks 04 and 09: the quadratic closed forms against tfjs autodiff and central differences.
  {
    name: 'the Lanczos eigenvalues are sorted in reverse',
    file: 'meta/tridiagonalEigen.js',
    find: 'sort((a, b) => d[a] - d[b])',
    replace: 'sort((a, b) => d[b] - d[a])',
    notebook: '09-four-methods.ipynb',
    caughtBy: /claim failed: .*tasks of the batch whose C has a negative eigenvalue/,
    engine: 'tfjs',
  },
  {
    name: "the quadratic MAML closed form's factor (I − αC) has the exponent k − 1",
    file: 'derivations/quadratic.js',
    find: 'for (let i = 0; i < steps; i++)\n        v = matVec(A, v);',
    replace: 'for (let i = 1; i < steps; i++)\n        v = matVec(A, v);',
    notebook: '09-four-methods.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
  {
    name: "tfjs iMAML's conjugate gradient is capped at one iteration by default",
    file: 'meta/implicitSolve.js',
    find: 'cg.maxIterations ?? 20',
    replace: 'cg.maxIterations ?? 1',
    notebook: '09-four-methods.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
];
