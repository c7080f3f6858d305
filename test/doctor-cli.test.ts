import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toLayout } from '../src/derivations';
import { ready } from '../src/meta';
import { doctorCase } from './doctorCases';
import { jsonFile, runCli } from './cliRun';


describe('maml-lab doctor', () => {
  let input: Record<string, unknown>;
  let alphaInput: Record<string, unknown>;
  let skipped: string[] = [];
  const alphas = [0.0025, 0.005, 0.01];
  before(async () => {
    await ready();
    const c = doctorCase({ sizes: [1, 8, 1], activation: 'tanh', steps: 2, seed: 12, alpha: 0.05, lambda: 2, layout: 'torch' });
    skipped = c.skipped;
    input = { ...c.input, gradient: toLayout(c.sizes, 'torch', c.generated.get('fomaml')!) };
    const perAlpha = alphas.map((alpha) => doctorCase({ sizes: [1, 8, 1], activation: 'tanh', steps: 2, seed: 12, alpha, lambda: 2, layout: 'torch' }));
    alphaInput = { ...perAlpha[0].input, gradients: perAlpha.map((p) => toLayout(p.sizes, 'torch', p.generated.get('fomaml')!)) };
  });

  test('--json prints exactly {nearest, verdict, candidates: [{name, relativeError, cosine, scale}]}, exit code 0', () => {
    const r = runCli(['doctor', jsonFile(input, 'input.json'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['nearest', 'verdict', 'candidates']);
    assert.equal(out.nearest, 'fomaml');
    assert.match(out.verdict, /^matches fomaml \(relative error \d\.\d\de-[5-9]\)$/);
    // Every variant in catalogue order, but an iMAML one whose I + H/λ is not positive definite here.
    const catalogue = ['maml', 'fomaml', 'reptile', 'imaml', 'imaml(1/lambda)', 'hessian-at-theta', 'second-order-last-steps-only(j=1)', 'wrong-sign', 'one-loss', 'no-adaptation', 'sum-over-tasks', 'half-mse'];
    assert.ok(skipped.length <= 1);
    assert.deepEqual(out.candidates.map((c: { name: string }) => c.name), catalogue.filter((n) => !skipped.includes(n)));
    for (const c of out.candidates) {
      assert.deepEqual(Object.keys(c), ['name', 'relativeError', 'cosine', 'scale']);
      assert.ok([c.relativeError, c.cosine, c.scale].every(Number.isFinite));
    }
    assert.ok(out.candidates[0].relativeError > 0.01);
  });

  test('the text report: the verdict, a table of candidates and the per-layer errors', () => {
    const r = runCli(['doctor', jsonFile(input, 'input.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^verdict: matches fomaml/);
    assert.match(r.stdout, /\nfomaml {2,}\d\.\d\de-\d+ +1\.000000 +1\.000\n/);
    assert.match(r.stdout, /per parameter tensor \(relative error against fomaml and \S+\):/);
    assert.match(r.stdout, /\nparams\[0\] +layer 1 weight \[out, in\]/);
    for (const name of skipped) assert.match(r.stdout, new RegExp(`\\nnot compared: ${name.replace(/[()/]/g, '\\$&')} \\(I \\+ H/λ is not positive definite`));
  });

  test('--alphas: the error against maml at each α and its order', () => {
    const r = runCli(['doctor', jsonFile(alphaInput, 'input.json'), '--json', '--alphas', alphas.join(',')]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['nearest', 'verdict', 'candidates', 'alphaOrder']);
    assert.deepEqual(out.alphaOrder.nearest, ['fomaml', 'fomaml', 'fomaml']);
    assert.ok(Math.abs(out.alphaOrder.order - 1) < 0.1, `order ${out.alphaOrder.order}`);
  });

  test('a missing file, bad JSON and a bad shape: one line naming the problem, exit code 1', () => {
    const missing = runCli(['doctor', '/nonexistent/input.json']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^maml-lab: cannot read \/nonexistent\/input.json: ENOENT/);
    const bad = runCli(['doctor', jsonFile('{"model": ', 'input.json')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^maml-lab: \S+input.json is not valid JSON: /);
    const shape = runCli(['doctor', jsonFile({ ...input, gradient: (input.gradient as unknown[]).slice(0, 3) }, 'input.json')]);
    assert.equal(shape.code, 1);
    assert.equal(shape.stderr, 'maml-lab: gradient must be a list of 4 tensors of shapes [[8, 1], [8], [1, 8], [1]] (layout "torch"), got an array of 3\n');
    assert.doesNotMatch(shape.stderr, /\n\s+at /); // no stack
  });

  test('usage mistakes: no file, a bad --alphas; exit code 2 with the usage', () => {
    const none = runCli(['doctor']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /doctor needs one input file/);
    const alphasBad = runCli(['doctor', jsonFile(input, 'input.json'), '--alphas', '0.1']);
    assert.equal(alphasBad.code, 2);
    assert.match(alphasBad.stderr, /--alphas must list at least two numbers > 0/);
  });

  test('--help documents the input, the catalogue and the exit codes', () => {
    const r = runCli(['doctor', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: maml-lab doctor FILE\.json \[--json\] \[--alphas A1,A2,…\]/);
    for (const name of ['maml', 'fomaml', 'reptile', 'imaml(1/lambda)', 'hessian-at-theta', 'second-order-last-steps-only(j=J)', 'wrong-sign', 'one-loss', 'no-adaptation', 'sum-over-tasks', 'half-mse']) {
      assert.ok(r.stdout.includes(name), name);
    }
  });
});
