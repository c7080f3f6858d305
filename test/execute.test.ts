/**
 * executeNotebook (src/notebook/execute.ts → python/maml_lab_exec) through the real tslab kernel: what a
 * grader meets in students' notebooks. Two kernels in all: one notebook walks through failure, abort,
 * a type error, stderr, an infinite loop, huge output and process.exit; the other the run's limit and,
 * where bubblewrap works, the sandbox. Needs `npm run build` (cells import maml-lab) and `npm run setup`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { executeNotebook, type CellRun, type NotebookRun } from '../src/notebook/execute';
import { jupyterEnv, packageRoot, venvPython } from '../src/notebook/venv';

const code = (source: string, i: number) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source });
const notebook = (...sources: string[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
  cells: [{ cell_type: 'markdown', id: 'm', metadata: {}, source: '# a notebook' }, ...sources.map(code)],
});
/** The text of a cell's stream outputs. */
const printed = (cell: CellRun, name = 'stdout'): string =>
  (cell.outputs as { output_type: string; name?: string; text?: string }[])
    .filter((o) => o.output_type === 'stream' && o.name === name)
    .map((o) => o.text)
    .join('');
const temp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Why bubblewrap cannot be used here, or undefined when it can. */
function bwrapMissing(): string | undefined {
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--unshare-net', '--die-with-parent', 'true']);
  if (probe.error !== undefined) return `bwrap is not installed (${probe.error.message}); CI installs Debian's bubblewrap`;
  return probe.status === 0 ? undefined : `bwrap does not work here: ${probe.stderr.toString().trim()}`;
}

