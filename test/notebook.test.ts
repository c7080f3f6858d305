import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ready } from '../src/meta/engine';
import { compareRoutes, firstOrderStep, FLOAT32, makeInstance, route, verifyStep, type Step } from '../src/derivations';
import { CLAIM_LEDGER_ENV, claim, ClaimError, demonstration, implementationChecks, matrixTex, plainNumber, render, show, texNumber } from '../src/notebook';
import { deriveSymbolically } from '../src/derivations/symbolic';

before(async () => {
  await ready();
});

function captured(fn: () => void): string {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    fn();
  } finally {
    console.log = original;
  }
  return lines.join('\n');
}

const passing = compareRoutes('Hv', 'toy', route('exact', [1, 2]), route('tfjs', [1, 2.0000001]), FLOAT32);
const failing = compareRoutes('Hv', 'toy', route('exact', [1, 2]), route('tfjs', [1, 3]), FLOAT32);

describe('render', () => {
  test('a LaTeX string becomes $$…$$ in Markdown and LaTeX, raw in plain text', () => {
    const b = render('\\theta_0 = \\theta');
    assert.equal(b['text/latex'], '$$\\theta_0 = \\theta$$');
    assert.equal(b['text/markdown'], '$$\\theta_0 = \\theta$$');
    assert.equal(b['text/plain'], '\\theta_0 = \\theta');
  });

  test('checks show ✓ or ✗ with their errors', () => {
    assert.match(render(passing)['text/plain'], /^✓ Hv \(toy\): tfjs vs exact, max rel. error 5\.0e-8 ≤ tolerance 1\.0e-4$/);
    assert.match(render(failing)['text/plain'], /^✗ .* max rel. error 5\.0e-1 > tolerance 1\.0e-4 FAILED$/);
    assert.match(render([passing, failing])['text/markdown']!, /\| ✓ \| Hv \|.*\n\| ✗ \| Hv \|/);
    assert.equal(render([failing])['text/markdown'], '| pass | check | instance | max abs. error | max rel. error | tolerance |\n|---|---|---|---|---|---|\n| ✗ | Hv | toy | 1.0e0 | 5.0e-1 | 1.0e-4 |');
    const noted = { ...failing, note: 'dropped part 0.1' };
    assert.match(render([passing, noted])['text/markdown']!, /^\| pass \| check \| instance \| max abs\. error \| max rel\. error \| tolerance \| note \|\n\|---\|---\|---\|---\|---\|---\|---\|\n\| ✓ [^\n]* \|  \|\n\| ✗ [^\n]* \| dropped part 0\.1 \|$/);
  });

  test('a step is verified as it is drawn, and its failures are listed', () => {
    const step: Step = { id: 's', title: 'A claim', tex: 'a = b', reason: 'because', verify: () => [passing, failing] };
    const b = render(step);
    assert.match(b['text/markdown']!, /^\*\*A claim ✗\*\*\n\n\$\$a = b\$\$\n\nbecause\n\n_1\/2 checks pass; worst relative error 5\.0e-1\._/);
    assert.match(b['text/plain'], /FAILED/);
  });

  test('matrices and numbers', () => {
    assert.equal(matrixTex([[1, 0], [0, 1]]), '\\begin{bmatrix}1 & 0\\\\0 & 1\\end{bmatrix}');
    assert.equal(matrixTex([0.5, 2]), '\\begin{bmatrix}0.5\\\\2\\end{bmatrix}');
    assert.equal(texNumber(-0.000123456), '-1.235\\times 10^{-4}');
    assert.equal(texNumber(NaN), '\\text{NaN}');
  });

  test('plain numbers carry no LaTeX: powers of ten are Unicode superscripts', () => {
    assert.equal(plainNumber(19290), '1.929×10⁴');
    assert.equal(plainNumber(-0.000123456), '-1.235×10⁻⁴');
    assert.equal(plainNumber(0.5), '0.5');
    assert.equal(plainNumber(1234), '1234');
    assert.equal(plainNumber(0), '0');
    assert.equal(plainNumber(NaN), 'NaN');
    assert.equal(render([[19290, 0.5]])['text/plain'], '1.929×10⁴  0.5');
  });

  test('a passing check\'s note is shown beside it, in Markdown and in plain text, with no LaTeX in the text', () => {
    const noted = compareRoutes('g_FO', 'toy', route('exact', [1, 2]), route('tfjs', [1, 2]), FLOAT32, 'dropped part 0.1');
    const step: Step = { id: 'n', title: 'FOMAML ✓ line', tex: 'g_{\\mathrm{FO}} = g_k', reason: 'because', verify: () => [noted] };
    const b = render(step);
    assert.equal(b['text/markdown'], '**FOMAML ✓ line ✓**\n\n$$g_{\\mathrm{FO}} = g_k$$\n\nbecause\n\n_1/1 checks pass; worst relative error 0._\n\n- toy: dropped part 0.1');
    assert.equal(b['text/plain'], 'FOMAML ✓ line ✓\n  because\n  1/1 checks pass; worst relative error 0.\n  • toy: dropped part 0.1');
  });

  test('FOMAML\'s step shows what it drops on every instance although its checks pass', () => {
    const instances = [makeInstance({ kind: 'linear', seed: 0 }), makeInstance({ kind: 'tanh', seed: 0 })];
    const verified = verifyStep(firstOrderStep({ steps: 2, instances }));
    assert.equal(verified.pass, true);
    const b = render(verified);
    for (const inst of instances) {
      assert.match(b['text/markdown']!, new RegExp(`\\n- ${inst.name.replace(/[[\]]/g, '\\$&')}: dropped part ‖g − g_FO‖/‖g‖ = \\d\\.\\d\\de[-+]\\d+, cos\\(g, g_FO\\) = -?\\d\\.\\d{4}`));
      assert.match(b['text/plain'], new RegExp(`\\n  • ${inst.name.replace(/[[\]]/g, '\\$&')}: dropped part`));
    }
    assert.doesNotMatch(b['text/plain'], /\\/, 'no LaTeX in plain text');
  });

  test('verified steps are drawn as they are, numbered, without verifying again', () => {
    let runs = 0;
    const step = (title: string): Step => ({ id: title, title, tex: 'x', reason: 'r', verify: () => (runs++, [compareRoutes('c', 'toy', route('a', [1]), route('b', [1]), FLOAT32)]) });
    const verified = [verifyStep(step('first')), verifyStep(step('second'))];
    const b = render(verified);
    assert.equal(runs, 2);
    assert.match(b['text/plain'], /^1\. first ✓\n  r\n  1\/1 checks pass; worst relative error 0\.\n2\. second ✓\n  r\n  1\/1 checks pass; worst relative error 0\.\nEvery line verified ✓$/);
    assert.equal(render([verified[0]])['text/plain'], 'first ✓\n  r\n  1/1 checks pass; worst relative error 0.');
  });

  test('a symbolic derivation shows its steps and checks', () => {
    const r = deriveSymbolically({ loss: '(a*x - y)^2', params: ['a'], inputs: ['x', 'y'], support: [{ x: 1, y: 2 }], query: [{ x: 2, y: 1 }], alpha: 0.1, steps: 1, at: { a: 0 } });
    const b = render(r);
    assert.match(b['text/markdown']!, /All routes agree ✓/);
    assert.match(b['text/plain'], /^∂\/∂a: /);
  });

  test('a symbolic derivation\'s values are plain numbers: no LaTeX outside $$…$$ (02\'s k = 3 example)', () => {
    const r = deriveSymbolically({
      loss: '(a*x + b - y)^2', params: ['a', 'b'], inputs: ['x', 'y'],
      support: [{ x: -1, y: -0.5 }, { x: 0.5, y: 1 }, { x: 2, y: 1.5 }], query: [{ x: 0, y: 0.3 }, { x: 1, y: 1.2 }],
      alpha: 0.1, steps: 3, at: { a: 0.2, b: -0.1 },
    });
    const md = render(r)['text/markdown']!;
    assert.match(md, /unrolledExpressionNodes = 1\.929×10⁴/);
    assert.doesNotMatch(md.replace(/\$\$[\s\S]*?\$\$/g, ''), /\\/, 'no backslash outside $$…$$');
    assert.doesNotMatch(render(r)['text/plain'], /\\/);
  });
});

