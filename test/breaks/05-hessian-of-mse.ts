/*
 * The planted breaks aimed at notebooks/05-hessian-of-mse.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  // Notebook 05: the Hessian of the MSE, its Gauss–Newton and residual parts, and its spectrum.
  {
    name: 'the dense eigenvalues are returned in reverse order',
    file: 'derivations/symmetricEigenvalues.js',
    find: 'return (0, tridiagonalEigen_1.tridiagonalEigen)(diagonal, off).values;',
    replace: 'return (0, tridiagonalEigen_1.tridiagonalEigen)(diagonal, off).values.slice().reverse();',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: the largest eigenvalue over the second largest/,
    engine: 'kernel',
  },
  {
    name: 'Lanczos is off by a shift (Ritz values + 0.01)',
    file: 'meta/lanczos.js',
    find: '            ritzValues: values,',
    replace: '            ritzValues: values.map((v) => v + 1e-2),',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: Lanczos on the kernel's products \(60 iterations\) against the dense eigenvalues/,
    engine: 'kernel',
  },
  {
    name: "the kernel's Gauss–Newton part has its sign flipped",
    file: 'kernel/hessians.js',
    find: 'math.gramAdd(G, J, rows, n, 2 / rows);',
    replace: 'math.gramAdd(G, J, rows, n, -2 / rows);',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: H equals its Gauss–Newton part \(relative difference, kernel\)/,
    engine: 'kernel',
  },
  {
    name: "the kernel's residual part is zero",
    file: 'meta/hessianSplit.js',
    find: "return kernel('residual');",
    replace: 'return { shape: [model.parameterCount, model.parameterCount], values: new Float64Array(model.parameterCount ** 2) };',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: tanh, residual: kernel against float64/,
    engine: 'kernel',
  },
  {
    name: "the float64 Gauss–Newton product has its sign flipped",
    file: 'derivations/float64Mlp.js',
    find: "part === 'gaussNewton' && withRForward ? Ra[last].map((r) => scale * r)",
    replace: "part === 'gaussNewton' && withRForward ? Ra[last].map((r) => -scale * r)",
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: linear, gaussNewton: kernel against float64/,
    engine: 'kernel',
  },
];
