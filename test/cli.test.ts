import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instancesFromBatch, referenceMetaGradient, relativeError, type ReferenceOptions } from '../src/derivations';
import { disposeTasks, ready, regressionTasks } from '../src/meta';
import { jsonFile, runCli } from './cliRun';

const root = join(__dirname, '..');


describe('maml-lab --version', () => {
  test('names the package, tfjs and the backend in use', () => {
    const r = runCli(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^maml-lab \d+\.\d+\.\d+ \(tfjs 4\.22\.0, backend (wasm|tensorflow|cpu): .+; engine (kernel|tfjs): .+\)\n$/);
  });

  test('MAML_LAB_BACKEND forces a backend, and a wrong one is refused by name', () => {
    assert.match(runCli(['--version'], { MAML_LAB_BACKEND: 'cpu' }).stdout, /backend cpu: forced by MAML_LAB_BACKEND/);
    const bad = runCli(['--version'], { MAML_LAB_BACKEND: 'gpu' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /MAML_LAB_BACKEND=gpu is not a backend maml-lab knows; use one of tensorflow, wasm, cpu/);
  });

  test('names the engine: the kernel by default, tfjs when MAML_LAB_ENGINE says so, and refuses an unknown one', () => {
    assert.match(runCli(['--version'], { MAML_LAB_ENGINE: '' }).stdout, /; engine kernel: the default for MLPs with the MSE loss/);
    assert.match(runCli(['--version'], { MAML_LAB_ENGINE: 'tfjs' }).stdout, /; engine tfjs: forced by MAML_LAB_ENGINE\)/);
    const bad = runCli(['--version'], { MAML_LAB_ENGINE: 'gpu' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /MAML_LAB_ENGINE=gpu is not an engine maml-lab knows; use one of kernel, tfjs/);
  });
});

describe('maml-lab verify', () => {
  for (const steps of [1, 2, 3, 4, 5]) {
    test(`--steps ${steps} --json: every step passes, with the documented fields`, () => {
      const r = runCli(['verify', '--steps', String(steps), '--json']);
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
    const r = runCli(['verify', '--steps', '1']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /inner-step-jacobian .* ✓/);
    assert.match(r.stdout, /all steps verified ✓/);
    const bad = runCli(['verify', '--steps', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--steps must be an integer ≥ 1, got "0"/);
    assert.equal(runCli(['verify', '--bogus']).code, 2);
    assert.equal(runCli(['frobnicate']).code, 2);
  });

  test('the summary table names every column; the FOMAML notes start on their own lines', () => {
    const r = runCli(['verify', '--steps', '1']);
    const [header, rule] = r.stdout.split('\n').slice(3, 5);
    assert.match(header, /^step +checks +routes +max rel\. error +tolerance +pass$/);
    assert.equal(header.trim().split(/\s{2,}/).length, rule.trim().split(/\s+/).length, 'one heading per column');
    const notes = r.stdout.slice(r.stdout.indexOf('FOMAML on these instances')).split('\n');
    assert.equal(notes[0], 'FOMAML on these instances:');
    assert.ok(notes.slice(1, 7).every((line) => /^  \S.*: dropped part/.test(line)), notes.slice(0, 7).join('\n'));
    const verbose = runCli(['verify', '--steps', '1', '--verbose']);
    assert.match(verbose.stdout, /^check +instance +max abs\. error +max rel\. error +tolerance +pass$/m);
  });

  test('--help explains every flag, --verbose included, and exits 0', () => {
    for (const args of [['verify', '--help'], ['verify', '-h'], ['help', 'verify']]) {
      const r = runCli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /--steps K +the number of inner steps k \(default 2\)/);
      assert.match(r.stdout, /--verbose +after the summary, a row for every check .*\n.*only the failing checks get a row/);
    }
    assert.match(runCli(['--help']).stdout, /maml-lab COMMAND --help +what each flag of COMMAND does/);
  });
});

describe('maml-lab derive', () => {
  const spec = {
    loss: '(a*x + b - y)^2', params: ['a', 'b'], inputs: ['x', 'y'],
    support: [{ x: -1, y: -0.5 }, { x: 0.5, y: 1 }, { x: 2, y: 1.5 }], query: [{ x: 0, y: 0.3 }, { x: 1, y: 1.2 }],
    alpha: 0.1, steps: 2, at: { a: 0.2, b: -0.1 },
  };

  test('--json prints metaGradient, fomaml, gradientTex, steps and pass', () => {
    const r = runCli(['derive', '--spec', jsonFile(spec), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const key of ['metaGradient', 'fomaml', 'gradientTex', 'steps', 'pass']) assert.ok(key in out, key);
    assert.equal(out.pass, true);
    assert.deepEqual(Object.keys(out.metaGradient), ['a', 'b']);
    assert.ok(out.metaGradient.a !== out.fomaml.a, 'the exact and first-order gradients differ for k = 2');
  });

  test('errors are one readable line, with no stack and no NaN', () => {
    const malformed = runCli(['derive', '--spec', jsonFile({ ...spec, loss: '(a*x + b - y' })]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /^maml-lab: loss: Parenthesis \) expected at position 13 \(end of expression\)/);
    assert.doesNotMatch(malformed.stderr, /\n\s+at /);
    const missing = runCli(['derive', '--spec', jsonFile({ ...spec, at: { a: 1 } })]);
    assert.match(missing.stderr, /at is missing parameter "b"/);
    const notJson = runCli(['derive', '--spec', jsonFile('{ loss: ')]);
    assert.match(notJson.stderr, /is not valid JSON/);
    const noFile = runCli(['derive', '--spec', '/nonexistent/spec.json']);
    assert.match(noFile.stderr, /cannot read --spec \/nonexistent\/spec.json/);
    for (const r of [malformed, missing, notJson, noFile]) assert.doesNotMatch(r.stdout + r.stderr, /NaN/);
    assert.equal(runCli(['derive']).code, 2);
  });
});

/** The float64 reference meta-gradient of a metagrad spec's tasks at its parameters (α = 0.1, sizes [1, 3, 1], tanh). */
async function reference(s: { params: { values: number[] }[]; tasks: { support: { x: number[][]; y: number[][] }; query: { x: number[][]; y: number[][] } }[] }, options: ReferenceOptions): Promise<Float64Array> {
  await ready();
  const batch = regressionTasks({
    support: { x: s.tasks.map((t) => t.support.x), y: s.tasks.map((t) => t.support.y) },
    query: { x: s.tasks.map((t) => t.query.x), y: s.tasks.map((t) => t.query.y) },
  });
  try {
    const theta = Float64Array.from(s.params.flatMap((p) => p.values));
    return referenceMetaGradient(instancesFromBatch(batch, { model: { sizes: [1, 3, 1], activation: 'tanh' }, theta, alpha: 0.1 }), options);
  } finally {
    disposeTasks(batch);
  }
}

describe('maml-lab metagrad', () => {
  // Two tasks of a small tanh MLP, written out as a user would
  const spec = (method: string, extra: Record<string, unknown> = {}) => ({
    model: { type: 'mlp', sizes: [1, 3, 1], activation: 'tanh' },
    params: [
      { shape: [1, 3], values: [0.5, -0.3, 0.8] }, { shape: [3], values: [0.1, 0, -0.2] },
      { shape: [3, 1], values: [0.7, -0.4, 0.2] }, { shape: [1], values: [0.05] },
    ],
    tasks: [
      { support: { x: [[-1], [0.5], [2]], y: [[-0.8], [0.4], [0.9]] }, query: { x: [[0], [1]], y: [[0], [0.8]] } },
      { support: { x: [[-2], [1], [1.5]], y: [[1.1], [-0.5], [-0.9]] }, query: { x: [[-0.5], [0.7]], y: [[0.4], [-0.3]] } },
    ],
    alpha: 0.1, steps: 2, method, ...extra,
  });

  test('--json: the exact meta-gradient equals the float64 product formula averaged over tasks', async () => {
    const r = runCli(['metagrad', '--spec', jsonFile(spec('maml')), '--json', '--repeat', '3']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.grads.map((g: { shape: number[] }) => g.shape), [[1, 3], [3], [3, 1], [1]]);
    assert.equal(out.timing.n, 3);
    assert.ok(out.timing.medianMs > 0);
    assert.match(out.backend, /^(wasm|cpu|tensorflow)$/);
    assert.equal(out.engine, process.env.MAML_LAB_ENGINE === 'tfjs' ? 'tfjs' : 'kernel');
    // reference: the derivation engine, task by task, in float64
    const ref = await reference(spec('maml'), { method: 'maml', steps: 2 });
    const got = out.grads.flatMap((g: { values: number[] }) => g.values) as number[];
    const scale = Math.max(...ref.map(Math.abs));
    got.forEach((v, j) => assert.ok(Math.abs(v - ref[j]) / scale < 1e-5, `entry ${j}: ${v} vs ${ref[j]}`));
  });

  test('fomaml, reptile and imaml equal their float64 references; iMAML reports its conjugate-gradient iterations', async () => {
    const references: Record<string, Float64Array> = {
      fomaml: await reference(spec('fomaml'), { method: 'fomaml', steps: 2 }),
      reptile: await reference(spec('reptile'), { method: 'reptile', steps: 2, reptileRate: 0.5 }),
      imaml: await reference(spec('imaml'), { method: 'imaml', steps: 2, lambda: 15 }),
    };
    for (const method of ['fomaml', 'reptile', 'imaml']) {
      const r = runCli(['metagrad', '--spec', jsonFile(spec(method, { lambda: 15, reptileRate: 0.5 })), '--json']);
      assert.equal(r.code, 0, `${method}: ${r.stderr}`);
      const out = JSON.parse(r.stdout);
      assert.ok(Number.isFinite(out.loss));
      if (method === 'imaml') assert.ok(out.cg.iterations >= 1 && out.cg.relativeResidual <= 1e-4);
      const got = out.grads.flatMap((g: { values: number[] }) => g.values) as number[];
      // CG stops at a relative residual of 1e-4, so iMAML is held to that; the others to float32 rounding
      const tolerance = method === 'imaml' ? 1e-3 : 1e-5;
      assert.ok(relativeError(got, references[method]) < tolerance, `${method}: relative error ${relativeError(got, references[method])}`);
    }
  });

  test('bad specs are named: shapes, values, methods', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ params: spec('maml').params.slice(0, 3) }, /params must be a list of 4 tensors/],
      [{ params: [{ shape: [1, 3], values: [1, 2] }, ...spec('maml').params.slice(1)] }, /params\[0\] must have values\.length equal to the product of its shape \[1,3\], got 2/],
      [{ tasks: [{ ...spec('maml').tasks[0], support: { x: [[1], [2]], y: [[1]] } }] }, /tasks: .*support\.y has 1 points per task, but support\.x has 2/],
      [{ tasks: [] }, /tasks must be a non-empty array/],
      [{ method: 'sgd' }, /method must be one of maml, fomaml, reptile, imaml, got "sgd"/],
      [{ alpha: -1 }, /alpha must be a finite number > 0, got -1/],
      [{ steps: 0 }, /steps must be an integer ≥ 1, got 0/],
      [{ method: 'imaml', lambda: 0 }, /lambda must be a finite number > 0, got 0/],
    ];
    for (const [change, message] of cases) {
      const r = runCli(['metagrad', '--spec', jsonFile({ ...spec('maml'), ...change })]);
      assert.equal(r.code, 1, JSON.stringify(change));
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});

describe('maml-lab reproduce sinusoid', () => {
  test('--json reports MSE ± 95% CI after 1 and 10 steps for the four methods, with its provenance', () => {
    const r = runCli(['reproduce', 'sinusoid', '--iterations', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.iterations, 3);
    assert.equal(out.protocol, 'finn2017');
    assert.equal(out.shots, 10);
    assert.deepEqual(out.seeds, [0]);
    assert.equal(out.runs.length, 1);
    assert.deepEqual(Object.keys(out.runs[0].results), ['maml', 'fomaml', 'reptile', 'pretrained']);
    for (const method of Object.values(out.runs[0].results) as Record<string, { mse: number; ci95: number }>[]) {
      for (const k of ['1', '10']) assert.ok(method[k].mse > 0 && method[k].ci95 > 0 && Number.isFinite(method[k].mse));
      assert.ok(!('tested' in method));
    }
    // One seed: the spread is that seed's figure, with no deviation.
    assert.equal(out.spread.maml['1'].mean, out.runs[0].results.maml['1'].mse);
    assert.equal(out.spread.maml['1'].sd, 0);
    assert.equal(out.settings.alpha, 0.01);
    assert.equal(out.reference.kind, 'outside rerun');
    assert.match(out.published, /^no published figure/);
    const p = out.provenance;
    assert.equal(p.engine, 'kernel');
    // runCli() clears MAML_LAB_BACKEND, so the child picks its backend itself: the one `--version` names.
    assert.match(runCli(['--version']).stdout, new RegExp(`backend ${p.backend}:`));
    assert.equal(p.version, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    const head = spawnSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
    assert.equal(p.commit, head.status === 0 ? head.stdout.trim() : null);
    assert.equal(typeof p.dirty, head.status === 0 ? 'boolean' : 'object');
    assert.ok(p.cores >= 1 && p.cpu.length > 0 && p.loadAverage.length === 3 && !Number.isNaN(Date.parse(p.startedAt)));
    assert.equal(runCli(['reproduce', 'omniglot']).code, 2);
    assert.equal(runCli(['reproduce', 'sinusoid', '--iterations', '0']).code, 2);
    assert.match(runCli(['reproduce', 'sinusoid', '--seeds', '0']).stderr, /--seeds/);
    const bad = runCli(['reproduce', 'sinusoid', '--protocol', 'li2018']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--protocol must be one of finn2017, li2017, got "li2018"/);
    assert.equal(runCli(['reproduce', 'sinusoid', '--protocol', 'toString']).code, 2);
  });

  test('--seeds 2: a run per seed, mean ± sd over them, and the table of the spread', () => {
    const r = runCli(['reproduce', 'sinusoid', '--iterations', '2', '--shots', '5', '--seed', '3', '--seeds', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.seeds, [3, 4]);
    assert.deepEqual(out.runs.map((run: { seed: number }) => run.seed), [3, 4]);
    const [a, b] = out.runs.map((run: { results: { fomaml: { '10': { mse: number } } } }) => run.results.fomaml['10'].mse);
    assert.notEqual(a, b, 'two seeds, two trainings');
    const s = out.spread.fomaml['10'];
    assert.ok(Math.abs(s.mean - (a + b) / 2) < 1e-12 && Math.abs(s.sd - Math.abs(a - b) / Math.SQRT2) < 1e-12, JSON.stringify(s));
    assert.deepEqual([s.min, s.max, s.n], [Math.min(a, b), Math.max(a, b), 2]);
    const text = runCli(['reproduce', 'sinusoid', '--iterations', '2', '--shots', '5', '--seeds', '2']);
    assert.match(text.stdout, /^over 2 seeds \(0, 1\): query MSE, mean ± standard deviation over seeds/m);
    assert.match(text.stdout, /^maml +\d\.\d{3} ± \d\.\d{3} \(\d\.\d{3}–\d\.\d{3}\) +\d\.\d{3} ± .* 2$/m);
    assert.match(text.stdout, /^kernel engine, \w+ backend, maml-lab /m);
  });

  test('finn2017 output keeps the shape of the committed results, which the same code still reads', () => {
    const r = runCli(['reproduce', 'sinusoid', '--iterations', '2', '--shots', '5', '--seeds', '2', '--json']);
    const fresh = JSON.parse(r.stdout);
    // Every field of a committed run is in a fresh one, at the same place (fresh runs may add fields).
    const paths = (v: unknown, at = ''): string[] => (v !== null && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [`${at}/${Array.isArray(v) ? '#' : k}`, ...paths(x, `${at}/${Array.isArray(v) ? '#' : k}`)]) : []);
    for (const file of ['sinusoid-finn2017-k5.json', 'sinusoid-finn2017-k10.json']) {
      const committed = JSON.parse(readFileSync(join(root, 'results', file), 'utf8'));
      const missing = [...new Set(paths(committed))].filter((p) => !paths(fresh).includes(p));
      assert.deepEqual(missing, [], file);
      assert.deepEqual(committed.settings, fresh.settings, `${file}: the same settings`);
    }
  });

  test('--protocol li2017: Li et al.\'s settings, K = 5 by default, scored at K = 5, 10 and 20, with their Table 1', () => {
    const r = runCli(['reproduce', 'sinusoid', '--protocol', 'li2017', '--iterations', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.protocol, 'li2017');
    assert.equal(out.shots, 5);
    assert.deepEqual([out.settings.metaBatch, out.settings.queryShots, out.settings.evaluationTasks, out.settings.evaluationQueryShots, out.settings.paperIterations], [4, 10, 100, 100, 60_000]);
    assert.deepEqual(out.settings.frequency, [0.8, 1.2]);
    for (const method of Object.values(out.runs[0].results) as { '1': unknown; tested: Record<string, { '1': { mse: number; ci95: number } }> }[]) {
      assert.deepEqual(Object.keys(method.tested), ['5', '10', '20']);
      assert.deepEqual(method.tested['5']['1'], method['1']);
      assert.ok(Object.values(method.tested).every((t) => t['1'].mse > 0 && t['1'].ci95 > 0));
    }
    assert.equal(out.reference.kind, 'publication');
    assert.match(out.published, /Li et al\. 2017 \(Meta-SGD\), Table 1: MAML trained at K = 5, 1 step: 1\.13 ± 0\.18 at K = 5/);
    const text = runCli(['reproduce', 'sinusoid', '--protocol', 'li2017', '--iterations', '2']);
    assert.match(text.stdout, /^method +1 step, K = 5 +1 step, K = 10 +1 step, K = 20 +10 steps, K = 5 +iterations +training time$/m);
    assert.match(text.stdout, /^reference: Li et al\. 2017/m);
  });

  test('one Ctrl-C stops the whole reproduction and reports the method in training', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'maml-lab.js'), 'reproduce', 'sinusoid', '--iterations', '1000000', '--shots', '5'], { env: { ...process.env, MAML_LAB_BACKEND: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    // A progress report means training (and the SIGINT listener) has started.
    child.stderr.on('data', (d) => {
      stderr += d;
      // Once only: a second Ctrl-C quits at once, by design.
      if (/\/1000000/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.match(stdout, /\(stopped early\)/);
    assert.match(stdout, /^maml +\d.* \d+ \(stopped\)/m);
    assert.doesNotMatch(stdout, /^fomaml/m);
  });
});
