import { decodeAnswer, encodeAnswer, type AnswerData, type AnswerOutcome } from './answerData';
import { inputFor, isQuestion, isSeededInput, splitHidden, type Question, type Test } from './question';
import { answerOn, judgeAnswer, thrownOutcome, type TestOutcome } from './runTests';
import { generatedMistakes } from './wrongAnswers';

/*
 * What a grade cell does in each of the grader's four runs. Grading a submission takes three kernels:
 *   1. the reference run: the source notebook with its own solutions (trusted). Each grade cell lists its
 *      tests and, per seed, the inputs and the values the solution gives on them;
 *   2. the student's run: locked cells, the student's answers, and per grade cell a probe that calls the
 *      answer on those inputs and reports the values as data. No test code, no expected value, no hidden
 *      test's name enters this kernel, and nothing it prints is read as a result;
 *   3. the judge run: the source notebook again (trusted, no student code), whose grade cells run every
 *      test's judge on the students' values against the reference values.
 * `lint` is a fourth, trusted run of the source: it judges the solution and a corpus of wrong answers.
 * These functions compute each run's record; `maml-lab/notebook` shows it as one output of its MIME type.
 */

/** MIME types of the records grade cells show in the grader's runs. */
export const REFERENCE_MIME = 'application/vnd.maml-lab.reference+json';
export const ANSWERS_MIME = 'application/vnd.maml-lab.answers+json';
export const JUDGEMENT_MIME = 'application/vnd.maml-lab.judgement+json';
export const LINT_MIME = 'application/vnd.maml-lab.lint+json';

/** A test as the grader knows it: never its code. */
export interface TestInfo {
  name: string;
  points: number;
  hidden: boolean;
  nameShown: boolean;
}

/** The inputs of every test for one seed, and the values the source's solution gives (null for public tests). */
export interface SeedCase {
  seed: number;
  inputs: AnswerData[];
  references: (AnswerData | null)[];
}

/** What a grade cell shows in the reference run. */
export interface ReferenceRecord {
  question: string;
  banned: string[];
  tests: TestInfo[];
  /** One case per seed when some test is seeded; otherwise one case (seed 0) that serves everyone. */
  cases: SeedCase[];
  /** The source's own solution failing its tests: the assignment cannot grade anyone. */
  failures: string[];
}

/** What a probe shows in a student's run: the answer's value (or error) on each input, in order. */
export interface AnswersRecord {
  question: string;
  answers: AnswerOutcome[];
}

/** One student's data for the judge run. */
export interface JudgeCase {
  student: string;
  inputs: AnswerData[];
  references: (AnswerData | null)[];
  /** Null when no readable answers came from the student's kernel. */
  answers: AnswerOutcome[] | null;
}

/** What a grade cell shows in the judge run: each student's outcomes, test by test. */
export interface JudgementRecord {
  question: string;
  students: Record<string, TestOutcome[]>;
}

/** A wrong answer `lint` tried and what caught it. */
export interface WrongAnswerResult {
  name: string;
  generated: boolean;
  /** The public tests must reject it too. */
  needsPublic: boolean;
  failedPublic: string[];
  failedHidden: string[];
}

/** What a grade cell shows in the lint run. */
export interface LintRecord {
  question: string;
  tests: TestInfo[];
  /** The solution's own outcomes: every one must pass. */
  solution: TestOutcome[];
  wrong: WrongAnswerResult[];
}

interface QuestionTests {
  q: Question;
  tests: { t: Test; hidden: boolean }[];
}

function allTests(q: unknown, hiddenList: unknown, where: string): QuestionTests & { mistakes: ReturnType<typeof splitHidden>['mistakes'] } {
  if (!isQuestion(q)) throw new TypeError(`${where}: the first argument must be a question made by question(...)`);
  const { tests: hidden, mistakes } = splitHidden(hiddenList, `${where} "${q.id}": the hidden tests`, q.publicTests.map((t) => t.name));
  return { q, tests: [...q.publicTests.map((t) => ({ t, hidden: false })), ...hidden.map((t) => ({ t, hidden: true }))], mistakes };
}

function infoOf({ t, hidden }: { t: Test; hidden: boolean }): TestInfo {
  return { name: t.name, points: t.points, hidden, nameShown: !hidden || t.nameShown };
}

/** The answer `answer()` gives, or what it threw (a grade cell's `() => answer` naming a missing function). */
async function giveAnswer<A>(answer: () => A | Promise<A>): Promise<{ live?: A; threw?: AnswerOutcome }> {
  try {
    return { live: await answer() };
  } catch (error) {
    return { threw: thrownOutcome(error) };
  }
}

