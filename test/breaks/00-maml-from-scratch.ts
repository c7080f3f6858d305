/*
 * The planted breaks aimed at notebooks/00-maml-from-scratch.ipynb: deliberate bugs in the built package (or in a
 * stored run) that a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  // Notebook 00's from-scratch tfjs is the independent route the library's engines are checked against.
  {
    name: "the kernel's MAML multiplies by I + αH instead of I − αH",
    file: 'kernel/metaGradients.js',
    find: 'math.combine(n, s.v, 1, s.v, -s.alpha, s.hv);',
    replace: 'math.combine(n, s.v, 1, s.v, s.alpha, s.hv);',
    notebook: '00-maml-from-scratch.ipynb',
    caughtBy: /claim failed: against metaGradient\(…, \{ method: 'maml', engine: 'kernel' \}\)/,
    engine: 'kernel',
  },
  {
    name: "the kernel's MAML skips its product loop (no Hessian factor at all)",
    file: 'kernel/metaGradients.js',
    find: 'for (let i = s.steps; i >= 1; i--) {',
    replace: 'for (let i = s.steps; i > s.steps; i--) {',
    notebook: '00-maml-from-scratch.ipynb',
    caughtBy: /claim failed: against metaGradient\(…, \{ method: 'maml', engine: 'kernel' \}\)/,
    engine: 'kernel',
  },
  {
    name: "the kernel's FOMAML returns 1.01× its value",
    file: 'kernel/metaGradients.js',
    find: 's.query.points, s.v), direction: s.v, weight: 1 };',
    replace: 's.query.points, s.v), direction: s.v, weight: 1.01 };',
    notebook: '00-maml-from-scratch.ipynb',
    caughtBy: /claim failed: against metaGradient\(…, \{ method: 'fomaml', engine: 'kernel' \}\)/,
    engine: 'kernel',
  },
  // The tfjs engine, the kernel's iMAML and the float64 references: each route the from-scratch code is checked against.
  {
    name: "the tfjs engine's MSE carries a factor ½ (the ½‖r‖² convention), halving every tfjs gradient",
    file: 'meta/loss.js',
    find: 'return tf.tidy(() => tf.mean(tf.squaredDifference(prediction, target), axes));',
    replace: 'return tf.tidy(() => tf.mul(0.5, tf.mean(tf.squaredDifference(prediction, target), axes)));',
    notebook: '00-maml-from-scratch.ipynb',
    caughtBy: /claim failed: against metaGradient\(…, \{ method: 'maml', engine: 'tfjs' \}\)/,
    engine: 'tfjs',
  },
  {
    name: "the kernel's iMAML inner step pulls towards 0 instead of towards θ (drops the +αλθ term)",
    file: 'kernel/metaGradients.js',
    find: '1 - alpha * lambda, prev, -alpha, s.g, alpha * lambda, s.theta0)',
    replace: '1 - alpha * lambda, prev, -alpha, s.g, 0, s.theta0)',
    notebook: '00-maml-from-scratch.ipynb',
    caughtBy: /claim failed: against metaGradient\(…, \{ method: 'imaml', engine: 'kernel' \}\)/,
    engine: 'kernel',
  },
  {
    name: 'the float64 references average over tasks by overwriting (= for +=): only the last task counts',
    file: 'derivations/numeric.js',
    find: 'out[j] += v[j] / vectors.length;',
    replace: 'out[j] = v[j] / vectors.length;',
    notebook: '00-maml-from-scratch.ipynb',
    caughtBy: /claim failed: against the float64 product formula/,
    engine: 'kernel',
  },
];
