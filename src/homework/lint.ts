import type { Assignment } from './assignment';
import { gradeCellRecords, runSource, type GradeOptions } from './grade';
import { LINT_MIME, type LintRecord, type TestInfo, type WrongAnswerResult } from './gradingRuns';
import { cellSource } from './nbformat';

/*
 * `maml-lab lint`: an assignment proves its tests. In one trusted run of the source (the author's code
 * only, so no kernel per wrong answer), every grade cell judges its solution, the wrong answers the linter
 * makes (zeros, NaN, the public example hard-coded, a shape off by one, the order reversed, the input
 * returned unchanged) and the author's declared `mistake(...)`s. The solution must pass everything; every
 * wrong answer must fail a hidden test, and the generated ones (and mistakes marked public) a public test.
 */

/** What lint found for one question. */
export interface QuestionLint {
  id: string;
  points: number;
  tests: TestInfo[];
  wrong: WrongAnswerResult[];
}

/** What lint found: problems (empty when the assignment passes) and, per question, what caught each wrong answer. */
export interface LintReport {
  problems: string[];
  questions: QuestionLint[];
}

/**
 * What can be checked without running: every cell has an id (nbformat 4.5; the grader and JupyterLab name
 * cells by it), and no solution region swallows its declaration (the student version must keep the
 * function's or constant's signature, or the grade cell cannot name the answer).
 *
 * @example
 * import { lintStatic, readAssignment } from 'maml-lab/homework';
 * const meta = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
 * const nb = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab' } }, cells: [
 *   { cell_type: 'code', id: 'a', source: '// BEGIN SOLUTION\nfunction f(x: number) { return x; }\n// END SOLUTION', metadata: meta({ solution: true, grade: false, locked: false, grade_id: 'q1-answer' }) },
 * ] };
 * lintStatic(readAssignment(nb)); // ["cell 1 (q1-answer): the solution region swallows the declaration of f; put // BEGIN SOLUTION inside it, so the student version keeps its signature"]
 */
export function lintStatic(assignment: Assignment): string[] {
  const problems: string[] = [];
  assignment.notebook.cells.forEach((cell, i) => {
    if (typeof cell.id !== 'string' || cell.id === '') problems.push(`cell ${i + 1}: it has no cell id (save the notebook with JupyterLab 3 or newer, nbformat 4.5)`);
  });
  for (const c of assignment.cells) {
    if (c.kind !== 'solution') continue;
    const lines = cellSource(assignment.notebook.cells[c.index]).split('\n');
    for (const region of c.solutions) {
      const inside = lines.slice(region.begin + 1, region.end).join('\n');
      const declared = /^\s*(?:export\s+)?(?:async\s+)?(?:function\*?\s+([A-Za-z_$][\w$]*)|(?:const|let|var)\s+([A-Za-z_$][\w$]*))/m.exec(inside);
      if (declared !== null && lines.slice(0, region.begin).every((l) => l.trim() === '' || l.trim().startsWith('//'))) {
        problems.push(`cell ${c.index + 1} (${c.gradeId}): the solution region swallows the declaration of ${declared[1] ?? declared[2]}; put // BEGIN SOLUTION inside it, so the student version keeps its signature`);
      }
    }
  }
  return problems;
}

/** The problems in one question's lint record. */
function recordProblems(id: string, points: number, record: LintRecord): string[] {
  const problems: string[] = [];
  for (const o of record.solution) if (!o.passed) problems.push(`${id}: the source's own solution fails the test "${o.name}": ${o.message}`);
  const sum = record.tests.reduce((s, t) => s + t.points, 0);
  if (Math.abs(sum - points) > 1e-9) problems.push(`${id}: the grade cell is worth ${points} points in its metadata, but its tests add up to ${sum}`);
  if (!record.tests.some((t) => !t.hidden)) problems.push(`${id}: it has no public test, so check() cannot tell a student anything`);
  if (!record.tests.some((t) => t.hidden)) problems.push(`${id}: it has no hidden test`);
  for (const w of record.wrong) {
    const kind = w.generated ? 'the generated wrong answer' : 'the declared mistake';
    if (w.failedHidden.length === 0) problems.push(`${id}: ${kind} "${w.name}" passes every hidden test`);
    if (w.needsPublic && w.failedPublic.length === 0) problems.push(`${id}: ${kind} "${w.name}" passes every public test (check() would show ✓ for it)`);
  }
  return problems;
}

/**
 * Lints an assignment: the static checks, then one trusted run of the source in which every grade cell
 * judges its solution and every wrong answer. Never throws for what it finds: `problems` lists it, each
 * naming the question and the wrong answer that slipped through. Throws when the source cannot run.
 *
 * @example
 * // Needs `npm run setup` (the tslab kernel); test/lint.test.ts lints the assignments with it.
 * import { lintAssignment } from 'maml-lab/homework';
 * typeof lintAssignment; // "function"
 */
export async function lintAssignment(assignment: Assignment, options: GradeOptions): Promise<LintReport> {
  const problems = lintStatic(assignment);
  let records: Map<string, LintRecord>;
  try {
    const { plan, run } = await runSource(assignment, 'lintGrade()', options);
    records = gradeCellRecords<LintRecord>(assignment, plan, run, LINT_MIME);
  } catch (error) {
    return { problems: [...problems, (error as Error).message], questions: [] };
  }
  const questions: QuestionLint[] = [];
  for (const q of assignment.questions) {
    const record = records.get(q.gradeId);
    if (record === undefined) continue;
    problems.push(...recordProblems(q.gradeId, q.points, record));
    questions.push({ id: q.gradeId, points: q.points, tests: record.tests, wrong: record.wrong });
  }
  return { problems, questions };
}
