import { cellKind, nbgraderMetadata, type Assignment } from './assignment';
import type { AnswerData } from './answerData';
import { cellSource, type Notebook, type NotebookCell } from './nbformat';
import { namesWritten } from './routes';
import { studentVersion } from './studentVersion';

/*
 * The notebooks the grader runs. Three run only the source's own cells (trusted: the reference run, the
 * judge run and lint); one runs a student's answers (the probe run). In every one the grade cells are the
 * source's, with `grade` bound to the run's stand-in; the probe run takes the *student version* of each
 * grade cell, so hidden tests never enter a student's kernel. The instructor's cells always come from the
 * source: locked and grade cells a submission holds (edited, pasted, duplicated) are dropped.
 */

/** What a cell of a grading notebook is, and where it came from. */
export interface GradingCell {
  role: 'harness' | 'locked' | 'solution' | 'replay' | 'grade' | 'answer' | 'student';
  /** The grade cell's or answer cell's grade_id. */
  gradeId?: string;
  /** A student's cell: its number among the submission's code cells, from 1, and its first line. */
  submissionCell?: number;
  firstLine?: string;
}

/** A notebook to execute and what each of its code cells is. */
export interface GradingNotebook {
  notebook: Notebook;
  cells: GradingCell[];
}

/** A student's run: the notebook, and what a student should know about how it was put together. */
export interface ProbeNotebook extends GradingNotebook {
  notes: string[];
}

const IMPORT = /^[ \t]*import\b[^;'"]*?(?:from\s*)?(['"])[^'"\n]+\1[ \t]*;?[ \t]*$/gm;

/** Names the harness cell binds the two modules to: a student's cell cannot know them in advance. */
function harnessNames(nonce: string): { notebook: string; homework: string } {
  // tslab rewrites identifiers that start with two underscores, so these start with letters.
  return { notebook: `mamlGradingNotebook_${nonce}`, homework: `mamlGradingHomework_${nonce}` };
}

function harnessSource(nonce: string): string {
  const names = harnessNames(nonce);
  return [`import * as ${names.notebook} from 'maml-lab/notebook';`, `import * as ${names.homework} from 'maml-lab/homework';`].join('\n');
}

/**
 * A grade cell with `grade` bound to `standIn` (an expression over the harness's notebook module, e.g.
 * `probeGrade({...})`) and `check`, `test`, `expect`, `question`, `mistake`, `seeded` to the modules' own,
 * whatever earlier cells bound those names to. Its imports move above the block (an import may not stand
 * inside one).
 */
function wrappedGradeSource(source: string, nonce: string, standIn: string): string {
  const names = harnessNames(nonce);
  const imports = source.match(IMPORT) ?? [];
  const body = source.replace(IMPORT, '').trim();
  return [
    ...imports.map((line) => line.trim()),
    '{',
    `const grade = ${names.notebook}.${standIn};`,
    `const { check } = ${names.notebook};`,
    `const { test, expect, question, mistake, seeded } = ${names.homework};`,
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

function tslabNotebook(cells: NotebookCell[]): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, cells };
}

/**
 * A trusted run of the source's own code: the harness, the locked and solution cells as the source has
 * them, each grade cell with `grade` bound to `standIn` (`referenceGrade([...])`, `judgeGrade("…")` or
 * `lintGrade()`). Free cells (the source's `check` calls, demonstrations) are left out.
 *
 * @example
 * import { sourceRunNotebook, readAssignment } from 'maml-lab/homework';
 * const meta = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
 * const source = {
 *   nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab' } },
 *   cells: [
 *     { cell_type: 'code', source: "import { question } from 'maml-lab/homework';\nconst q1 = question('q1', { call: (y: number) => y, tests: [] });", metadata: meta({ locked: true, solution: false, grade: false, grade_id: 'setup' }) },
 *     { cell_type: 'code', source: '// BEGIN SOLUTION\nconst y = 2;\n// END SOLUTION', metadata: meta({ solution: true, grade: false, locked: false, grade_id: 'q1-answer' }) },
 *     { cell_type: 'code', source: 'await check(q1, y);', metadata: {} },
 *     { cell_type: 'code', source: 'await grade(q1, () => y, []);', metadata: meta({ grade: true, solution: false, locked: true, grade_id: 'q1', points: 1 }) },
 *   ],
 * };
 * sourceRunNotebook(readAssignment(source), 'lintGrade()', 'n1').cells.map((c) => c.role); // ["harness", "locked", "solution", "grade"]
 */
