import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as math from 'mathjs';
import { maxAbsDifference, relativeError } from '../src/derivations';
import { disposeTasks, hessianOperator, hessianSplit, lanczos, mlp, ready, sinusoidTasks, type Activation } from '../src/meta';
import { jsonFile, runCli } from './cliRun';


/**
 * A metagrad spec for an MLP at its seeded initialisation on two sinusoid tasks, with the same tensors for
 * the tfjs routes. Its numbers come from float32 tensors, so the CLI's float64 route and tfjs see the same
 * inputs exactly.
 */
function problem(sizes: number[], activation: Activation) {
  const model = mlp(sizes, { activation });
  const params = model.init(0);
  const tasks = sinusoidTasks({ tasks: 2, shots: 10, seed: 0 });
  const nested = (t: tf.Tensor) => t.arraySync() as number[][][];
  const [sx, sy, qx, qy] = [tasks.support.x, tasks.support.y, tasks.query.x, tasks.query.y].map(nested);
  const spec = {
    model: { type: 'mlp', sizes, activation },
    params: params.map((p) => ({ shape: p.shape, values: Array.from(p.dataSync()) })),
    tasks: sx.map((_, t) => ({ support: { x: sx[t], y: sy[t] }, query: { x: qx[t], y: qy[t] } })),
    alpha: 0.01,
    steps: 1,
    method: 'maml',
  };
  const first = { x: tf.squeeze(tf.slice(tasks.support.x, [0], [1]), [0]), y: tf.squeeze(tf.slice(tasks.support.y, [0], [1]), [0]) };
  const dispose = () => {
    tf.dispose([...params, first.x, first.y]);
    disposeTasks(tasks);
  };
  return { model, params, first, spec, dispose };
}

interface Dense {
  route: string;
  parameters: number;
  hessian: { shape: number[]; values: number[] };
  gaussNewton: { shape: number[]; values: number[] };
  residual: { shape: number[]; values: number[] };
  eigenvalues: number[];
  split: { frobenius: Record<string, number>; shares: { gaussNewton: number; residual: number }; relativeSumError: number };
}

interface Eigen {
  route: string;
  parameters: number;
  iterations: number;
  smallest: { values: number[]; residuals: number[] };
  largest: { values: number[]; residuals: number[] };
}

before(async () => {
  await ready();
});