describe('claim', () => {
  test('a claim that holds prints one ✓ line and returns nothing, so a cell ending with it shows no second output', () => {
    let returned: unknown = 'not called';
    const out = captured(() => {
      returned = claim('the two routes agree to 1e-6', 3.2e-9, { atMost: 1e-6 });
    });
    assert.equal(out, '✓ the two routes agree to 1e-6: measured 3.200e-9, claimed ≤ 1.0e-6');
    assert.equal(returned, undefined);
  });

  test('a claim that does not hold prints ✗ and throws a ClaimError', () => {
    const out = captured(() => assert.throws(() => claim('the slope is two', 2.5, { near: 2, within: 0.05 }), ClaimError));
    assert.equal(out, '✗ the slope is two: measured 2.5, claimed 2 ± 0.05');
  });
});

describe('implementationChecks', () => {
  const rows = [
    { statement: 'θ₁, relative error', measured: 3e-8, expectation: { atMost: 1e-6 } },
    { statement: 'θ₂, relative error', measured: 5e-8, expectation: { atMost: 1e-6 } },
  ];

  test('agreeing rows show one summary line, the rows folded beneath it', () => {
    const out = captured(() => implementationChecks('tfjs against float64', rows));
    assert.equal(out.split('\n')[0], '✓ implementation checks, tfjs against float64: 2 of 2 agree');
    assert.match(out, /^ {4}✓ θ₂, relative error: measured 5\.000e-8, claimed ≤ 1\.0e-6$/m);
  });

  test('one failing row shows ✗ naming it, and throws', () => {
    const broken = [rows[0], { ...rows[1], measured: 2e-3 }];
    const out = captured(() => assert.throws(() => implementationChecks('tfjs against float64', broken), (e: unknown) => e instanceof ClaimError && e.result.statement === 'θ₂, relative error'));
    assert.equal(out.split('\n')[0], '✗ implementation checks, tfjs against float64: 1 of 2 fail (θ₂, relative error)');
  });

  test('an empty group is refused', () => {
    assert.throws(() => implementationChecks('nothing', []), /at least one row/);
  });
});