export function sourceRunNotebook(assignment: Assignment, standIn: string, nonce: string): GradingNotebook {
  const cells: NotebookCell[] = [codeCell(harnessSource(nonce), 0)];
  const roles: GradingCell[] = [{ role: 'harness' }];
  for (const c of assignment.cells) {
    const cell = assignment.notebook.cells[c.index];
    if (cell.cell_type !== 'code' || c.kind === 'free') continue;
    const text = cellSource(cell);
    const source = c.kind === 'grade' ? wrappedGradeSource(text, nonce, standIn) : text;
    cells.push(codeCell(source, cells.length));
    roles.push({ role: c.kind === 'grade' ? 'grade' : c.kind, gradeId: c.gradeId });
  }
  return { notebook: tslabNotebook(cells), cells: roles };
}

interface GroupCell {
  source: string;
  number: number;
  role: 'answer' | 'student';
  gradeId?: string;
}

/** The names a cell writes; a cell that does not parse writes none it could keep (it fails in the kernel). */
function safeNamesWritten(source: string): string[] {
  try {
    return namesWritten(source);
  } catch {
    return [];
  }
}

/** A cell is only `check(...)` calls: feedback for the student, never re-run when grading. */
function onlyChecks(source: string): boolean {
  const code = source.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').trim();
  return code !== '' && code.split(/;\s*|\n+/).map((s) => s.trim()).filter(Boolean).every((s) => /^(await\s+)?check\s*\([\s\S]*\)$/.test(s));
}

/** The submission's code cells, grouped under the answer cell each follows; cells before any answer lead. */
function studentGroups(submission: Notebook, answerIds: ReadonlySet<string>, lockedTexts: ReadonlyMap<string, readonly string[]>, freeTexts: ReadonlySet<string>): { leading: GroupCell[]; groups: Map<string, GroupCell[]>; edited: string[] } {
  const leading: GroupCell[] = [];
  const groups = new Map<string, GroupCell[]>();
  const edited: string[] = [];
  const seenLocked = new Set<string>();
  let current: GroupCell[] = leading;
  let number = 0;
  for (const cell of submission.cells) {
    if (cell.cell_type !== 'code') continue;
    number += 1;
    const source = cellSource(cell);
    const kind = cellKind(cell);
    const id = nbgraderMetadata(cell)?.grade_id;
    if (kind === 'grade' || kind === 'locked') {
      // Only an edit, a paste or a copy is worth a note: the student version (or the source) holds these cells unchanged.
      const originals = typeof id === 'string' ? lockedTexts.get(id) : undefined;
      if (originals === undefined || !originals.includes(source.trim()) || seenLocked.has(id as string)) edited.push(typeof id === 'string' ? id : `code cell ${number}`);
      if (typeof id === 'string') seenLocked.add(id);
      continue;
    }
    if (kind === 'solution' && typeof id === 'string' && answerIds.has(id)) {
      current = groups.get(id) ?? [];
      groups.set(id, current);
      current.push({ source, number, role: 'answer', gradeId: id });
    } else if (!onlyChecks(source) && !freeTexts.has(source.trim())) {
      current.push({ source, number, role: 'student' });
    }
  }
  return { leading, groups, edited };
}

