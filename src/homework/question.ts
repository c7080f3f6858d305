/*
 * Questions, tests and declared mistakes: what an assignment's locked cells and grade cells build.
 *
 * A test is split in two so that it can be judged outside the student's process:
 * - its `input`, plain data (JSON), which the question's `call` turns into a call of the answer; that is
 *   all that runs in a student's kernel, and the value it returns travels back as data;
 * - its `judge`, which receives that value (and, when grading, the value the source's own solution gives
 *   on the same input) and throws a `TestFailure` when the answer is wrong. When an assignment is graded,
 *   judges run in a kernel that runs no student code.
 * Tests, questions and mistakes are frozen and branded, so a look-alike object is refused.
 */

/** A test's failure: thrown by `expect` (or by a judge on purpose); its message is shown to the student as is. */
export class TestFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestFailure';
  }
}

/** What a judge is told besides the answer's value. */
export interface JudgeContext<I, V> {
  /** The test's input (for a seeded input, the one drawn for this student). */
  input: I;
  /**
   * What the source's own solution returns on the same input, when grading (and in `lint`, and in the
   * source notebook's own `grade` cells); undefined in `check`, so a public test must not need it.
   */
  reference: V | undefined;
}

/** A test's input: plain data, or a function of a seed that draws it (hidden tests, one seed per student). */
export type TestInput<I> = I | { readonly seeded: (seed: number) => I };

/** One test: a name, its points, the input the answer is called on, and the judge of what it returns. */
export interface Test<V = any, I = any> {
  readonly name: string;
  readonly points: number;
  readonly input: TestInput<I>;
  readonly judge: (value: V, context: JudgeContext<I, V>) => void | Promise<void>;
  /** A hidden test's name is shown to students only when its author says so. */
  readonly nameShown: boolean;
}

/** A wrong answer the author declares in a grade cell's hidden region: `lint` proves the tests reject it. */
export interface Mistake<A = any> {
  readonly name: string;
  readonly answer: A;
  /** The public tests alone must reject it too (so `check` gives real feedback on this mistake). */
  readonly public: boolean;
}

/** A question: its id (the grade cell's `grade_id`), how an answer is called, its public tests, hints. */
export interface Question<A = any, V = any, I = any> {
  readonly id: string;
  readonly call: (answer: A, input: I) => V | Promise<V>;
  readonly publicTests: readonly Test<V, I>[];
  /** Shown one more at each failed `check`: the first gives a direction, later ones more. */
  readonly hints: readonly string[];
  readonly prompt?: string;
  /** Names an answer may not use (the references it is graded against); `grade` checks the source. */
  readonly banned: readonly string[];
}

// Captured at load: a student's later redefinition of WeakSet methods or Object.freeze changes nothing here.
const freeze = Object.freeze;
const weakHas = WeakSet.prototype.has;
const weakAdd = WeakSet.prototype.add;
const tests = new WeakSet<object>();
const questions = new WeakSet<object>();
const mistakes = new WeakSet<object>();
const seededInputs = new WeakSet<object>();

/**
 * Whether `x` was made by `test(...)` in this module.
 *
 * @example
 * import { isTest, test } from 'maml-lab/homework';
 * isTest(test('anything', 1, 0, () => undefined)); // true
 * isTest({ name: 'fake', points: 1, input: 0, judge: () => undefined }); // false
 */
export function isTest(x: unknown): x is Test {
  return typeof x === 'object' && x !== null && weakHas.call(tests, x);
}

/**
 * Whether `x` was made by `question(...)` in this module.
 *
 * @example
 * import { isQuestion, question } from 'maml-lab/homework';
 * isQuestion(question('q1', { call: (f: () => number) => f(), tests: [] })); // true
 * isQuestion({ id: 'q1', publicTests: [] }); // false
 */
export function isQuestion(x: unknown): x is Question {
  return typeof x === 'object' && x !== null && weakHas.call(questions, x);
}

/**
 * Whether `x` was made by `mistake(...)` in this module.
 *
 * @example
 * import { isMistake, mistake } from 'maml-lab/homework';
 * isMistake(mistake('returns zero', () => 0)); // true
 */
