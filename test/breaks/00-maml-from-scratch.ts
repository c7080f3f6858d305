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
];
