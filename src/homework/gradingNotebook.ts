import { cellKind, nbgraderMetadata, type Assignment } from './assignment';
import { cellSource, type Notebook, type NotebookCell } from './nbformat';
import type { GradingSession } from './record';

/*
 * The notebook the grader runs for one submission. The instructor's cells come from the source and the
 * student's answers from the submission, never the other way round: locked and grade cells a submission
 * holds (edited, pasted, duplicated) are dropped, whatever their metadata says.
 */

/** What a cell of the grading notebook is, and where it came from. */
export interface GradingCell {
  role: 'harness' | 'locked' | 'replay' | 'grade' | 'answer' | 'student';
  /** The grade cell's or answer cell's grade_id. */
  gradeId?: string;
  /** A student's cell: its number among the submission's code cells, from 1, and its first line. */
  submissionCell?: number;
  firstLine?: string;
}

/** The notebook to execute, what each of its cells is, and what a student should know about the merge. */
export interface GradingNotebook {
  notebook: Notebook;
  cells: GradingCell[];
  notes: string[];
}

const IMPORT = /^[ \t]*import\b[^;'"]*?(?:from\s*)?(['"])[^'"\n]+\1[ \t]*;?[ \t]*$/gm;

/** The names the harness cell binds the two modules to: no student cell can know them in advance. */
function harnessNames(nonce: string): { notebook: string; homework: string } {
  // tslab rewrites identifiers that start with two underscores, so these start with letters.
  return { notebook: `mamlGradingNotebook_${nonce}`, homework: `mamlGradingHomework_${nonce}` };
}

function harnessSource(session: GradingSession): string {
  const names = harnessNames(session.nonce);
  return [
    `import * as ${names.notebook} from 'maml-lab/notebook';`,
    `import * as ${names.homework} from 'maml-lab/homework';`,
    `${names.homework}.startGrading(${JSON.stringify(session)});`,
  ].join('\n');
}

/**
 * A grade cell, wrapped so that `grade`, `check`, `test`, `expect` and `question` are the harness's
 * modules' own, whatever a student's cell bound those names to. Its imports move above the block
 * (an import may not stand inside one) and bind the modules' exports, which a student cannot reassign.
 */
function wrappedGradeSource(source: string, session: GradingSession): string {
  const names = harnessNames(session.nonce);
  const imports = source.match(IMPORT) ?? [];
  const body = source.replace(IMPORT, '').trim();
  return [
    ...imports.map((line) => line.trim()),
    '{',
    `const { grade, check } = ${names.notebook};`,
    `const { test, expect, question } = ${names.homework};`,
    body,
    '}',
  ].join('\n');
}

function codeCell(source: string, index: number): NotebookCell {
  return { cell_type: 'code', id: `grading-${index}`, metadata: {}, execution_count: null, outputs: [], source };
}

