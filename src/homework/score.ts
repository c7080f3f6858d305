import type { AnswerOutcome } from './answerData';
import type { CellRun } from './executor';
import type { GradingCell } from './gradingNotebook';
import { ANSWERS_MIME, type ReferenceRecord } from './gradingRuns';
import type { QuestionResult } from './report';
import type { TestOutcome } from './runTests';

/*
 * From what the kernels did to scores. A student's kernel contributes only data (the answers each probe
 * reported); scores come from the judge run's outcomes, which no student code touched, or are 0 with the
 * grader's own reason.
 */

/**
 * The JSON records of a MIME type among a cell's display_data outputs (unparseable ones left out).
 *
 * @example
 * import { recordsIn } from 'maml-lab/homework';
 * const out = { output_type: 'display_data', data: { 'application/x-test+json': '{"question":"q1"}' } };
 * recordsIn({ index: 0, status: 'ok', seconds: 0, attempts: 1, outputs: [out], truncated: false }, 'application/x-test+json'); // [{ question: "q1" }]
 */
export function recordsIn(cell: CellRun | undefined, mime: string): unknown[] {
  const found: unknown[] = [];
  for (const output of cell?.outputs ?? []) {
    const o = output as { output_type?: string; data?: Record<string, unknown> };
    if (o?.output_type !== 'display_data' || o.data === undefined || !(mime in o.data)) continue;
    const raw = o.data[mime];
    try {
      found.push(typeof raw === 'string' ? JSON.parse(raw) : raw);
    } catch {
      // left out: a record that is not JSON is no record
    }
  }
  return found;
}

