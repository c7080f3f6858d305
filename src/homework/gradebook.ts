import { questionScores, type SubmissionReport } from './report';

/** An assignment's questions and their points: the gradebook's columns. */
export interface GradebookColumns {
  questions: ReadonlyArray<{ id: string; points: number }>;
}

/** RFC 4180 quoting, for student names with commas, quotes or line breaks. */
function csvField(value: string | number): string {
  // A name that starts like a formula (a file called "=HYPERLINK(…).ipynb") must not run in a spreadsheet.
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function formatPoints(x: number): string {
  // Points are sums of test points (often halves); a float sum such as 0.1 + 0.2 must not print 17 digits.
  return String(Math.round(x * 1e6) / 1e6);
}

/**
 * The gradebook as CSV: a header `student,<question ids…>,total`, then one row per report sorted by
 * student, so the same reports always give the same bytes (what makes sharded-and-merged equal unsharded).
 *
 * @example
 * import { gradebookCsv } from 'maml-lab/homework';
 * const columns = { questions: [{ id: 'q1', points: 2 }, { id: 'q2', points: 3 }] };
 * const report = { student: 'ada', questions: [{ id: 'q1', points: 2, earned: 2, tests: [] }, { id: 'q2', points: 3, earned: 1.5, tests: [] }], earned: 3.5 };
 * gradebookCsv(columns, [report]).split('\n'); // ["student,q1,q2,total", "ada,2,1.5,3.5", ""]
 */
export function gradebookCsv(columns: GradebookColumns, reports: ReadonlyArray<Pick<SubmissionReport, 'student' | 'questions' | 'earned'>>): string {
  const ids = columns.questions.map((q) => q.id);
  const header = ['student', ...ids, 'total'].map(csvField).join(',');
  const rows = [...reports]
    .sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0))
    .map((r) => [csvField(r.student), ...questionScores(r, ids).map(formatPoints), formatPoints(r.earned)].join(','));
  return [header, ...rows].join('\n') + '\n';
}
