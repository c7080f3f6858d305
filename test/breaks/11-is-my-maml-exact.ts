/*
 * The planted breaks aimed at notebooks/11-is-my-maml-exact.ipynb: deliberate bugs in the built package that
 * a claim of that notebook must fail. test/mutants.ts says how they run.
 */
import type { Mutation } from '../mutants';

export const BREAKS: Mutation[] = [
  {
    name: "the doctor's Hessian factors lose their α: I − H instead of I − αH",
    file: 'derivations/exact.js',
    find: 'x + sign * inst.alpha * hv[j]',
    replace: 'x + sign * hv[j]',
    notebook: '11-is-my-maml-exact.ipynb',
    caughtBy: /claim failed: of the four methods of metaGradient at k = 3, the doctor names/,
    engine: 'kernel',
  },
  {
    name: "the doctor's Reptile variant points the wrong way: θₖ − θ",
    file: 'derivations/metaGradientVariants.js',
    find: '(v - paths[t][k][j])',
    replace: '(paths[t][k][j] - v)',
    notebook: '11-is-my-maml-exact.ipynb',
    caughtBy: /claim failed: of the four methods of metaGradient at k = 3, the doctor names/,
    engine: 'kernel',
  },
  {
    name: "the doctor takes every task's query gradient on its support set",
    file: 'derivations/metaGradientVariants.js',
    find: 'const queryAtEnd = instances.map((inst, t) => inst.net.gradient(paths[t][k], inst.query));',
    replace: 'const queryAtEnd = instances.map((inst, t) => inst.net.gradient(paths[t][k], inst.support));',
    notebook: '11-is-my-maml-exact.ipynb',
    caughtBy: /claim failed: FOMAML's gradient \(float32, kernel\) against the doctor's float64 fomaml/,
    engine: 'kernel',
  },
  {
    name: "the doctor's no-adaptation variant takes the query gradient at the adapted θₖ (it is fomaml)",
    file: 'derivations/metaGradientVariants.js',
    find: 'vector: perTask((inst) => inst.net.gradient(inst.theta, inst.query)) }',
    replace: 'vector: perTask((inst, t) => inst.net.gradient(paths[t][k], inst.query)) }',
    notebook: '11-is-my-maml-exact.ipynb',
    caughtBy: /claim failed: the nearest other variant/,
    engine: 'kernel',
  },
];
