/**
 * The grader on a synthetic class: one fixture assignment (squares.ipynb: q1 3 points, q2 2, q3 2) and
 * submissions made from it, fully correct, partially correct, and each way a submission goes wrong that
 * issue 9 lists. Every student's expected score is written out below; the gradebook must hold exactly
 * those. Then shards of part of the class, graded through the CLI and merged, must equal the rows of
 * the unsharded run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cellSource, gradeClass, gradebookCsv, studentVersion, type ClassGrading, type Notebook, type NotebookCell } from '../src/homework';
import { executeNotebook } from '../src/notebook/execute';

const FIXTURE = path.join(__dirname, 'fixtures', 'homework', 'squares.ipynb');
const BIN = path.join(__dirname, '..', 'bin', 'maml-lab.js');
const source = (): Notebook => JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Notebook;

const gradeIdOf = (c: NotebookCell): string | undefined => (c.metadata?.nbgrader as { grade_id?: string } | undefined)?.grade_id;
const indexOf = (nb: Notebook, gradeId: string): number => {
  const i = nb.cells.findIndex((c) => gradeIdOf(c) === gradeId);
  assert.ok(i >= 0, `fixture has no cell ${gradeId}`);
  return i;
};
const free = (text: string): NotebookCell => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: text });

/** The source with an answer cell's body replaced (the function's signature kept). */
function answering(gradeId: string, body: string, nb: Notebook = source()): Notebook {
  const cell = nb.cells[indexOf(nb, gradeId)];
  cell.source = cellSource(cell).replace(/\/\/ BEGIN SOLUTION[\s\S]*\/\/ END SOLUTION/, body);
  return nb;
}

/** The source with a student's own cell added after the cell `gradeId`. */
function adding(after: string, text: string, nb: Notebook = source()): Notebook {
  nb.cells.splice(indexOf(nb, after) + 1, 0, free(text));
  return nb;
}

function cheater(): Notebook {
  const nb = studentVersion(source());
  const pastedTest = { ...nb.cells[indexOf(nb, 'q1')] };
  pastedTest.source = "await grade(q1, () => square, [test('square(3) is 9', 1, () => {}), test('square(-2) is 4', 1, () => {})]);";
  nb.cells.push(pastedTest);
  nb.cells.push(free("await grade(q1, () => (x: number) => x * x, [test('square(3) is 9', 1, () => {}), test('square(-2) is 4', 1, () => {})]);"));
  nb.cells.splice(indexOf(nb, 'q1-answer') + 1, 0, free([
    "const q1 = question<(x: number) => number>('q1', []);",
    'const grade = async (..._args: unknown[]) => {};',
    'const check = async (..._args: unknown[]) => {};',
    'const test = (name: string, points: number, _run: unknown) => ({ name, points, run: () => {} });',
    'const expect = { near: () => {}, shape: () => {}, finite: () => {} };',
  ].join('\n')));
  return nb;
}

function withKernel(name: string): Notebook {
  const nb = source();
  nb.metadata.kernelspec = { name, display_name: 'Python 3', language: 'python' };
  return nb;
}

function reordered(): Notebook {
  const nb = source();
  const [q3] = nb.cells.splice(indexOf(nb, 'q3-answer'), 1);
  nb.cells.splice(indexOf(nb, 'q1-answer'), 0, q3);
  return nb;
}

function duplicated(): Notebook {
  const nb = source();
  const copy = structuredClone(nb.cells[indexOf(nb, 'q1-answer')]);
  copy.source = 'function square(x: number): number {\n  return 0 * x;\n}';
  nb.cells.splice(indexOf(nb, 'q1-answer') + 1, 0, copy);
  return nb;
}

function deleting(gradeId: string): Notebook {
  const nb = source();
  nb.cells.splice(indexOf(nb, gradeId), 1);
  return nb;
}

