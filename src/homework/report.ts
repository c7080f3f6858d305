/**
 * What grading one submission produced: the scores per question and test, and the notes a student may
 * read. It is the one record the gradebook, the per-student JSON report and `grade --merge` are built from.
 */
import type { TestOutcome } from './runTests';

/** One question's score: the sum of the points of its passed tests. */
export interface QuestionResult {
  id: string;
  points: number;
  earned: number;
  /** Each test's outcome, as the judge decided it (name and message, never its source). */
  tests: TestOutcome[];
  /** Why some tests did not run (a timeout, a test cell that could not compile, a dead kernel). */
  note?: string;
}

/** The report of one submission. */
export interface SubmissionReport {
  student: string;
  /** The submission's file name as given (its folder is the grader's business, not the student's). */
  file: string;
  assignment: string;
  earned: number;
  possible: number;
  questions: QuestionResult[];
  /** What happened that a student should know: their own failing cells, a deleted cell, a timeout. */
  notes: string[];
  seconds: number;
  isolation: 'bubblewrap' | 'none' | 'not-run';
  /** The seed the student's seeded inputs were drawn with (when the assignment has any): a regrade is exact. */
  seed?: number;
}

/**
 * The points a report earns per question id, in the order of `questionIds` (0 where a question is absent).
 *
 * @example
 * import { questionScores } from 'maml-lab/homework';
 * questionScores({ questions: [{ id: 'q2', points: 2, earned: 1, tests: [] }] }, ['q1', 'q2']); // [0, 1]
 */
export function questionScores(report: Pick<SubmissionReport, 'questions'>, questionIds: readonly string[]): number[] {
  return questionIds.map((id) => report.questions.find((q) => q.id === id)?.earned ?? 0);
}
