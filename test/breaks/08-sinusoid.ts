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
  // The explorer's models: the stored full run's parameters, scored again before the page gets them.
  {
    name: 'the stored-parameters reader hands them over in reverse order',
    file: 'meta/storedRun.js',
    find: '    return parameters;\n}',
    replace: '    return parameters.slice().reverse();\n}',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: MAML: the stored parameters, scored again here/,
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
  // The stored runs are what the notebook says: full runs of their protocol's settings, on the kernel, from
  // committed code. Each break is a stored file, or the protocol table, that is not.
  {
    name: "the protocol table gives finn2017's full run as li2017's 60,000 iterations",
    file: 'meta/sinusoidBenchmark.js',
    find: '    paperIterations: 70000,\n};',
    replace: '    paperIterations: 60000,\n};',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: sinusoid-finn2017-k10: it trained for the full run/,
    engine: 'kernel',
  },
  {
    name: "the protocol table's li2017 entry loses its own full run (it inherits finn2017's 70,000 iterations)",
    file: 'meta/sinusoidBenchmark.js',
    find: '        evaluationTasks: 100,\n        paperIterations: 60000,\n',
    replace: '        evaluationTasks: 100,\n',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: sinusoid-li2017-k5: it trained for the full run/,
    engine: 'kernel',
  },
  {
    name: 'the stored finn2017 K = 10 run was trained from a working tree with uncommitted changes',
    file: 'results/sinusoid-finn2017-k10.json',
    find: '"dirty": false',
    replace: '"dirty": true',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: sinusoid-finn2017-k10: seeds \(of 5\) trained on the kernel/,
    engine: 'kernel',
  },
  {
    name: 'the stored finn2017 K = 5 run was trained on tfjs, not the kernel',
    file: 'results/sinusoid-finn2017-k5.json',
    find: '"engine": "kernel"',
    replace: '"engine": "tfjs"',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: sinusoid-finn2017-k5: seeds \(of 5\) trained on the kernel/,
    engine: 'kernel',
  },
  {
    name: 'the stored li2017 K = 5 run was trained outside git (no commit recorded)',
    file: 'results/sinusoid-li2017-k5.json',
    find: '"commit": "426575c641eb309d2f71ca8d87b65c7495f406bc"',
    replace: '"commit": null',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: sinusoid-li2017-k5: seeds \(of 5\) trained on the kernel/,
    engine: 'kernel',
  },
  // The comparisons of the stored scores: the interval test, the spread over seeds, the reference figures.
  {
    name: 'intervalGap takes its two scores in the wrong order (it measures the lower one against the higher)',
    file: 'derivations/numeric.js',
    find: 'return higher.mse - higher.ci95 - (lower.mse + lower.ci95);',
    replace: 'return lower.mse - lower.ci95 - (higher.mse + higher.ci95);',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: sinusoid-finn2017-k10: seeds where MAML's query MSE after one step is below/,
    engine: 'kernel',
  },
  {
    name: "intervalGap adds the lower score's half-width where it subtracts it (the bottom of the higher minus the bottom of the lower)",
    file: 'derivations/numeric.js',
    find: 'return higher.mse - higher.ci95 - (lower.mse + lower.ci95);',
    replace: 'return higher.mse - higher.ci95 - (lower.mse - lower.ci95);',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: finn2017, K = 10, after 10 steps: seeds whose intervals separate/,
    engine: 'kernel',
  },
  {
    name: 'seedSpread returns the variance over the seeds as their standard deviation (the square root forgotten)',
    file: 'meta/seedSpread.js',
    find: 'const sd = n === 1 ? 0 : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));',
    replace: 'const sd = n === 1 ? 0 : values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: finn2017, K = 5: \|our mean over the seeds/,
    engine: 'kernel',
  },
  {
    name: "Li et al.'s MAML figures for K = 5, 10 and 20 transcribed one row down (each holds the next row's figure)",
    file: 'meta/sinusoidBenchmark.js',
    find: '{ trainShots: 5, testShots: 5, mse: 1.13, ci95: 0.18 },\n            { trainShots: 5, testShots: 10, mse: 0.85, ci95: 0.14 },\n            { trainShots: 5, testShots: 20, mse: 0.71, ci95: 0.12 },',
    replace: '{ trainShots: 5, testShots: 5, mse: 0.85, ci95: 0.14 },\n            { trainShots: 5, testShots: 10, mse: 0.71, ci95: 0.12 },\n            { trainShots: 5, testShots: 20, mse: 0.48, ci95: 0.08 },',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: li2017, K = 5: our mean over the seeds/,
    engine: 'kernel',
  },
  // The live short run: the outer step and the fine-tuning at test time.
  {
    name: "the kernel trainer's Adam steps a copy of θ (every outer update is lost)",
    file: 'meta/kernelRoute.js',
    find: 'optimizer.step(theta, grad, state);',
    replace: 'optimizer.step(Float64Array.from(theta), grad, state);',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: .*training loss falls in every seed/,
    engine: 'kernel',
  },
  {
    name: "the kernel's test-time fine-tuning steps up the support gradient (its held-out scores after k steps climb)",
    file: 'kernel/adaptation.js',
    find: 'math.combine(n, phi, 1, phi, -alpha, g);',
    replace: 'math.combine(n, phi, 1, phi, alpha, g);',
    notebook: '08-sinusoid.ipynb',
    // The stored full run's models, scored again before the explorer gets them, fail first.
    caughtBy: /claim failed: (MAML: the stored parameters, scored again here|one step lowers maml's query MSE)/,
    engine: 'kernel',
  },
  {
    name: "tfjs's inner gradient step climbs the loss (adapt moves up the support gradient)",
    file: 'meta/inner.js',
    find: 'return tf.sub(p, tf.mul(alpha, options.pull ? tf.add(g, options.pull(i)) : g));',
    replace: 'return tf.add(p, tf.mul(alpha, options.pull ? tf.add(g, options.pull(i)) : g));',
    notebook: '08-sinusoid.ipynb',
    caughtBy: /claim failed: one step brings MAML's curve toward the true one/,
    engine: 'kernel',
  },
];
