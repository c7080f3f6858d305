import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Assignment } from './assignment';
import { gradingNotebook } from './gradingNotebook';
import { notebookOrProblem, type Notebook } from './nbformat';
import type { GradingSession } from './record';
import type { SubmissionReport } from './report';
import type { NotebookExecutor } from './executor';
import { gradeRecordsIn, scoreQuestions, studentCellNotes, type ExpectedTest, type ExpectedTests } from './score';

/*
 * Grading one submission: read it, merge it with the source, run it in a fresh kernel in a fresh folder,
 * score what the kernel signed. The kernel runs through an executor the caller passes (the notebook
 * layer's executeNotebook): homework sits below the layer that knows tslab, so it is handed the runner
 * rather than importing it.
 */

/** How to grade. */
export interface GradeOptions {
  execute: NotebookExecutor;
  /** Per cell: past it the cell is stopped and the tests it held score 0 (default 60 s). */
  cellTimeoutSeconds?: number;
  /** Per submission (default 600 s). */
  limitSeconds?: number;
  /** Per cell, bytes of output kept (default 1 MB). */
  maxOutputBytes?: number;
  isolation?: 'auto' | 'bubblewrap' | 'none';
  /** Paths a submission's kernel must not see (the source, the submissions, the output folder). */
  hide?: string[];
  signal?: AbortSignal;
}

/** Submissions larger than this are not read (a notebook is kilobytes to a few megabytes). */
const MAX_SUBMISSION_BYTES = 50 * 1024 * 1024;

function freshSession(): GradingSession {
  return { key: randomBytes(24).toString('hex'), nonce: randomBytes(6).toString('hex') };
}

