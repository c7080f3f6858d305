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
    find: 'v = v.map((x, j) => x - inst.alpha * hv[j]);',
    replace: 'v = v.map((x, j) => x + inst.alpha * hv[j]);',
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
];
