import { describe, test as it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ANSWERS_MIME, encodeAnswer, expect, question, test } from '../src/homework';
import { check, grade, probeGrade } from '../src/notebook';

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

/** Answers are functions of no inputs here: `call` just calls them. */
const q1 = question('q1', {
  call: (f: () => number[]) => f(),
  tests: [
    test('is a vector of 2 numbers', 1, null, (v: number[]) => expect.shape(v, [2])),
    test('is finite', 1, null, (v: number[]) => expect.finite(v)),
  ],
  hints: ['one entry per parameter', 'the second entry is the derivative in b'],
  prompt: 'the meta-gradient',
});
const hidden = [test('matches the reference', 3, null, (v: number[], { reference }) => expect.near(v, reference, { relative: 1e-9 }))];
const constant = (v: number[]) => () => () => v;

describe('check', () => {
  it('passing: ✓ per test and "public tests passed", never "all"', async () => {
    const [out] = await outputs(() => check(q1, constant([1, 2])));
    assert.match(out['text/plain'], /^q1 · the meta-gradient: public tests\n {2}✓ is a vector of 2 numbers \(1 point\)\n {2}✓ is finite \(1 point\)\npublic tests passed \(hidden tests run when graded\)$/);
    assert.doesNotMatch(out['text/plain'] + out['text/markdown'], /\ball\b/i);
  });

  it('failing: ✗ with the message and a hint, a count, and no throw; each later failure shows the next hint', async () => {
    const [out] = await outputs(() => check(q1, constant([1, Number.NaN])));
    assert.match(out['text/plain'], /✗ is finite \(1 point\): expected finite numbers; got NaN at entry 1/);
    assert.match(out['text/plain'], /hint: one entry per parameter \(hint 1 of 2; check again for the next\)\n1 of 2 public tests failed$/);
    assert.match(out['text/markdown'], /_Hint:_ one entry per parameter/);
    const [again] = await outputs(() => check(q1, constant([1, Number.NaN])));
    assert.match(again['text/plain'], /hint: the second entry is the derivative in b \(hint 2 of 2\)/);
    const [passing] = await outputs(() => check(q1, constant([1, 2])));
    assert.doesNotMatch(passing['text/plain'], /hint/);
  });

  it('an answer that throws (the stub) is caught, given as a function of no parameters', async () => {
    const [out] = await outputs(() => check(q1, () => { throw new Error('q1-answer: not implemented yet — replace this line with your solution'); }));
    assert.match(out['text/plain'], /✗ is a vector of 2 numbers \(1 point\): your answer threw Error: "q1-answer: not implemented yet/);
    assert.match(out['text/plain'], /2 of 2 public tests failed$/);
  });

  it('a function with parameters is the answer itself', async () => {
    const fq = question('q2', { call: (f: (x: number) => number, x: number) => f(x), tests: [test('doubles', 1, 2, (v: number) => expect.equals(v, 4))] });
    const [out] = await outputs(() => check(fq, (x: number) => 2 * x));
    assert.match(out['text/plain'], /public tests passed/);
  });

  it('throws, clearly, when the first argument is not a question', async () => {
    await assert.rejects(check('q1' as never, constant([1, 2])), /check: the first argument must be a question made by question\(\.\.\.\), such as q1 from the setup cell; got a string/);
  });

  it('markdown special characters in messages are escaped', async () => {
    const q = question('q3', { call: (x: number) => x, tests: [test('costs $5_*', 1, null, () => expect.that(false, 'a *bold* claim'))] });
    const [out] = await outputs(() => check(q, () => 1));
    assert.match(out['text/markdown'], /costs \\\$5\\_\\\* \(1 point\): expected a \\\*bold\\\* claim/);
  });
});

describe('grade', () => {
  it('in a notebook run by hand: public and hidden tests (hidden ones against the answer\'s own value), points', async () => {
    const out = await outputs(() => grade(q1, () => () => [0.5, Number.NaN], hidden));
    assert.equal(out.length, 1);
    assert.match(out[0]['text/plain'], /✗ matches the reference \(hidden, 3 points\): expected finite numbers; got NaN at entry 1/);
    assert.match(out[0]['text/plain'], /1 of 5 points: 2 of 3 tests failed$/);
    assert.doesNotMatch(JSON.stringify(out), /expect\.near/, 'the hidden test\'s code is not shown');
  });

  it('in the student version (no hidden tests), it speaks as check does', async () => {
    const [out] = await outputs(() => grade(q1, () => () => [1, 2], []));
    assert.match(out['text/plain'], /public tests passed \(hidden tests run when graded\)$/);
  });

  it('in a student\'s grading run, the probe shows only the answer\'s values as data: no test runs there', async () => {
    let judged = false;
    const spy = [test('spy', 1, null, () => { judged = true; })];
    const probe = probeGrade({ q1: [encodeAnswer(null), encodeAnswer(null)] });
    const out = await outputs(() => probe(q1, () => () => [0.5, -1], spy));
    assert.equal(judged, false);
    assert.equal(out.length, 1);
    assert.deepEqual(JSON.parse(out[0][ANSWERS_MIME]).answers.map((a: { value: unknown }) => a.value), [[0.5, -1], [0.5, -1]]);
  });
});