describe('demonstration', () => {
  test('shows the number without a ✓ and never throws', () => {
    const out = captured(() => demonstration("(2/P)JᵀJ's smallest eigenvalue", -1e-17, 'positive semi-definite by construction'));
    assert.equal(out, "◇ demonstration: (2/P)JᵀJ's smallest eigenvalue: -1.000e-17 (positive semi-definite by construction)");
  });
});

describe('the claims ledger', () => {
  test('with the ledger set, every claim is recorded and a failing one does not throw', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-ledger-')), 'ledger.jsonl');
    process.env[CLAIM_LEDGER_ENV] = file;
    try {
      captured(() => {
        claim('the slope is two', 2.5, { near: 2, within: 0.05 });
        implementationChecks('two routes', [{ statement: 'agree', measured: 1e-9, expectation: { atMost: 1e-6 } }]);
        demonstration('a forced bound', 0);
      });
    } finally {
      delete process.env[CLAIM_LEDGER_ENV];
    }
    const entries = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(entries, [
      { kind: 'claim', statement: 'the slope is two', measured: 2.5, pass: false },
      { kind: 'implementation', statement: 'agree', measured: 1e-9, pass: true },
      { kind: 'demonstration', statement: 'a forced bound', measured: 0, pass: true },
    ]);
    assert.throws(() => captured(() => claim('the slope is two', 2.5, { near: 2, within: 0.05 })), ClaimError, 'without the ledger it throws again');
  });
});

describe('show', () => {
  test('outside a kernel it prints the plain text', () => {
    assert.equal(captured(() => show('x^2')), 'x^2');
  });

  test('it never throws: a step whose checks throw is shown as a message', () => {
    const broken: Step = { id: 'b', title: 'broken', tex: 'x', reason: '', verify: () => { throw new Error('no data'); } };
    const out = captured(() => show(broken));
    assert.match(out, /show: could not render this value: no data/);
  });
});

describe('figures', () => {
  test('a Plotly figure is sent as the Plotly MIME type, with self-contained HTML (library once) and a text summary', async () => {
    const { lineChart } = await import('../src/plots');
    const figure = lineChart({ title: 'meta-loss', x: { title: 'iteration' }, y: { title: 'MSE', log: true }, series: [{ name: 'MAML', x: [0, 1], y: [2, 1] }] });
    const first = render(figure);
    const second = render(figure);
    assert.deepEqual(first['application/vnd.plotly.v1+json'], figure);
    assert.equal(first['text/plain'], 'meta-loss (1 trace)');
    assert.ok(first['text/html']!.length > 1_000_000, 'the first figure carries plotly.js');
    assert.ok(second['text/html']!.length < 2_000, 'later figures reuse it');
    assert.match(second['text/html']!, /<div id="maml-lab-plot-\d+-\d+"/);
    assert.match(second['text/html']!, /if\(!window\.Plotly\)\{el\.textContent="plotly\.js is not on this page/);
    assert.doesNotMatch(first["text/html"]! + second["text/html"]!, /<script[^>]+src=/, "nothing is loaded from elsewhere");
  });

  test('series with mismatched lengths are refused by name', async () => {
    const { lineChart } = await import('../src/plots');
    assert.throws(() => lineChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 'bad', x: [1, 2], y: [1] }] }), /series\[0\] \("bad"\) has 2 x values but 1 y values/);
  });
});

describe('liveProgress', () => {
  test('outside a notebook it rewrites one stderr line, ending it at the last iteration', async () => {
    const { liveProgress } = await import('../src/notebook');
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stderr.write;
    try {
      const report = liveProgress('MAML');
      report({ iteration: 50, iterations: 100, metaLoss: 1.23456, iterationsPerSecond: 25, etaSeconds: 2 });
      report({ iteration: 100, iterations: 100, metaLoss: 0.5, iterationsPerSecond: 25, etaSeconds: 0 });
    } finally {
      process.stderr.write = original;
    }
    assert.match(written[0], /^\rMAML █{12}░{12} 50\/100 · meta-loss 1\.2346 · 25 it\/s · ETA 2 s$/);
    assert.match(written[1], /100\/100 .*\n$/);
  });
});
