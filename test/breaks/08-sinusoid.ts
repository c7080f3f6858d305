/*
 * The planted breaks aimed at notebooks/08-sinusoid.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  // The stored full runs and the evaluation's intervals, read by 03, 06 and 08.
  {
    name: 'the stored-run reader gives the 10-step score for one step and the other way round',
    file: 'meta/storedRun.js',
    find: 'return scored[String(at.steps)].mse;',
    replace: "return scored[at.steps === 1 ? '10' : '1'].mse;",
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  {
    name: "the evaluation's 95% intervals are ten times too wide",
    file: 'meta/evaluate.js',
    find: 'out.ci95.push((1.96 * Math.sqrt(variance)) / Math.sqrt(n));',
    replace: 'out.ci95.push((19.6 * Math.sqrt(variance)) / Math.sqrt(n));',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  // The live short runs of 08 (three seeds, a few hundred iterations) must catch a broken method on their own:
  // nothing in 08 checks the kernel's meta-gradients before them, so the claim that fails is theirs.
  {
    name: "the kernel's MAML drops its Hessian term (it is FOMAML)",
    file: 'kernel/metaGradients.js',
    find: 'math.combine(n, s.v, 1, s.v, -s.alpha, s.hv)',
    replace: 'math.combine(n, s.v, 1, s.v, 0, s.hv)',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: after one step, MAML's query MSE is below FOMAML's/,
    engine: 'kernel',
  },
  {
    name: "the kernel's FOMAML takes its gradient at θ, before the inner step (it is joint training)",
    file: 'kernel/metaGradients.js',
    find: 'return { loss: s.math.lossGradient(last, s.query.taskX(t)',
    replace: 'return { loss: s.math.lossGradient(s.theta0, s.query.taskX(t)',
    notebook: '08-sinusoid.ipynb',
    // Joint training's one step may even raise the error: whichever live claim about FOMAML fails first.
    caughtBy: /claim failed: .*fomaml's query MSE/,
    engine: 'kernel',
  },
  {
    name: "the kernel's Reptile steps away from the adapted weights",
    file: 'kernel/metaGradients.js',
    find: 'direction: s.v, weight: s.rate * s.alpha',
    replace: 'direction: s.v, weight: -s.rate * s.alpha',
    notebook: '08-sinusoid.ipynb',
    // Pushed away from every task's solution, training diverges: train refuses the non-finite loss.
    caughtBy: /training diverged|claim failed: .*reptile/,
    engine: 'kernel',
  },
];
