import { describe, test as it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  AssignmentError, bannedRoutes, decodeAnswer, encodeAnswer, expect, inputFor, judgementRecord, lintRecord, mistake, probeRecord, question,
  lintStatic, readAssignment, referenceRecord, runTests, seeded, studentVersion, test, TestFailure, UnreadableAnswer,
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
    // A zero or empty answer never passes a relative comparison: a zero reference, an empty one or a bound ≥ 1 is refused.
    assert.throws(() => expect.near([0, 0], [0, 0], { relative: 1e-6 }), /needs a nonzero reference/);
    assert.throws(() => expect.near([], [], { relative: 1e-6 }), /needs a nonzero reference/);
    assert.throws(() => expect.near([0, 0], [1, 2], { relative: 1 }), /must be < 1/);
    assert.match(failure(() => expect.near([0, 0], [1, 2], { relative: 0.99 })) ?? '', /got relative error 1\.0e0/);
    assert.ok(Object.isFrozen(expect), 'a student cannot replace expect.near');
  });
});

describe('test and question', () => {
  it('check their arguments', () => {
    assert.throws(() => test('', 1, 0, () => undefined), /non-empty string/);
    assert.throws(() => test('t', 0, 0, () => undefined), /points must be a number > 0, got 0/);
    assert.throws(() => test('t', 1, () => 1, () => undefined), /the third argument is the input/);
    assert.throws(() => question('q 1', { call: (x: number) => x, tests: [] }), /grade_id such as "q1"/);
    assert.throws(() => question('q1', [] as never), /give \{ call/);
    const t = test('same', 1, 0, () => undefined);
    assert.throws(() => question('q1', { call: (x: number) => x, tests: [t, test('same', 2, 0, () => undefined)] }), /two tests are named "same"/);
    assert.throws(() => question('q1', { call: (x: number) => x, tests: [{ name: 'fake', points: 1, input: 0, judge: () => undefined } as never] }), /is not a test made by test/);
    assert.throws(() => question('q1', { call: (x: number) => x, tests: [mistake('zero', 0) as never] }), /mistakes belong in the grade cell/);
    assert.throws(() => question('q1', { call: (x: number) => x, tests: [], banned: ['not a name'] }), /banned must be an array of identifiers/);
    assert.ok(Object.isFrozen(question('q1', { call: (x: number) => x, tests: [t] }).publicTests));
  });

  it('a seeded input is drawn per seed; plain data is its own input', () => {
    const drawn = seeded((s) => ({ seed: s % 7 }));
    assert.deepEqual(inputFor(drawn, 9), { seed: 2 });
    assert.deepEqual(inputFor({ seeded: 1 }, 9), { seeded: 1 });
  });
});

describe('answers as data', () => {
  it('round-trips numbers, NaN, typed arrays, tensors, objects and undefined', () => {
    const value = { path: [Float64Array.of(1, NaN, -Infinity), [1, 2]], n: 3, none: undefined, label: 'x' };
    const back = decodeAnswer(JSON.parse(JSON.stringify(encodeAnswer(value)))) as typeof value;
    assert.ok(back.path[0] instanceof Float64Array);
    assert.deepEqual(Array.from(back.path[0] as Float64Array), [1, NaN, -Infinity]);
    assert.deepEqual(back.path[1], [1, 2]);
    assert.equal(back.none, undefined);
    assert.ok('none' in back);
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    assert.deepEqual(decodeAnswer(encodeAnswer(t)), [[1, 2], [3, 4]]);
    t.dispose();
  });

  it('reads nothing of a lying answer but its own fields: no toJSON, no valueOf, no prototype', () => {
    const liar = { valueOf: () => 9, toJSON: () => 9, get x() { return 1; } };
    const back = decodeAnswer(JSON.parse(JSON.stringify(encodeAnswer(liar)))) as Record<string, unknown>;
    // The methods came as their number of parameters only: calling one tells the judge it cannot be read.
    assert.throws(() => (back.valueOf as () => unknown)(), UnreadableAnswer);
    assert.throws(() => (back.toJSON as () => unknown)(), UnreadableAnswer);
    assert.equal(back.x, 1);
    const proto = decodeAnswer({ $object: { __proto__: { $object: { polluted: true } } } }) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.equal((proto as { polluted?: unknown }).polluted, undefined);
  });

  it('refuses what it cannot have encoded, and says what an unsupported answer was', () => {
    assert.throws(() => decodeAnswer({ $eval: 'x' }), UnreadableAnswer);
    assert.throws(() => decodeAnswer(encodeAnswer(Promise.resolve(1))), /a Promise \(did you forget await\?\)/);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    assert.throws(() => decodeAnswer(encodeAnswer(cycle)), /nested too deeply/);
  });
});

describe('runTests', () => {
  const q = question('q1', { call: (f: () => number) => f(), tests: [test('is finite', 1, null, (v: number) => expect.finite(v))] });
  const isTwo = test('is two', 2, null, (v: number, { reference }) => expect.near(v, reference, { absolute: 1e-12 }));

  it('runs public then hidden tests, one outcome each, with points, hidden flag and time', async () => {
    const outcomes = await runTests(q, () => () => 2, [isTwo], { reference: 'own' });
    assert.deepEqual(outcomes.map(({ name, points, passed, message, hidden }) => ({ name, points, passed, message, hidden })), [
      { name: 'is finite', points: 1, passed: true, message: '', hidden: false },
      { name: 'is two', points: 2, passed: true, message: '', hidden: true },
    ]);
    assert.ok(outcomes.every((o) => o.seconds >= 0));
  });

  it('an answer that throws fails every test with its kind and its message quoted, one line, no stack', async () => {
    const outcomes = await runTests(q, () => { throw new Error('q1-answer: not implemented yet\n    at somewhere (file.ts:1:1)'); }, [isTwo]);
    assert.deepEqual(outcomes.map((o) => [o.passed, o.message]), [
      [false, 'your answer threw Error: "q1-answer: not implemented yet at somewhere (file.ts:1:1)"'],
      [false, 'your answer threw Error: "q1-answer: not implemented yet at somewhere (file.ts:1:1)"'],
    ]);
    const rejected = await runTests(q, (async () => Promise.reject(new RangeError('no'))) as never, []);
    assert.equal(rejected[0].message, 'your answer threw RangeError: "no"');
    const long = await runTests(q, () => () => { throw new Error('x'.repeat(5000)); }, []);
    assert.ok(long[0].message.length < 260, long[0].message);
  });

  it('a judge that breaks on an unexpected form fails with a sentence of the grader, never the error text', async () => {
    const broken = test('calls a method', 1, null, (v: unknown) => { (v as { method(): void }).method(); });
    const [, outcome] = await runTests(q, () => () => 2, [broken]);
    assert.equal(outcome.passed, false);
    assert.equal(outcome.message, 'your answer is not of the form this test expects (the test met a TypeError reading it)');
  });

  it('a public test never sees a reference: what passes for the student passes when graded', async () => {
    let seen: unknown = 'not called';
    const peeks = question('q2', { call: (f: () => number) => f(), tests: [test('peeks', 1, null, (_v: number, { reference }) => { seen = reference; })] });
    await runTests(peeks, () => () => 2, [], { reference: 'own' });
    assert.equal(seen, undefined);
  });

  it('async answers are awaited; seeded inputs drawn with the seed', async () => {
    const square = question('q3', { call: async (f: (x: number) => Promise<number>, x: number) => f(x), tests: [] });
    const drawn = test('square of the seed', 1, seeded((s) => s), (v: number, { input }) => expect.near(v, (input as number) ** 2, { absolute: 0 }));
    const [outcome] = await runTests(square, () => async (x: number) => x * x, [drawn], { seed: 5 });
    assert.equal(outcome.passed, true);
  });

  it('throws only when called wrongly', async () => {
    await assert.rejects(runTests({ id: 'q1', publicTests: [] } as never, () => 1, []), /must be a question made by question/);
    await assert.rejects(runTests(q, 1 as never, []), /answer must be given as a function/);
    await assert.rejects(runTests(q, () => () => 1, [test('is finite', 1, null, () => undefined)]), /two tests are named "is finite"/);
  });
});

describe('the judge runs no student code and reads only data', () => {
  const q = question('q1', { call: (f: (x: number) => number, x: number) => f(x), tests: [test('f(1) is 1', 1, 1, (v: number) => expect.near(v, 1, { absolute: 1e-12 }))] });
  const hidden = [test('matches the reference', 2, 3, (v: number, { reference }) => expect.near(v, reference, { absolute: 1e-12 }))];

  it('judges each student against the reference values, test by test', async () => {
    const reference = await referenceRecord(q, () => (x: number) => x * x, hidden, [0]);
    assert.deepEqual(reference.failures, []);
    const [{ inputs, references }] = reference.cases;
    const right = await probeRecord(q, () => (x: number) => x * x, inputs);
    const wrong = await probeRecord(q, () => (x: number) => 2 * x - 1, inputs);
    const judged = await judgementRecord(q, hidden, [
      { student: 'right', inputs, references, answers: right.answers },
      { student: 'wrong', inputs, references, answers: wrong.answers },
      { student: 'none', inputs, references, answers: null },
    ]);
    assert.deepEqual(judged.students.right.map((o) => o.passed), [true, true]);
    assert.deepEqual(judged.students.wrong.map((o) => o.passed), [true, false]);
    assert.deepEqual(judged.students.none.map((o) => o.message), ['no value of your answer reached the grader for this test', 'no value of your answer reached the grader for this test']);
  });

  it('a probe reports values and errors as data, for its question only', async () => {
    const record = await probeRecord(q, () => (x: number) => { if (x > 2) throw new TypeError('big'); return x; }, [encodeAnswer(1), encodeAnswer(3)]);
    assert.equal(record.question, 'q1');
    assert.deepEqual(record.answers.map((a) => ('value' in a ? a.value : a.threw)), [1, { kind: 'TypeError', message: 'big' }]);
  });

  it('the source failing its own tests is a failure of the assignment', async () => {
    const reference = await referenceRecord(q, () => (x: number) => x + 1, hidden, [0]);
    assert.match(reference.failures[0], /the source's own solution fails the test "f\(1\) is 1"/);
  });
});

describe('lint records', () => {
  it('a test that accepts zeros is found, naming the wrong answer', async () => {
    const weak = question('q1', { call: (f: () => number[]) => f(), tests: [test('two numbers', 1, null, (v: number[]) => expect.shape(v, [2]))] });
    const record = await lintRecord(weak, () => () => [1, 2], [test('finite', 1, null, (v: number[]) => expect.finite(v))]);
    const zeros = record.wrong.find((w) => w.name === 'all zeros');
    assert.deepEqual(zeros, { name: 'all zeros', generated: true, needsPublic: true, failedPublic: [], failedHidden: [] });
    const nan = record.wrong.find((w) => w.name === 'all NaN');
    assert.deepEqual(nan?.failedHidden, ['finite']);
  });

  it('declared mistakes are judged like answers; a strong test rejects them all', async () => {
    const strong = question('q1', { call: (f: (xs: number[]) => number, xs: number[]) => f(xs), tests: [test('mean of [1, 3] is 2', 1, [1, 3], (v: number) => expect.near(v, 2, { absolute: 1e-12 }))] });
    const hidden = [
      test('mean of other data', 1, [2, 4, 9], (v: number, { reference }) => expect.near(v, reference, { absolute: 1e-12 })),
      mistake('the sum where the mean is asked', (xs: number[]) => xs.reduce((a, b) => a + b, 0), { public: true }),
    ];
    const record = await lintRecord(strong, () => (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length, hidden);
    assert.ok(record.solution.every((o) => o.passed));
    for (const w of record.wrong) {
      assert.ok(w.failedHidden.length > 0, `${w.name} passed every hidden test`);
      if (w.needsPublic) assert.ok(w.failedPublic.length > 0, `${w.name} passed every public test`);
    }
    assert.ok(record.wrong.some((w) => w.name === 'the sum where the mean is asked' && !w.generated));
    assert.ok(record.wrong.some((w) => w.name === 'returns its input unchanged'));
  });
});

describe('banned routes, read from the source', () => {
  it('finds a name, an alias, a property or string of it, require, imports and eval; not comments or longer words', () => {
    const routes = (src: string) => bannedRoutes(src, ['exact', 'referenceMetaGradient']).map((h) => h.route).sort();
    assert.deepEqual(routes('return exact.metaGradientByProduct(inst, 2);'), ['exact']);
    assert.deepEqual(routes('const e = exact;'), ['exact']);
    assert.deepEqual(routes("const m = pkg['exact'];"), ["'exact'"]);
    assert.deepEqual(routes("import { referenceMetaGradient as r } from 'maml-lab';"), ["an import of 'maml-lab'", 'referenceMetaGradient']);
    assert.deepEqual(routes("const d = await import('maml-lab/derivations');"), ["an import of 'maml-lab/derivations'"]);
    assert.deepEqual(routes("const d = require('../dist/derivations/exact.js');"), ["an import of the file '../dist/derivations/exact.js'", 'require']);
    assert.deepEqual(routes('eval("ex" + "act")'), ['eval']);
    assert.deepEqual(routes('// exact is banned\nconst exactly = 1; const s = "not exact";'), []);
    assert.deepEqual(bannedRoutes('const e = exact;', []), []);
    // tslab's own bindings reach every value without naming it (the red team's route); eval and Function only when called.
    assert.deepEqual(routes("const f = Object.values(exports).find((v: any) => v.metaGradientByProduct);"), ['exports']);
    assert.deepEqual(routes('const r = arguments[1];\nconst t = (globalThis as any).__tslab__;'), ['__tslab__', 'arguments']);
    assert.deepEqual(routes("const g = new Function('return 1');\nconst h = (0, eval)('1');"), ['Function', 'eval']);
    assert.deepEqual(routes('const f: Function = Math.max;\nmodel.eval();\nconst o = { exact: true };\nif (f instanceof Function) {}'), []);
    // A banned name the student declares as their own helper is theirs, from that cell on.
    assert.deepEqual(bannedRoutes('function exact(x: number) { return x; }\nexact(2);', ['exact'], new Set(['exact'])), []);
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
      gradeCell('q1', 'await grade(q1, () => f, [\n  // BEGIN HIDDEN TESTS\n  test("h", 2, 0, () => undefined),\n  // END HIDDEN TESTS\n]);', 3),
    ]));
    assert.deepEqual(a.cells.map((c) => c.kind), ['free', 'solution', 'grade']);
    assert.deepEqual(a.cells[1].solutions, [{ begin: 1, end: 3 }]);
    assert.deepEqual(a.cells[2].hiddenTests, [{ begin: 1, end: 3 }]);
    assert.deepEqual(a.questions, [{ gradeId: 'q1', points: 3, index: 2 }]);
    assert.equal(a.totalPoints, 3);
  });

  it('lint refuses a cell without an id and a solution region that swallows its declaration', () => {
    const withIds = (cells: object[]) => cells.map((c, i) => ({ id: `c${i}`, ...c }));
    const good = notebook(withIds([
      solution('q1-answer', 'function f() {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}'),
      gradeCell('q1', 'await grade(q1, () => f, []);', 1),
    ]));
    assert.deepEqual(lintStatic(readAssignment(good)), []);
    const missing = notebook([...withIds([solution('q1-answer', 'function f() {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}')]), gradeCell('q1', 'await grade(q1, () => f, []);', 1)]);
    assert.deepEqual(lintStatic(readAssignment(missing)), ['cell 2: it has no cell id (save the notebook with JupyterLab 3 or newer, nbformat 4.5)']);
    const swallowed = notebook(withIds([
      solution('q1-answer', '// BEGIN SOLUTION\nfunction f() {\n  return 1;\n}\n// END SOLUTION'),
      gradeCell('q1', 'await grade(q1, () => f, []);', 1),
    ]));
    assert.deepEqual(lintStatic(readAssignment(swallowed)), ['cell 1 (q1-answer): the solution region swallows the declaration of f; put // BEGIN SOLUTION inside it, so the student version keeps its signature']);
  });

  it("a question whose id is not its grade cell's grade_id is refused, naming both", async () => {
    const { gradeCellRecords } = await import('../src/homework/grade');
    const a = readAssignment(notebook([
      solution('q1-answer', 'function f() {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}'),
      gradeCell('q1', 'await grade(q1, () => f, []);', 1),
    ]));
    const plan = { notebook: a.notebook, cells: [{ role: 'answer' as const, gradeId: 'q1-answer' }, { role: 'grade' as const, gradeId: 'q1' }] };
    const runWith = (question: string) => ({
      seconds: 0, kernelRestarts: 0, isolation: 'none' as const,
      cells: [
        { index: 0, status: 'ok' as const, seconds: 0, attempts: 1, outputs: [] },
        { index: 1, status: 'ok' as const, seconds: 0, attempts: 1, outputs: [{ output_type: 'display_data', data: { 'application/x-test': { question } }, metadata: {} }] },
      ],
    });
    assert.equal(gradeCellRecords(a, plan, runWith('q1') as never, 'application/x-test').get('q1')?.question, 'q1');
    assert.throws(() => gradeCellRecords(a, plan, runWith('q2') as never, 'application/x-test'), /grade cell q1 grades the question "q2"; a question's id must be its grade cell's grade_id/);
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
