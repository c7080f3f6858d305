import { isQuestion, requireTests, TestFailure, type Question, type Test } from './question';

/**
 * One test's result. `points` is what the test is worth; the student earns them when `passed`. `message`
 * is empty on a pass; on a failure it says what was expected in kind and what came, with no stack.
 */
export interface TestOutcome {
  name: string;
  points: number;
  passed: boolean;
  message: string;
  seconds: number;
  hidden: boolean;
}

// Captured at load, so that a student's later redefinition changes nothing in how tests are timed or sorted.
const now = performance.now.bind(performance);
const freeze = Object.freeze;
const weakAdd = WeakSet.prototype.add;
const weakHas = WeakSet.prototype.has;
const stringOf = String;
const outcomeLists = new WeakSet<object>();
/** True while an answer or a test runs synchronously: no record may be signed from inside one. */
let runningTestCode = false;

/** Runs `fn` with `runningTestCode` set; returns what it returns (a promise's settling is not covered). */
function asTestCode<R>(fn: () => R): R {
  const previous = runningTestCode;
  runningTestCode = true;
  try {
    return fn();
  } finally {
    runningTestCode = previous;
  }
}

/**
 * Whether an answer or a test is running right now (synchronously), as when a student's function calls
 * `gradeRecord` from inside a test; `gradeRecord` refuses to sign then.
 *
 * @example
 * import { runningTests } from 'maml-lab/homework';
 * runningTests(); // false
 */
export function runningTests(): boolean {
  return runningTestCode;
}

/** Longest message kept: feedback is a sentence, not a dump. */
const MESSAGE_LIMIT = 500;

/** Thrown by a student's function answer: reported as the answer's error, not the test's. */
class AnswerError extends Error {}

/** The message of anything thrown, on one line, without a stack, at most MESSAGE_LIMIT characters. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : stringOf(error);
  const line = text.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  return line.length > MESSAGE_LIMIT ? `${line.slice(0, MESSAGE_LIMIT - 1)}…` : line;
}

function failureMessage(error: unknown): string {
  if (error instanceof AnswerError) return `your function threw: ${messageOf(error.cause)}`;
  if (error instanceof TestFailure) return messageOf(error);
  const name = error instanceof Error ? error.name : 'Error';
  return `${name}: ${messageOf(error)}`;
}

/**
 * A function answer, wrapped so that what it throws (or rejects with) is reported as "your function threw",
 * keeping its declared number of parameters.
 */
function guarded(answer: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    let result: unknown;
    try {
      result = answer.apply(this, args);
    } catch (cause) {
      throw new AnswerError(messageOf(cause), { cause });
    }
    if (result instanceof Promise) return result.catch((cause) => Promise.reject(new AnswerError(messageOf(cause), { cause })));
    return result;
  };
  Object.defineProperty(wrapped, 'length', { value: answer.length });
  Object.defineProperty(wrapped, 'name', { value: answer.name });
  return wrapped;
}

/**
 * Whether `outcomes` is a list `runTests` returned (and so unedited: it and its entries are frozen). Only
 * such lists are signed by `gradeRecord`.
 *
 * @example
 * import { isTestOutcomes, question, runTests, test } from 'maml-lab/homework';
 * const q = question('q1', [test('runs', 1, () => undefined)]);
 * isTestOutcomes(await runTests(q, () => 1, [])); // true
 * isTestOutcomes([{ name: 'runs', points: 1, passed: true, message: '', seconds: 0, hidden: false }]); // false
 */
export function isTestOutcomes(outcomes: unknown): outcomes is readonly TestOutcome[] {
  return typeof outcomes === 'object' && outcomes !== null && weakHas.call(outcomeLists, outcomes);
}

/**
 * Runs a question's public tests, then `hiddenTests`, on the answer `answer()` returns (awaited), one
 * after the other, and returns one outcome per test. It never throws for a wrong answer:
 * - `answer()` throws → every test fails with "your answer threw: <message>";
 * - an answer that is a function is wrapped, so that an error it throws inside a test is reported as
 *   "your function threw: <message>";
 * - a test that throws a `TestFailure` fails with its message; one that throws anything else fails with
 *   "<ErrorName>: <message>". Never a stack.
 * It throws only when called wrongly (not a question, not tests, two tests with one name).
 *
 * @example
 * import { expect, question, runTests, test } from 'maml-lab/homework';
 * const q1 = question('q1', [test('is a vector of 2 numbers', 1, (a: number[]) => expect.shape(a, [2]))]);
 * const hidden = [test('is [1, 2]', 2, (a: number[]) => expect.near(a, [1, 2], { relative: 1e-9 }))];
 * const outcomes = await runTests(q1, () => [1, 3], hidden);
 * outcomes.map((o) => o.passed); // [true, false]
 * outcomes[1].hidden; // true
 * (await runTests(q1, () => { throw new Error('not implemented yet'); }, hidden))[0].message; // "your answer threw: not implemented yet"
 */
export async function runTests<T>(q: Question<T>, answer: () => T | Promise<T>, hiddenTests: Test<T>[]): Promise<TestOutcome[]> {
  if (!isQuestion(q)) throw new TypeError('runTests: the first argument must be a question made by question(...)');
  if (typeof answer !== 'function') throw new TypeError(`runTests "${q.id}": the answer must be given as a function that returns it, e.g. () => answer`);
  requireTests(hiddenTests, `runTests "${q.id}": the hidden tests`, q.publicTests.map((t) => t.name));
  // Index loops, not map or for…of: a student's patched Array.prototype cannot drop or add a test.
  const all: { t: Test<T>; hidden: boolean }[] = [];
  for (let i = 0; i < q.publicTests.length; i++) all[all.length] = { t: q.publicTests[i], hidden: false };
  for (let i = 0; i < hiddenTests.length; i++) all[all.length] = { t: hiddenTests[i], hidden: true };
  let value: T | undefined;
  let answerError: string | undefined;
  const start = now();
  try {
    value = await asTestCode(answer);
    if (typeof value === 'function') value = guarded(value as (...args: unknown[]) => unknown) as T;
  } catch (error) {
    answerError = `your answer threw: ${messageOf(error)}`;
  }
  const answerSeconds = (now() - start) / 1000;
  const outcomes: TestOutcome[] = [];
  for (let i = 0; i < all.length; i++) {
    const { t, hidden } = all[i];
    if (answerError !== undefined) {
      outcomes[i] = freeze({ name: t.name, points: t.points, passed: false, message: answerError, seconds: answerSeconds, hidden });
      continue;
    }
    const begin = now();
    let message = '';
    try {
      await asTestCode(() => t.run(value as T));
    } catch (error) {
      message = failureMessage(error) || 'failed';
    }
    outcomes[i] = freeze({ name: t.name, points: t.points, passed: message === '', message, seconds: (now() - begin) / 1000, hidden });
  }
  freeze(outcomes);
  weakAdd.call(outcomeLists, outcomes);
  return outcomes;
}