async function runGrading(assignment: Assignment, submission: Notebook, options: GradeOptions): Promise<{ plan: ReturnType<typeof gradingNotebook>; run: Awaited<ReturnType<NotebookExecutor>>; session: GradingSession }> {
  const session = freshSession();
  const plan = gradingNotebook(assignment, submission, session);
  // Each kernel starts in an empty folder of its own, removed afterwards: nothing of the instructor's is
  // there, and nothing one submission leaves is seen by the next.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-grade-'));
  try {
    const run = await options.execute(
      plan.notebook,
      {
        cwd,
        cellTimeoutSeconds: options.cellTimeoutSeconds ?? 60,
        limitSeconds: options.limitSeconds ?? 600,
        retryAborted: true,
        restartDeadKernel: true,
        maxOutputBytes: options.maxOutputBytes ?? 1_000_000,
        isolation: options.isolation ?? 'auto',
        hide: options.hide ?? [],
        // The grader's environment (tokens, keys) is not the students' business.
        inheritEnv: false,
      },
      options.signal,
    );
    return { plan, run, session };
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * Runs the source with its own solutions through the same path a submission takes, and returns the tests
 * each grade cell runs. Throws, naming the grade cell and the test, unless the source scores full marks
 * and each grade cell's points equal the points of its tests: an assignment whose own solution fails
 * cannot grade anyone.
 */
export async function referenceTests(assignment: Assignment, options: GradeOptions): Promise<ExpectedTests> {
  const { plan, run, session } = await runGrading(assignment, assignment.notebook, options);
  if (run.startupError !== undefined) throw new Error(`the source's reference run could not start a kernel: ${run.startupError}`);
  const problems: string[] = [];
  const expected = new Map<string, { points: number; tests: ExpectedTest[] }>();
  plan.cells.forEach((c, i) => {
    const cell = run.cells[i];
    if (cell?.status !== 'ok') {
      const which = c.gradeId ?? (c.submissionCell !== undefined ? `code cell ${c.submissionCell}` : c.role);
      problems.push(`${c.role} cell ${which} of the source ended with status ${cell?.status}: ${(cell?.errorText ?? cell?.reason ?? '').trim()}`);
    }
    if (c.role !== 'grade' || cell === undefined || c.gradeId === undefined) return;
    const points = assignment.questions.find((q) => q.gradeId === c.gradeId)?.points ?? 0;
    const tests: ExpectedTest[] = [];
    for (const record of gradeRecordsIn(cell, session)) {
      for (const o of record.results) {
        if (!o.passed) problems.push(`grade cell ${c.gradeId}: the source's own solution fails the test "${o.name}": ${o.message}`);
        tests.push({ question: record.question, name: o.name, points: o.points, hidden: o.hidden });
      }
    }
    const sum = tests.reduce((s, t) => s + t.points, 0);
    if (tests.length === 0) problems.push(`grade cell ${c.gradeId} reported no tests (does it call grade(...)?)`);
    else if (Math.abs(sum - points) > 1e-9) problems.push(`grade cell ${c.gradeId} is worth ${points} points in its metadata, but its tests add up to ${sum}`);
    expected.set(c.gradeId, { points, tests });
  });
  if (problems.length > 0) throw new Error(`the assignment cannot be graded:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return expected;
}

/** The submission, or a sentence saying why it cannot be graded. */
function readSubmission(file: string): { notebook?: Notebook; problem?: string; notes: string[] } {
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_SUBMISSION_BYTES) return { problem: `the file is ${(size / 1e6).toFixed(0)} MB; a notebook over ${MAX_SUBMISSION_BYTES / 1e6} MB is not graded`, notes: [] };
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: `the file could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, notes: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'the file is not a notebook (it is not valid JSON; was it saved from Jupyter as .ipynb?)', notes: [] };
  }
  const nb = notebookOrProblem(json);
  if (typeof nb === 'string') return { problem: `the file is ${nb}`, notes: [] };
  const kernel = (nb.metadata.kernelspec as { name?: unknown } | undefined)?.name;
  const notes = kernel === 'tslab' ? [] : [`the notebook was saved for the kernel ${JSON.stringify(kernel ?? null)}, not tslab (TypeScript); it was graded with tslab anyway`];
  return { notebook: nb, notes };
}

/** A report in which nothing ran: every test 0, with the reason. */
function zeroReport(student: string, file: string, assignmentName: string, expected: ExpectedTests, problem: string, seconds: number): SubmissionReport {
  const questions = [...expected].map(([id, { points, tests }]) => ({
    id,
    points,
    earned: 0,
    tests: tests.map((t) => ({ name: t.name, points: t.points, passed: false, message: problem, seconds: 0, hidden: t.hidden })),
    note: problem,
  }));
  return { student, file: path.basename(file), assignment: assignmentName, earned: 0, possible: possiblePoints(expected), questions, notes: [problem], seconds, isolation: 'not-run' };
}

function possiblePoints(expected: ExpectedTests): number {
  return [...expected.values()].reduce((s, q) => s + q.points, 0);
}

/**
 * Grades one submission file: never throws for anything in the file (unreadable, not a notebook, code
 * that fails, loops, exits or crashes the kernel); the report says what happened and what each test
 * earned. The file itself is only read.
 *
 * @example
 * // Needs `npm run setup` (the tslab kernel); see test/grade.test.ts for a class graded end to end.
 * import { gradeSubmission } from 'maml-lab/homework';
 * typeof gradeSubmission; // "function"
 */
export async function gradeSubmission(
  assignment: Assignment,
  assignmentName: string,
  expected: ExpectedTests,
  student: string,
  file: string,
  options: GradeOptions,
): Promise<SubmissionReport> {
  const started = performance.now();
  const seconds = (): number => Math.round((performance.now() - started) / 10) / 100;
  const read = readSubmission(file);
  if (read.notebook === undefined) return zeroReport(student, file, assignmentName, expected, read.problem ?? 'unreadable', seconds());
  let graded: Awaited<ReturnType<typeof runGrading>>;
  try {
    graded = await runGrading(assignment, read.notebook, options);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return zeroReport(student, file, assignmentName, expected, `grading could not run this notebook: ${(error as Error).message}`, seconds());
  }
  const { plan, run, session } = graded;
  if (run.startupError !== undefined) return zeroReport(student, file, assignmentName, expected, `the kernel could not start: ${run.startupError}`, seconds());
  const questions = scoreQuestions(plan.cells, run, expected, session);
  return {
    student,
    file: path.basename(file),
    assignment: assignmentName,
    earned: questions.reduce((s, q) => s + q.earned, 0),
    possible: possiblePoints(expected),
    questions,
    notes: [...read.notes, ...plan.notes, ...studentCellNotes(plan.cells, run)],
    seconds: seconds(),
    isolation: run.isolation,
  };
}
