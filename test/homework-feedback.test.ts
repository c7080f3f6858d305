import { describe, test as it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { expect, GRADE_MIME, question, startGrading, test, verifyGradeRecord } from '../src/homework';
import { check, grade } from '../src/notebook';

/** tslab's display writer, replaced for these tests so that every bundle check and grade send is seen. */
const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData: ((d: { data: Record<string, string> }, update: boolean) => void) | null };
let shown: Record<string, string>[] = [];

before(() => {
  jupyter.lastWriteDisplayData = (d) => { shown.push(d.data); };
});
after(() => {
  jupyter.lastWriteDisplayData = null;
});

async function outputs(run: () => Promise<void>): Promise<Record<string, string>[]> {
  shown = [];
  await run();
  return shown;
}

const q1 = question<number[]>('q1', [
  test('is a vector of 2 numbers', 1, (a) => expect.shape(a, [2])),
  test('is finite', 1, (a) => expect.finite(a)),
], { hint: 'one entry per parameter', prompt: 'the meta-gradient' });
const hidden = [test<number[]>('matches the reference', 3, (a) => expect.near(a, [0.5, -1], { relative: 1e-9 }))];

describe('check', () => {
  it('passing: ✓ per test and "public tests passed", never "all"', async () => {
    const [out] = await outputs(() => check(q1, [1, 2]));
    assert.match(out['text/plain'], /^q1 · the meta-gradient: public tests\n {2}✓ is a vector of 2 numbers \(1 point\)\n {2}✓ is finite \(1 point\)\npublic tests passed \(hidden tests run when graded\)$/);
    assert.doesNotMatch(out['text/plain'] + out['text/markdown'], /\ball\b/i);
  });

  it('failing: ✗ with the message and the hint, a count, and no throw', async () => {
    const [out] = await outputs(() => check(q1, [1, Number.NaN]));
    assert.match(out['text/plain'], /✗ is finite \(1 point\): expected finite numbers; got NaN at entry 1/);
    assert.match(out['text/plain'], /hint: one entry per parameter\n1 of 2 public tests failed$/);
    assert.match(out['text/markdown'], /_Hint:_ one entry per parameter/);
  });

  it('an answer that throws (the stub) is caught, given as a function of no parameters', async () => {
    const [out] = await outputs(() => check(q1, () => { throw new Error('q1-answer: not implemented yet — replace this line with your solution'); }));
    assert.match(out['text/plain'], /✗ is a vector of 2 numbers \(1 point\): your answer threw: q1-answer: not implemented yet/);
    assert.match(out['text/plain'], /2 of 2 public tests failed$/);
  });

  it('a function with parameters is the answer itself', async () => {
    const fq = question<(x: number) => number>('q2', [test('doubles', 1, (f) => expect.equals(f(2), 4))]);
    const [out] = await outputs(() => check(fq, (x: number) => 2 * x));
    assert.match(out['text/plain'], /public tests passed/);
  });

  it('throws, clearly, when the first argument is not a question', async () => {
    await assert.rejects(check('q1' as never, [1, 2]), /check: the first argument must be a question made by question\(\.\.\.\), such as q1 from the setup cell; got a string/);
  });

  it('markdown special characters in messages are escaped', async () => {
    const q = question<number>('q3', [test('costs $5_*', 1, () => expect.that(false, 'a *bold* claim'))]);
    const [out] = await outputs(() => check(q, 1));
    assert.match(out['text/markdown'], /costs \\\$5\\_\\\* \(1 point\): expected a \\\*bold\\\* claim/);
  });
});

describe('grade', () => {
  it('in a student\'s own kernel: public and hidden tests, points, no record', async () => {
    const out = await outputs(() => grade(q1, () => [0.5, -1.5], hidden));
    assert.equal(out.length, 1);
    assert.match(out[0]['text/plain'], /✗ matches the reference \(hidden, 3 points\): expected a vector of 2 numbers within relative error 1\.0e-9 \(2-norm\) of the reference; got relative error/);
    assert.match(out[0]['text/plain'], /2 of 5 points: 1 of 3 tests failed$/);
    assert.doesNotMatch(JSON.stringify(out), /0\.5, -1\]|expect\.near/, 'neither the reference nor the hidden test\'s code is shown');
  });

  it('in the student version (no hidden tests), it speaks as check does', async () => {
    const [out] = await outputs(() => grade(q1, () => [1, 2], []));
    assert.match(out['text/plain'], /public tests passed \(hidden tests run when graded\)$/);
  });

  it('when grading: also one signed record of MIME GRADE_MIME that the grader verifies; a failing answer never throws', async () => {
    const session = { key: 'a-key-of-32-characters-abcdefghi', nonce: 'nonce-7' };
    startGrading(session);
    const out = await outputs(() => grade(q1, () => { throw new Error('not implemented yet'); }, hidden));
    assert.equal(out.length, 2);
    assert.match(out[0]['text/plain'], /0 of 5 points: 3 of 3 tests failed/);
    const record = verifyGradeRecord(out[1][GRADE_MIME], session);
    assert.ok(record, 'the record verifies');
    assert.equal(record.question, 'q1');
    assert.deepEqual(record.results.map((r) => [r.name, r.points, r.passed, r.hidden]), [
      ['is a vector of 2 numbers', 1, false, false], ['is finite', 1, false, false], ['matches the reference', 3, false, true],
    ]);
    const passing = await outputs(() => grade(q1, () => [0.5, -1], hidden));
    assert.match(passing[0]['text/plain'], /5 of 5 points: the 3 tests passed/);
    assert.ok(verifyGradeRecord(passing[1][GRADE_MIME], session)?.results.every((r) => r.passed));
  });
});
