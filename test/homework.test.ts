import { describe, test as it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import {
  AssignmentError, expect, GRADE_MIME, gradeRecord, grading, question, readAssignment, runTests, startGrading, studentVersion, test,
  TestFailure, verifyGradeRecord, type GradeRecord, type TestOutcome,
} from '../src/homework';

/** The message `fn` fails with (a TestFailure), or undefined when it passes. */
function failure(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof TestFailure, `expected a TestFailure, got ${(error as Error).name}: ${(error as Error).message}`);
    return error.message;
  }
}

describe('expect', () => {
  it('near: numbers, vectors, matrices and tensors within a named tolerance', () => {
    assert.equal(failure(() => expect.near(1 + 1e-9, 1)), undefined);
    assert.equal(failure(() => expect.near(new Float64Array([1, 2]), [1, 2 + 1e-9], { relative: 1e-6 })), undefined);
    assert.equal(failure(() => expect.near([[1, 2], [3, 4]], [[1, 2], [3, 4.001]], { absolute: 1e-2 })), undefined);
    const t = tf.tensor1d([1, 2]);
    assert.equal(failure(() => expect.near(t, [1, 2], { relative: 1e-6 })), undefined);
    t.dispose();
    assert.equal(failure(() => expect.near(t, [1, 2])), 'expected a vector of 2 numbers; got a disposed tensor');
    assert.equal(failure(() => expect.near([1, 3], [1, 2], { relative: 1e-6 })), 'expected a vector of 2 numbers within relative error 1.0e-6 (2-norm) of the reference; got relative error 4.5e-1');
    assert.equal(failure(() => expect.near([[1, 2], [3, 5]], [[1, 2], [3, 4]], { absolute: 1e-3 })), 'expected a 2×2 matrix within largest difference 1.0e-3 of the reference; got largest difference 1.0e0');
  });

  it('messages say what was expected in kind and what came, and never the expected numbers', () => {
    const secret = [0.123456789, 9.87654321];
    const messages = [
      failure(() => expect.near([1, 2, 3], secret)),
      failure(() => expect.near(0.5, secret)),
      failure(() => expect.near([1, NaN], secret)),
      failure(() => expect.near([1, 2], secret)),
      failure(() => expect.near(undefined, secret)),
      failure(() => expect.near(Promise.resolve(secret), secret)),
      failure(() => expect.equals([1, 2], secret)),
      failure(() => expect.equals(3, 0.123456789)),
    ];
    assert.deepEqual(messages.slice(0, 6), [
      'expected a vector of 2 numbers; got a vector of 3 numbers',
      'expected a vector of 2 numbers; got a number',
      'expected finite numbers; got NaN at entry 1',
      messages[3],
      'expected a vector of 2 numbers; got undefined (did the function return nothing?)',
      'expected a vector of 2 numbers; got a Promise (did you forget await?)',
    ]);
    assert.match(messages[3]!, /within relative error 1\.0e-6 \(2-norm\) of the reference; got relative error/);
    for (const m of messages) {
      assert.ok(m, 'every case fails');
      assert.doesNotMatch(m, /0\.1234|9\.876/, `a message leaked the expected value: ${m}`);
      assert.doesNotMatch(m, /\n\s+at /, 'no stack');
    }
  });

  it('shape, finite, equals, isFunction, ranges and that', () => {
    assert.equal(failure(() => expect.shape([[1, 2, 3]], [1, 3])), undefined);
    assert.equal(failure(() => expect.shape([1, 2], [2, 1])), 'expected a 2×1 matrix; got a vector of 2 numbers');
    assert.equal(failure(() => expect.shape('12', [2])), 'expected a vector of 2 numbers; got a string');
    assert.equal(failure(() => expect.finite([[1, Infinity]])), 'expected finite numbers; got Infinity at entry 1');
    assert.equal(failure(() => expect.finite({})), 'expected a number, vector or matrix; got an object');
    assert.equal(failure(() => expect.equals({ a: [1, 2] }, { a: [1, 2] })), undefined);
    assert.equal(failure(() => expect.equals([1, 2, 4], [1, 2, 3])), 'expected a vector of 3 numbers equal entry by entry to the reference; got one that differs at entry 2');
    assert.equal(failure(() => expect.equals('b', 'a')), 'expected a particular string; got "b"');
    assert.equal(failure(() => expect.isFunction((a: number, b: number) => a + b, 2)), undefined);
    assert.equal(failure(() => expect.isFunction((a: number) => a, 2)), 'expected a function of 2 parameters; got a function of 1 parameter');
    assert.equal(failure(() => expect.atMost(0.2, 0.1)), 'expected a number ≤ 0.1; got 0.2');
    assert.equal(failure(() => expect.atLeast([1], 0)), 'expected a number; got a vector of 1 number');
    assert.equal(failure(() => expect.between(0.5, 0, 1)), undefined);
    assert.equal(failure(() => expect.that(false, 'the errors to grow with α')), 'expected the errors to grow with α');
  });

  it('a wrong expected value or tolerance is the test author\'s mistake: a TypeError, not a TestFailure', () => {
    assert.throws(() => expect.near(1, 'one'), TypeError);
    assert.throws(() => expect.near(1, 1, { relative: 1e-6, absolute: 1e-6 } as never), TypeError);
    assert.ok(Object.isFrozen(expect), 'a student cannot replace expect.near');
  });
});