export function isMistake(x: unknown): x is Mistake {
  return typeof x === 'object' && x !== null && weakHas.call(mistakes, x);
}

/** The pattern of a question id: nbgrader's grade_id alphabet (letters, digits, `-`, `_`, `.`). */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * A seeded input: `draw(seed)` makes the input for one student (the grader records the seed in the
 * report, so a regrade is exact). In `check` and in the source's own run the seed is 0.
 *
 * @example
 * import { seeded } from 'maml-lab/homework';
 * seeded((seed) => ({ seed: seed % 10 })).seeded(13); // { seed: 3 }
 */
export function seeded<I>(draw: (seed: number) => I): { readonly seeded: (seed: number) => I } {
  if (typeof draw !== 'function') throw new TypeError('seeded: give a function of the seed that returns the input');
  const made = freeze({ seeded: draw });
  weakAdd.call(seededInputs, made);
  return made;
}

/**
 * Whether a test's input is drawn per seed (made by `seeded`).
 *
 * @example
 * import { isSeededInput, seeded } from 'maml-lab/homework';
 * [isSeededInput(seeded((s) => s)), isSeededInput({ seeded: 1 })]; // [true, false]
 */
export function isSeededInput(input: unknown): boolean {
  return typeof input === 'object' && input !== null && weakHas.call(seededInputs, input);
}

/**
 * The input of a test for a seed: the input itself, or what its seeded draw gives.
 *
 * @example
 * import { inputFor, seeded } from 'maml-lab/homework';
 * inputFor({ x: 1 }, 7); // { x: 1 }
 * inputFor(seeded((s) => s + 1), 7); // 8
 */
export function inputFor<I>(input: TestInput<I>, seed: number): I {
  if (isSeededInput(input)) return (input as { seeded: (seed: number) => I }).seeded(seed);
  return input as I;
}

/**
 * One test, worth `points` (> 0): the question's `call` runs the answer on `input` (plain data, or
 * `seeded(draw)`), and `judge(value, { input, reference })` throws when the value is wrong (usually through
 * `expect`). `reference` is the source solution's value on the same input while grading, undefined in
 * `check`. A hidden test's name is shown to students only with `{ nameShown: true }`.
 *
 * @example
 * import { expect, test } from 'maml-lab/homework';
 * const squareOfThree = test('square(3) is 9', 1, 3, (value: number) => expect.near(value, 9, { absolute: 1e-12 }));
 * squareOfThree.points; // 1
 */
export function test<V = unknown, I = any>(name: string, points: number, input: TestInput<I>, judge: (value: V, context: JudgeContext<I, V>) => void | Promise<void>, options: { nameShown?: boolean } = {}): Test<V, I> {
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError(`test: the name must be a non-empty string, got ${String(name)}`);
  if (typeof points !== 'number' || !Number.isFinite(points) || points <= 0) throw new RangeError(`test "${name}": points must be a number > 0, got ${String(points)}`);
  if (typeof judge !== 'function') throw new TypeError(`test "${name}": the fourth argument must be the judge, a function of the answer's value (and { input, reference })`);
  if (input === undefined || typeof input === 'function') throw new TypeError(`test "${name}": the third argument is the input the answer is called on: plain data (a number, an array, an object), or seeded(draw)`);
  const made = freeze({ name, points, input, judge, nameShown: options.nameShown === true });
  weakAdd.call(tests, made);
  return made;
}

/**
 * A wrong answer declared by the assignment's author, in a grade cell's hidden region beside the hidden
 * tests: `maml-lab lint` proves that at least one hidden test rejects it, and with `{ public: true }` that
 * a public test does too. Students never see it (`assign` removes the hidden region); grading ignores it.
 *
 * @example
 * import { mistake } from 'maml-lab/homework';
 * mistake('the sum where the mean is asked', (xs: number[]) => xs.reduce((a, b) => a + b, 0), { public: true }).public; // true
 */
export function mistake<A>(name: string, answer: A, options: { public?: boolean } = {}): Mistake<A> {
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError(`mistake: the name must be a non-empty string, got ${String(name)}`);
  const made = freeze({ name, answer, public: options.public === true });
  weakAdd.call(mistakes, made);
  return made;
}