/** Every submission of the synthetic class, and the score each must get per question. */
const CLASS: Record<string, { file: () => Notebook | string | 'directory'; scores: [number, number, number]; note?: RegExp }> = {
  full: { file: source, scores: [3, 2, 2] },
  untouched: { file: () => studentVersion(source()), scores: [0, 0, 0] },
  partial: { file: () => answering('q3-answer', 'return 3 * x;', answering('q1-answer', 'return x * Math.abs(x);')), scores: [2, 2, 0] },
  syntaxError: { file: () => answering('q2-answer', 'return [1, 2;'), scores: [3, 0, 2], note: /your code cell \d+ .*failed/ },
  typeError: { file: () => answering('q2-answer', "return 'ab';"), scores: [3, 0, 2], note: /not assignable/ },
  loopInTests: { file: () => answering('q3-answer', 'while (true) {}'), scores: [3, 2, 0] },
  loopAtTop: { file: () => adding('q1-answer', 'while (true) {}'), scores: [3, 2, 2], note: /ran past the time limit/ },
  exits: { file: () => adding('q2-answer', 'process.exit(1);'), scores: [3, 2, 2], note: /ended the kernel/ },
  crashes: { file: () => answering('q2-answer', "process.kill(process.pid, 'SIGKILL');\n  return [1, 2];"), scores: [3, 0, 2] },
  throwsAtTop: { file: () => adding('q1-answer', "throw new Error('oops');"), scores: [3, 2, 2], note: /oops/ },
  deletedCell: { file: () => deleting('q2-answer'), scores: [3, 0, 2], note: /q2-answer is missing/ },
  reordered: { file: reordered, scores: [3, 2, 2] },
  duplicated: { file: duplicated, scores: [1, 2, 2], note: /2 copies of the answer cell q1-answer/ },
  cheater: { file: cheater, scores: [0, 0, 0] },
  hugeOutput: { file: () => adding('q1-answer', "console.log('x'.repeat(5_000_000));"), scores: [3, 2, 2], note: /printed more than/ },
  warns: { file: () => adding('q1-answer', "console.warn('careful: this is stderr');"), scores: [3, 2, 2] },
  otherKernel: { file: () => withKernel('python3'), scores: [3, 2, 2], note: /kernel "python3"/ },
  notJson: { file: () => '\u0000\u0001 this is not a notebook', scores: [0, 0, 0], note: /not valid JSON/ },
  notNotebook: { file: () => '{"hello": "world"}', scores: [0, 0, 0], note: /nbformat is missing/ },
  unreadable: { file: () => 'directory', scores: [0, 0, 0], note: /could not be read/ },
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-test-'));
const files: Record<string, string> = {};
let grading: ClassGrading;
let seconds = 0;
const hashes = new Map<string, string>();
const hashOf = (file: string): string => (fs.statSync(file).isDirectory() ? 'dir' : createHash('sha256').update(fs.readFileSync(file)).digest('hex'));

describe('grading a synthetic class', { timeout: 900_000 }, () => {
  before(async () => {
    for (const [student, { file }] of Object.entries(CLASS)) {
      const target = path.join(dir, 'class', `${student}.ipynb`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const content = file();
      if (content === 'directory') fs.mkdirSync(target);
      else fs.writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
      files[student] = target;
      hashes.set(target, hashOf(target));
    }
    const started = performance.now();
    grading = await gradeClass(FIXTURE, Object.values(files), {
      execute: executeNotebook,
      jobs: 2,
      cellTimeoutSeconds: 15,
      limitSeconds: 300,
      hide: [FIXTURE, ...Object.values(files)],
    });
    seconds = (performance.now() - started) / 1000;
    console.log(`graded ${grading.reports.length} submissions in ${seconds.toFixed(1)} s (${(seconds / grading.reports.length).toFixed(1)} s each, with the reference run)`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives every student exactly the expected score per question', () => {
    const got = Object.fromEntries(grading.reports.map((r) => [r.student, r.questions.map((q) => q.earned)]));
    const want = Object.fromEntries(Object.entries(CLASS).map(([s, c]) => [s, c.scores]));
    assert.deepEqual(got, want);
  });

  it('writes the gradebook: a column per question and the total, one row per student', () => {
    const csv = gradebookCsv(grading.columns, grading.reports);
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'student,q1,q2,q3,total');
    assert.equal(lines.length, Object.keys(CLASS).length + 1);
    for (const [student, { scores }] of Object.entries(CLASS)) {
      assert.ok(lines.includes([student, ...scores, scores.reduce((a, b) => a + b, 0)].join(',')), `row for ${student}`);
    }
  });

  it('tells each student what happened', () => {
    for (const [student, { note }] of Object.entries(CLASS)) {
      if (note === undefined) continue;
      const report = grading.reports.find((r) => r.student === student);
      const text = [...(report?.notes ?? []), ...(report?.questions.map((q) => q.note ?? '') ?? [])].join('\n');
      assert.match(text, note, `${student}: ${text}`);
    }
    const loop = grading.reports.find((r) => r.student === 'loopInTests');
    assert.match(loop?.questions[2].note ?? '', /ran past the time limit/);
    const crash = grading.reports.find((r) => r.student === 'crashes');
    assert.match(crash?.questions[1].note ?? '', /kernel died/);
  });

  it('shows no hidden-test source, solution or instructor stack trace in anything a student sees', () => {
    const fixture = source();
    const secret = fixture.cells.flatMap((c) => {
      const text = cellSource(c);
      const hidden = /BEGIN HIDDEN TESTS([\s\S]*?)END HIDDEN TESTS/.exec(text)?.[1] ?? '';
      const solution = /BEGIN SOLUTION([\s\S]*?)END SOLUTION/.exec(text)?.[1] ?? '';
      return [...hidden.split('\n'), ...solution.split('\n')].map((l) => l.replace(/^\s*\/\/\s*/, '').trim()).filter((l) => l.length > 8);
    });
    assert.ok(secret.length >= 5, 'the fixture has hidden tests and solutions to look for');
    const seen = JSON.stringify(grading.reports) + gradebookCsv(grading.columns, grading.reports);
    for (const line of secret) assert.ok(!seen.includes(line), `a report shows ${JSON.stringify(line)}`);
    assert.doesNotMatch(seen, /\n\s+at |BEGIN HIDDEN|mamlGrading|startGrading/);
  });

  it('never modifies a submission', () => {
    for (const [file, hash] of hashes) assert.equal(hashOf(file), hash, file);
  });

  it('grades shards through the CLI, and their merge equals the unsharded rows', () => {
    const part = ['full', 'partial', 'untouched', 'deletedCell', 'notJson'].map((s) => files[s]);
    const outs = [0, 1].map((i) => path.join(dir, `shard-${i}`));
    for (const [i, out] of outs.entries()) {
      execFileSync(process.execPath, [BIN, 'grade', FIXTURE, ...part, '--out', out, '--shard', `${i}/2`, '--cell-timeout', '15'], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
    const merged = path.join(dir, 'merged');
    execFileSync(process.execPath, [BIN, 'grade', '--merge', ...outs, '--out', merged], { stdio: ['ignore', 'pipe', 'pipe'] });
    const names = new Set(['full', 'partial', 'untouched', 'deletedCell', 'notJson']);
    const expected = gradebookCsv(grading.columns, grading.reports.filter((r) => names.has(r.student)));
    assert.equal(fs.readFileSync(path.join(merged, 'gradebook.csv'), 'utf8'), expected);
    const sizes = outs.map((o) => fs.readdirSync(path.join(o, 'reports')).length);
    assert.equal(sizes[0] + sizes[1], 5);
    assert.ok(sizes.every((n) => n > 0), `both shards hold students: ${sizes}`);
  });
});
