import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellSource, MARKERS, readAssignment, type Notebook } from '../src/homework';
import { secretLines } from './assignment-secrets';

const root = join(__dirname, '..');
const homeworkDir = join(root, 'notebooks', 'homework');

/** Runs `maml-lab assign …` from the sources (no build needed), as the bin script runs it. */
/** `maml-lab assign` without its lint run (these tests are about the student version; lint has its own). */
function assign(args: string[]) {
  const script = `require(${JSON.stringify(join(root, 'src', 'cli'))}).main(process.argv.slice(1)).then((code) => { process.exitCode = code; })`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, 'assign', '--no-lint', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const nbgrader = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });

/** A small assignment with one of everything: setup, a solution in a function and one at the top level, grade cells. */
function fixture(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' } },
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Homework\n', 'Answer both questions.'] },
      { cell_type: 'code', metadata: nbgrader({ grade: false, solution: false, locked: true, grade_id: 'setup' }), execution_count: 1, outputs: [{ output_type: 'stream', name: 'stdout', text: ['ready\n'] }], source: ["import { question, test, expect, check, grade } from 'maml-lab';\n", "const q1 = question('q1', [test('is a number', 1, (a: number) => expect.finite(a))]);"] },
      { cell_type: 'code', metadata: nbgrader({ grade: false, solution: true, locked: false, grade_id: 'q1-answer' }), execution_count: 2, outputs: [], source: ['function secretSquare(x: number): number {\n', '  // BEGIN SOLUTION\n', '  const squaredSecretly = x * x;\n', '\n', '  return squaredSecretly;\n', '  // END SOLUTION\n', '}'] },
      { cell_type: 'code', metadata: nbgrader({ grade: true, solution: false, locked: true, grade_id: 'q1', points: 3 }), execution_count: 3, outputs: [{ output_type: 'display_data', data: { 'text/plain': 'q1 graded' }, metadata: {} }], source: ['await grade(q1, () => secretSquare(3), [\n', '  // BEGIN HIDDEN TESTS\n', "  test('hiddenNineCheck', 2, (a: number) => expect.near(a, 9, { absolute: 1e-12 })),\n", '  // END HIDDEN TESTS\n', ']);'] },
      { cell_type: 'code', metadata: nbgrader({ grade: false, solution: true, locked: false, grade_id: 'q2-answer' }), execution_count: 4, outputs: [], source: '// BEGIN SOLUTION\nconst topLevelSecret = 42;\n// END SOLUTION' },
      { cell_type: 'code', metadata: {}, execution_count: 5, outputs: [], source: 'console.log("scratch");' },
    ],
  };
}

function writeNotebook(dir: string, name: string, nb: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof nb === 'string' ? nb : JSON.stringify(nb, null, 1));
  return file;
}

/** Asserts the student file holds none of the source's secret lines and no output, and keeps the metadata. */
function assertStudentVersionOf(source: Notebook, student: Notebook): void {
  const text = JSON.stringify(student);
  const studentLines = student.cells.flatMap((c) => cellSource(c).split('\n').map((l) => l.trim()));
  for (const secret of secretLines(source)) {
    assert.ok(!studentLines.includes(secret), `a solution or hidden-test line reached the student version: ${secret}`);
  }
  for (const marker of [MARKERS.solution.begin, MARKERS.solution.end, MARKERS.hiddenTests.begin, MARKERS.hiddenTests.end]) {
    assert.ok(!text.includes(marker), `the marker ${marker} reached the student version`);
  }
  assert.equal(student.cells.length, source.cells.length);
  student.cells.forEach((c, i) => {
    assert.deepEqual(c.metadata, source.cells[i].metadata, `cell ${i + 1}'s metadata changed`);
    assert.equal(c.cell_type, source.cells[i].cell_type);
    if (c.cell_type === 'code') {
      assert.deepEqual(c.outputs, [], `cell ${i + 1} kept outputs`);
      assert.equal(c.execution_count, null, `cell ${i + 1} kept its execution count`);
    }
  });
  assert.deepEqual(student.metadata, source.metadata);
}

