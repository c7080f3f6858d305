import { describeValue } from '../homework/values';
import { isQuestion, type Question, type Test } from '../homework/question';
import { runTests, type TestOutcome } from '../homework/runTests';
import { GRADE_MIME, gradeRecord, grading } from '../homework/record';
import { publish } from './show';

/*
 * The two calls a student sees in an assignment: `check` (public tests, any time) and `grade` (the grade
 * cell: public and hidden tests, and the signed record when the grader runs the notebook). Both show one
 * ✓/✗ line per test and never throw for a wrong answer; only a call that is itself wrong throws.
 */

// Captured at load (before any student code runs in a graded notebook), like everything records rely on.
const stringify = JSON.stringify;

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

/** Shows a question's outcomes: a heading, one line per test, the hint after a failure, and the summary. */
function showOutcomes(q: Question<unknown>, heading: string, outcomes: readonly TestOutcome[], summary: string): void {
  const failed = outcomes.some((o) => !o.passed);
  const title = `${q.id}${q.prompt ? ` · ${q.prompt}` : ''}: ${heading}`;
  const hint = failed && q.hint ? q.hint : undefined;
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

function publicSummary(outcomes: readonly TestOutcome[]): string {
  const failed = outcomes.filter((o) => !o.passed).length;
  if (outcomes.length === 0) return 'this question has no public tests (hidden tests run when graded)';
  return failed === 0 ? 'public tests passed (hidden tests run when graded)' : `${failed} of ${outcomes.length} public tests failed`;
}

function requireQuestion(where: string, q: unknown): asserts q is Question<unknown> {
  if (!isQuestion(q)) throw new TypeError(`${where}: the first argument must be a question made by question(...), such as q1 from the setup cell; got ${describeValue(q)}`);
}

/**
 * Runs a question's public tests on your answer and shows ✓ or ✗ for each, with what was expected in kind
 * (shape, type, tolerance) and the hint, ending with "public tests passed (hidden tests run when graded)"
 * or "n of m public tests failed". It never throws for a wrong answer, nor when the answer throws. Give the
 * answer itself, or a function of no parameters that returns it (so that an answer that throws is caught
 * here): a function that takes parameters is the answer itself.
 *
 * @example
 * import { check, expect, question, test } from 'maml-lab';
 * const q1 = question('q1', [test('is a vector of 2 numbers', 1, (a: number[]) => expect.shape(a, [2]))], { hint: 'one number per parameter' });
 * await check(q1, [0.5, -1]); // ✓ … public tests passed (hidden tests run when graded)
 * await check(q1, () => { throw new Error('not implemented yet'); }); // ✗ …: your answer threw: not implemented yet
 */
export async function check<T>(q: Question<T>, answer: T | (() => T | Promise<T>)): Promise<void> {
  requireQuestion('check', q);
  const thunk = typeof answer === 'function' && answer.length === 0 ? (answer as () => T | Promise<T>) : () => answer as T;
  const outcomes = await runTests(q, thunk, []);
  showOutcomes(q, 'public tests', outcomes, publicSummary(outcomes));
}

/**
 * The grade cell's call: runs a question's public tests and `hiddenTests` on `answer()` and shows ✓ or ✗
 * for each (hidden ones by name, never their code) with the points. When the grader runs the notebook
 * (`startGrading` was called), it also shows the outcomes signed, as one output of MIME `GRADE_MIME`. In a
 * student's own kernel it is `check` with the hidden tests run too (the student version has none). It
 * never throws for a failing test.
 *
 * @example
 * import { expect, grade, question, test } from 'maml-lab';
 * const q1 = question('q1', [test('is a number', 1, (a: number) => expect.finite(a))]);
 * const answer = 0.25;
 * await grade(q1, () => answer, [test('is a quarter', 2, (a: number) => expect.near(a, 0.25, { absolute: 1e-12 }))]);
 */
export async function grade<T>(q: Question<T>, answer: () => T | Promise<T>, hiddenTests: Test<T>[]): Promise<void> {
  requireQuestion('grade', q);
  const outcomes = await runTests(q, answer, hiddenTests);
  const total = outcomes.reduce((s, o) => s + o.points, 0);
  const earned = outcomes.reduce((s, o) => s + (o.passed ? o.points : 0), 0);
  const failed = outcomes.filter((o) => !o.passed).length;
  const summary = hiddenTests.length === 0 && !grading()
    ? publicSummary(outcomes)
    : `${earned} of ${pointsText(total)}: ${failed === 0 ? `the ${outcomes.length} tests passed` : `${failed} of ${outcomes.length} tests failed`}`;
  showOutcomes(q, 'graded', outcomes, summary);
  const record = gradeRecord(q.id, outcomes);
  if (record) {
    const bundle = { [GRADE_MIME]: stringify(record), 'text/plain': `signed grade record for ${q.id}` };
    publish(bundle);
  }
}