/** A kernel's error text as a student may see it: its first line, no file positions, no paths. */
export function plainError(text: string | undefined): string {
  const first = (text ?? '').split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'no error text';
  const line = first.replace(/^(\S+\s+)?\d+:\d+\s+-\s+/, '').replace(/(?:file:\/\/)?\/(?:[\w.@+-]+\/)+[\w.@+-]*/g, '…');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Why no answers of a question reached the grader, from the probe cell's run, as a sentence for the student. */
function whyNoAnswers(cell: CellRun | undefined, gradeId: string, problem: string | undefined): string {
  if (cell === undefined) return `your answer to ${gradeId} was not run`;
  switch (cell.status) {
    case 'error':
      return `the grader could not call your answer to ${gradeId}: "${plainError(cell.errorText)}"`;
    case 'timeout':
      return `your answer to ${gradeId} ran past the time limit for one cell and was stopped (does a loop in your code never end?)`;
    case 'dead':
      return cell.limit !== undefined && cell.reason !== undefined
        ? `the kernel was stopped while your answer to ${gradeId} ran: ${cell.reason}`
        : `the kernel died while your answer to ${gradeId} ran (process.exit or a crash)`;
    case 'not-run':
      return `your answer to ${gradeId} was not run: ${cell.reason ?? 'grading stopped before it'}`;
    case 'abort':
      return `your answer to ${gradeId} was not run: the kernel aborted the cell`;
    default:
      return `no answers to ${gradeId} reached the grader${problem ? ` (${problem})` : ''}`;
  }
}

/** What a student's run gave for one question: the answers, or why there are none. */
export type ProbeResult = { answers: AnswerOutcome[] } | { missing: string };

function isOutcome(x: unknown): x is AnswerOutcome {
  const o = x as Record<string, unknown>;
  if (typeof x !== 'object' || x === null || typeof o.seconds !== 'number') return false;
  if ('value' in o) return Object.keys(o).length === 2;
  const threw = o.threw as Record<string, unknown> | undefined;
  return Object.keys(o).length === 2 && typeof threw === 'object' && threw !== null && typeof threw.kind === 'string' && typeof threw.message === 'string';
}

/**
 * The answers each probe cell of a student's run reported, read as data: exactly one well-formed record
 * per probe cell, for its own question, with one answer per test; anything else is no answers, with the
 * reason. Nothing outside the probe cell is read.
 *
 * @example
 * import { ANSWERS_MIME, probeResults } from 'maml-lab/homework';
 * const record = { output_type: 'display_data', data: { [ANSWERS_MIME]: JSON.stringify({ question: 'q1', answers: [{ value: 4, seconds: 0 }] }) } };
 * const cells = [{ role: 'grade' as const, gradeId: 'q1' }];
 * const run = { cells: [{ index: 0, status: 'ok' as const, seconds: 0, attempts: 1, outputs: [record, record], truncated: false }] };
 * probeResults(cells, run, new Map([['q1', 1]])).get('q1'); // { missing: "no answers to q1 reached the grader (the cell showed 2 sets of answers)" }
 */
export function probeResults(cells: readonly GradingCell[], run: { cells: readonly CellRun[] }, testCounts: ReadonlyMap<string, number>): Map<string, ProbeResult> {
  const results = new Map<string, ProbeResult>();
  for (const [gradeId, count] of testCounts) {
    const at = cells.findIndex((c) => c.role === 'grade' && c.gradeId === gradeId);
    const cell = at >= 0 ? run.cells[at] : undefined;
    const records = cell?.status === 'ok' ? recordsIn(cell, ANSWERS_MIME) : [];
    let problem: string | undefined;
    if (cell?.status === 'ok') {
      if (records.length !== 1) problem = `the cell showed ${records.length} sets of answers`;
      else {
        const r = records[0] as { question?: unknown; answers?: unknown };
        if (r.question !== gradeId) problem = 'the answers were for another question';
        else if (!Array.isArray(r.answers) || r.answers.length !== count || !r.answers.every(isOutcome)) problem = 'the answers were not in the form the grader sends';
        else {
          results.set(gradeId, { answers: r.answers });
          continue;
        }
      }
    }
    results.set(gradeId, { missing: whyNoAnswers(cell, gradeId, problem) });
  }
  return results;
}

/**
 * One question's result from the judge's outcomes: hidden tests named "hidden test k" unless their author
 * showed the name; a question without answers, or with a banned route, scores 0 with that reason.
 *
 * @example
 * import { questionResult } from 'maml-lab/homework';
 * const reference = { question: 'q1', banned: [], tests: [{ name: 'secret', points: 2, hidden: true, nameShown: false }], cases: [], failures: [] };
 * const judged = [{ name: 'secret', points: 2, passed: true, message: '', seconds: 0.1, hidden: true }];
 * questionResult(reference, 2, judged, undefined).tests[0].name; // "hidden test 1"
 * questionResult(reference, 2, judged, 'this question may not use exact').earned; // 0
 */
export function questionResult(reference: ReferenceRecord, points: number, judged: readonly TestOutcome[] | undefined, zeroBecause: string | undefined): QuestionResult {
  let hiddenNumber = 0;
  const tests: TestOutcome[] = reference.tests.map((t, i) => {
    if (t.hidden) hiddenNumber += 1;
    const name = t.nameShown ? t.name : `hidden test ${hiddenNumber}`;
    const outcome = judged?.[i];
    if (zeroBecause !== undefined || outcome === undefined || outcome.name !== t.name) {
      return { name, points: t.points, passed: false, message: zeroBecause ?? 'this test was not judged', seconds: outcome?.seconds ?? 0, hidden: t.hidden };
    }
    return { name, points: t.points, passed: outcome.passed, message: outcome.message, seconds: outcome.seconds, hidden: t.hidden };
  });
  const earned = tests.reduce((s, t) => s + (t.passed ? t.points : 0), 0);
  return { id: reference.question, points, earned, tests, ...(zeroBecause !== undefined ? { note: zeroBecause } : {}) };
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
    if (cell.status === 'error') notes.push(`${where} failed: "${plainError(cell.errorText)}"${cell.limit !== undefined && cell.reason ? ` (${cell.reason})` : ''}`);
    else if (cell.status === 'timeout') notes.push(`${where} ran past the time limit for one cell and was stopped`);
    else if (cell.status === 'dead') notes.push(`${where} ended the kernel (${cell.limit !== undefined && cell.reason !== undefined ? cell.reason : 'process.exit or a crash'}); it was restarted, and your earlier cells ran again before the rest`);
    else if (cell.status === 'not-run') notes.push(`${where} did not run: ${cell.reason ?? 'grading stopped before it'}`);
  });
  return notes;
}
