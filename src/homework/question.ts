/*
 * Tests and questions: the objects an assignment's locked cells build and its grade cells run. Both are
 * frozen and branded, so a student's later code can neither edit a test in place nor pass a look-alike
 * object where a question is expected.
 */

/** A test's failure: thrown by `expect` (or by a test on purpose); its message is shown to the student as is. */
export class TestFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestFailure';
  }
}

/** One test of an answer: a name the student sees, the points it is worth, and the check itself. */
export interface Test<T> {
  readonly name: string;
  readonly points: number;
  readonly run: (answer: T) => void | Promise<void>;
}

/** A question: its id (the grade cell's `grade_id`), its public tests, and what `check` shows beside them. */
export interface Question<T> {
  readonly id: string;
  readonly publicTests: readonly Test<T>[];
  readonly hint?: string;
  readonly prompt?: string;
}

// Captured at load: a student's later redefinition of WeakSet methods or Object.freeze changes nothing here.
const freeze = Object.freeze;
const weakHas = WeakSet.prototype.has;
const weakAdd = WeakSet.prototype.add;
const tests = new WeakSet<object>();
const questions = new WeakSet<object>();

/**
 * Whether `x` was made by `test(...)` in this module.
 *
 * @example
 * import { isTest, test } from 'maml-lab/homework';
 * isTest(test('anything', 1, () => undefined)); // true
 * isTest({ name: 'fake', points: 1, run: () => undefined }); // false
 */
export function isTest(x: unknown): x is Test<unknown> {
  return typeof x === 'object' && x !== null && weakHas.call(tests, x);
}

/**
 * Whether `x` was made by `question(...)` in this module.
 *
 * @example
 * import { isQuestion, question } from 'maml-lab/homework';
 * isQuestion(question('q1', [])); // true
 * isQuestion({ id: 'q1', publicTests: [] }); // false
 */
export function isQuestion(x: unknown): x is Question<unknown> {
  return typeof x === 'object' && x !== null && weakHas.call(questions, x);
}

/** The pattern of a question id: nbgrader's grade_id alphabet (letters, digits, `-`, `_`, `.`). */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * One test of an answer, worth `points` (> 0): `run` receives the student's answer and throws (a
 * `TestFailure`, usually from `expect`) when the answer is wrong. It may be async.
 *
 * @example
 * import { expect, test } from 'maml-lab/homework';
 * const returnsThree = test('returns three numbers', 1, (answer: number[]) => expect.shape(answer, [3]));
 * returnsThree.points; // 1
 */
export function test<T>(name: string, points: number, run: (answer: T) => void | Promise<void>): Test<T> {
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError(`test: the name must be a non-empty string, got ${String(name)}`);
  if (typeof points !== 'number' || !Number.isFinite(points) || points <= 0) throw new RangeError(`test "${name}": points must be a number > 0, got ${String(points)}`);
  if (typeof run !== 'function') throw new TypeError(`test "${name}": the third argument must be a function of the answer`);
  const made = freeze({ name, points, run });
  weakAdd.call(tests, made);
  return made;
}

/**
 * The list, once checked: throws unless every entry is a test and no two (nor one of `taken`) share a name;
 * `where` names the list in the message.
 *
 * @example
 * import { requireTests, test } from 'maml-lab/homework';
 * requireTests([test('a', 1, () => undefined)], 'hidden tests').length; // 1
 */
export function requireTests(list: unknown, where: string, taken: readonly string[] = []): readonly Test<unknown>[] {
  if (!Array.isArray(list)) throw new TypeError(`${where} must be an array of tests made by test(...)`);
  const names = new Set(taken);
  list.forEach((t, i) => {
    if (!isTest(t)) throw new TypeError(`${where}[${i}] is not a test made by test(...)`);
    if (names.has(t.name)) throw new RangeError(`${where}: two tests are named "${t.name}"; each test of a question needs its own name`);
    names.add(t.name);
  });
  return list;
}

/**
 * A question: its id (the `grade_id` of its grade cell, e.g. "q1") and its public tests, which `check` runs
 * for the student at any time; the hidden tests are given to `grade` in the grade cell. `prompt` heads the
 * feedback; `hint` is shown when a test fails.
 *
 * @example
 * import { expect, question, test } from 'maml-lab/homework';
 * const q1 = question('q1', [test('is a number', 1, (a: number) => expect.finite(a))], { hint: 'a single number' });
 * q1.publicTests.length; // 1
 */
export function question<T>(id: string, publicTests: Test<T>[], options: { hint?: string; prompt?: string } = {}): Question<T> {
  if (typeof id !== 'string' || !ID.test(id)) throw new TypeError(`question: the id must be a grade_id such as "q1" (letters, digits, - _ .), got ${JSON.stringify(id)}`);
  requireTests(publicTests, `question "${id}": the public tests`);
  for (const key of ['hint', 'prompt'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') throw new TypeError(`question "${id}": ${key} must be a string`);
  }
  const made = freeze({ id, publicTests: freeze([...publicTests]), ...(options.hint ? { hint: options.hint } : {}), ...(options.prompt ? { prompt: options.prompt } : {}) });
  weakAdd.call(questions, made);
  return made;
}
