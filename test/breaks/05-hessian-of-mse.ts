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
    file: 'meta/lanczosRuns.js',
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
  {
    name: "the kernel's residual route runs the Hessian's mode (MODE.residual is 1)",
    file: 'kernel/hessians.js',
    find: 'const MODE = { hessian: 1, gaussNewton: 2, residual: 3 };',
    replace: 'const MODE = { hessian: 1, gaussNewton: 2, residual: 1 };',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: the residual part of the linear model's Hessian is exactly zero/,
    engine: 'kernel',
  },
  {
    name: "the kernel's dense Hessian fills a layer's bias rows before its weight rows (not the flat order)",
    file: 'kernel/hessians.js',
    find: `        for (let i = 0; i < layer.in; i++)
            for (let k = 0; k < layer.out; k++)
                column(l, i, k);
        for (let k = 0; k < layer.out; k++)
            column(l, -1, k);`,
    replace: `        for (let k = 0; k < layer.out; k++)
            column(l, -1, k);
        for (let i = 0; i < layer.in; i++)
            for (let k = 0; k < layer.out; k++)
                column(l, i, k);`,
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: H equals \(2\/P\)·Σ \(x, 1\)ᵀ\(x, 1\)/,
    engine: 'kernel',
  },
  {
    name: "the float64 Hessian-vector product drops the MSE's 2/(P·O)",
    file: 'derivations/float64Mlp.js',
    find: ': Ra[last].map((r) => scale * r);',
    replace: ': Ra[last].map((r) => r);',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: linear, hessian: kernel against float64/,
    engine: 'kernel',
  },
  {
    name: 'the float64 product formula multiplies by I + αH',
    file: 'derivations/exact.js',
    find: 'return backThroughInnerSteps(inst, inst.net.gradient(path[steps], inst.query), path.slice(0, steps));',
    replace: 'return backThroughInnerSteps(inst, inst.net.gradient(path[steps], inst.query), path.slice(0, steps), 1);',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: MAML, k = 1 \(relative error\)/,
    engine: 'kernel',
  },
  {
    name: "tfjs's inner loop runs one step fewer than asked (the unrolled meta-gradient is k − 1 steps deep)",
    file: 'meta/inner.js',
    find: 'for (let i = 0; i < loop.steps; i++) {',
    replace: 'for (let i = 1; i < loop.steps; i++) {',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: the exact meta-gradient by tfjs autodiff through k unrolled steps/,
    engine: 'kernel',
  },
  {
    name: "tfjs's residual route takes the Hessian of the loss, not of the weighted outputs",
    file: 'meta/hessianSplit.js',
    find: "return (0, lossHessian_1.lossHessian)(weightedOutputs, params, weighted, { blockSize: options.blockSize, engine: 'tfjs' });",
    replace: "return (0, lossHessian_1.lossHessian)(model, params, taskPoints(model, points, options.task ?? 0), { blockSize: options.blockSize, engine: 'tfjs' });",
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: linear, residual: tfjs autodiff against float64/,
    engine: 'kernel',
  },
  {
    name: "tfjs's output Jacobian gives every copy the first point's input",
    file: 'meta/hessianSplit.js',
    find: 'tf.broadcastTo(tf.reshape(x, [x.shape[0], 1, 1, inputs])',
    replace: 'tf.broadcastTo(tf.slice(x, [0, 0], [1, inputs]).reshape([1, 1, 1, inputs])',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: linear, gaussNewton: tfjs autodiff against float64/,
    engine: 'kernel',
  },
  {
    name: "the kernel's trainer hands back the parameters it started from (a stale copy)",
    file: 'meta/kernelRoute.js',
    find: 'params: () => asParams(model, theta),',
    replace: 'params: () => asParams(model, flatParams(params)),',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: MAML: the top eigenvalue grows/,
    engine: 'kernel',
  },
  {
    name: "Lanczos starts from a ±1 Rademacher vector, not ±1/√n (its first Ritz value is n times too large)",
    file: 'meta/lanczos.js',
    find: 'const scale = 1 / Math.sqrt(size);',
    replace: 'const scale = 1;',
    notebook: '05-hessian-of-mse.ipynb',
    // Refused by lanczosRuns, which takes unit start vectors only (since its three-term recurrence).
    caughtBy: /lanczos: start vector 0 must be a unit vector of length \d+; it has \d+ entries and norm \d/,
    engine: 'kernel',
  },
  {
    name: "Lanczos puts 2α on T's diagonal (the recurrence uses α, T gets it twice: every Ritz value about twice too large)",
    file: 'meta/lanczosRuns.js',
    find: 'run.alpha.push(a);',
    replace: 'run.alpha.push(2 * a);',
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: Lanczos on the kernel's products \(60 iterations\) against the dense eigenvalues/,
    engine: 'kernel',
  },
  {
    name: "the kernel's dense Hessian takes the Jacobian route of the Gauss–Newton part (a test on part !== 'residual')",
    file: 'kernel/hessians.js',
    find: "    if (part === 'gaussNewton') {",
    replace: "    if (part !== 'residual') {",
    notebook: '05-hessian-of-mse.ipynb',
    caughtBy: /claim failed: tanh, hessian: kernel against float64/,
    engine: 'kernel',
  },
];
