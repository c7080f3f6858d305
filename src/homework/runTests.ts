import { decodeAnswer, encodeAnswer, errorKind, errorMessage, UnreadableAnswer, type AnswerData, type AnswerOutcome } from './answerData';
import { inputFor, isQuestion, splitHidden, TestFailure, type Question, type Test } from './question';

/*
 * The two halves of a test. `answerOn` is what runs where the answer lives (a student's kernel): call the
 * answer on an input and return the value as data, or the kind of error it threw. `judgeAnswer` is what
 * decides: it reads that data (never the live value) and runs the test's judge on it. In a student's own
 * notebook both run in one process (`check`); when grading, the judge runs in a kernel with no student code.
 */

/**
 * One test's result. `points` is what the test is worth; the student earns them when `passed`. `message`
 * is empty on a pass; on a failure it says what was expected in kind, under a label the grader wrote.
 */
export interface TestOutcome {
  name: string;
  points: number;
  passed: boolean;
  message: string;
  seconds: number;
  hidden: boolean;
}

const now = (): number => performance.now();

/**
 * Calls `answer` through the question's `call` on `input` and returns the value as data, or what it threw
 * (its kind and a short message), with the seconds it took. Never throws.
 *
 * @example
 * import { answerOn, question } from 'maml-lab/homework';
 * const q = question('q1', { call: (f: (x: number) => number, x: number) => f(x), tests: [] });
 * (await answerOn(q, (x: number) => x * x, 3) as { value: unknown }).value; // 9
 * (await answerOn(q, () => { throw new RangeError('no'); }, 3) as { threw: unknown }).threw; // { kind: "RangeError", message: "no" }
 */
export async function answerOn<A>(q: Question<A>, answer: A, input: unknown): Promise<AnswerOutcome> {
  const start = now();
  try {
    const value = await q.call(answer, input);
    return { value: encodeAnswer(value), seconds: (now() - start) / 1000 };
  } catch (error) {
    return thrownOutcome(error, (now() - start) / 1000);
  }
}

/**
 * What an answer that threw is reported as: the error's kind and a short message, no value.
 *
 * @example
 * import { thrownOutcome } from 'maml-lab/homework';
 * thrownOutcome(new TypeError('no')); // { threw: { kind: "TypeError", message: "no" }, seconds: 0 }
 */
export function thrownOutcome(error: unknown, seconds = 0): AnswerOutcome {
  return { threw: { kind: errorKind(error), message: errorMessage(error) }, seconds };
}

