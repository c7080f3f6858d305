/**
 * Notebook outputs stay out of commits: the clear-outputs git filter (scripts/notebook_outputs.py) as a
 * program and inside `git add`, its registration by setup (installOutputFilter), and the check of what
 * git stores. Uses temporary git repositories; needs git and python3, and `npm run setup` for the test
 * that writes notebooks with Jupyter's own nbformat.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { venvPython } from '../scripts/jupyter';
import { OUTPUT_FILTER, installOutputFilter } from '../scripts/setup';

const root = path.resolve(__dirname, '..');
const filterScript = path.join(root, 'scripts', 'notebook_outputs.py');
const temporary: string[] = [];

after(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-outputs-'));
  temporary.push(dir);
  return dir;
}

function run(command: string, args: string[], cwd: string, input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, input, encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function git(cwd: string, ...args: string[]): string {
  const result = run('git', args, cwd);
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A temporary repository with our .gitattributes and a committer identity. */
function tempRepo(): string {
  const dir = tempDir();
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  fs.copyFileSync(path.join(root, '.gitattributes'), path.join(dir, '.gitattributes'));
  return dir;
}

function clean(text: string, name = 'x.ipynb'): { status: number | null; stdout: string; stderr: string } {
  return run('python3', [filterScript, 'clean', name], root, text);
}