/**
 * The reference run's record of a grade cell: the tests, and for each seed (only seed 0 when no test is
 * seeded) the inputs and the solution's values, with every failure of the solution's own.
 *
 * @example
 * import { expect, question, referenceRecord, test } from 'maml-lab/homework';
 * const q = question('q1', { call: (f: (x: number) => number, x: number) => f(x), tests: [test('f(2) is 4', 1, 2, (v: number) => expect.near(v, 4, { absolute: 1e-12 }))] });
 * const hidden = [test('f(3) matches', 1, 3, (v: number, { reference }) => expect.near(v, reference, { absolute: 1e-12 }))];
 * const record = await referenceRecord(q, () => (x: number) => x * x, hidden, [0, 17]);
 * record.cases.length; // 1
 * record.cases[0].references; // [null, 9]
 * record.failures; // []
 */
export async function referenceRecord(q: unknown, answer: () => unknown, hiddenList: unknown, seeds: readonly number[]): Promise<ReferenceRecord> {
  const { q: question, tests } = allTests(q, hiddenList, 'grade');
  const anySeeded = tests.some(({ t }) => isSeeded(t));
  const given = await giveAnswer(answer);
  const cases: SeedCase[] = [];
  const failures: string[] = [];
  for (const seed of anySeeded ? [...new Set([0, ...seeds])] : [0]) {
    const inputs: AnswerData[] = [];
    const references: (AnswerData | null)[] = [];
    for (const { t, hidden } of tests) {
      const input = inputFor(t.input, seed);
      const outcome = given.threw ?? (await answerOn(question, given.live, input));
      inputs.push(encodeAnswer(input));
      const reference = hidden && 'value' in outcome ? outcome.value : null;
      references.push(reference);
      const judged = await judgeAnswer(t, outcome, reference ?? undefined, input, hidden);
      if (!judged.passed) failures.push(`the source's own solution fails the test "${t.name}"${anySeeded ? ` at seed ${seed}` : ''}: ${judged.message}`);
    }
    cases.push({ seed, inputs, references });
  }
  return { question: question.id, banned: [...question.banned], tests: tests.map(infoOf), cases, failures };
}

/**
 * A probe's record in a student's run: the answer called on each input (plain data, decoded here), its
 * value or error, in order. Never throws for anything the answer does.
 *
 * @example
 * import { encodeAnswer, probeRecord, question } from 'maml-lab/homework';
 * const q = question('q1', { call: (f: (x: number) => number, x: number) => f(x), tests: [] });
 * (await probeRecord(q, () => (x: number) => x * x, [encodeAnswer(3)])).answers[0]; // { value: 9, seconds: … }
 */
export async function probeRecord(q: unknown, answer: () => unknown, inputs: readonly AnswerData[]): Promise<AnswersRecord> {
  if (!isQuestion(q)) throw new TypeError('grade: the first argument must be a question made by question(...)');
  const given = await giveAnswer(answer);
  const answers: AnswerOutcome[] = [];
  for (const input of inputs) answers.push(given.threw ?? (await answerOn(q, given.live, decodeAnswer(input))));
  return { question: q.id, answers };
}

/**
 * The judge run's record of a grade cell: each student's answers judged test by test, hidden tests
 * against the reference values. Runs no student code: answers are data.
 *
 * @example
 * import { encodeAnswer, expect, judgementRecord, question, test } from 'maml-lab/homework';
 * const q = question('q1', { call: (f: (x: number) => number, x: number) => f(x), tests: [] });
 * const hidden = [test('matches', 1, 3, (v: number, { reference }) => expect.near(v, reference, { absolute: 1e-12 }))];
 * const record = await judgementRecord(q, hidden, [{ student: 'al', inputs: [encodeAnswer(3)], references: [9], answers: [{ value: 6, seconds: 0 }] }]);
 * record.students.al[0].passed; // false
 */
export async function judgementRecord(q: unknown, hiddenList: unknown, students: readonly JudgeCase[]): Promise<JudgementRecord> {
  const { q: question, tests } = allTests(q, hiddenList, 'grade');
  const out: Record<string, TestOutcome[]> = {};
  for (const s of students) {
    const outcomes: TestOutcome[] = [];
    for (let i = 0; i < tests.length; i++) {
      const { t, hidden } = tests[i];
      let input: unknown;
      try {
        input = decodeAnswer(s.inputs[i]);
      } catch {
        input = undefined;
      }
      const answer = s.answers !== null && s.answers.length === tests.length ? s.answers[i] : undefined;
      outcomes.push(await judgeAnswer(t, answer, hidden ? (s.references[i] ?? undefined) : undefined, input, hidden));
    }
    Object.defineProperty(out, s.student, { value: outcomes, enumerable: true, writable: true, configurable: true });
  }
  return { question: question.id, students: out };
}

