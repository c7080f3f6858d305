/*
 * The planted breaks aimed at notebooks/06-reptile.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';
import { swappedScores } from './swappedScores';

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
  // The stored full runs (results/), read by `seedScores`.
  {
    name: 'the stored-run reader gives 06 the 10-step score for one step and the other way round',
    file: 'meta/storedRun.js',
    find: 'return scored[String(at.steps)].mse;',
    replace: "return scored[at.steps === 1 ? '10' : '1'].mse;",
    notebook: '06-reptile.ipynb',
    caughtBy: /claim failed: K = 10, after one step: seeds where Reptile's query MSE is above MAML's/,
    engine: 'kernel',
  },
  // The live short runs' test-time adaptation (evaluate, on the kernel).
  {
    name: "the kernel's test-time adaptation steps uphill (φ + α∇L)",
    file: 'kernel/adaptation.js',
    find: 'math.combine(n, phi, 1, phi, -alpha, g);',
    replace: 'math.combine(n, phi, 1, phi, alpha, g);',
    notebook: '06-reptile.ipynb',
    caughtBy: /claim failed: reptile: seeds \(of 3\) whose held-out query MSE after one step/,
    engine: 'kernel',
  },
  // Added by the lead for the claim the first pass left unguarded (issue 16's ledger).
  {
    name: "the K = 5 run stored seed 0's MAML and Reptile scores under each other's names",
    ...swappedScores('sinusoid-finn2017-k5.json', 0, 'maml', 'reptile'),
    notebook: '06-reptile.ipynb',
    caughtBy: /claim failed: K = 5/,
    engine: 'kernel',
  },
];
