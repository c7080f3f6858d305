/**
 * The notebook runner (scripts/run-notebooks.ts + python/run_notebooks.py) against fixture notebooks, through
 * the real tslab kernel. Needs `npm run build` (fixtures import maml-lab) and `npm run setup`; git for
 * the check of committed outputs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = path.resolve(__dirname, '..');
const fixturesDir = path.join(root, 'test', 'fixtures');
const fixture = (name: string): string => path.join('test', 'fixtures', `${name}.ipynb`);
const FIXTURES = ['abort-after-failure', 'clean', 'stored-outputs', 'throws-in-cell-2', 'type-error', 'wrong-kernel'];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runRunner(args: string[]): Run {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/run-notebooks.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The lines the runner printed for one notebook: its PASS/FAIL line and the failures under it. */
function section(stdout: string, name: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => /^(PASS|FAIL) /.test(line) && line.includes(`${name}.ipynb`));
  assert.notEqual(start, -1, `no PASS/FAIL line for ${name}.ipynb in:\n${stdout}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^(PASS|FAIL) /.test(line) || line === '');
  return [lines[start], ...(end === -1 ? rest : rest.slice(0, end))].join('\n');
}

describe('run-notebooks on the fixtures', { timeout: 300_000 }, () => {
  let all: Run;
  const before_: Record<string, string> = {};

  before(() => {
    for (const name of FIXTURES) before_[name] = fs.readFileSync(path.join(fixturesDir, `${name}.ipynb`), 'utf8');
    // One run over every fixture: one Python start, and it checks the multi-notebook summary too.
    all = runRunner(FIXTURES.map(fixture));
  });

  test('exits non-zero and ends with the pass/fail count line', () => {
    assert.equal(all.status, 1, all.stdout + all.stderr);
    const lines = all.stdout.trimEnd().split('\n');
    assert.equal(lines[lines.length - 1], '2 passed, 4 failed');
  });

  test('reports the notebooks in the order given, one status line each', () => {
    const statusLines = all.stdout.split('\n').filter((line) => /^(PASS|FAIL) /.test(line));
    assert.deepEqual(
      statusLines.map((line) => line.split(' ').slice(0, 2).join(' ')),
      FIXTURES.map((name) => `${['clean', 'stored-outputs'].includes(name) ? 'PASS' : 'FAIL'} ${fixture(name)}`),
    );
  });

  test('a clean notebook that imports maml-lab passes, with wall time and slowest cell', () => {
    const text = section(all.stdout, 'clean');
    const status = /^PASS test\/fixtures\/clean\.ipynb {2}\d+\.\d s {2}/;
    const slowest = /\(2 code cells, slowest: cell [12] \(`.+`\) \d+\.\d s\)$/;
    assert.match(text, new RegExp(status.source + slowest.source));
  });

  test('a cell that throws fails the notebook, naming the cell and the error', () => {
    const text = section(all.stdout, 'throws-in-cell-2');
    assert.match(text, /^FAIL /);
    // Code cell 2 although it is the third cell: the markdown cell in between is not counted.
    assert.match(text, /cell 2 \(`throw new Error\("fixture failure in cell 2"\);`\) failed:/);
    assert.match(text, /Error: fixture failure in cell 2/);
    assert.doesNotMatch(text, /node_modules\/tslab/, 'tslab-internal stack frames should be dropped');
  });

  test('cells after a failure are reported: tslab aborts them', () => {
    const text = section(all.stdout, 'abort-after-failure');
    assert.match(text, /cell 2 \(`throw new Error\("fixture failure before queued cells"\);`\) failed:/);
    // nbclient alone would count these replies (status abort, no output) as success.
    assert.match(text, /cell 3 \(`console\.log\("cell 3 ran"\);`\) was aborted by the kernel \(status abort/);
    assert.match(text, /cell 4 \(`console\.log\("cell 4 ran"\);`\) was aborted by the kernel \(status abort/);
    assert.doesNotMatch(text, /- cell 1 /, 'cell 1 ran fine and should not be reported');
  });

  test('a TypeScript type error fails the notebook with the compiler message', () => {
    const text = section(all.stdout, 'type-error');
    assert.match(text, /cell 1 \(`const count: number = "not a number";`\) failed:/);
    assert.match(text, /Type 'string' is not assignable to type 'number'\./);
  });

  test('a working copy with outputs runs cleared and passes: outputs are the reader\'s, not a failure', () => {
    // The fixture is committed with outputs on purpose (.gitattributes exempts it from the filter and the
    // check), as a notebook run in JupyterLab is autosaved with them.
    const text = section(all.stdout, 'stored-outputs');
    assert.match(text, /^PASS /);
    assert.equal(text.split('\n').length, 1, 'no failure lines under it');
  });

  test('a notebook whose kernelspec is not tslab fails without being run', () => {
    const text = section(all.stdout, 'wrong-kernel');
    assert.match(text, /metadata kernelspec is 'python3', not 'tslab'/);
  });

  test('never writes outputs back to the notebook files', () => {
    for (const name of FIXTURES) {
      assert.equal(fs.readFileSync(path.join(fixturesDir, `${name}.ipynb`), 'utf8'), before_[name], `${name}.ipynb changed`);
    }
  });
});

describe('run-notebooks exit status', { timeout: 120_000 }, () => {
  test('is 0 when every notebook passes', () => {
    const run = runRunner([fixture('clean')]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^1 passed, 0 failed$/m);
  });

  test('rejects a path that does not exist before starting anything', () => {
    const run = runRunner(['test/fixtures/no-such-notebook.ipynb']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no-such-notebook\.ipynb does not exist/);
  });
});

describe('run-notebooks on notebooks committed with and without outputs', { timeout: 300_000 }, () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-runner-'));
  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  const git = (...args: string[]): void => {
    const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  };
  /** A one-cell notebook, with the output and execution count a run in JupyterLab leaves, or without. */
  const notebook = (withOutputs: boolean): string => {
    const cell = {
      cell_type: 'code',
      execution_count: withOutputs ? 1 : null,
      id: 'c1',
      metadata: {},
      outputs: withOutputs ? [{ name: 'stdout', output_type: 'stream', text: ['42\n'] }] : [],
      source: ['const answer: number = 42;\n', 'console.log(answer);'],
    };
    const kernelspec = { display_name: 'TypeScript (tslab)', language: 'typescript', name: 'tslab' };
    return `${JSON.stringify({ cells: [cell], metadata: { kernelspec }, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
  };

  test('fails the one whose copy in git has outputs, naming it and the fix; passes the one only the working copy has them', () => {
    git('init', '-q');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    // Our .gitattributes but no filter registered: a clone where `npm run setup` never ran lets outputs in.
    fs.copyFileSync(path.join(root, '.gitattributes'), path.join(repo, '.gitattributes'));
    fs.writeFileSync(path.join(repo, 'committed-with-outputs.ipynb'), notebook(true));
    fs.writeFileSync(path.join(repo, 'outputs-in-working-copy.ipynb'), notebook(false));
    git('add', '.');
    git('commit', '-q', '-m', 'notebooks');
    fs.writeFileSync(path.join(repo, 'outputs-in-working-copy.ipynb'), notebook(true));

    const run = runRunner([path.join(repo, 'committed-with-outputs.ipynb'), path.join(repo, 'outputs-in-working-copy.ipynb')]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const failed = section(run.stdout, 'committed-with-outputs');
    assert.match(failed, /^FAIL /);
    assert.match(
      failed,
      /- committed with outputs: code cell 1 has outputs or an execution_count in the copy git stores \(`git show :committed-with-outputs\.ipynb`\); clear it with `npm run setup` .*then `git add --renormalize committed-with-outputs\.ipynb` and commit/,
    );
    assert.doesNotMatch(failed, /failed:|aborted/, 'the cell itself runs fine');
    assert.match(section(run.stdout, 'outputs-in-working-copy'), /^PASS /);
    assert.match(run.stdout, /^1 passed, 1 failed$/m);
  });
});