describe('executeNotebook: one kernel through everything a submission can do wrong', { timeout: 120_000 }, () => {
  const cwd = temp('maml-lab-execute-');
  const MAX = 100_000;
  let run: NotebookRun;
  let seconds: number;
  after(() => fs.rmSync(cwd, { recursive: true, force: true }));
  before(async () => {
    const started = Date.now();
    run = await executeNotebook(
      notebook(
        'let x = 41;\nconsole.log("start");',
        'throw new Error("boom in cell 2");',
        'console.log("after the failure", x + 1);',
        'const n: number = "not a number";',
        'console.warn("only a warning on stderr");',
        'while (true) {}',
        'console.log("after the loop", x);',
        'for (let i = 0; i < 100; i++) console.log("y".repeat(1_000_000));',
        'console.log(process.cwd());',
        'x = 7;\nprocess.exit(3);',
        'console.log("replayed", x);',
      ),
      { cwd, cellTimeoutSeconds: 3, retryAborted: true, restartDeadKernel: true, maxOutputBytes: MAX, isolation: 'none' },
    );
    seconds = (Date.now() - started) / 1000;
  });
  const cell = (n: number): CellRun => run.cells[n - 1];

  test('one CellRun per code cell, indexed in the notebook (the markdown cell counts)', () => {
    assert.equal(run.cells.length, 11);
    assert.deepEqual(run.cells.map((c) => c.index), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(run.isolation, 'none');
    assert.equal(run.startupError, undefined);
    assert.ok(seconds < 60, `took ${seconds} s`);
  });

  test('a throwing cell is an error with its message, no kernel frames; the next cell runs (its abort retried)', () => {
    assert.equal(cell(1).status, 'ok');
    assert.equal(cell(2).status, 'error');
    assert.match(cell(2).errorText ?? '', /Error: boom in cell 2/);
    assert.doesNotMatch(cell(2).errorText ?? '', /node_modules\/tslab|node:vm/);
    assert.equal(cell(3).status, 'ok');
    assert.equal(cell(3).attempts, 2, 'sent right after the failure, aborted by tslab, sent again');
    assert.equal(printed(cell(3)), 'after the failure 42\n');
  });

  test('a TypeScript type error is an error with the compiler message', () => {
    assert.equal(cell(4).status, 'error');
    assert.match(cell(4).errorText ?? '', /Type 'string' is not assignable to type 'number'/);
  });

  test('output on stderr alone is not a failure', () => {
    assert.equal(cell(5).status, 'ok');
    assert.equal(printed(cell(5), 'stderr'), 'only a warning on stderr\n');
  });

  test('an infinite loop times out, is interrupted, and the kernel keeps its state', () => {
    assert.equal(cell(6).status, 'timeout');
    assert.match(cell(6).reason ?? '', /ran longer than the 3 s cell timeout/);
    assert.ok(cell(6).seconds >= 3 && cell(6).seconds < 10, `${cell(6).seconds} s`);
    assert.equal(cell(7).status, 'ok');
    assert.equal(printed(cell(7)), 'after the loop 41\n');
  });

  test('100 MB of output is capped at maxOutputBytes and marked truncated', () => {
    assert.equal(cell(8).status, 'ok');
    assert.equal(cell(8).truncated, true);
    assert.equal(Buffer.byteLength(printed(cell(8))), MAX);
  });

  test("the kernel's cwd is options.cwd, given a node_modules link to resolve maml-lab", () => {
    assert.equal(printed(cell(9)).trim(), fs.realpathSync(cwd));
    assert.ok(fs.lstatSync(path.join(cwd, 'node_modules')).isSymbolicLink());
  });

  test('process.exit is a dead kernel: restarted, the ok cells replayed, the run goes on', () => {
    assert.equal(cell(10).status, 'dead');
    assert.match(cell(10).reason ?? '', /exit code 3.*restarted/);
    assert.equal(run.kernelRestarts, 1);
    assert.equal(cell(11).status, 'ok');
    // x is 41 again: cell 1 was replayed, the dead cell's assignment was not.
    assert.equal(printed(cell(11)), 'replayed 41\n');
  });
});

describe('executeNotebook: the run limit and the sandbox', { timeout: 120_000 }, () => {
  const cwd = temp('maml-lab-sandbox-');
  const hidden = temp('maml-lab-hidden-');
  // In dist/, read-only in every layout: where the package itself lies under /tmp (a clone there), its
  // folder is a mount point on the sandbox's own /tmp, so a write beside it stays in the sandbox.
  const escape = path.join(packageRoot, 'dist', 'escaped-from-the-sandbox.txt');
  const noBwrap = bwrapMissing();
  let run: NotebookRun;
  after(() => {
    for (const dir of [cwd, hidden]) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(escape, { force: true });
  });
  before(async () => {
    fs.writeFileSync(path.join(hidden, 'solutions.txt'), 'the answers');
    run = await executeNotebook(
      notebook(
        `import fs from "fs";\nconsole.log(fs.existsSync(${JSON.stringify(path.join(hidden, 'solutions.txt'))}));`,
        `fs.writeFileSync("mine.txt", "ok");\nconsole.log(fs.readFileSync("mine.txt", "utf8"));`,
        `try { fs.writeFileSync(${JSON.stringify(escape)}, "x"); console.log("wrote"); } catch (e) { console.log((e as NodeJS.ErrnoException).code); }`,
        'await new Promise((resolve) => setTimeout(resolve, 60_000));',
        'console.log("never");',
      ),
      { cwd, cellTimeoutSeconds: 30, limitSeconds: 12, retryAborted: true, isolation: noBwrap ? 'none' : 'bubblewrap', hide: [hidden] },
    );
  });

  test('limitSeconds stops the cell running at the limit and marks the rest not-run, with reasons', () => {
    assert.equal(run.cells[3].status, 'timeout');
    assert.match(run.cells[3].reason ?? '', /limit of 12 s/);
    assert.equal(run.cells[4].status, 'not-run');
    assert.match(run.cells[4].reason ?? '', /limit of 12 s was reached/);
  });

  test('under bubblewrap a hidden path is not there and nothing outside cwd is writable; cwd is its own', { skip: noBwrap }, () => {
    assert.equal(run.isolation, 'bubblewrap');
    assert.equal(printed(run.cells[0]), 'false\n', 'the hidden file is visible');
    assert.equal(run.cells[1].status, 'ok');
    assert.equal(printed(run.cells[1]), 'ok\n', 'cwd is writable');
    assert.equal(fs.existsSync(path.join(cwd, 'mine.txt')), false, 'what the kernel writes stays in the sandbox');
    assert.equal(printed(run.cells[2]), 'EROFS\n');
    assert.equal(fs.existsSync(escape), false);
  });
});

describe('executeNotebook: refusals', () => {
  test('a missing interpreter is named, with `npm run setup`', async () => {
    await assert.rejects(
      executeNotebook(notebook('1'), { cwd: os.tmpdir(), cellTimeoutSeconds: 5, python: '/no/such/python' }),
      /missing \/no\/such\/python.*npm run setup/,
    );
  });

  test('an aborted signal rejects with its reason', async () => {
    const controller = new AbortController();
    const cwd = temp('maml-lab-abort-');
    const pending = executeNotebook(notebook('await new Promise(() => {});'), { cwd, cellTimeoutSeconds: 60, isolation: 'none' }, controller.signal);
    setTimeout(() => controller.abort(new Error('grading cancelled')), 200);
    await assert.rejects(pending, /grading cancelled/);
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});

describe('a kernel that starts but does not answer', { timeout: 300_000 }, () => {
  test('is started once more, and the run says so in startupRetries', () => {
    const cwd = temp('maml-lab-silent-');
    try {
      fs.symlinkSync(path.join(packageRoot, 'node_modules'), path.join(cwd, 'node_modules'));
      const script = path.join(packageRoot, 'test', 'fixtures', 'executor', 'silent_start.py');
      const out = spawnSync(venvPython, [script, cwd, 'none'], { env: jupyterEnv(), encoding: 'utf8', timeout: 240_000 });
      assert.equal(out.status, 0, out.stderr);
      const run = JSON.parse(out.stdout) as NotebookRun & { starts: number };
      assert.equal(run.starts, 2);
      assert.equal(run.startupRetries, 1);
      assert.equal(run.startupError, undefined);
      assert.equal(printed(run.cells[0]), '42\n');
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
