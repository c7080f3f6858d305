import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** Runs the built CLI exactly as a user would (npm test builds dist/ first). */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'maml-lab.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, MAML_LAB_BACKEND: '', ...env },
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function specFile(spec: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'maml-lab-')), 'spec.json');
  writeFileSync(file, typeof spec === 'string' ? spec : JSON.stringify(spec));
  return file;
}

describe('maml-lab --version', () => {
  test('names the package, tfjs and the backend in use', () => {
    const r = cli(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^maml-lab \d+\.\d+\.\d+ \(tfjs 4\.22\.0, backend (wasm|tensorflow|cpu): .+\)\n$/);
  });

  test('MAML_LAB_BACKEND forces a backend, and a wrong one is refused by name', () => {
    assert.match(cli(['--version'], { MAML_LAB_BACKEND: 'cpu' }).stdout, /backend cpu: forced by MAML_LAB_BACKEND/);
    const bad = cli(['--version'], { MAML_LAB_BACKEND: 'gpu' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /MAML_LAB_BACKEND=gpu is not a backend maml-lab knows; use one of tensorflow, wasm, cpu/);
  });
});

describe('maml-lab verify', () => {
  for (const steps of [1, 2, 3, 4, 5]) {
    test(`--steps ${steps} --json: every step passes, with the documented fields`, () => {
      const r = cli(['verify', '--steps', String(steps), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { pass: boolean; steps: { id: string; title: string; tex: string; checks: { name: string; maxAbsError: number; maxRelError: number; tolerance: number; pass: boolean }[] }[] };
      assert.equal(out.pass, true);
      assert.equal(out.steps.length, 8);
      for (const s of out.steps) {
        assert.ok(s.id && s.title && s.tex);
        for (const c of s.checks) {
          assert.equal(typeof c.name, 'string');
          assert.ok(Number.isFinite(c.maxAbsError) && Number.isFinite(c.maxRelError));
          assert.ok(c.maxRelError <= c.tolerance && c.pass);
        }
      }
    });
  }

  test('the table ends in a verdict, and bad flags are usage errors', () => {
    const r = cli(['verify', '--steps', '1']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /inner-step-jacobian .* ✓/);
    assert.match(r.stdout, /all steps verified ✓/);
    const bad = cli(['verify', '--steps', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--steps must be an integer ≥ 1, got "0"/);
    assert.equal(cli(['verify', '--bogus']).code, 2);
    assert.equal(cli(['frobnicate']).code, 2);
  });
});

describe('maml-lab derive', () => {
  const spec = {
    loss: '(a*x + b - y)^2', params: ['a', 'b'], inputs: ['x', 'y'],
    train: [{ x: -1, y: -0.5 }, { x: 0.5, y: 1 }, { x: 2, y: 1.5 }], test: [{ x: 0, y: 0.3 }, { x: 1, y: 1.2 }],
    alpha: 0.1, steps: 2, at: { a: 0.2, b: -0.1 },
  };

  test('--json prints metaGradient, fomaml, gradientTex, steps and pass', () => {
    const r = cli(['derive', '--spec', specFile(spec), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const key of ['metaGradient', 'fomaml', 'gradientTex', 'steps', 'pass']) assert.ok(key in out, key);
    assert.equal(out.pass, true);
    assert.deepEqual(Object.keys(out.metaGradient), ['a', 'b']);
    assert.ok(out.metaGradient.a !== out.fomaml.a, 'the exact and first-order gradients differ for k = 2');
  });

  test('errors are one readable line, with no stack and no NaN', () => {
    const malformed = cli(['derive', '--spec', specFile({ ...spec, loss: '(a*x + b - y' })]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /^maml-lab: loss: Parenthesis \) expected at position 13 \(end of expression\)/);
    assert.doesNotMatch(malformed.stderr, /\n\s+at /);
    const missing = cli(['derive', '--spec', specFile({ ...spec, at: { a: 1 } })]);
    assert.match(missing.stderr, /at is missing parameter "b"/);
    const notJson = cli(['derive', '--spec', specFile('{ loss: ')]);
    assert.match(notJson.stderr, /is not valid JSON/);
    const noFile = cli(['derive', '--spec', '/nonexistent/spec.json']);
    assert.match(noFile.stderr, /cannot read --spec \/nonexistent\/spec.json/);
    for (const r of [malformed, missing, notJson, noFile]) assert.doesNotMatch(r.stdout + r.stderr, /NaN/);
    assert.equal(cli(['derive']).code, 2);
  });
});