/** The label of a student's error: the grader's words, the student's kind, and their message quoted. */
function threwMessage(threw: { kind: string; message: string }): string {
  const kind = /^[A-Za-z ]{1,40}$/.test(threw.kind) ? threw.kind : 'Error';
  // Quotes inside turned to ’, so the student's text cannot close the quote and pass for the grader's words.
  const message = String(threw.message).slice(0, 200).replace(/\s+/g, ' ').replace(/"/g, '’');
  return `your answer threw ${kind}: "${message}"`;
}

/**
 * Judges one answer (as `answerOn` reported it) with a test's judge: passed, or the judge's message. The
 * value is decoded from data first; an answer that threw fails with "your answer threw <Kind>: "<message>"";
 * a judge that breaks on an answer of an unexpected form fails with a sentence saying so. Never throws.
 *
 * @example
 * import { answerOn, expect, judgeAnswer, question, test } from 'maml-lab/homework';
 * const t = test('f(3) is 9', 1, 3, (v: number) => expect.near(v, 9, { absolute: 1e-12 }));
 * const q = question('q1', { call: (f: (x: number) => number, x: number) => f(x), tests: [t] });
 * (await judgeAnswer(t, await answerOn(q, (x: number) => x * x, 3), undefined, 3)).passed; // true
 * (await judgeAnswer(t, await answerOn(q, (x: number) => x + x, 3), undefined, 3)).message; // "expected a number within largest difference 1.0e-12 of the reference; got largest difference 3.0e0"
 */
export async function judgeAnswer(t: Test, outcome: AnswerOutcome | undefined, reference: AnswerData | undefined, input: unknown, hidden = false): Promise<TestOutcome> {
  const done = (passed: boolean, message: string, seconds: number): TestOutcome => ({ name: t.name, points: t.points, passed, message, seconds, hidden });
  if (outcome === undefined) return done(false, 'no value of your answer reached the grader for this test', 0);
  if ('threw' in outcome) return done(false, threwMessage(outcome.threw), outcome.seconds);
  let value: unknown;
  let expected: unknown;
  try {
    value = decodeAnswer(outcome.value);
  } catch (error) {
    return done(false, error instanceof UnreadableAnswer ? error.message : 'your answer could not be read', outcome.seconds);
  }
  try {
    expected = reference === undefined ? undefined : decodeAnswer(reference);
  } catch {
    return done(false, "the test's reference value could not be read (a fault in the assignment, not in your answer)", outcome.seconds);
  }
  try {
    await t.judge(value, { input, reference: expected });
    return done(true, '', outcome.seconds);
  } catch (error) {
    if (error instanceof TestFailure) return done(false, errorMessage(error) || 'failed', outcome.seconds);
    if (error instanceof UnreadableAnswer) return done(false, error.message, outcome.seconds);
    return done(false, `your answer is not of the form this test expects (the test met a ${errorKind(error)} reading it)`, outcome.seconds);
  }
}

/** How `runTests` judges. */
export interface RunTestsOptions {
  /** The seed seeded inputs are drawn with (default 0). */
  seed?: number;
  /**
   * 'own': hidden tests are judged against the answer's own value (a source notebook, whose answer is the
   * solution); 'none' (default): no reference, as in a student's `check`.
   */
  reference?: 'own' | 'none';
}

/**
 * Runs a question's public tests, then `hiddenTests`, on the answer `answer()` returns (awaited), in this
 * process: each test's input through the question's `call`, the value through data, then the judge. It
 * never throws for a wrong answer: an `answer()` that throws fails every test with "your answer threw …".
 * It throws only when called wrongly (not a question, not tests, two tests with one name). Mistakes in
 * the hidden list are ignored here (`lint` runs them).
 *
 * @example
 * import { expect, question, runTests, test } from 'maml-lab/homework';
 * const q1 = question('q1', { call: (f: () => number[]) => f(), tests: [test('two numbers', 1, null, (v: number[]) => expect.shape(v, [2]))] });
 * const hidden = [test('is [1, 2]', 2, null, (v: number[]) => expect.near(v, [1, 2], { relative: 1e-9 }))];
 * (await runTests(q1, () => () => [1, 3], hidden)).map((o) => o.passed); // [true, false]
 * (await runTests(q1, () => { throw new Error('not implemented yet'); }, hidden))[0].message; // "your answer threw Error: \"not implemented yet\""
 */
export async function runTests<A>(q: Question<A>, answer: () => A | Promise<A>, hiddenTests: readonly unknown[], options: RunTestsOptions = {}): Promise<TestOutcome[]> {
  if (!isQuestion(q)) throw new TypeError('runTests: the first argument must be a question made by question(...)');
  if (typeof answer !== 'function') throw new TypeError(`runTests "${q.id}": the answer must be given as a function that returns it, e.g. () => answer`);
  const { tests: hidden } = splitHidden(hiddenTests, `runTests "${q.id}": the hidden tests`, q.publicTests.map((t) => t.name));
  const seed = options.seed ?? 0;
  let live: A | undefined;
  let failedToGive: AnswerOutcome | undefined;
  try {
    live = await answer();
  } catch (error) {
    failedToGive = thrownOutcome(error);
  }
  const all = [...q.publicTests.map((t) => ({ t, hidden: false })), ...hidden.map((t) => ({ t, hidden: true }))];
  const outcomes: TestOutcome[] = [];
  for (const { t, hidden: isHidden } of all) {
    const input = inputFor(t.input, seed);
    const given = failedToGive ?? (await answerOn(q, live as A, input));
    // Public tests never see a reference, here as in `check`: what passes for the student passes here.
    const reference = isHidden && options.reference === 'own' && 'value' in given ? given.value : undefined;
    outcomes.push(await judgeAnswer(t, given, reference, input, isHidden));
  }
  return outcomes;
}