describe('test and question', () => {
  it('check their arguments', () => {
    assert.throws(() => test('', 1, () => undefined), /non-empty string/);
    assert.throws(() => test('t', 0, () => undefined), /points must be a number > 0, got 0/);
    assert.throws(() => question('q 1', []), /grade_id such as "q1"/);
    const t = test('same', 1, () => undefined);
    assert.throws(() => question('q1', [t, test('same', 2, () => undefined)]), /two tests are named "same"/);
    assert.throws(() => question('q1', [{ name: 'fake', points: 1, run: () => undefined }]), /is not a test made by test/);
    assert.ok(Object.isFrozen(question('q1', [t]).publicTests));
  });
});

describe('runTests', () => {
  const q = question<number>('q1', [test('is finite', 1, (a) => expect.finite(a))]);
  const isTwo = test<number>('is two', 2, (a) => expect.near(a, 2, { absolute: 1e-12 }));

  it('runs public then hidden tests, one outcome each, with points, hidden flag and time', async () => {
    const outcomes = await runTests(q, () => 2, [isTwo]);
    assert.deepEqual(outcomes.map(({ name, points, passed, message, hidden }) => ({ name, points, passed, message, hidden })), [
      { name: 'is finite', points: 1, passed: true, message: '', hidden: false },
      { name: 'is two', points: 2, passed: true, message: '', hidden: true },
    ]);
    assert.ok(outcomes.every((o) => o.seconds >= 0));
    assert.ok(Object.isFrozen(outcomes) && Object.isFrozen(outcomes[0]));
  });

  it('an answer that throws fails every test with "your answer threw", no stack', async () => {
    const outcomes = await runTests(q, () => { throw new Error('q1-answer: not implemented yet\n    at somewhere (file.ts:1:1)'); }, [isTwo]);
    assert.deepEqual(outcomes.map((o) => [o.passed, o.message]), [
      [false, 'your answer threw: q1-answer: not implemented yet at somewhere (file.ts:1:1)'],
      [false, 'your answer threw: q1-answer: not implemented yet at somewhere (file.ts:1:1)'],
    ]);
    const rejected = await runTests(q, async () => Promise.reject(new RangeError('no')), []);
    assert.equal(rejected[0].message, 'your answer threw: no');
  });

  it('a test that throws something other than a TestFailure fails with "<ErrorName>: <message>"', async () => {
    const broken = test<number>('calls a method', 1, (a) => { (a as unknown as { method(): void }).method(); });
    const [, outcome] = await runTests(q, () => 2, [broken]);
    assert.equal(outcome.passed, false);
    assert.match(outcome.message, /^TypeError: .*method is not a function$/);
    const thrown = test<number>('throws a string', 1, () => { throw 'plain'; });
    assert.equal((await runTests(q, () => 2, [thrown]))[1].message, 'Error: plain');
  });

  it('async answers and async tests are awaited; a function answer\'s own errors are named as such', async () => {
    const slow = test<number>('resolves to two', 1, async (a) => { await new Promise((r) => setTimeout(r, 5)); expect.near(a, 2, { absolute: 0 }); });
    const [, outcome] = await runTests(q, async () => 2, [slow]);
    assert.equal(outcome.passed, true);
    assert.ok(outcome.seconds >= 0.004);
    const fq = question<(x: number) => number>('q2', [test('doubles 3', 1, (f) => expect.equals(f(3), 6))]);
    const [threw] = await runTests(fq, () => (x: number) => { if (x > 0) throw new Error('q2-answer: not implemented yet'); return x; }, []);
    assert.equal(threw.message, 'your function threw: q2-answer: not implemented yet');
    const asyncQ = question<(x: number) => Promise<number>>('q3', [test('doubles 3', 1, async (f) => expect.equals(await f(3), 6))]);
    const [rejected] = await runTests(asyncQ, () => async () => { throw new Error('later'); }, []);
    assert.equal(rejected.message, 'your function threw: later');
    const [wrapped] = await runTests(fq, () => (x: number) => 2 * x, [test('declares one parameter', 1, (f) => expect.isFunction(f, 1))]);
    assert.equal(wrapped.passed, true);
  });

  it('throws only when called wrongly', async () => {
    await assert.rejects(runTests({ id: 'q1', publicTests: [] } as never, () => 1, []), /must be a question made by question/);
    await assert.rejects(runTests(q, 1 as never, []), /answer must be given as a function/);
    await assert.rejects(runTests(q, () => 1, [test('is finite', 1, () => undefined)]), /two tests are named "is finite"/);
  });
});

