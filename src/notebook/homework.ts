import fs from 'node:fs';
import { describeValue } from '../homework/values';
import { isQuestion, type Question } from '../homework/question';
import { runTests, type TestOutcome } from '../homework/runTests';
import {
  ANSWERS_MIME, JUDGEMENT_MIME, LINT_MIME, REFERENCE_MIME,
  judgementRecord, lintRecord, probeRecord, referenceRecord, type JudgeCase,
} from '../homework/gradingRuns';
import type { AnswerData } from '../homework/answerData';
import { publish } from './show';

/*
 * The two calls a student sees in an assignment, `check` (public tests, any time) and `grade` (the grade
 * cell), and the stand-ins for `grade` that the grader's runs bind in its place (reference, probe, judge,
 * lint). `check` and `grade` show one ✓/✗ line per test and never throw for a wrong answer.
 */

/** Markdown's special characters escaped, so a test name or message shows as written (a `$` is not math). */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|~$]/g, '\\$&');
}

function pointsText(points: number): string {
  return `${points} point${points === 1 ? '' : 's'}`;
}

function testLine(o: TestOutcome, markdown: boolean): string {
  const e = markdown ? escapeMarkdown : (s: string) => s;
  const label = `${o.hidden ? 'hidden, ' : ''}${pointsText(o.points)}`;
  return `${o.passed ? '✓' : '✗'} ${e(o.name)} (${label})${o.passed ? '' : `: ${e(o.message)}`}`;
}

/** Failed checks per question in this kernel: each one shows one more hint. */
const failedChecks = new Map<string, number>();

/** Shows a question's outcomes: a heading, one line per test, a hint after a failure, and the summary. */
function showOutcomes(q: Question, heading: string, outcomes: readonly TestOutcome[], summary: string, hint: string | undefined): void {
  const title = `${q.id}${q.prompt ? ` · ${q.prompt}` : ''}: ${heading}`;
  publish({
    'text/markdown': [
      `**${escapeMarkdown(title)}**`,
      '',
      ...outcomes.map((o) => `- ${testLine(o, true)}`),
      ...(hint ? ['', `_Hint:_ ${escapeMarkdown(hint)}`] : []),
      '',
      `**${escapeMarkdown(summary)}**`,
    ].join('\n'),
    'text/plain': [title, ...outcomes.map((o) => `  ${testLine(o, false)}`), ...(hint ? [`  hint: ${hint}`] : []), summary].join('\n'),
  });
}

/**
 * The hint for this failure: the first failed check shows the first hint, each later one the next. With
 * `advance` false (the grade cell, which repeats the checks just above it) the current hint is shown again.
 */
function nextHint(q: Question, failed: boolean, advance = true): string | undefined {
  if (!failed || q.hints.length === 0) return undefined;
  const n = Math.max(1, (failedChecks.get(q.id) ?? 0) + (advance ? 1 : 0));
  failedChecks.set(q.id, n);
  const shown = Math.min(n, q.hints.length);
  const more = shown < q.hints.length ? ` (hint ${shown} of ${q.hints.length}; check again for the next)` : q.hints.length > 1 ? ` (hint ${shown} of ${q.hints.length})` : '';
  return `${q.hints[shown - 1]}${more}`;
}

function publicSummary(outcomes: readonly TestOutcome[]): string {
  const failed = outcomes.filter((o) => !o.passed).length;
  if (outcomes.length === 0) return 'this question has no public tests (hidden tests run when graded)';
  return failed === 0 ? 'public tests passed (hidden tests run when graded)' : `${failed} of ${outcomes.length} public tests failed`;
}

function requireQuestion(where: string, q: unknown): asserts q is Question {
  if (!isQuestion(q)) throw new TypeError(`${where}: the first argument must be a question made by question(...), such as q1 from the setup cell; got ${describeValue(q)}`);
}

/**
 * Runs a question's public tests on your answer and shows ✓ or ✗ for each, with what was expected in kind
 * (shape, type, tolerance), ending with "public tests passed (hidden tests run when graded)" or "n of m
 * public tests failed". After a failure it shows a hint: the first time a direction, each later failure
 * the next hint. It never throws for a wrong answer, nor when the answer throws. Give the answer itself,
 * or a function of no parameters that returns it (so that an answer that throws is caught here).
 *
 * @example
 * import { check, expect, question, test } from 'maml-lab';
 * const q1 = question('q1', { call: (f: () => number[]) => f(), tests: [test('two numbers', 1, null, (v: number[]) => expect.shape(v, [2]))], hints: ['one number per parameter'] });
 * await check(q1, () => () => [0.5, -1]); // ✓ … public tests passed (hidden tests run when graded)
 * await check(q1, () => { throw new Error('not implemented yet'); }); // ✗ …: your answer threw Error: "not implemented yet"
 */
