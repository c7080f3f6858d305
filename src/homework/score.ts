import type { CellRun } from './executor';
import type { GradingCell } from './gradingNotebook';
import { GRADE_MIME, verifyGradeRecord, type GradeRecord, type GradingSession } from './record';
import type { QuestionResult } from './report';
import type { TestOutcome } from './runTests';

/*
 * From what the kernel did to scores. Only what the grader can verify counts: a test passes when a record
 * signed with this submission's key, found in the output of the grade cell that runs it, says so.
 */

/** One test the source's reference run showed a grade cell runs: what a submission is scored against. */
export interface ExpectedTest {
  question: string;
  name: string;
  points: number;
  hidden: boolean;
}

/** Per grade cell (by grade_id), the tests it runs and its points. */
export type ExpectedTests = ReadonlyMap<string, { points: number; tests: readonly ExpectedTest[] }>;

/**
 * The verified grade records in a cell's outputs (display_data of GRADE_MIME); records that are forged,
 * altered or from another submission's session are left out.
 *
 * @example
 * import { GRADE_MIME, gradeRecordsIn } from 'maml-lab/homework';
 * const forged = { output_type: 'display_data', data: { [GRADE_MIME]: { nonce: 'n', question: 'q1', results: [], mac: '0'.repeat(64) } } };
 * gradeRecordsIn({ index: 0, status: 'ok', seconds: 0, attempts: 1, outputs: [forged], truncated: false }, { key: '0123456789abcdef0123', nonce: 'n' }).length; // 0
 */
export function gradeRecordsIn(cell: CellRun, session: GradingSession): GradeRecord[] {
  const found: GradeRecord[] = [];
  for (const output of cell.outputs) {
    const o = output as { output_type?: string; data?: Record<string, unknown> };
    if (o?.output_type !== 'display_data' || o.data === undefined || !(GRADE_MIME in o.data)) continue;
    const record = verifyGradeRecord(o.data[GRADE_MIME], session);
    if (record !== undefined) found.push(record);
  }
  return found;
}

/** The kernel's error text as a student may see it for a grade cell: first line, no file positions. */
function testCellError(text: string | undefined): string {
  const first = (text ?? '').split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'no error text';
  return first.replace(/^(\S+\s+)?\d+:\d+\s+-\s+/, '');
}

/** Why the tests of a grade cell produced no verified result, as a sentence for the student. */
function whyNotRun(cell: CellRun | undefined, gradeId: string): string {
  if (cell === undefined) return `the tests for ${gradeId} did not run`;
  switch (cell.status) {
    case 'error':
      return `the tests for ${gradeId} could not run: ${testCellError(cell.errorText)}`;
    case 'timeout':
      return `the tests for ${gradeId} ran past the time limit for one cell and were stopped (does a loop in your code never end?)`;
    case 'dead':
      return `the kernel died while testing ${gradeId} (process.exit or a crash in code the tests called)`;
    case 'not-run':
      return `the tests for ${gradeId} did not run: ${cell.reason ?? 'grading stopped before them'}`;
    case 'abort':
      return `the tests for ${gradeId} were aborted by the kernel`;
    default:
      return `the tests for ${gradeId} reported no result (was the output or a grading function tampered with?)`;
  }
}

/**
 * Scores each grade cell of a grading run against the expected tests: a test earns its points when every
 * verified record of it in that cell's output says passed (a record a student's code managed to get
 * signed twice, once failing, does not pass) and at least one does. Tests without a record score 0 with
 * the reason the cell gives (error, timeout, dead kernel, not reached).
 *
 * @example
 * import { scoreQuestions } from 'maml-lab/homework';
 * const expected = new Map([['q1', { points: 1, tests: [{ question: 'q1', name: 'shape', points: 1, hidden: false }] }]]);
 * const cells = [{ role: 'harness' as const }, { role: 'grade' as const, gradeId: 'q1' }];
 * const run = { cells: [{ index: 0, status: 'ok' as const, seconds: 0.1, attempts: 1, outputs: [], truncated: false }, { index: 1, status: 'timeout' as const, seconds: 60, attempts: 1, outputs: [], truncated: false }] };
 * const [q1] = scoreQuestions(cells, run, expected, { key: '0123456789abcdef0123', nonce: 'n' });
 * q1.earned; // 0
 */
export function scoreQuestions(cells: readonly GradingCell[], run: { cells: readonly CellRun[] }, expected: ExpectedTests, session: GradingSession): QuestionResult[] {
  const results: QuestionResult[] = [];
  for (const [gradeId, { points, tests }] of expected) {
    const at = cells.findIndex((c) => c.role === 'grade' && c.gradeId === gradeId);
    const cell = at >= 0 ? run.cells[at] : undefined;
    const records = cell !== undefined && cell.status === 'ok' ? gradeRecordsIn(cell, session) : [];
    const reason = whyNotRun(cell, gradeId);
    let missing = 0;
    const testResults: TestOutcome[] = tests.map((t) => {
      const seen = records.flatMap((r) => (r.question === t.question ? r.results.filter((o) => o.name === t.name) : []));
      if (seen.length === 0) {
        missing += 1;
        return { name: t.name, points: t.points, passed: false, message: reason, seconds: 0, hidden: t.hidden };
      }
      const failed = seen.find((o) => !o.passed);
      const shown = failed ?? seen[0];
      return { name: t.name, points: t.points, passed: failed === undefined, message: shown.message, seconds: shown.seconds, hidden: t.hidden };
    });
    const earned = testResults.reduce((s, t) => s + (t.passed ? t.points : 0), 0);
    results.push({ id: gradeId, points, earned, tests: testResults, ...(missing > 0 ? { note: reason } : {}) });
  }
  return results;
}

/** What a student should know about their own cells: which failed, timed out, killed the kernel. */
export function studentCellNotes(cells: readonly GradingCell[], run: { cells: readonly CellRun[] }): string[] {
  const notes: string[] = [];
  cells.forEach((c, i) => {
    const cell = run.cells[i];
    if (cell === undefined) return;
    const mine = c.role === 'answer' || c.role === 'student';
    const where = mine ? `your code cell ${c.submissionCell} (\`${c.firstLine}\`)` : undefined;
    if (cell.truncated) notes.push(`${where ?? 'a cell'} printed more than the grader keeps; the rest of its output was dropped`);
    if (where === undefined) return;
    if (cell.status === 'error') notes.push(`${where} failed:\n${indented(cell.errorText)}`);
    else if (cell.status === 'timeout') notes.push(`${where} ran past the time limit for one cell and was stopped`);
    else if (cell.status === 'dead') notes.push(`${where} ended the kernel (process.exit or a crash); it was restarted, and your earlier cells ran again before the rest`);
    else if (cell.status === 'not-run') notes.push(`${where} did not run: ${cell.reason ?? 'grading stopped before it'}`);
  });
  return notes;
}

function indented(text: string | undefined): string {
  const lines = (text ?? '(no error text)').split('\n').filter((l) => l.trim() !== '');
  const kept = lines.length > 8 ? [...lines.slice(0, 8), `... (${lines.length - 8} more lines)`] : lines;
  return kept.map((l) => `    ${l}`).join('\n');
}