/**
 * The lint run's record of a grade cell: the solution judged by every test (seeded ones at several seeds),
 * then each wrong answer, the
 * generated ones (zeros, NaN, the public example's value hard-coded, a shape off by one, the order
 * reversed, the input returned unchanged) and the author's declared mistakes, with the tests that failed it.
 *
 * @example
 * import { expect, lintRecord, mistake, question, test } from 'maml-lab/homework';
 * const q = question('q1', { call: (f: (x: number) => number, x: number) => f(x), tests: [test('f(2) is 4', 1, 2, (v: number) => expect.near(v, 4, { absolute: 1e-12 }))] });
 * const hidden = [test('f(3) matches', 1, 3, (v: number, { reference }) => expect.near(v, reference, { absolute: 1e-12 })), mistake('doubles', (x: number) => 2 * x, { public: true })];
 * const record = await lintRecord(q, () => (x: number) => x * x, hidden);
 * record.wrong.find((w) => w.name === 'doubles')?.failedPublic; // []
 */
export async function lintRecord(q: unknown, answer: () => unknown, hiddenList: unknown): Promise<LintRecord> {
  const { q: question, tests, mistakes } = allTests(q, hiddenList, 'grade');
  const given = await giveAnswer(answer);
  const inputs = tests.map(({ t }) => inputFor(t.input, 0));
  const right: AnswerOutcome[] = [];
  for (const input of inputs) right.push(given.threw ?? (await answerOn(question, given.live, input)));
  const references = right.map((o, i) => (tests[i].hidden && 'value' in o ? o.value : undefined));
  const judgeAll = async (answers: readonly AnswerOutcome[]): Promise<TestOutcome[]> => {
    const outcomes: TestOutcome[] = [];
    for (let i = 0; i < tests.length; i++) outcomes.push(await judgeAnswer(tests[i].t, answers[i], references[i], inputs[i], tests[i].hidden));
    return outcomes;
  };
  const wrong: WrongAnswerResult[] = [];
  const tally = async (name: string, generated: boolean, needsPublic: boolean, answers: readonly AnswerOutcome[]): Promise<void> => {
    const outcomes = await judgeAll(answers);
    const failed = (hidden: boolean): string[] => outcomes.filter((o) => o.hidden === hidden && !o.passed).map((o) => o.name);
    wrong.push({ name, generated, needsPublic, failedPublic: failed(false), failedHidden: failed(true) });
  };
  const publicExample = right.find((o, i) => !tests[i].hidden && 'value' in o);
  for (const m of generatedMistakes(right, publicExample)) await tally(m.name, true, m.needsPublic, m.answers);
  if (given.live !== undefined && typeof given.live === 'function') {
    const returnsInput = (...args: unknown[]): unknown => args[0];
    const answers: AnswerOutcome[] = [];
    for (const input of inputs) answers.push(await answerOn(question, returnsInput, input));
    await tally('returns its input unchanged', true, true, answers);
  }
  for (const m of mistakes) {
    const answers: AnswerOutcome[] = [];
    for (const input of inputs) answers.push(await answerOn(question, m.answer, input));
    await tally(m.name, false, m.public, answers);
  }
  // Seeded tests: the solution must pass at other seeds too, or grading would refuse the class a student's
  // seed breaks. These are as many draws as a class of LINT_SEEDS students would make.
  const solution = await judgeAll(right);
  for (const seed of LINT_SEEDS) {
    for (let i = 0; i < tests.length; i++) {
      const { t, hidden } = tests[i];
      if (!isSeeded(t)) continue;
      const input = inputFor(t.input, seed);
      const outcome = given.threw ?? (await answerOn(question, given.live, input));
      const judged = await judgeAnswer(t, outcome, hidden && 'value' in outcome ? outcome.value : undefined, input, hidden);
      if (!judged.passed) solution.push({ ...judged, name: `${t.name} (at seed ${seed})` });
    }
  }
  return { question: question.id, tests: tests.map(infoOf), solution, wrong };
}

/** The seeds `lint` also draws seeded inputs with: a class's worth, and some beyond the first few. */
const LINT_SEEDS = [1, 2, 3, 5, 8, 13, 99, 1234, 65_537, 4_000_000_001];

function isSeeded(t: Test): boolean {
  return isSeededInput(t.input);
}