export async function check<A>(q: Question<A>, answer: A | (() => A | Promise<A>)): Promise<void> {
  requireQuestion('check', q);
  const thunk = typeof answer === 'function' && answer.length === 0 ? (answer as () => A | Promise<A>) : () => answer as A;
  const outcomes = await runTests(q, thunk, []);
  showOutcomes(q, 'public tests', outcomes, publicSummary(outcomes), nextHint(q, outcomes.some((o) => !o.passed)));
}

/**
 * The grade cell's call in a notebook you run yourself: runs a question's public tests and `hiddenTests`
 * on `answer()` and shows ✓ or ✗ for each with the points (hidden tests are judged against the answer's
 * own value, so in the source notebook this shows the solution passing). In a student's version the hidden
 * list is empty and this is `check`. When the grader runs a notebook, `grade` is replaced by its own
 * stand-ins: no result shown here is ever read as a grade.
 *
 * @example
 * import { expect, grade, question, test } from 'maml-lab';
 * const q1 = question('q1', { call: (x: number) => x, tests: [test('is a number', 1, null, (v: number) => expect.finite(v))] });
 * await grade(q1, () => 0.25, [test('is a quarter', 2, null, (v: number) => expect.near(v, 0.25, { absolute: 1e-12 }))]);
 */
export async function grade<A>(q: Question<A>, answer: () => A | Promise<A>, hiddenTests: readonly unknown[]): Promise<void> {
  requireQuestion('grade', q);
  const outcomes = await runTests(q, answer, hiddenTests, { reference: 'own' });
  const total = outcomes.reduce((s, o) => s + o.points, 0);
  const earned = outcomes.reduce((s, o) => s + (o.passed ? o.points : 0), 0);
  const failed = outcomes.filter((o) => !o.passed).length;
  const summary = outcomes.every((o) => !o.hidden)
    ? publicSummary(outcomes)
    : `${earned} of ${pointsText(total)}: ${failed === 0 ? `the ${outcomes.length} tests passed` : `${failed} of ${outcomes.length} tests failed`}`;
  showOutcomes(q, 'graded', outcomes, summary, nextHint(q, failed > 0, false));
}

/** A record shown as one output of its MIME type (the JSON text), with a line for people. */
function showRecord(mime: string, record: { question: string }, what: string): void {
  publish({ [mime]: JSON.stringify(record), 'text/plain': `${what} for ${record.question}` });
}

type GradeStandIn = (q: unknown, answer: () => unknown, hiddenTests: unknown) => Promise<void>;

/**
 * The grader's reference run binds this as `grade`: each grade cell shows its tests and, per seed, the
 * inputs and the source solution's values (REFERENCE_MIME).
 *
 * @example
 * import { referenceGrade } from 'maml-lab/notebook';
 * typeof referenceGrade([0, 17]); // "function"
 */
export function referenceGrade(seeds: readonly number[]): GradeStandIn {
  return async (q, answer, hidden) => showRecord(REFERENCE_MIME, await referenceRecord(q, answer, hidden, seeds), 'reference values');
}

/**
 * A student's grading run binds this as `grade` in each probe cell: the answer is called on the given
 * inputs of each question and the values shown as data (ANSWERS_MIME). The hidden list it receives is
 * empty (the probe cell is the student version's grade cell) and ignored.
 *
 * @example
 * import { probeGrade } from 'maml-lab/notebook';
 * typeof probeGrade({ q1: [3] }); // "function"
 */
export function probeGrade(inputs: Readonly<Record<string, readonly AnswerData[]>>): GradeStandIn {
  return async (q, answer) => {
    requireQuestion('grade', q);
    showRecord(ANSWERS_MIME, await probeRecord(q, answer, inputs[q.id] ?? []), 'answers');
  };
}

/**
 * The judge run binds this as `grade`: each grade cell judges every student's answers (data read from
 * `file`, written by the grader) and shows the outcomes (JUDGEMENT_MIME). No student code runs here.
 *
 * @example
 * import { judgeGrade } from 'maml-lab/notebook';
 * typeof judgeGrade('judge-input.json'); // "function"
 */
export function judgeGrade(file: string): GradeStandIn {
  let data: Record<string, JudgeCase[]> | undefined;
  return async (q, _answer, hidden) => {
    requireQuestion('grade', q);
    data ??= JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, JudgeCase[]>;
    showRecord(JUDGEMENT_MIME, await judgementRecord(q, hidden, data[q.id] ?? []), 'judgement');
  };
}

/**
 * `maml-lab lint` binds this as `grade`: each grade cell judges the solution and every wrong answer
 * (generated and declared) and shows which tests caught each (LINT_MIME).
 *
 * @example
 * import { lintGrade } from 'maml-lab/notebook';
 * typeof lintGrade(); // "function"
 */
export function lintGrade(): GradeStandIn {
  return async (q, answer, hidden) => showRecord(LINT_MIME, await lintRecord(q, answer, hidden), 'lint');
}