describe('grade records', () => {
  const session = { key: 'k'.repeat(32), nonce: 'nonce-1' };
  const q = question<number>('q1', [test('is finite', 1, (a) => expect.finite(a))]);

  it('are undefined before grading starts; signed after; startGrading twice throws', async () => {
    const outcomes = await runTests(q, () => 1, []);
    assert.equal(grading(), false);
    assert.equal(gradeRecord('q1', outcomes), undefined);
    assert.throws(() => startGrading({ key: 'short', nonce: 'n' }), /at least 16 characters/);
    startGrading(session);
    assert.equal(grading(), true);
    assert.throws(() => startGrading({ key: 'x'.repeat(32), nonce: 'other' }), /already started/);
    const record = gradeRecord('q1', outcomes) as GradeRecord;
    assert.equal(record.nonce, 'nonce-1');
    assert.equal(record.question, 'q1');
    const expectedMac = createHmac('sha256', session.key).update(JSON.stringify({ nonce: record.nonce, question: 'q1', results: record.results })).digest('hex');
    assert.equal(record.mac, expectedMac, 'mac = HMAC-SHA256(key, JSON.stringify({ nonce, question, results }))');
    assert.deepEqual(verifyGradeRecord(record, session), record);
    assert.deepEqual(verifyGradeRecord(JSON.stringify(record), session), record, 'the JSON text of the output verifies too');
    assert.equal(GRADE_MIME, 'application/vnd.maml-lab.grade+json');
  });

  it('only outcomes from runTests are signed', () => {
    const forged: TestOutcome[] = [{ name: 'is finite', points: 1, passed: true, message: '', seconds: 0, hidden: false }];
    assert.throws(() => gradeRecord('q1', forged), /only outcomes returned by runTests/);
  });

  it('a student\'s function cannot sign a record from inside a test', async () => {
    const forging = question<() => void>('q9', [test('calls the answer', 1, (f) => f())]);
    const fake = question<number>('q1', [test('is finite', 1, () => undefined)]);
    const [outcome] = await runTests(forging, () => () => { gradeRecord('q1', [] as never); }, []);
    assert.match(outcome.message, /only outcomes returned by runTests/);
    const fakeOutcomes = await runTests(fake, () => 1, []);
    const [inside] = await runTests(forging, () => () => { gradeRecord('q1', fakeOutcomes); }, []);
    assert.equal(inside.message, 'your function threw: gradeRecord: a record cannot be signed from inside an answer or a test');
  });

  it('a monkey-patched JSON.stringify or Hmac.digest after load changes no record', async () => {
    const outcomes = await runTests(q, () => 1, []);
    const stringify = JSON.stringify;
    const hmacPrototype = Object.getPrototypeOf(createHmac('sha256', 'x'));
    const digest = hmacPrototype.digest;
    JSON.stringify = (() => '{}') as typeof JSON.stringify;
    hmacPrototype.digest = () => '0'.repeat(64);
    let record: GradeRecord;
    try {
      record = gradeRecord('q1', outcomes) as GradeRecord;
    } finally {
      JSON.stringify = stringify;
      hmacPrototype.digest = digest;
    }
    assert.ok(verifyGradeRecord(record, session));
  });

  it('a changed result, another nonce, another key or a malformed record is rejected', async () => {
    const failed = await runTests(q, () => Number.NaN, []);
    const record = gradeRecord('q1', failed) as GradeRecord;
    assert.equal(record.results[0].passed, false);
    const tampered = (change: (r: GradeRecord) => void) => {
      const copy = structuredClone(record) as GradeRecord;
      change(copy);
      return verifyGradeRecord(copy, session);
    };
    assert.equal(tampered((r) => { r.results[0].passed = true; }), undefined, 'passed flipped');
    assert.equal(tampered((r) => { r.results[0].points = 5; }), undefined, 'points raised');
    assert.equal(tampered((r) => { r.results.push({ ...r.results[0], name: 'extra' }); }), undefined, 'a result added');
    assert.equal(tampered((r) => { r.question = 'q2'; }), undefined, 'moved to another question');
    assert.equal(tampered((r) => { r.nonce = 'nonce-2'; }), undefined, 'another nonce in the record');
    assert.equal(verifyGradeRecord(record, { ...session, nonce: 'nonce-2' }), undefined, 'another session\'s nonce');
    assert.equal(verifyGradeRecord(record, { ...session, key: 'z'.repeat(32) }), undefined, 'another key');
    assert.equal(tampered((r) => { r.mac = r.mac.slice(0, 10); }), undefined, 'a short mac');
    assert.equal(tampered((r) => { (r.results[0] as unknown as Record<string, unknown>).seconds = 'fast'; }), undefined, 'a malformed result');
    for (const junk of [null, 3, 'not json', [], { nonce: 'nonce-1' }]) assert.equal(verifyGradeRecord(junk, session), undefined);
  });
});

