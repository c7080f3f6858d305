/**
 * The three assignments in notebooks/homework: each must pass `lint` (its tests reject every generated
 * and declared wrong answer, its solution passes them all), and through the grader each source (solutions
 * in place) must score full marks and its student version (what `maml-lab assign` hands out) zero. A copy
 * of assignment 02 as it was before issue 14 (public tests that only check shape and finiteness) must fail
 * lint, naming the wrong answers that slipped through.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gradeClass, lintAssignment, readAssignment, readAssignmentFile, studentVersion } from '../src/homework';
import { executeNotebook } from '../src/notebook/execute';

const BIN = path.join(__dirname, '..', 'bin', 'maml-lab.js');
const HOMEWORK = path.join(__dirname, '..', 'notebooks', 'homework');
const assignments = fs.readdirSync(HOMEWORK).filter((f) => f.endsWith('.ipynb')).sort();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assignments-'));

describe('the homework assignments, graded', { timeout: 900_000 }, () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('there are three', () => assert.equal(assignments.length, 3, assignments.join(', ')));

  it('lint fails today\'s assignment 02, whose public tests accept zeros, naming the question and the wrong answer', async () => {
    const { assignment } = readAssignmentFile(path.join(__dirname, 'fixtures', 'homework', 'weak-fomaml.ipynb'));
    const report = await lintAssignment(assignment, { execute: executeNotebook });
    assert.ok(report.problems.includes('q1: the generated wrong answer "all zeros" passes every public test (check() would show ✓ for it)'), report.problems.join('\n'));
    assert.ok(report.problems.includes('q3: the generated wrong answer "all zeros" passes every public test (check() would show ✓ for it)'), report.problems.join('\n'));
    assert.ok(report.problems.includes('q1: the declared mistake "exact MAML where FOMAML is asked" passes every public test (check() would show ✓ for it)'), report.problems.join('\n'));
    // assign lints first: it refuses to hand this one out, and writes nothing.
    const out = path.join(dir, 'weak-out');
    const refused = spawnSync(process.execPath, [BIN, 'assign', path.join(__dirname, 'fixtures', 'homework', 'weak-fomaml.ipynb'), out], { encoding: 'utf8' });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /not written: fix the problems above/);
    assert.equal(fs.existsSync(out), false);
    // What its hidden tests do catch is not reported as a problem.
    assert.ok(!report.problems.some((p) => p.startsWith('q1: the generated wrong answer "all zeros" passes every hidden test')), report.problems.join('\n'));
  });

  it('maml-lab new writes an assignment lint passes, with metadata and ids on every cell, and never overwrites', () => {
    const file = path.join(dir, 'new.ipynb');
    execFileSync(process.execPath, [BIN, 'new', file, '--questions', '2'], { stdio: 'pipe' });
    const out = execFileSync(process.execPath, [BIN, 'lint', file], { encoding: 'utf8' });
    assert.match(out, /new\.ipynb: the tests reject every wrong answer, and the solution passes them all ✓/);
    assert.equal(readAssignment(JSON.parse(fs.readFileSync(file, 'utf8'))).totalPoints, 4);
    const again = spawnSync(process.execPath, [BIN, 'new', file], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists; choose another name/);
  });

  for (const name of assignments) {
    it(`${name}: lint finds no wrong answer its tests accept`, async () => {
      const started = performance.now();
      const { assignment } = readAssignmentFile(path.join(HOMEWORK, name));
      const report = await lintAssignment(assignment, { execute: executeNotebook });
      console.log(`${name}: linted in ${((performance.now() - started) / 1000).toFixed(1)} s: ${report.questions.map((q) => `${q.id} ${q.wrong.length} wrong answers`).join(', ')}`);
      assert.deepEqual(report.problems, []);
      assert.ok(report.questions.every((q) => q.wrong.some((w) => !w.generated)), 'every question declares at least one mistake');
    });
  }

  for (const name of assignments) {
    it(`${name}: the source scores full marks, the student version zero`, async () => {
      const source = path.join(HOMEWORK, name);
      const notebook = JSON.parse(fs.readFileSync(source, 'utf8')) as unknown;
      const total = readAssignment(notebook).totalPoints;
      const folder = fs.mkdtempSync(path.join(dir, 'class-'));
      const solution = path.join(folder, 'solution.ipynb');
      const handout = path.join(folder, 'handout.ipynb');
      fs.copyFileSync(source, solution);
      fs.writeFileSync(handout, JSON.stringify(studentVersion(notebook), null, 1));
      const started = performance.now();
      const grading = await gradeClass(source, [solution, handout], { execute: executeNotebook, jobs: 2, cellTimeoutSeconds: 120, hide: [source] });
      console.log(`${name}: graded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const score = (student: string) => grading.reports.find((r) => r.student === student);
      assert.equal(score('solution')?.earned, total, JSON.stringify(score('solution')?.questions.filter((q) => q.earned < q.points)));
      assert.equal(score('solution')?.possible, total);
      assert.equal(score('handout')?.earned, 0);
      // The handout fails because nothing is implemented, and says so, not because a cell broke.
      const messages = score('handout')?.questions.flatMap((q) => q.tests.map((t) => t.message)) ?? [];
      assert.ok(messages.every((m) => /not implemented yet/.test(m)), messages.join('\n'));
    });
  }
});
