/*
 * The planted breaks aimed at notebooks/06-reptile.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  {
    name: 'Reptile sums over tasks instead of averaging',
    file: 'meta/methods/reptile.js',
    find: 'tf.sub(p, tf.mean(phi[i], 0))',
    replace: 'tf.sum(tf.sub(p, phi[i]), 0)',
    notebook: '06-reptile.ipynb',
    caughtBy: /claim failed/,

    engine: 'tfjs',
  },
  {
    name: "the kernel's Reptile sums over tasks instead of averaging",
    file: 'kernel/metaGradients.js',
    find: 'math.accumulate(n, mean, task.weight / count, task.direction);',
    replace: "math.accumulate(n, mean, options.method === 'reptile' ? task.weight : task.weight / count, task.direction);",
    notebook: '06-reptile.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  {
    name: 'the gap between two intervals is measured between their far ends',
    file: 'derivations/numeric.js',
    find: 'return higher.mse - higher.ci95 - (lower.mse + lower.ci95);',
    replace: 'return higher.mse + higher.ci95 - (lower.mse - lower.ci95);',
    notebook: '06-reptile.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
];