/**
 * The notebook that runs one submission's answers, in the source's order:
 * 1. a harness cell (imports the grading modules under names no student cell can know);
 * 2. the source's locked cells, as the source has them;
 * 3. for each answer cell of the source, the submission's cells with that grade_id (all of them, in the
 *    submission's order, when a student duplicated one) and the student's own cells that followed them;
 *    cells that only call `check(...)`, and the assignment's own free cells left unchanged, are not run
 *    (feedback and demonstrations, not answers: the reference run does without them too);
 * 4. before each grade cell, the locked cells above it again when a student's cell since the last such
 *    replay declared or assigned a name a locked cell declares (so a redefined question, dataset or helper
 *    is undone; nothing is replayed for a submission that redefines nothing), then the *student version*
 *    of the grade cell with `grade` bound to a probe that calls the answer on `inputs[question]` and shows
 *    the values as data.
 *
 * @example
 * import { probeNotebook, readAssignment } from 'maml-lab/homework';
 * const meta = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
 * const source = {
 *   nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab' } },
 *   cells: [
 *     { cell_type: 'code', source: "import { question } from 'maml-lab/homework';\nconst q1 = question('q1', { call: (y: number) => y, tests: [] });", metadata: meta({ locked: true, solution: false, grade: false, grade_id: 'setup' }) },
 *     { cell_type: 'code', source: '// BEGIN SOLUTION\nconst y = 2;\n// END SOLUTION', metadata: meta({ solution: true, grade: false, locked: false, grade_id: 'q1-answer' }) },
 *     { cell_type: 'code', source: 'await grade(q1, () => y, [\n// BEGIN HIDDEN TESTS\n// END HIDDEN TESTS\n]);', metadata: meta({ grade: true, solution: false, locked: true, grade_id: 'q1', points: 1 }) },
 *   ],
 * };
 * const plan = probeNotebook(readAssignment(source), source, { q1: [null] }, 'n1');
 * plan.cells.map((c) => c.role); // ["harness", "locked", "answer", "grade"]
 * probeNotebook(readAssignment(source), { ...source, cells: [source.cells[1], { cell_type: 'code', source: 'const q1 = 0;', metadata: {} }] }, { q1: [null] }, 'n2').cells.map((c) => c.role); // ["harness", "locked", "answer", "student", "replay", "grade"]
 * plan.notes; // []
 */
export function probeNotebook(assignment: Assignment, submission: Notebook, inputs: Readonly<Record<string, readonly AnswerData[]>>, nonce: string): ProbeNotebook {
  const source = assignment.notebook;
  const student = studentVersion(source);
  const answerIds = new Set(assignment.cells.filter((c) => c.kind === 'solution' && c.gradeId !== undefined).map((c) => c.gradeId as string));
  const lockedTexts = new Map(assignment.cells.filter((c) => (c.kind === 'locked' || c.kind === 'grade') && c.gradeId !== undefined)
    .map((c) => [c.gradeId as string, [cellSource(student.cells[c.index]).trim(), cellSource(source.cells[c.index]).trim()]]));
  // The assignment's own free cells, unchanged (demonstrations, plots): the reference run does without them,
  // so the answers do too; running them would only cost time and output.
  const freeTexts = new Set(assignment.cells.filter((c) => c.kind === 'free' && source.cells[c.index].cell_type === 'code').map((c) => cellSource(source.cells[c.index]).trim()));
  const { leading, groups, edited } = studentGroups(submission, answerIds, lockedTexts, freeTexts);
  const cells: NotebookCell[] = [codeCell(harnessSource(nonce), 0)];
  const roles: GradingCell[] = [{ role: 'harness' }];
  const notes: string[] = [];
  const lockedSoFar: string[] = [];
  const lockedNames = new Set<string>();
  // Names the student's cells wrote since the last replay: a replay is needed only when one is a locked name.
  let written = new Set<string>();
  let leadingPlaced = false;
  const emitStudent = (list: readonly GroupCell[]): void => {
    for (const c of list) {
      cells.push(codeCell(c.source, cells.length));
      roles.push({ role: c.role, gradeId: c.gradeId, submissionCell: c.number, firstLine: firstLine(c.source) });
      for (const name of safeNamesWritten(c.source)) written.add(name);
    }
  };
  const standIn = `probeGrade(${JSON.stringify(inputs)})`;
  for (const c of assignment.cells) {
    const cell = source.cells[c.index];
    if (cell.cell_type !== 'code') continue;
    if (c.kind === 'locked') {
      const text = cellSource(cell);
      lockedSoFar.push(text);
      for (const name of safeNamesWritten(text)) lockedNames.add(name);
      cells.push(codeCell(text, cells.length));
      roles.push({ role: 'locked', gradeId: c.gradeId });
    } else if (c.kind === 'grade') {
      if ([...written].some((name) => lockedNames.has(name))) {
        for (const locked of lockedSoFar) {
          cells.push(codeCell(locked, cells.length));
          roles.push({ role: 'replay' });
        }
        written = new Set();
      }
      cells.push(codeCell(wrappedGradeSource(cellSource(student.cells[c.index]), nonce, standIn), cells.length));
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
  if (edited.length > 0) notes.push(`the assignment's own cells ${[...new Set(edited)].join(', ')} were changed, pasted or copied in your notebook; they were taken from the assignment instead (they are never graded from a submission)`);
  return { notebook: tslabNotebook(cells), cells: roles, notes };
}
