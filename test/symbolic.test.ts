import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSymbolically, parseLoss } from '../src/derivations/symbolic';
import { centralGradient } from '../src/derivations/finiteDifferences';

const rows = (seed: number, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const x = 2 * Math.sin(seed + 3 * i);
    return { x, y: 1.5 * Math.sin(x - 0.4) };
  });

const linear = (steps: number, extra: Record<string, unknown> = {}) => ({
  loss: '(a*x + b - y)^2',
  params: ['a', 'b'],
  inputs: ['x', 'y'],
  support: rows(1, 4),
  query: rows(2, 4),
  alpha: 0.1,
  steps,
  at: { a: 0.3, b: -0.2 },
  ...extra,
});

describe('deriveSymbolically', () => {
  for (const steps of [1, 2, 3]) {
    test(`linear loss, k = ${steps}: unrolled symbolic derivative = product to 1e-10, finite differences within truncation`, () => {
      const r = deriveSymbolically(linear(steps));
      assert.equal(r.pass, true);
      const names = r.checks.map((c) => c.name);
      assert.ok(names.includes('derivative of the unrolled objective vs the product formula'), 'the unrolled route ran');
      for (const c of r.checks) {
        const bound = c.name.startsWith('central') ? 1e-6 : 1e-10;
        assert.ok(c.maxRelError <= bound, `${c.name}: ${c.maxRelError}`);
      }
    });
  }

  test('independently of the library: for a quadratic loss in one parameter the meta-gradient has a closed form', () => {
    // ℓ = (a - y)², L⁽⁰⁾ = mean (a − yᵢ)², θ₁ = a − 2α(a − ȳ), meta-gradient = 2(θ₁ − ȳ')(1 − 2α)
    const support = [{ y: 1 }, { y: 3 }];
    const query = [{ y: -1 }];
    const alpha = 0.2;
    const a = 0.5;
    const r = deriveSymbolically({ loss: '(a - y)^2', params: ['a'], inputs: ['y'], support, query, alpha, steps: 1, at: { a } });
    const theta1 = a - 2 * alpha * (a - 2);
    assert.ok(Math.abs(r.metaGradient.a - 2 * (theta1 + 1) * (1 - 2 * alpha)) < 1e-12);
    assert.ok(Math.abs(r.fomaml.a - 2 * (theta1 + 1)) < 1e-12);
  });

  test('a nonlinear loss agrees with central differences of its own unrolled objective', () => {
    const spec = { ...linear(2), loss: '(v*tanh(w*x) + b - y)^2', params: ['w', 'v', 'b'], at: { w: 0.7, v: 1.2, b: 0.1 } };
    const r = deriveSymbolically(spec);
    assert.equal(r.pass, true);
    // an independent finite difference, written here from the formula alone
    const loss = (t: Float64Array, data: { x: number; y: number }[]) =>
      data.reduce((s, { x, y }) => s + (t[1] * Math.tanh(t[0] * x) + t[2] - y) ** 2, 0) / data.length;
    const step = (t: Float64Array) => {
      const g = centralGradient((u) => loss(u, spec.support), t, 1e-6);
      return t.map((v, j) => v - spec.alpha * g[j]);
    };
    const fd = centralGradient((t) => loss(step(step(t)), spec.query), Float64Array.of(0.7, 1.2, 0.1), 1e-4);
    ['w', 'v', 'b'].forEach((p, j) => assert.ok(Math.abs(r.metaGradient[p] - fd[j]) < 1e-5, `${p}: ${r.metaGradient[p]} vs ${fd[j]}`));
  });

  test('the JSON shape the CLI promises', () => {
    const r = deriveSymbolically(linear(1));
    assert.deepEqual(Object.keys(r.metaGradient), ['a', 'b']);
    assert.deepEqual(Object.keys(r.fomaml), ['a', 'b']);
    assert.equal(typeof r.gradientTex.a, 'string');
    assert.ok(r.gradientTex.a.length > 0);
    assert.ok(r.steps.length >= 5);
    for (const s of r.steps) assert.ok(s.tex.length > 0 && s.title.length > 0);
  });
});

describe('bad input names the problem', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['malformed expression: position and token', { loss: 'a*x + b)' }, /loss: Unexpected operator \) at position 8 \("\)"\)/],
    ['unfinished expression', { loss: '(a*x + b' }, /loss: Parenthesis \) expected at position 9 \(end of expression\)/],
    ['unknown variable', { loss: '(a*x + z - y)^2' }, /loss uses "z", which is neither a parameter \(a, b\) nor an input \(x, y\)/],
    ['parameter missing from at', { at: { a: 1 } }, /at is missing parameter "b"/],
    ['non-finite at', { at: { a: 1, b: Infinity } }, /at\.b must be a finite number, got Infinity/],
    ['non-finite alpha', { alpha: NaN }, /alpha must be a finite number > 0, got NaN/],
    ['negative alpha', { alpha: -0.1 }, /alpha must be a finite number > 0, got -0.1/],
    ['k < 1', { steps: 0 }, /steps must be an integer ≥ 1, got 0/],
    ['a row missing an input', { support: [{ x: 1 }] }, /support\[0\]\.y must be a finite number, got undefined/],
    ['non-finite data', { query: [{ x: 1, y: NaN }] }, /query\[0\]\.y must be a finite number, got NaN/],
    ['empty data', { support: [] }, /support must be a non-empty array/],
    ['the old field names', { train: [{ x: 1, y: 2 }], support: undefined }, /train is now called support: rename the field/],
    ['a name in params and inputs', { inputs: ['a', 'y'] }, /"a" is listed both in params and in inputs/],
    ['a loss that is not real at θ', { loss: 'log(a*x - y)' }, /the loss is not a finite real number/],
  ];
  for (const [what, change, message] of cases) {
    test(what, () => {
      assert.throws(() => deriveSymbolically(linear(1, change)), message);
    });
  }
  test('parseLoss accepts functions and constants but not unknown symbols', () => {
    assert.doesNotThrow(() => parseLoss('sin(pi*a*x) - y', ['a'], ['x', 'y']));
    assert.throws(() => parseLoss('sin(q)', ['a'], ['x']), /"q"/);
  });
});