describe('the assignment format', () => {
  const nbgrader = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
  const notebook = (cells: object[], kernel = 'tslab') => ({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: kernel } }, cells });
  const solution = (id: string, source: string) => ({ cell_type: 'code', source, metadata: nbgrader({ solution: true, grade: false, locked: false, grade_id: id }), outputs: [], execution_count: null });
  const gradeCell = (id: string, source: string, points?: number) => ({ cell_type: 'code', source, metadata: nbgrader({ solution: false, grade: true, locked: true, grade_id: id, ...(points === undefined ? {} : { points }) }), outputs: [], execution_count: null });
  const problems = (nb: unknown): readonly string[] => {
    try {
      readAssignment(nb);
    } catch (error) {
      assert.ok(error instanceof AssignmentError, String(error));
      return error.problems;
    }
    return [];
  };

  it('reads a valid assignment: its cells, questions and points', () => {
    const a = readAssignment(notebook([
      { cell_type: 'markdown', source: '# Homework', metadata: {} },
      solution('q1-answer', 'function f() {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}'),
      gradeCell('q1', 'await grade(q1, () => f, [\n  // BEGIN HIDDEN TESTS\n  test("h", 2, () => undefined),\n  // END HIDDEN TESTS\n]);', 3),
    ]));
    assert.deepEqual(a.cells.map((c) => c.kind), ['free', 'solution', 'grade']);
    assert.deepEqual(a.cells[1].solutions, [{ begin: 1, end: 3 }]);
    assert.deepEqual(a.cells[2].hiddenTests, [{ begin: 1, end: 3 }]);
    assert.deepEqual(a.questions, [{ gradeId: 'q1', points: 3, index: 2 }]);
    assert.equal(a.totalPoints, 3);
  });

  it('names the cell (from 1) and grade_id of every problem, all at once', () => {
    assert.deepEqual(problems(notebook([
      solution('a1', 'const x = 1; // BEGIN SOLUTION\n'),
      solution('a2', 'const y = 1;'),
      solution('a3', '// END SOLUTION'),
      solution('a4', '// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION'),
      gradeCell('q1', 'await grade(q1, () => x, []);'),
      gradeCell('q1', 'await grade(q1, () => x, []);', 2),
      gradeCell('q3', 'console.log(1);', 1),
      gradeCell('q4', 'await grade(q4, () => x, [\n// BEGIN HIDDEN TESTS\n]);', 1),
      { cell_type: 'code', source: '// BEGIN SOLUTION\nconst s = 1;\n// END SOLUTION', metadata: nbgrader({ solution: false, grade: false, locked: true, grade_id: 'setup' }) },
      { cell_type: 'code', source: '// BEGIN HIDDEN TESTS\n// END HIDDEN TESTS', metadata: {} },
      { cell_type: 'code', source: '', metadata: { nbgrader: { solution: true, grade: false, locked: false, grade_id: 'old', schema_version: 1 } } },
      { cell_type: 'markdown', source: 'answer', metadata: nbgrader({ solution: true, grade: false, locked: false }) },
    ], 'python3')), [
      'the notebook is for the kernel "python3", not tslab (metadata.kernelspec.name must be "tslab")',
      'cell 1 (grade_id a1): unbalanced solution markers: BEGIN SOLUTION on line 1 has no END SOLUTION after it',
      'cell 2 (grade_id a2): a solution cell needs // BEGIN SOLUTION … // END SOLUTION around the solution, or the student version would contain it',
      'cell 3 (grade_id a3): unbalanced solution markers: END SOLUTION on line 1 has no BEGIN SOLUTION before it',
      'cell 4 (grade_id a4): unbalanced solution markers: BEGIN SOLUTION on line 2 opens a region inside the one opened on line 1',
      'cell 5 (grade_id q1): a grade cell needs points > 0 in its metadata, got undefined',
      'cell 7 (grade_id q3): a grade cell must call grade(question, () => answer, [hidden tests])',
      'cell 8 (grade_id q4): unbalanced hidden-test markers: BEGIN HIDDEN TESTS on line 2 has no END HIDDEN TESTS after it',
      'cell 9 (grade_id setup): solution markers in a locked cell; mark the cell as a solution cell (solution: true), or the grader would hand the solution back from the source',
      'cell 10: hidden-test markers in a free cell; hidden tests belong in grade cells (grade: true)',
      'cell 11 (grade_id old): nbgrader schema_version must be 3, got 1',
      'cell 11 (grade_id old): a solution cell needs // BEGIN SOLUTION … // END SOLUTION around the solution, or the student version would contain it',
      'cell 12: its nbgrader metadata has no grade_id',
      'cell 12: a solution cell must be a code cell (answers in prose are graded by hand, which this grader does not do)',
      'cell 6 (grade_id q1): grade_id q1 is already used by cell 5; every grade_id must be unique',
    ]);
  });

  it('rejects what is not a notebook', () => {
    assert.deepEqual(problems('text'), ['not a notebook: expected a JSON object, got string']);
    assert.deepEqual(problems({ nbformat: 4, metadata: {} }), ['not a notebook: it has no list of cells']);
    assert.deepEqual(problems({ nbformat: 4, metadata: {}, cells: [{ cell_type: 'code' }] }), ['not a notebook: cell 1 has no cell_type or source']);
  });

  it('studentVersion is pure: the source object is not modified', () => {
    const source = notebook([solution('q1-answer', '  // BEGIN SOLUTION\n  const x = 1;\n  // END SOLUTION')]);
    const before = structuredClone(source);
    const student = studentVersion(source);
    assert.deepEqual(source, before);
    assert.equal(student.cells[0].source, '  throw new Error("q1-answer: not implemented yet — replace this line with your solution");');
  });
});