describe('maml-lab hessian', () => {
  test('--json on a tanh MLP: H, GN and residual agree with the tfjs route; GN + R = H; all eigenvalues, ascending, as mathjs finds them', () => {
    const p = problem([1, 8, 1], 'tanh');
    const r = runCli(['hessian', '--spec', jsonFile(p.spec), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Dense;
    const split = hessianSplit(p.model, p.params, p.first);
    p.dispose();
    assert.equal(out.parameters, 25);
    assert.match(out.route, /^float64: the hand-written MLP with Pearlmutter's R-operator/);
    for (const part of ['hessian', 'gaussNewton', 'residual'] as const) {
      assert.deepEqual(out[part].shape, [25, 25]);
      assert.ok(relativeError(split[part].values, out[part].values) <= 1e-4, `${part}: ${relativeError(split[part].values, out[part].values)}`);
    }
    const sum = out.gaussNewton.values.map((g, i) => g + out.residual.values[i]);
    assert.ok(relativeError(sum, out.hessian.values) <= 1e-10);
    assert.ok(out.split.relativeSumError <= 1e-10);
    assert.ok(Math.abs(out.split.shares.gaussNewton + out.split.shares.residual - 1) <= 1e-12);
    const rows = Array.from({ length: 25 }, (_, i) => out.hessian.values.slice(i * 25, (i + 1) * 25));
    const mathjs = Float64Array.from(math.eigs(rows, { eigenvectors: false } as never).values as unknown as number[]).sort();
    assert.equal(out.eigenvalues.length, 25);
    assert.ok(out.eigenvalues.every((v, i) => i === 0 || out.eigenvalues[i - 1] <= v), 'ascending');
    assert.ok(maxAbsDifference(out.eigenvalues, mathjs) <= 1e-10 * Math.max(...mathjs.map(Math.abs)));
  });

  test('linear regression: the residual part is all zeros and H = GN', () => {
    const p = problem([1, 1], 'relu');
    const r = runCli(['hessian', '--spec', jsonFile(p.spec), '--json']);
    p.dispose();
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Dense;
    assert.deepEqual(out.residual.values, [0, 0, 0, 0]);
    assert.ok(maxAbsDifference(out.hessian.values, out.gaussNewton.values) <= 1e-15);
    assert.equal(out.split.shares.gaussNewton, 1);
  });

  test('without --json: the split and the eigenvalues at both ends, in words', () => {
    const p = problem([1, 8, 1], 'relu');
    const r = runCli(['hessian', '--spec', jsonFile(p.spec)]);
    p.dispose();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Hessian of task 0's support loss: 25 × 25\n/);
    assert.match(r.stdout, /Frobenius norm: H [\d.]+, Gauss–Newton [\d.]+ \(share 0\.\d{3}\), residual [\d.]+ \(share 0\.\d{3}\)/);
    assert.match(r.stdout, /eigenvalues from -?[\d.]+ to [\d.]+, \d+ negative/);
  });

  test('a model over 2000 parameters is refused by size, and --eigen K gives K eigenvalues at each end by Lanczos instead', () => {
    const p = problem([1, 50, 50, 1], 'relu');
    const file = jsonFile(p.spec);
    const refused = runCli(['hessian', '--spec', file, '--json']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the model has 2701 parameters: its Hessian \(2701 × 2701\) is too large to print densely \(at most 2000 parameters\)\. Use --eigen K/);
    assert.equal(refused.stdout, '');
    const r = runCli(['hessian', '--spec', file, '--eigen', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Eigen;
    assert.match(out.route, /^float64: Lanczos with full reorthogonalisation/);
    assert.equal(out.parameters, 2701);
    assert.equal(out.iterations, 59);
    assert.equal(out.smallest.values.length, 3);
    assert.equal(out.largest.values.length, 3);
    // the tfjs route, Lanczos on float32 Hessian-vector products of the same inputs, finds the same ends
    const tfjs = lanczos(hessianOperator(p.model, p.params, p.first), { iterations: 59 });
    p.dispose();
    const top = out.largest.values[2];
    const bottom = out.smallest.values[0];
    assert.ok(Math.abs(tfjs.ritzValues[58] - top) <= 1e-3 * Math.abs(top), `top ${tfjs.ritzValues[58]} vs ${top}`);
    assert.ok(Math.abs(tfjs.ritzValues[0] - bottom) <= 1e-3 * Math.max(Math.abs(top), Math.abs(bottom)), `bottom ${tfjs.ritzValues[0]} vs ${bottom}`);
    assert.ok(out.largest.residuals[2] <= 1e-6 * Math.abs(top), 'the top eigenvalue has converged');
  });

  test('--eigen K on a small model runs k = n iterations and returns the dense route\'s extreme eigenvalues', () => {
    const p = problem([1, 8, 1], 'tanh');
    const file = jsonFile(p.spec);
    p.dispose();
    const dense = JSON.parse(runCli(['hessian', '--spec', file, '--json']).stdout) as Dense;
    const out = JSON.parse(runCli(['hessian', '--spec', file, '--eigen', '2', '--json']).stdout) as Eigen;
    assert.equal(out.iterations, 25);
    const scale = Math.max(...dense.eigenvalues.map(Math.abs));
    assert.ok(maxAbsDifference(out.smallest.values, dense.eigenvalues.slice(0, 2)) <= 1e-10 * scale);
    assert.ok(maxAbsDifference(out.largest.values, dense.eigenvalues.slice(-2)) <= 1e-10 * scale);
  });

  test('usage mistakes exit 2, a bad spec exits 1 naming the field; the help lists the command', () => {
    const missing = runCli(['hessian']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /hessian needs --spec FILE/);
    const zero = runCli(['hessian', '--spec', 'x.json', '--eigen', '0']);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--eigen must be an integer ≥ 1, got "0"/);
    const p = problem([1, 8, 1], 'tanh');
    p.dispose();
    const bad = runCli(['hessian', '--spec', jsonFile({ ...p.spec, params: p.spec.params.slice(1) })]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /params must be a list of 4 tensors/);
    const tooMany = runCli(['hessian', '--spec', jsonFile(p.spec), '--eigen', '26']);
    assert.equal(tooMany.code, 1);
    assert.match(tooMany.stderr, /eigen must be at most the number of parameters, 25, got 26/);
    assert.match(runCli(['--help']).stdout, /maml-lab hessian --spec FILE \[--json\] \[--eigen K\]/);
    assert.match(runCli(['hessian', '--help']).stdout, /Gauss–Newton part\n\(2\/\(P·O\)\)·JᵀJ/);
  });
});