function firstLine(source: string): string {
  const line = source.split('\n').find((l) => l.trim() !== '')?.trim() ?? '(empty)';
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** The submission's code cells, grouped under the answer cell each follows; cells before any answer lead. */
function studentGroups(submission: Notebook, answerIds: ReadonlySet<string>): { leading: GroupCell[]; groups: Map<string, GroupCell[]>; dropped: number } {
  const leading: GroupCell[] = [];
  const groups = new Map<string, GroupCell[]>();
  let current: GroupCell[] = leading;
  let dropped = 0;
  let number = 0;
  for (const cell of submission.cells) {
    if (cell.cell_type !== 'code') continue;
    number += 1;
    const source = cellSource(cell);
    const kind = cellKind(cell);
    if (kind === 'grade' || kind === 'locked') {
      dropped += 1;
      continue;
    }
    const id = nbgraderMetadata(cell)?.grade_id;
    if (kind === 'solution' && typeof id === 'string' && answerIds.has(id)) {
      current = groups.get(id) ?? [];
      groups.set(id, current);
      current.push({ source, number, role: 'answer', gradeId: id });
    } else {
      current.push({ source, number, role: 'student' });
    }
  }
  return { leading, groups, dropped };
}

interface GroupCell {
  source: string;
  number: number;
  role: 'answer' | 'student';
  gradeId?: string;
}

/**
 * Builds the notebook that grades `submission` against `assignment`, in the source's order:
 * 1. a harness cell that starts grading with `session` (a fresh key and nonce per submission);
 * 2. the source's locked cells, as the source has them;
 * 3. for each answer cell of the source, the submission's cells with that grade_id (all of them, in the
 *    submission's order, when a student duplicated one) and the student's own cells that followed them
 *    (cells before the first answer go before the first answer); reordering by the student is undone;
 * 4. before each grade cell, the locked cells above it again (so a student's redefinition of a question,
 *    a dataset or a helper is undone before the tests run), then the grade cell, from the source, wrapped
 *    so the grading functions are the harness's.
 * A submission's own locked and grade cells are dropped. Markdown is left out: only code is run.
 *
 * @example
 * import { gradingNotebook, readAssignment } from 'maml-lab/homework';
 * const meta = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
 * const source = {
 *   nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab' } },
 *   cells: [
 *     { cell_type: 'code', source: "import { question } from 'maml-lab/homework';\nconst q1 = question('q1', []);", metadata: meta({ locked: true, solution: false, grade: false, grade_id: 'setup' }) },
 *     { cell_type: 'code', source: '// BEGIN SOLUTION\nconst y = 2;\n// END SOLUTION', metadata: meta({ solution: true, grade: false, locked: false, grade_id: 'q1-answer' }) },
 *     { cell_type: 'code', source: 'await grade(q1, () => y, []);', metadata: meta({ grade: true, solution: false, locked: true, grade_id: 'q1', points: 1 }) },
 *   ],
 * };
 * const plan = gradingNotebook(readAssignment(source), source, { key: '0123456789abcdef0123', nonce: 'n1' });
 * plan.cells.map((c) => c.role); // ["harness", "locked", "answer", "replay", "grade"]
 */
export function gradingNotebook(assignment: Assignment, submission: Notebook, session: GradingSession): GradingNotebook {
  const source = assignment.notebook;
  const answerIds = new Set(assignment.cells.filter((c) => c.kind === 'solution' && c.gradeId !== undefined).map((c) => c.gradeId as string));
  const { leading, groups, dropped } = studentGroups(submission, answerIds);
  const cells: NotebookCell[] = [codeCell(harnessSource(session), 0)];
  const roles: GradingCell[] = [{ role: 'harness' }];
  const notes: string[] = [];
  const lockedSoFar: string[] = [];
  let leadingPlaced = false;
  const emitStudent = (list: readonly GroupCell[]): void => {
    for (const c of list) {
      cells.push(codeCell(c.source, cells.length));
      roles.push({ role: c.role, gradeId: c.gradeId, submissionCell: c.number, firstLine: firstLine(c.source) });
    }
  };
  for (const c of assignment.cells) {
    const cell = source.cells[c.index];
    if (cell.cell_type !== 'code') continue;
    const text = cellSource(cell);
    if (c.kind === 'locked') {
      lockedSoFar.push(text);
      cells.push(codeCell(text, cells.length));
      roles.push({ role: 'locked', gradeId: c.gradeId });
    } else if (c.kind === 'grade') {
      for (const locked of lockedSoFar) {
        cells.push(codeCell(locked, cells.length));
        roles.push({ role: 'replay' });
      }
      cells.push(codeCell(wrappedGradeSource(text, session), cells.length));
      roles.push({ role: 'grade', gradeId: c.gradeId });
    } else if (c.kind === 'solution' && c.gradeId !== undefined) {
      if (!leadingPlaced) {
        emitStudent(leading);
        leadingPlaced = true;
      }
      const group = groups.get(c.gradeId);
      if (group === undefined) notes.push(`your answer cell ${c.gradeId} is missing from the notebook (deleted, or its metadata was lost), so the tests that need it could not use your answer`);
      else {
        const copies = group.filter((g) => g.role === 'answer').length;
        if (copies > 1) notes.push(`your notebook has ${copies} copies of the answer cell ${c.gradeId}; all of them ran, in your order, and the last definition counts`);
        emitStudent(group);
      }
    }
  }
  if (!leadingPlaced) emitStudent(leading);
  if (dropped > 0) notes.push(`${dropped} locked or test cell${dropped === 1 ? ' was' : 's were'} taken from the assignment, not from your notebook (they are never graded from a submission)`);
  const notebook: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, cells };
  return { notebook, cells: roles, notes };
}