/** A notebook as JupyterLab leaves it after a run: outputs, counts, timing, plus metadata that must stay. */
function executedNotebook(): Record<string, unknown> {
  return {
    cells: [
      { cell_type: 'markdown', id: 'm1', metadata: { tags: ['intro'] }, source: ['# Title'] },
      {
        cell_type: 'code',
        execution_count: 3,
        id: 'c1',
        metadata: {
          collapsed: false,
          execution: { 'iopub.execute_input': '2026-11-23T10:00:00.000Z', 'shell.execute_reply': '2026-11-23T10:00:01.000Z' },
          jupyter: { outputs_hidden: false, source_hidden: true },
          nbgrader: { grade: true, grade_id: 'q1', locked: false, points: 2.0, schema_version: 3, solution: false, task: false },
          scrolled: true,
          tags: ['keep-me'],
        },
        outputs: [
          { name: 'stdout', output_type: 'stream', text: ['λ = 0.5 ✓\n'] },
          { data: { 'text/plain': ['1e-05'] }, metadata: {}, output_type: 'display_data' },
        ],
        source: ['console.log("λ = 0.5 ✓");'],
      },
      { cell_type: 'code', execution_count: 4, id: 'c2', metadata: {}, outputs: [], source: ['const x = 1;'] },
    ],
    metadata: { kernelspec: { display_name: 'TypeScript (tslab)', language: 'typescript', name: 'tslab' }, language_info: { name: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** The same notebook as it should be committed. */
function clearedNotebook(): Record<string, unknown> {
  const nb = executedNotebook() as { cells: Record<string, any>[] };
  const c1 = nb.cells[1];
  c1.execution_count = null;
  c1.outputs = [];
  c1.metadata = {
    jupyter: { source_hidden: true },
    nbgrader: c1.metadata.nbgrader,
    tags: ['keep-me'],
  };
  nb.cells[2].execution_count = null;
  return nb;
}

/** Serialised as Jupyter writes notebooks: one-space indent, non-ASCII kept, a final newline. */
function asJupyterWrites(nb: unknown): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

describe('the clear-outputs filter', () => {
  test('clears outputs, execution counts and timing, and keeps all other metadata in place', () => {
    // nbgrader writes points as a float; JSON.stringify cannot, so it goes into the text by hand.
    const asFloat = (text: string) => text.replace('"points": 2,', '"points": 2.0,');
    const result = clean(asFloat(asJupyterWrites(executedNotebook())));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(JSON.parse(result.stdout), clearedNotebook());
    // Byte for byte what Jupyter would write for the cleared notebook: no churn beyond the cleared parts.
    assert.equal(result.stdout, asFloat(asJupyterWrites(clearedNotebook())));
    assert.match(result.stdout, /"points": 2\.0,/);
  });

  test('gives a notebook without outputs back byte for byte, so a second pass changes nothing', () => {
    const once = clean(asJupyterWrites(executedNotebook())).stdout;
    assert.equal(clean(once).stdout, once);
    // A clean file in another layout (2-space indent, no final newline, keys unsorted) is left as it is.
    const other = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: 'x', metadata: {}, outputs: [], execution_count: null }] }, null, 2);
    assert.equal(clean(other).stdout, other);
  });

  test('keeps the file\'s indent and final newline when it clears something', () => {
    const text = JSON.stringify(executedNotebook(), null, 2);
    const out = clean(text).stdout;
    assert.ok(!out.endsWith('\n'));
    assert.match(out, /^\{\n {2}"cells"/);
  });

  test('passes an empty file silently, and text that is not a notebook with a warning naming it', () => {
    assert.deepEqual(clean(''), { status: 0, stdout: '', stderr: '' });
    const conflict = '<<<<<<< HEAD\n{"cells": []}\n=======\n';
    const result = clean(conflict, 'notebooks/01.ipynb');
    assert.equal(result.status, 0);
    assert.equal(result.stdout, conflict);
    assert.match(result.stderr, /^clear-outputs: notebooks\/01\.ipynb is not valid JSON \(.+\); stored unchanged\.$/m);
  });

  test('matches what Jupyter\'s nbformat writes for a cleared notebook', { skip: !fs.existsSync(venvPython) && 'needs `npm run setup`' }, () => {
    // nbformat.writes is how JupyterLab saves; the filter's output must be what it would write once cleared.
    const program = [
      'import json, sys, nbformat',
      'nb = nbformat.reads(sys.stdin.read(), as_version=4)',
      'executed = nbformat.writes(nb)',
      'for c in nb.cells:',
      '    if c.cell_type == "code": c.outputs = []; c.execution_count = None',
      '    for k in ("execution", "collapsed", "scrolled"): c.metadata.pop(k, None)',
      '    c.metadata.get("jupyter", {}).pop("outputs_hidden", None)',
      'print(json.dumps({"executed": executed, "cleared": nbformat.writes(nb) + "\\n"}))',
    ].join('\n');
    const written = run(venvPython, ['-c', program], root, asJupyterWrites(executedNotebook()));
    assert.equal(written.status, 0, written.stderr);
    const { executed, cleared } = JSON.parse(written.stdout) as { executed: string; cleared: string };
    assert.equal(clean(`${executed}\n`).stdout, cleared);
  });
});

describe('git add through the filter', () => {
  test('stores the notebook cleared while the working copy keeps its outputs', () => {
    const repo = tempRepo();
    fs.mkdirSync(path.join(repo, 'scripts'));
    fs.copyFileSync(filterScript, path.join(repo, 'scripts', 'notebook_outputs.py'));
    assert.deepEqual(installOutputFilter(repo), { status: 'registered' });
    assert.equal(git(repo, 'config', `filter.${OUTPUT_FILTER}.clean`).trim(), 'python3 scripts/notebook_outputs.py clean %f');
    assert.deepEqual(installOutputFilter(repo), { status: 'present' }, 'a second setup changes nothing');

    const executed = asJupyterWrites(executedNotebook());
    fs.mkdirSync(path.join(repo, 'notebooks'));
    fs.writeFileSync(path.join(repo, 'notebooks', 'a.ipynb'), executed);
    // From a subfolder: git runs the filter from the top of the working tree all the same.
    git(path.join(repo, 'notebooks'), 'add', 'a.ipynb');
    assert.deepEqual(JSON.parse(git(repo, 'show', ':notebooks/a.ipynb')), clearedNotebook());
    assert.equal(fs.readFileSync(path.join(repo, 'notebooks', 'a.ipynb'), 'utf8'), executed, 'the working copy keeps its outputs');
    git(repo, 'commit', '-q', '-m', 'a');
    assert.equal(git(repo, 'status', '--porcelain', '--', 'notebooks'), '', 'outputs alone are no change to commit');
  });

  test('setup leaves a filter of the same name that someone set otherwise, and skips without git or a checkout', () => {
    const repo = tempRepo();
    git(repo, 'config', `filter.${OUTPUT_FILTER}.clean`, 'nbstripout');
    const outcome = installOutputFilter(repo);
    assert.equal(outcome.status, 'skipped');
    assert.match((outcome as { reason: string }).reason, /already set to `nbstripout`; left as it is/);
    assert.equal(git(repo, 'config', `filter.${OUTPUT_FILTER}.clean`).trim(), 'nbstripout');

    assert.deepEqual(installOutputFilter(tempDir()), { status: 'skipped', reason: 'this folder is not a git checkout' });
    const missing = installOutputFilter(repo, path.join(tempDir(), 'no-git-here'));
    assert.equal(missing.status, 'skipped');
    assert.match((missing as { reason: string }).reason, /^git was not found/);
  });
});

describe('the check of what git stores', () => {
  /** committed_output_problem(path) from notebook_outputs.py, as [problem, note]. */
  function check(notebook: string): [string | null, string | null] {
    const program = 'import json, sys; from notebook_outputs import committed_output_problem; print(json.dumps(committed_output_problem(sys.argv[1])))';
    const result = run('python3', ['-c', program, notebook], path.join(root, 'scripts'));
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as [string | null, string | null];
  }

  test('fails a notebook committed with outputs, naming it, the cells and the fix', () => {
    // No filter registered in this repository: outputs get in, as they would for a clone without setup.
    const repo = tempRepo();
    fs.mkdirSync(path.join(repo, 'notebooks'));
    const notebook = path.join(repo, 'notebooks', 'a.ipynb');
    fs.writeFileSync(notebook, asJupyterWrites(executedNotebook()));
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'with outputs');
    const [problem, note] = check(notebook);
    assert.equal(note, null);
    assert.equal(
      problem,
      'committed with outputs: code cells 1, 2 have outputs or an execution_count in the copy git stores ' +
        '(`git show :notebooks/a.ipynb`); clear it with `npm run setup` (once: it installs the git filter that ' +
        'clears outputs on `git add`), then `git add --renormalize notebooks/a.ipynb` and commit (your working copy keeps its outputs)',
    );

    // Following the advice fixes it, and the working copy still has its outputs.
    fs.mkdirSync(path.join(repo, 'scripts'));
    fs.copyFileSync(filterScript, path.join(repo, 'scripts', 'notebook_outputs.py'));
    installOutputFilter(repo);
    git(repo, 'add', '--renormalize', 'notebooks/a.ipynb');
    assert.deepEqual(check(notebook), [null, null]);
    assert.equal(fs.readFileSync(notebook, 'utf8'), asJupyterWrites(executedNotebook()));
  });

  test('passes a working copy with outputs when the committed copy is clean', () => {
    const repo = tempRepo();
    const notebook = path.join(repo, 'a.ipynb');
    fs.writeFileSync(notebook, asJupyterWrites(clearedNotebook()));
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'clean');
    fs.writeFileSync(notebook, asJupyterWrites(executedNotebook()));
    assert.deepEqual(check(notebook), [null, null]);
  });

  test('skips untracked notebooks and those .gitattributes exempts, and says so outside a checkout', () => {
    const repo = tempRepo();
    fs.appendFileSync(path.join(repo, '.gitattributes'), 'kept.ipynb -filter\n');
    for (const name of ['kept.ipynb', 'untracked.ipynb']) fs.writeFileSync(path.join(repo, name), asJupyterWrites(executedNotebook()));
    git(repo, 'add', '.gitattributes', 'kept.ipynb');
    git(repo, 'commit', '-q', '-m', 'kept');
    assert.deepEqual(check(path.join(repo, 'kept.ipynb')), [null, null]);
    assert.deepEqual(check(path.join(repo, 'untracked.ipynb')), [null, null]);

    const tarball = path.join(tempDir(), 'a.ipynb');
    fs.writeFileSync(tarball, asJupyterWrites(executedNotebook()));
    assert.deepEqual(check(tarball), [null, 'not a git checkout, so committed notebooks were not checked for outputs']);
  });
});