/**
 * A grade cell's hidden list split into its tests and its declared mistakes; throws unless every entry is
 * one or the other and no two tests (nor one of `taken`) share a name. `where` names the list.
 *
 * @example
 * import { mistake, splitHidden, test } from 'maml-lab/homework';
 * const { tests, mistakes } = splitHidden([test('a', 1, 0, () => undefined), mistake('zero', () => 0)], 'hidden tests');
 * [tests.length, mistakes.length]; // [1, 1]
 */
export function splitHidden(list: unknown, where: string, taken: readonly string[] = []): { tests: readonly Test[]; mistakes: readonly Mistake[] } {
  if (!Array.isArray(list)) throw new TypeError(`${where} must be an array of tests made by test(...) (and mistakes made by mistake(...))`);
  const names = new Set(taken);
  const found: Test[] = [];
  const declared: Mistake[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i] as unknown;
    if (isMistake(t)) {
      declared.push(t);
      continue;
    }
    if (!isTest(t)) throw new TypeError(`${where}[${i}] is not a test made by test(...) nor a mistake made by mistake(...)`);
    if (names.has(t.name)) throw new RangeError(`${where}: two tests are named "${t.name}"; each test of a question needs its own name`);
    names.add(t.name);
    found.push(t);
  }
  return { tests: found, mistakes: declared };
}

/** What `question` is given. */
export interface QuestionSpec<A, V, I> {
  /** How the answer is called on one test's input; what it returns is the value the judges see, as data. */
  call: (answer: A, input: I) => V | Promise<V>;
  tests: Test<V, I>[];
  prompt?: string;
  /** One or more hints, shown one more at each failed `check`: a direction first, never the solution. */
  hints?: string[];
  /** Names an answer may not use, e.g. the references it is graded against. */
  banned?: string[];
}

/**
 * A question: its id (the `grade_id` of its grade cell, e.g. "q1"), how its answer is called on a test's
 * input (`call`), its public tests (which `check` runs for the student at any time), and its hints; the
 * hidden tests are given to `grade` in the grade cell.
 *
 * @example
 * import { expect, question, test } from 'maml-lab/homework';
 * const q1 = question('q1', {
 *   call: (square: (x: number) => number, x: number) => square(x),
 *   tests: [test('square(2) is 4', 1, 2, (value: number) => expect.near(value, 4, { absolute: 1e-12 }))],
 *   hints: ['what is x times x?'],
 * });
 * q1.publicTests.length; // 1
 */
export function question<A = any, V = unknown, I = any>(id: string, spec: QuestionSpec<A, V, I>): Question<A, V, I> {
  if (typeof id !== 'string' || !ID.test(id)) throw new TypeError(`question: the id must be a grade_id such as "q1" (letters, digits, - _ .), got ${JSON.stringify(id)}`);
  if (typeof spec !== 'object' || spec === null || typeof spec.call !== 'function') throw new TypeError(`question "${id}": give { call: (answer, input) => value, tests: [...] }`);
  const { tests: publicTests, mistakes: declared } = splitHidden(spec.tests, `question "${id}": the public tests`);
  if (declared.length > 0) throw new TypeError(`question "${id}": mistakes belong in the grade cell's hidden region, not among the public tests`);
  const hints = spec.hints ?? [];
  if (!Array.isArray(hints) || !hints.every((h) => typeof h === 'string' && h !== '')) throw new TypeError(`question "${id}": hints must be an array of non-empty strings`);
  if (spec.prompt !== undefined && typeof spec.prompt !== 'string') throw new TypeError(`question "${id}": prompt must be a string`);
  const banned = spec.banned ?? [];
  if (!Array.isArray(banned) || !banned.every((b) => typeof b === 'string' && /^[A-Za-z_$][\w$]*$/.test(b))) throw new TypeError(`question "${id}": banned must be an array of identifiers`);
  const made = freeze({
    id,
    call: spec.call,
    publicTests: freeze([...publicTests]) as readonly Test<V, I>[],
    hints: freeze([...hints]),
    banned: freeze([...banned]),
    ...(spec.prompt ? { prompt: spec.prompt } : {}),
  });
  weakAdd.call(questions, made);
  return made;
}
