/*
 * The planted breaks of the notebooks' claims, and how one is run: shared by the mutation test
 * (test/notebook-mutations.test.ts, which CI runs) and the claims ledger (scripts/claims-ledger.ts, which
 * records which claims each break fails). Not a test file itself.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(__dirname, '..');
export const dist = path.join(root, 'dist');
export const venvPython = path.join(root, '.venv', 'bin', 'python');

/** One deliberate bug: where it goes in dist/, the exact text it replaces, and the notebook that must catch it. */
export interface Mutation {
  name: string;
  file: string;
  find: string;
  replace: string;
  notebook: string;
  /** What the failing run must say: a failed claim, unless the break makes the library refuse first. */
  caughtBy: RegExp;
  /**
   * The engine the notebook runs on (MAML_LAB_ENGINE): a break in tfjs code is looked for on tfjs, a break
   * in the kernel on the kernel (an MLP's default), so that each is exercised where it is planted.
   */
  engine: 'kernel' | 'tfjs';
}

export const MUTATIONS: Mutation[] = [
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
    name: 'the exact method drops one Hessian factor (the first inner gradient is a constant)',
    file: 'meta/inner.js',
    find: '{ firstOrder: loop.firstOrder, pull }',
    replace: '{ firstOrder: loop.firstOrder || i === 0, pull }',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,

    engine: 'tfjs',
  },
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
    name: 'iMAML uses I + λH instead of I + H/λ',
    file: 'meta/implicitSolve.js',
    find: 'tf.div(hv[i], lambda)',
    replace: 'tf.mul(hv[i], lambda)',
    notebook: '07-imaml.ipynb',
    // I + λH is indefinite where I + H/λ is not: CG refuses it with an error before any comparison is made.
    caughtBy: /claim failed|not positive definite/,

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
    name: "the kernel's product formula takes half a step per Hessian factor",
    file: 'kernel/metaGradients.js',
    find: 'math.combine(n, s.v, 1, s.v, -s.alpha, s.hv)',
    replace: 'math.combine(n, s.v, 1, s.v, -s.alpha / 2, s.hv)',
    notebook: '10-kernel.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  // Notebooks 01 and 02: the derivation's checks against symbolic, float64 and finite-difference routes.
  {
    name: 'the symbolic inner update adds the gradient instead of subtracting it',
    file: 'derivations/symbolic.js',
    find: "new math.OperatorNode('-', 'subtract', [thetaSymbols[p]",
    replace: "new math.OperatorNode('+', 'add', [thetaSymbols[p]",
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed: the total derivative dF\/dθ/,
    engine: 'kernel',
  },
  {
    name: "the float64 Hessian drops the MSE's 2/P",
    file: 'derivations/float64Mlp.js',
    find: ': Ra[last].map((r) => scale * r);',
    replace: ': Ra[last].map((r) => r);',
    notebook: '01-bilevel-optimization.ipynb',
    caughtBy: /claim failed: the total derivative is \(I − αH₀\) times the partial one/,
    engine: 'kernel',
  },
  {
    name: 'the float64 product formula takes every Hessian at θ',
    file: 'derivations/exact.js',
    find: 'const hv = inst.net.hessianVectorProduct(path[i - 1], v, inst.support);',
    replace: 'const hv = inst.net.hessianVectorProduct(path[0], v, inst.support);',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed/,
    engine: 'kernel',
  },
  {
    name: "the derivation's checks accept any error (tolerance × 10⁶)",
    file: 'derivations/check.js',
    find: 'maxRelError <= tolerance.relative;',
    replace: 'maxRelError <= 1e6 * tolerance.relative;',
    notebook: '02-chain-rule.ipynb',
    caughtBy: /claim failed: the checks reject the wrong formula/,
    engine: 'kernel',
  },
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
  // Notebooks 03 and 10: the engines against the float64 references, and what the kernel does.
  {
    name: "the kernel's product formula reads bank i instead of i − 1",
    file: 'kernel/metaGradients.js',
    find: 'math.bank(i - 1);',
    replace: 'math.bank(i);',
    notebook: '10-kernel.ipynb',
    caughtBy: /claim failed: k = 1: the kernel's product formula/,
    engine: 'kernel',
  },
  {
    name: "engine 'kernel' silently runs tfjs",
    file: 'meta/engine.js',
    find: 'const forced = option ?? requestedEngine();',
    replace: "const forced = option === 'kernel' ? 'tfjs' : option ?? requestedEngine();",
    notebook: '10-kernel.ipynb',
    caughtBy: /claim failed: the kernel dispatches no tfjs operation/,
    engine: 'kernel',
  },
  {
    name: 'the float64 Hessian-vector product has no Gauss–Newton part',
    file: 'derivations/float64Mlp.js',
    find: 'hessianVectorProduct: (theta, v, data) => backprop(theta, data, v),',
    replace: "hessianVectorProduct: (theta, v, data) => backprop(theta, data, v, 'residual'),",
    notebook: '10-kernel.ipynb',
    caughtBy: /claim failed: the kernel \(wasm SIMD\) against the float64 R-operator/,
    engine: 'kernel',
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
  // Notebooks 04 and 09: the quadratic closed forms against tfjs autodiff and central differences.
  {
    name: 'the Lanczos eigenvalues are sorted in reverse',
    file: 'meta/tridiagonalEigen.js',
    find: 'sort((a, b) => d[a] - d[b])',
    replace: 'sort((a, b) => d[b] - d[a])',
    notebook: '09-four-methods.ipynb',
    caughtBy: /claim failed: .*tasks of the batch whose C has a negative eigenvalue/,
    engine: 'tfjs',
  },
  {
    name: "the quadratic MAML closed form's factor (I − αC) has the exponent k − 1",
    file: 'derivations/quadratic.js',
    find: 'for (let i = 0; i < steps; i++)\n        v = matVec(A, v);',
    replace: 'for (let i = 1; i < steps; i++)\n        v = matVec(A, v);',
    notebook: '09-four-methods.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
  {
    name: "tfjs iMAML's conjugate gradient is capped at one iteration by default",
    file: 'meta/implicitSolve.js',
    find: 'cg.maxIterations ?? 20',
    replace: 'cg.maxIterations ?? 1',
    notebook: '09-four-methods.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
  {
    name: "the quadratic's gradient drops the ½ shift (C θ + g for C(θ − ½) + g)",
    file: 'derivations/quadratic.js',
    find: "const Cd = matVec(C, checkVector('theta', theta, n).map((t) => t - 0.5));",
    replace: "const Cd = matVec(C, checkVector('theta', theta, n).map((t) => t));",
    notebook: '04-curvature-and-first-order.ipynb',
    caughtBy: /claim failed: .*C\(θ − ½\) \+ g against tfjs autodiff/,
    engine: 'tfjs',
  },
  {
    name: "the first-order error's length ratio is inverted",
    file: 'derivations/quadratic.js',
    find: 'lengthRatio: (0, numeric_1.norm)(gv) / size',
    replace: 'lengthRatio: size / (0, numeric_1.norm)(gv)',
    notebook: '04-curvature-and-first-order.ipynb',
    caughtBy: /claim failed/,
    engine: 'tfjs',
  },
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
  // Notebook 07's finite differences of the converged inner solve catch an unconverged or wrong iMAML.
  {
    name: "the kernel's iMAML conjugate gradient stops after one iteration (the solve is unconverged)",
    file: 'kernel/metaGradients.js',
    find: 'while (iterations < s.maxIterations && live()) {',
    replace: 'while (iterations < 1 && live()) {',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: maml-lab's iMAML gradient \(kernel/,
    engine: 'kernel',
  },
  {
    name: "tfjs iMAML's conjugate gradient stops after one iteration (the solve is unconverged)",
    file: 'meta/implicitSolve.js',
    find: 'while (iterations < maxIterations && live.some(Boolean)) {',
    replace: 'while (iterations < 1 && live.some(Boolean)) {',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: maml-lab's iMAML gradient \(tfjs/,
    engine: 'tfjs',
  },
  {
    name: 'the float64 iMAML inner loop drops the pull λ(θᵢ − θ)',
    file: 'derivations/exact.js',
    find: 'p - inst.alpha * (g[j] + lambda * (p - theta[j]))',
    replace: 'p - inst.alpha * g[j]',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: α = 0\.02: steps at which/,
    engine: 'kernel',
  },
  {
    name: 'the float64 implicit gradient takes the Hessian at θ instead of at the inner solution',
    file: 'derivations/exact.js',
    find: 'math.multiply(1 / lambda, hessian(inst, point))',
    replace: 'math.multiply(1 / lambda, hessian(inst, inst.theta))',
    notebook: '07-imaml.ipynb',
    caughtBy: /claim failed: the implicit gradient \(float64/,
    engine: 'kernel',
  },
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
    name: 'the gap between two intervals is measured between their far ends',
    file: 'derivations/numeric.js',
    find: 'return higher.mse - higher.ci95 - (lower.mse + lower.ci95);',
    replace: 'return higher.mse + higher.ci95 - (lower.mse - lower.ci95);',
    notebook: '06-reptile.ipynb',
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

const made: string[] = [];

/** Removes every throw-away root made so far. */
export function removeMutantRoots(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A throw-away package root: package.json, a copy of dist/ with the mutation applied, node_modules whose
 * entries link to the project's (maml-lab itself links back to this root, as `file:.` does in the project),
 * results/ linked, and a copy of the notebook in notebooks/, so `import … from 'maml-lab'` in the notebook
 * loads the mutant.
 */
export function mutantRoot(m: Mutation | { notebook: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-mutant-'));
  made.push(dir);
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  fs.cpSync(dist, path.join(dir, 'dist'), { recursive: true });
  if ('find' in m) {
    const target = path.join(dir, 'dist', m.file);
    const text = fs.readFileSync(target, 'utf8');
    const count = text.split(m.find).length - 1;
    assert.equal(count, 1, `the mutation "${m.name}" must find its text exactly once in dist/${m.file}, found ${count} (did the code change? update the mutation)`);
    fs.writeFileSync(target, text.replace(m.find, m.replace));
  }
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (entry === 'maml-lab') continue;
    fs.symlinkSync(path.join(root, 'node_modules', entry), path.join(modules, entry));
  }
  fs.symlinkSync('..', path.join(modules, 'maml-lab'));
  // notebooks read the committed full runs as ../results
  fs.symlinkSync(path.join(root, 'results'), path.join(dir, 'results'));
  fs.mkdirSync(path.join(dir, 'notebooks'));
  fs.copyFileSync(path.join(root, 'notebooks', m.notebook), path.join(dir, 'notebooks', m.notebook));
  return dir;
}

/** Runs one notebook of a throw-away root through the project's runner on an engine; its exit status and output. */
export function runNotebook(dir: string, notebook: string, engine: 'kernel' | 'tfjs' = 'kernel', env: NodeJS.ProcessEnv = {}): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'run-notebooks.ts'), path.join(dir, 'notebooks', notebook)], {
    cwd: root,
    env: { ...process.env, ...env, MAML_LAB_ENGINE: engine },
    encoding: 'utf8',
    timeout: 590_000,
  });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