describe('maml-lab assign', () => {
  test('writes a student version with no solution or hidden-test text, outputs cleared, metadata kept; the source untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assign-'));
    const source = writeNotebook(dir, 'hw.ipynb', fixture());
    const before = readFileSync(source, 'utf8');
    const r = assign([source, join(dir, 'out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*hw\.ipynb: 1 graded question, 3 points \[q1 \(3\)\]; 2 solution regions replaced by stubs, 1 hidden-test region removed/);
    assert.equal(readFileSync(source, 'utf8'), before, 'the source changed');
    const student = JSON.parse(readFileSync(join(dir, 'out', 'hw.ipynb'), 'utf8')) as Notebook;
    assertStudentVersionOf(fixture(), student);
    for (const secret of ['squaredSecretly', 'hiddenNineCheck', 'topLevelSecret']) assert.ok(!JSON.stringify(student).includes(secret), secret);
    assert.deepEqual(student.cells[2].source, [
      'function secretSquare(x: number): number {\n',
      '  throw new Error("q1-answer: not implemented yet — replace this line with your solution");\n',
      '}',
    ]);
    assert.equal(student.cells[4].source, 'throw new Error("q2-answer: not implemented yet — replace this line with your solution");');
    assert.deepEqual(student.cells[3].source, ['await grade(q1, () => secretSquare(3), [\n', ']);']);
    assert.equal(cellSource(student.cells[5]), 'console.log("scratch");', 'free cells are kept');
  });

  test('refuses to overwrite without --force, naming the file; overwrites with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assign-'));
    const source = writeNotebook(dir, 'hw.ipynb', fixture());
    const out = join(dir, 'out');
    assert.equal(assign([source, out]).code, 0);
    writeFileSync(join(out, 'hw.ipynb'), 'edited by hand');
    const refused = assign([source, out]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /hw\.ipynb exists; pass --force to overwrite it/);
    assert.equal(readFileSync(join(out, 'hw.ipynb'), 'utf8'), 'edited by hand');
    assert.equal(assign([source, out, '--force']).code, 0);
    assertStudentVersionOf(fixture(), JSON.parse(readFileSync(join(out, 'hw.ipynb'), 'utf8')));
  });

  test('never writes over the source, even with --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assign-'));
    const source = writeNotebook(dir, 'hw.ipynb', fixture());
    const before = readFileSync(source, 'utf8');
    const r = assign([source, dir, '--force']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is the source itself/);
    assert.equal(readFileSync(source, 'utf8'), before);
  });

  test('bad input: each problem named with its cell and grade_id, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assign-'));
    const broken = fixture();
    broken.metadata = { kernelspec: { name: 'python3' } };
    broken.cells[2].source = ['function f() {\n', '  // BEGIN SOLUTION\n', '  return 1;\n', '}'];
    broken.cells[3].metadata = nbgrader({ grade: true, solution: false, locked: true, grade_id: 'q1' });
    broken.cells[4].metadata = nbgrader({ grade: false, solution: true, locked: false, grade_id: 'q1' });
    const cases: [string, unknown, RegExp[]][] = [
      ['broken.ipynb', broken, [/for the kernel "python3", not tslab/, /cell 3 \(grade_id q1-answer\): unbalanced solution markers: BEGIN SOLUTION on line 2 has no END SOLUTION/, /cell 4 \(grade_id q1\): a grade cell needs points > 0/, /cell 5 \(grade_id q1\): grade_id q1 is already used by cell 4/]],
      ['text.ipynb', 'this is not json', [/text\.ipynb is not a notebook: it is not valid JSON/]],
      ['array.ipynb', [1, 2], [/not a notebook: expected a JSON object, got an array/]],
      ['old.ipynb', { nbformat: 3, cells: [], metadata: {} }, [/nbformat is 3 \(expected 4\)/]],
    ];
    for (const [name, nb, messages] of cases) {
      const r = assign([writeNotebook(dir, name, nb), join(dir, 'out')]);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      for (const m of messages) assert.match(r.stderr, m, name);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(existsSync(join(dir, 'out')), false, 'nothing was written');
    assert.match(assign([join(dir, 'missing.ipynb'), join(dir, 'out')]).stderr, /cannot read .*missing\.ipynb/);
    assert.equal(assign([join(dir, 'only-one.ipynb')]).code, 2);
  });

  test('the three assignments: sources valid, student versions free of solutions and hidden tests', () => {
    const sources = existsSync(homeworkDir) ? readdirSync(homeworkDir).filter((f) => f.endsWith('.ipynb')) : [];
    assert.ok(sources.length >= 3, `expected three assignments in notebooks/homework, found ${sources.length}`);
    const out = mkdtempSync(join(tmpdir(), 'assign-'));
    for (const name of sources) {
      const source = JSON.parse(readFileSync(join(homeworkDir, name), 'utf8')) as Notebook;
      const r = assign([join(homeworkDir, name), out]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.ok(readAssignment(source).questions.length >= 2, `${name} has at least two graded questions`);
      assertStudentVersionOf(source, JSON.parse(readFileSync(join(out, name), 'utf8')));
    }
  });
});
